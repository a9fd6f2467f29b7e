{{ config(materialized='table') }}

{#- One row per day per city per IVR topic (ivr_node) with a hotline call that day: calls over
    the 3 days ending that day against the city's own baseline for that topic, and the hot-spot
    flag (咨询热点, 6.6.3). Baseline: calls per day over the var hotspot_baseline_days (28) days
    before the window, days without calls counting 0. Score = (window calls - expected) /
    sqrt(expected), expected = 3 x baseline rate (at least 0.25). Hot, with 7+ days of history:
    at least var enquiry_hotspot_min_calls (8) calls in the window and score >= var
    enquiry_hotspot_min_score (7) (docs/warehouse.md "Anomalies, hot spots and alerts"). -#}

{%- set window = var('hotspot_baseline_days', 28) -%}

with

calls as (
    select
        cast(arrive_time as date) as stat_date,
        prov_code,
        city_code,
        ivr_node
    from {{ ref('stg_bss__hotline_calls') }}
),

places_daily as (
    select
        city_code,
        min(prov_code) as prov_code,
        stat_date,
        ivr_node,
        count(*) as calls
    from calls
    group by city_code, stat_date, ivr_node
),

first_day as (
    select min(stat_date) as first_date from calls
),

windowed as (
    select
        d.city_code,
        d.prov_code,
        d.stat_date,
        d.ivr_node,
        d.calls,
        sum(case when h.stat_date > {{ add_days('d.stat_date', -3) }} then h.calls else 0 end)
            as window_calls,
        sum(case when h.stat_date <= {{ add_days('d.stat_date', -3) }} then h.calls else 0 end)
            as baseline_calls
    from places_daily as d
    inner join places_daily as h
        on d.city_code = h.city_code
        and d.ivr_node = h.ivr_node
        and h.stat_date > {{ add_days('d.stat_date', -(window + 3)) }}
        and h.stat_date <= d.stat_date
    group by d.city_code, d.prov_code, d.stat_date, d.ivr_node, d.calls
),

scored as (
    select
        w.*,
        case
            when {{ dbt.datediff('f.first_date', 'w.stat_date', 'day') }} - 2 > {{ window }}
                then {{ window }}
            when {{ dbt.datediff('f.first_date', 'w.stat_date', 'day') }} - 2 < 0 then 0
            else {{ dbt.datediff('f.first_date', 'w.stat_date', 'day') }} - 2
        end as baseline_days
    from windowed as w
    cross join first_day as f
),

expected as (
    select
        *,
        case
            when baseline_days = 0 then null
            else 3 * cast(baseline_calls as {{ double_type() }}) / baseline_days
        end as expected_calls
    from scored
),

flagged as (
    select
        *,
        (window_calls - expected_calls)
            / sqrt(case when expected_calls < 0.25 then 0.25 else expected_calls end)
            as hotspot_score
    from expected
)

select
    -- keys
    f.stat_date,
    f.city_code as region_code,
    f.ivr_node,
    -- dimensions
    'city' as region_level,
    f.prov_code,
    f.city_code,
    n.name_zh as ivr_node_name,
    -- measures
    f.calls,
    f.window_calls,
    f.baseline_calls,
    f.baseline_days,
    f.expected_calls,
    f.hotspot_score,
    -- flag
    coalesce(
        f.baseline_days >= 7
        and f.window_calls >= {{ var('enquiry_hotspot_min_calls', 8) }}
        and f.hotspot_score >= {{ var('enquiry_hotspot_min_score', 7) }},
        false
    ) as is_hotspot
from flagged as f
left join {{ ref('code_values') }} as n
    on n.code_set = 'ivr_node'
    and f.ivr_node = n.code
