{{ config(materialized='table') }}

{#- One row per subscriber per month: fct_subscriber_month with the segments the subject marts
    break down by (口径 in docs/warehouse.md "Subject marts and indicators"):
    customer type and group membership from dim_customer (version valid in the month),
    package family from dim_package, channel level-1 type from dim_channel, a behaviour segment
    from the month's usage, and the stable/high-value flags. -#}

with

subscriber_months as (
    select * from {{ ref('fct_subscriber_month') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
),

packages as (
    select * from {{ ref('dim_package') }}
),

channels as (
    select * from {{ ref('dim_channel') }}
),

-- the customer version valid in each month; the current version when none matches
customer_months as (
    select
        s.subs_id,
        s.month_start,
        max(c.cust_type) as cust_type,
        max(c.vip_level) as vip_level,
        max(c.group_cust_id) as group_cust_id
    from subscriber_months as s
    inner join customers as c
        on s.cust_id = c.cust_id
        and c.valid_from <= s.month_start
        and (c.valid_to is null or c.valid_to > s.month_start)
    group by s.subs_id, s.month_start
),

revenue_history as (
    select
        subs_id,
        month_start,
        avg(revenue_yuan) over (
            partition by subs_id
            order by month_start
            rows between 2 preceding and current row
        ) as revenue_3m_avg_yuan
    from subscriber_months
)

select
    -- ids
    s.subs_id,
    s.cust_id,
    s.month_start as period_month,
    -- region
    s.prov_code,
    s.city_code,
    s.county_code,
    -- dimensions
    s.package_code,
    coalesce(p.package_family, 'unknown') as package_family,
    coalesce(p.monthly_fee_yuan, 0) as package_monthly_fee_yuan,
    coalesce(s.net_type, 'unknown') as net_type,
    coalesce(s.pay_type, 'unknown') as pay_type,
    s.channel_id,
    coalesce(ch.level1_code, 'unknown') as channel_level1_code,
    coalesce(ch.channel_type_code, 'unknown') as channel_type_code,
    coalesce(cm.cust_type, 'unknown') as cust_type,
    coalesce(cm.vip_level, '0') as vip_level,
    cm.group_cust_id,
    s.tenure_months,
    case
        when s.mou = 0 and s.dou_mb = 0 and s.sms_cnt = 0 then 'silent'
        when s.dou_mb >= 10240 and s.mou >= 300 then 'heavy_all'
        when s.dou_mb >= 10240 then 'data_centric'
        when s.mou >= 300 then 'voice_centric'
        else 'light'
    end as behaviour_segment,
    -- flags
    s.is_in_snapshot,
    coalesce(s.is_in_snapshot and not s.is_new, false) as is_in_opening,
    s.is_in_service,
    s.is_new,
    s.is_churned,
    s.is_active,
    s.is_silent,
    s.is_5g_terminal,
    coalesce(s.is_in_service and not s.is_new and s.tenure_months >= 12, false) as is_stable,
    coalesce(cm.group_cust_id is not null or cm.cust_type = '02', false) as is_group_member,
    coalesce(rh.revenue_3m_avg_yuan >= {{ var('high_value_arpu_yuan', 100) }}, false)
        as is_high_value,
    -- measures
    s.package_fee_yuan,
    s.voice_fee_yuan,
    s.data_fee_yuan,
    s.sms_fee_yuan,
    s.vas_fee_yuan,
    s.roaming_fee_yuan,
    s.other_fee_yuan,
    s.discount_yuan,
    s.revenue_yuan,
    rh.revenue_3m_avg_yuan,
    s.mou,
    s.dou_mb,
    s.sms_cnt,
    s.active_days,
    s.paid_yuan,
    s.arrears_yuan,
    s.arrears_age_months,
    s.late_payment,
    s.complaint_cnt
from subscriber_months as s
left join customer_months as cm
    on s.subs_id = cm.subs_id
    and s.month_start = cm.month_start
left join packages as p
    on s.package_code = p.package_code
left join channels as ch
    on s.channel_id = ch.channel_id
left join revenue_history as rh
    on s.subs_id = rh.subs_id
    and s.month_start = rh.month_start
