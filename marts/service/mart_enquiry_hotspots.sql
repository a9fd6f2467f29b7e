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

{{ hotspot_scores('places_daily', keys=['city_code', 'prov_code', 'ivr_node'],
    match=['city_code', 'ivr_node'], carry=['calls'], measure='calls', window=window) }}

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
