{{ config(materialized='table') }}

{#- One row per month per region per segment: the subscriber base (用户规模) — in service at
    month end (total), new, stable (在网满12个月且非新增), churned — and the churn rate of the
    segment (离网率 = churned this month among those in the segment at the end of last month /
    those in the segment at the end of last month; a subscriber's segment for churn is the one
    it had last month, before it left).
    segment_type 'total' | 'behaviour' (data_centric, voice_centric, heavy_all, light, silent) |
    'cust_type' | 'value' (high_value: 3-month average bill >= var high_value_arpu_yuan, 100 元) |
    'group' (group_member / individual). -#}

{%- set segments = {
    'total': ("'all'", "'all'"),
    'behaviour': ('behaviour_segment', 'prev_behaviour_segment'),
    'cust_type': ('cust_type', 'prev_cust_type'),
    'value': (
        "case when is_high_value then 'high_value' else 'other' end",
        "case when prev_is_high_value then 'high_value' else 'other' end"),
    'group': (
        "case when is_group_member then 'group_member' else 'individual' end",
        "case when prev_is_group_member then 'group_member' else 'individual' end"),
} -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

transitions as (
    select * from {{ ref('int_subscriber_transitions') }}
),

base_city as (
    {% for segment_type, exprs in segments.items() -%}
    select
        period_month,
        prov_code,
        city_code,
        '{{ segment_type }}' as segment_type,
        {{ exprs[0] }} as segment_value,
        sum({{ flag_int('is_in_service') }}) as total_subs,
        sum({{ flag_int('is_new') }}) as new_subs,
        sum({{ flag_int('is_stable') }}) as stable_subs,
        sum({{ flag_int('is_active') }}) as active_subs,
        0 as opening_subs,
        0 as churned_from_opening_subs
    from subscriber_months
    group by period_month, prov_code, city_code, {{ exprs[0] }}
    union all
    select
        period_month,
        prev_prov_code as prov_code,
        prev_city_code as city_code,
        '{{ segment_type }}' as segment_type,
        {{ exprs[1] }} as segment_value,
        0 as total_subs,
        0 as new_subs,
        0 as stable_subs,
        0 as active_subs,
        count(*) as opening_subs,
        sum({{ flag_int('is_removed') }}) as churned_from_opening_subs
    from transitions
    where is_opening
    group by period_month, prev_prov_code, prev_city_code, {{ exprs[1] }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

regions as (
    {{ region_rollup('base_city', ['period_month', 'segment_type', 'segment_value'], [
        'total_subs', 'new_subs', 'stable_subs', 'active_subs', 'opening_subs',
        'churned_from_opening_subs']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    segment_type,
    coalesce(segment_value, 'unknown') as segment_value,
    -- measures
    total_subs,
    new_subs,
    stable_subs,
    active_subs,
    opening_subs,
    churned_from_opening_subs as churned_subs,
    {{ safe_ratio('stable_subs', 'total_subs', 100) }} as stable_share_pct,
    {{ safe_ratio('churned_from_opening_subs', 'opening_subs', 100) }} as churn_rate_pct
from regions
