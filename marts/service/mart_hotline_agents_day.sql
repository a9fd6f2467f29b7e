{{ config(materialized='table') }}

{#- One row per day per region (national / province): agent occupancy (坐席利用率). Agents work
    for a province; an agent on duty is one who answered a call that day, staffed for the var
    hotline_shift_seconds (8 h) shift. Occupancy = (talk + after-call work) / staffed time. The
    extracts carry no agent log-in times, so this is occupancy of a full shift, a lower bound on
    the occupancy of the logged-in time. -#}

with

calls as (
    select
        cast(arrive_time as date) as stat_date,
        prov_code,
        agent_id,
        coalesce(talk_seconds, 0) + coalesce(acw_seconds, 0) as handle_seconds
    from {{ ref('stg_bss__hotline_calls') }}
    where is_answered
),

province_day as (
    select
        stat_date,
        prov_code,
        count(distinct agent_id) as agents_on_duty,
        count(*) as answered_calls,
        sum(handle_seconds) as handle_seconds
    from calls
    group by stat_date, prov_code
),

rolled as (
    select 'national' as region_level, '00' as region_code, '00' as prov_code, stat_date,
        sum(agents_on_duty) as agents_on_duty, sum(answered_calls) as answered_calls,
        sum(handle_seconds) as handle_seconds
    from province_day
    group by stat_date
    union all
    select 'province', prov_code, prov_code, stat_date, agents_on_duty, answered_calls,
        handle_seconds
    from province_day
)

select
    -- keys
    stat_date,
    region_level,
    region_code,
    -- dimensions
    prov_code,
    -- measures
    agents_on_duty,
    answered_calls,
    handle_seconds,
    agents_on_duty * {{ var('hotline_shift_seconds', 28800) }} as staffed_seconds,
    {{ safe_ratio('handle_seconds', 'agents_on_duty * ' ~ var('hotline_shift_seconds', 28800), 100) }}
        as occupancy_pct
from rolled
