{{ config(materialized='table') }}

{#- One row per month per region (national / province / city) per customer tier (vip_level and
    'all'): the call-centre KPIs of mart_hotline_day summed over the month's days, ratios
    recomputed from the sums; agent occupancy (national / province rows) from
    mart_hotline_agents_day: the month's handling time / its logged-in time less breaks. -#}

with

days as (
    select * from {{ ref('mart_hotline_day') }}
),

agents as (
    select
        {{ month_start('stat_date') }} as period_month,
        region_level,
        region_code,
        sum(handle_seconds) as agent_handle_seconds,
        sum(staffed_seconds) as staffed_seconds,
        sum(available_seconds) as available_seconds
    from {{ ref('mart_hotline_agents_day') }}
    group by {{ month_start('stat_date') }}, region_level, region_code
),

months as (
    select
        {{ month_start('stat_date') }} as period_month,
        region_level,
        region_code,
        vip_level,
        prov_code,
        sum(calls) as calls,
        sum(self_service_calls) as self_service_calls,
        sum(offered_calls) as offered_calls,
        sum(answered_calls) as answered_calls,
        sum(answered_in_time_calls) as answered_in_time_calls,
        sum(abandoned_calls) as abandoned_calls,
        sum(handle_seconds) as handle_seconds
    from days
    group by {{ month_start('stat_date') }}, region_level, region_code, vip_level, prov_code
)

select
    -- keys
    m.period_month,
    m.region_level,
    m.region_code,
    m.vip_level,
    -- dimensions
    m.prov_code,
    -- measures
    m.calls,
    m.self_service_calls,
    m.offered_calls,
    m.answered_calls,
    m.answered_in_time_calls,
    m.abandoned_calls,
    m.handle_seconds,
    {{ safe_ratio('m.answered_calls', 'm.offered_calls', 100) }} as answered_pct,
    {{ safe_ratio('m.answered_in_time_calls', 'm.offered_calls', 100) }} as answer_15s_pct,
    {{ safe_ratio('m.abandoned_calls', 'm.offered_calls', 100) }} as abandon_pct,
    {{ safe_ratio('m.handle_seconds', 'm.answered_calls') }} as aht_seconds,
    {{ safe_ratio('m.self_service_calls', 'm.calls', 100) }} as self_service_pct,
    case when m.vip_level = 'all' then a.agent_handle_seconds end as agent_handle_seconds,
    case when m.vip_level = 'all' then a.staffed_seconds end as staffed_seconds,
    case when m.vip_level = 'all' then a.available_seconds end as available_seconds,
    case when m.vip_level = 'all'
        then {{ safe_ratio('a.agent_handle_seconds', 'a.available_seconds', 100) }}
    end as occupancy_pct,
    -- targets (tier rows)
    t.answered_target_pct,
    t.answer_15s_target_pct,
    t.abandon_max_pct
from months as m
left join agents as a
    on m.period_month = a.period_month
    and m.region_level = a.region_level
    and m.region_code = a.region_code
left join {{ ref('service_level_targets') }} as t
    on m.vip_level = t.vip_level
