{{ config(materialized='table') }}

{#- One row per region for the latest month: subscribers in service, the high-value ones among
    them and how many of those are at risk (mart_high_value_at_risk), with the at-risk share.
    Every region with subscribers has a row, so a region with no high-value subscriber shows 0. -#}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

at_risk as (
    select * from {{ ref('mart_high_value_at_risk') }}
),

latest as (
    select max(period_month) as period_month from subscriber_months
),

city_month as (
    select
        s.period_month,
        s.prov_code,
        s.city_code,
        count(*) as subs_in_service,
        sum({{ flag_int('r.subs_id is not null') }}) as high_value_subs,
        sum({{ flag_int('r.is_at_risk') }}) as at_risk_subs,
        sum(case when r.is_at_risk then r.revenue_yuan else 0 end) as at_risk_revenue_yuan
    from subscriber_months as s
    inner join latest as l
        on s.period_month = l.period_month
    left join at_risk as r
        on s.subs_id = r.subs_id
    where s.is_in_service
    group by s.period_month, s.prov_code, s.city_code
),

regions as (
    {{ region_rollup('city_month', ['period_month'], [
        'subs_in_service', 'high_value_subs', 'at_risk_subs', 'at_risk_revenue_yuan']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    -- measures
    subs_in_service,
    high_value_subs,
    at_risk_subs,
    at_risk_revenue_yuan,
    {{ safe_ratio('high_value_subs', 'subs_in_service', 100) }} as high_value_share_pct,
    {{ safe_ratio('at_risk_subs', 'high_value_subs', 100) }} as at_risk_share_pct
from regions
