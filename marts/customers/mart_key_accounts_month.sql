{{ config(materialized='table') }}

{#- One row per group customer (集团客户) per month: member customers and subscribers, revenue,
    arrears, new and churned member subscribers, revenue MoM/YoY, and whether it is a key account
    (重点客户: revenue in the month >= var key_account_revenue_yuan, default 1000 元, or any member
    customer of VIP level 3). A group is keyed by group_cust_id; a group-type customer (cust_type
    '02') with no group id is its own group. Region: the province and city of most member
    subscribers (ties: lowest code). -#}

{%- set keys = ['group_cust_id'] -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

members as (
    select
        *,
        coalesce(group_cust_id, cust_id) as group_key
    from subscriber_months
    where group_cust_id is not null or cust_type = '02'
),

group_cities as (
    select
        period_month,
        group_key,
        prov_code,
        city_code,
        row_number() over (
            partition by period_month, group_key
            order by count(*) desc, city_code
        ) as city_rank
    from members
    group by period_month, group_key, prov_code, city_code
),

group_month as (
    select
        period_month,
        group_key as group_cust_id,
        count(distinct cust_id) as member_customers,
        sum({{ flag_int('is_in_service') }}) as member_subs,
        sum({{ flag_int('is_new') }}) as new_member_subs,
        sum({{ flag_int('is_churned') }}) as churned_member_subs,
        sum(revenue_yuan) as revenue_yuan,
        sum(arrears_yuan) as arrears_yuan,
        max(case when vip_level = '3' then 1 else 0 end) as has_diamond_member
    from members
    group by period_month, group_key
),

compared as (
    select
        cur.*,
        {{ period_compare_columns(['revenue_yuan', 'member_subs']) }}
    from group_month as cur
    {{ period_compare_joins('group_month', keys) }}
)

select
    -- keys
    c.period_month,
    c.group_cust_id,
    -- region
    g.prov_code,
    g.city_code,
    -- measures
    c.member_customers,
    c.member_subs,
    c.new_member_subs,
    c.churned_member_subs,
    c.revenue_yuan,
    c.arrears_yuan,
    {{ safe_ratio('c.revenue_yuan', 'c.member_subs') }} as arpu_yuan,
    c.revenue_yuan_last_month,
    c.revenue_yuan_mom_pct,
    c.revenue_yuan_sply,
    c.revenue_yuan_yoy_pct,
    c.member_subs_mom_pct,
    -- flags
    (c.revenue_yuan >= {{ var('key_account_revenue_yuan', 1000) }} or c.has_diamond_member = 1)
        as is_key_account
from compared as c
inner join group_cities as g
    on c.period_month = g.period_month
    and c.group_cust_id = g.group_key
    and g.city_rank = 1
