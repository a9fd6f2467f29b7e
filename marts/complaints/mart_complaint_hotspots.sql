{{ config(materialized='table') }}

{#- One row per day per place per complaint category (level 1) with a ticket that day: complaints
    over the 3 days ending that day against the place's own baseline for that category, and the
    hot-spot flag (投诉热点). Two kinds of place (region_level):
      'city'  the city (地市), every category;
      'cell'  the cell named on network-quality tickets (category '01'), so a base-station fault
              shows up even when the city as a whole is quiet.
    Baseline: tickets per day over the var hotspot_baseline_days (28) days before the window,
    days without tickets counting 0. Score = (window tickets - expected) / sqrt(expected), expected
    = 3 x baseline rate (at least 0.25). Hot spot, with 7+ days of history: a cell with at least
    var hotspot_cell_min_tickets (3) tickets in the window and score >= var hotspot_cell_min_score
    (4); a city with at least var hotspot_city_min_tickets (4) and score >= hotspot_city_min_score
    (6). The city bar is higher because a city's background is larger and noisier; on the
    3,000-subscriber test set these settings find the planted outages with no false hot spot
    (docs/warehouse.md "Subject marts and indicators"). -#}

{%- set window = var('hotspot_baseline_days', 28) -%}

with

complaints as (
    select * from {{ ref('fct_complaints') }}
),

places_daily as (
    select
        'city' as region_level,
        city_code as region_code,
        prov_code,
        city_code,
        accept_date as stat_date,
        coalesce(category_l1_code, 'unknown') as category_l1_code,
        count(*) as tickets,
        sum({{ flag_int('is_escalated') }}) as escalated_tickets
    from complaints
    group by city_code, prov_code, accept_date, coalesce(category_l1_code, 'unknown')
    union all
    select
        'cell',
        cell_id,
        min(prov_code),
        min(city_code),
        accept_date,
        '01',
        count(*),
        sum({{ flag_int('is_escalated') }})
    from complaints
    where cell_id is not null
        and category_l1_code = '01'
    group by cell_id, accept_date
),

first_day as (
    select min(accept_date) as first_date from complaints
),

{{ hotspot_scores('places_daily',
    keys=['region_level', 'region_code', 'prov_code', 'city_code', 'category_l1_code'],
    match=['region_level', 'region_code', 'category_l1_code'],
    carry=['tickets', 'escalated_tickets'], measure='tickets', window=window) }}

select
    -- keys
    f.stat_date,
    f.region_level,
    f.region_code,
    f.category_l1_code,
    -- dimensions
    f.prov_code,
    f.city_code,
    c.l1_name as category_l1_name,
    -- measures
    f.tickets,
    f.escalated_tickets,
    f.window_tickets,
    f.baseline_tickets,
    f.baseline_days,
    f.expected_tickets,
    f.hotspot_score,
    -- flag
    coalesce(
        f.baseline_days >= 7
        and (
            (
                f.region_level = 'cell'
                and f.window_tickets >= {{ var('hotspot_cell_min_tickets', 3) }}
                and f.hotspot_score >= {{ var('hotspot_cell_min_score', 4) }}
            )
            or (
                f.region_level = 'city'
                and f.window_tickets >= {{ var('hotspot_city_min_tickets', 4) }}
                and f.hotspot_score >= {{ var('hotspot_city_min_score', 6) }}
            )
        ),
        false
    ) as is_hotspot
from flagged as f
left join (
    select distinct l1_code, l1_name from {{ ref('dim_complaint_category') }}
) as c
    on f.category_l1_code = c.l1_code
