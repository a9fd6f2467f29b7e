{{ config(materialized='table') }}

{#- One row per month per region per channel level-1 type (channel_type 'all', '10' 自有,
    '20' 社会, '30' 电子, '40' 直销): development volume, commission cost, commission-to-revenue
    ratio of acquired subscribers, early churn and zero usage of the last 3 months'
    acquisitions, and the number of channels flagged as risky. Region is the channel's. -#}

with

channel_months as (
    select * from {{ ref('mart_channel_value_month') }}
),

city_month as (
    {% for type_expr in ["'all'", "coalesce(channel_level1_code, 'unknown')"] -%}
    select
        period_month,
        prov_code,
        city_code,
        {{ type_expr }} as channel_type,
        count(*) as channels,
        sum(new_subs) as new_subs,
        sum(commission_yuan) as commission_yuan,
        sum(acquired_revenue_yuan) as acquired_revenue_yuan,
        sum(recent_new_subs) as recent_new_subs,
        sum(recent_churned_subs) as recent_churned_subs,
        sum(recent_zero_usage_subs) as recent_zero_usage_subs,
        sum({{ flag_int('is_risk_channel') }}) as risk_channels
    from channel_months
    group by period_month, prov_code, city_code, {{ type_expr }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

regions as (
    {{ region_rollup('city_month', ['period_month', 'channel_type'], [
        'channels', 'new_subs', 'commission_yuan', 'acquired_revenue_yuan', 'recent_new_subs',
        'recent_churned_subs', 'recent_zero_usage_subs', 'risk_channels']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    channel_type,
    -- measures
    channels,
    new_subs,
    commission_yuan,
    acquired_revenue_yuan,
    {{ safe_ratio('commission_yuan', 'acquired_revenue_yuan', 100) }}
        as commission_revenue_ratio_pct,
    {{ safe_ratio('commission_yuan', 'new_subs') }} as commission_per_new_sub_yuan,
    recent_new_subs,
    recent_churned_subs,
    recent_zero_usage_subs,
    {{ safe_ratio('recent_churned_subs', 'recent_new_subs', 100) }} as early_churn_rate_pct,
    {{ safe_ratio('recent_zero_usage_subs', 'recent_new_subs', 100) }} as zero_usage_rate_pct,
    risk_channels
from regions
