{{ config(materialized='table') }}

{#- One row per month per region per (from package, to package): subscribers in service at both
    month ends whose main package changed (套餐迁移), by direction of the monthly fee
    ('up' 升档, 'down' 降档, 'same' 平移), with their revenue before and after. Region is
    where the subscriber is this month. -#}

with

transitions as (
    select * from {{ ref('int_subscriber_transitions') }}
),

migrations as (
    select
        period_month,
        cur_prov_code as prov_code,
        cur_city_code as city_code,
        prev_package_code as from_package_code,
        cur_package_code as to_package_code,
        prev_net_type as from_net_type,
        cur_net_type as to_net_type,
        case
            when cur_package_monthly_fee_yuan > prev_package_monthly_fee_yuan then 'up'
            when cur_package_monthly_fee_yuan < prev_package_monthly_fee_yuan then 'down'
            else 'same'
        end as direction,
        1 as migrated_subs,
        prev_revenue_yuan as revenue_before_yuan,
        cur_revenue_yuan as revenue_after_yuan
    from transitions
    where is_opening
        and is_closing
        and prev_package_code <> cur_package_code
),

regions as (
    {{ region_rollup('migrations',
        ['period_month', 'from_package_code', 'to_package_code', 'from_net_type', 'to_net_type',
         'direction'],
        ['migrated_subs', 'revenue_before_yuan', 'revenue_after_yuan']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    from_package_code,
    to_package_code,
    -- dimensions
    from_net_type,
    to_net_type,
    direction,
    -- measures
    migrated_subs,
    revenue_before_yuan,
    revenue_after_yuan,
    revenue_after_yuan - revenue_before_yuan as revenue_change_yuan,
    {{ safe_ratio('revenue_before_yuan', 'migrated_subs') }} as arpu_before_yuan,
    {{ safe_ratio('revenue_after_yuan', 'migrated_subs') }} as arpu_after_yuan
from regions
