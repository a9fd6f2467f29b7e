{{ config(materialized='table') }}

{#- One row per day per region (national / province): agent occupancy (坐席利用率) from the agents'
    log-in sessions (AGNT). Agents work for a province; an agent on duty is one logged in that
    day. Occupancy = (talk + after-call work of the day's answered calls) / (logged-in time −
    breaks (示忙)): the share of the time agents were ready for calls that they spent on calls.
    A session belongs to the day it started, a call to the day it arrived. -#}

with

calls as (
    select
        cast(arrive_time as date) as stat_date,
        prov_code,
        coalesce(talk_seconds, 0) + coalesce(acw_seconds, 0) as handle_seconds
    from {{ ref('stg_bss__hotline_calls') }}
    where is_answered
),

sessions as (
    select
        stat_date,
        prov_code,
        agent_id,
        {{ dbt.datediff('login_time', 'logout_time', 'second') }} as logged_in_seconds,
        break_seconds
    from {{ ref('stg_bss__agent_sessions') }}
),

province_calls as (
    select
        stat_date,
        prov_code,
        count(*) as answered_calls,
        sum(handle_seconds) as handle_seconds
    from calls
    group by stat_date, prov_code
),

province_sessions as (
    select
        stat_date,
        prov_code,
        count(distinct agent_id) as agents_on_duty,
        sum(logged_in_seconds) as staffed_seconds,
        sum(break_seconds) as break_seconds
    from sessions
    group by stat_date, prov_code
),

province_day as (
    select
        coalesce(c.stat_date, s.stat_date) as stat_date,
        coalesce(c.prov_code, s.prov_code) as prov_code,
        coalesce(s.agents_on_duty, 0) as agents_on_duty,
        coalesce(c.answered_calls, 0) as answered_calls,
        coalesce(c.handle_seconds, 0) as handle_seconds,
        coalesce(s.staffed_seconds, 0) as staffed_seconds,
        coalesce(s.break_seconds, 0) as break_seconds
    from province_calls as c
    full outer join province_sessions as s
        on c.stat_date = s.stat_date
        and c.prov_code = s.prov_code
),

rolled as (
    select 'national' as region_level, '00' as region_code, '00' as prov_code, stat_date,
        sum(agents_on_duty) as agents_on_duty, sum(answered_calls) as answered_calls,
        sum(handle_seconds) as handle_seconds, sum(staffed_seconds) as staffed_seconds,
        sum(break_seconds) as break_seconds
    from province_day
    group by stat_date
    union all
    select 'province', prov_code, prov_code, stat_date, agents_on_duty, answered_calls,
        handle_seconds, staffed_seconds, break_seconds
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
    staffed_seconds,
    break_seconds,
    staffed_seconds - break_seconds as available_seconds,
    {{ safe_ratio('handle_seconds', 'staffed_seconds - break_seconds', 100) }} as occupancy_pct
from rolled
