{{ config(materialized='table') }}

{#- One row per month per region: customers (客户, not subscribers) with at least one subscriber
    in service at month end, split into individual / group (政企) / family customers, and group
    customers (集团客户, by group_cust_id). A customer is counted once, in the city of its
    customer record (dim_customer version valid in the month). -#}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
    where is_in_service
),

customers as (
    select * from {{ ref('dim_customer') }}
),

customer_months as (
    select
        s.period_month,
        s.cust_id,
        max(s.cust_type) as cust_type,
        max(s.group_cust_id) as group_cust_id,
        min(s.prov_code) as subs_prov_code,
        min(s.city_code) as subs_city_code
    from subscriber_months as s
    group by s.period_month, s.cust_id
),

located as (
    select
        cm.period_month,
        cm.cust_id,
        cm.cust_type,
        cm.group_cust_id,
        coalesce(c.prov_code, cm.subs_prov_code) as prov_code,
        coalesce(c.city_code, cm.subs_city_code) as city_code
    from customer_months as cm
    left join customers as c
        on cm.cust_id = c.cust_id
        and c.valid_from <= cm.period_month
        and c.valid_to > cm.period_month
),

city_month as (
    select
        period_month,
        prov_code,
        city_code,
        count(*) as customers,
        sum({{ flag_int("cust_type = '01'") }}) as individual_customers,
        sum({{ flag_int("cust_type = '02'") }}) as group_customers,
        sum({{ flag_int("cust_type = '03'") }}) as family_customers,
        sum({{ flag_int('group_cust_id is not null') }}) as group_member_customers
    from located
    group by period_month, prov_code, city_code
),

regions as (
    {{ region_rollup('city_month', ['period_month'], [
        'customers', 'individual_customers', 'group_customers', 'family_customers',
        'group_member_customers']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    -- measures
    customers,
    individual_customers,
    group_customers,
    family_customers,
    group_member_customers
from regions
