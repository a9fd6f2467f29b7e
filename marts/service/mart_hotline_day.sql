{{ config(materialized='table') }}

{#- One row per day per region (national / province / city) per customer tier (vip_level, and
    'all'): the 10010 call-centre KPIs. Offered (人工呼入) = calls that asked for an agent;
    接通率 = answered / offered; 15秒接通率 = answered within 15 s of queueing / offered;
    abandonment = offered but not answered / offered; AHT = (talk + after-call work) / answered;
    IVR self-service share = calls ended in the IVR / all calls. Zero is a row: every day with
    calls x every city that ever called x every tier. Tier rows carry the tier's targets
    (seeds/service_level_targets.csv). -#}

with

calls as (
    select
        cast(arrive_time as date) as stat_date,
        prov_code,
        city_code,
        vip_level,
        is_self_service,
        is_to_agent,
        is_answered,
        queue_seconds,
        coalesce(talk_seconds, 0) + coalesce(acw_seconds, 0) as handle_seconds,
        coalesce(talk_seconds, 0) as talk_seconds
    from {{ ref('stg_bss__hotline_calls') }}
),

grid as (
    select d.stat_date, c.prov_code, c.city_code, t.code as vip_level
    from (select distinct stat_date from calls) as d
    cross join (select distinct prov_code, city_code from calls) as c
    cross join (
        select code from {{ ref('code_values') }} where code_set = 'vip_level'
    ) as t
),

city_day as (
    select
        g.stat_date,
        g.prov_code,
        g.city_code,
        g.vip_level,
        count(c.stat_date) as calls,
        sum({{ flag_int('c.is_self_service') }}) as self_service_calls,
        sum({{ flag_int('c.is_to_agent') }}) as offered_calls,
        sum({{ flag_int('c.is_answered') }}) as answered_calls,
        sum({{ flag_int('c.is_answered and c.queue_seconds <= ' ~ var('hotline_answer_seconds', 15)) }})
            as answered_in_time_calls,
        sum({{ flag_int('c.is_to_agent and not c.is_answered') }}) as abandoned_calls,
        sum(case when c.is_answered then c.handle_seconds else 0 end) as handle_seconds,
        sum(case when c.is_answered then c.talk_seconds else 0 end) as talk_seconds
    from grid as g
    left join calls as c
        on g.stat_date = c.stat_date
        and g.city_code = c.city_code
        and g.vip_level = c.vip_level
    group by g.stat_date, g.prov_code, g.city_code, g.vip_level
),

all_tiers as (
    select
        stat_date, prov_code, city_code, vip_level,
        calls, self_service_calls, offered_calls, answered_calls, answered_in_time_calls,
        abandoned_calls, handle_seconds, talk_seconds
    from city_day
    union all
    select
        stat_date, prov_code, city_code, 'all',
        sum(calls), sum(self_service_calls), sum(offered_calls), sum(answered_calls),
        sum(answered_in_time_calls), sum(abandoned_calls), sum(handle_seconds), sum(talk_seconds)
    from city_day
    group by stat_date, prov_code, city_code
),

rolled as (
    {{ region_rollup('all_tiers', ['stat_date', 'vip_level'],
        ['calls', 'self_service_calls', 'offered_calls', 'answered_calls',
         'answered_in_time_calls', 'abandoned_calls', 'handle_seconds', 'talk_seconds']) }}
)

select
    -- keys
    r.stat_date,
    r.region_level,
    r.region_code,
    r.vip_level,
    -- dimensions
    r.prov_code,
    -- measures
    r.calls,
    r.self_service_calls,
    r.offered_calls,
    r.answered_calls,
    r.answered_in_time_calls,
    r.abandoned_calls,
    r.handle_seconds,
    r.talk_seconds,
    {{ safe_ratio('r.answered_calls', 'r.offered_calls', 100) }} as answered_pct,
    {{ safe_ratio('r.answered_in_time_calls', 'r.offered_calls', 100) }} as answer_15s_pct,
    {{ safe_ratio('r.abandoned_calls', 'r.offered_calls', 100) }} as abandon_pct,
    {{ safe_ratio('r.handle_seconds', 'r.answered_calls') }} as aht_seconds,
    {{ safe_ratio('r.self_service_calls', 'r.calls', 100) }} as self_service_pct,
    -- targets (tier rows)
    t.answered_target_pct,
    t.answer_15s_target_pct,
    t.abandon_max_pct
from rolled as r
left join {{ ref('service_level_targets') }} as t
    on r.vip_level = t.vip_level
