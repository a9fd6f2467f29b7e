{{ config(materialized='table') }}

{#- One row per month per region per network (net_type 'all', '4G', '5G', 'FBB'): usage — MOU
    (minutes per average subscriber), DOU (GB per average subscriber; docs/warehouse.md
    "Definitions"),
    active and silent shares, 5G package and 5G terminal penetration — with MoM and YoY. -#}

{%- set keys = ['region_level', 'region_code', 'net_type'] -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

city_month as (
    {% for net_expr in ["'all'", 'net_type'] -%}
    select
        period_month,
        prov_code,
        city_code,
        {{ net_expr }} as net_type,
        sum({{ flag_int('is_in_opening') }}) as opening_subs,
        sum({{ flag_int('is_in_service') }}) as subs_in_service,
        sum({{ flag_int('is_active') }}) as active_subs,
        sum({{ flag_int('is_silent') }}) as silent_subs,
        sum({{ flag_int("is_in_service and net_type = '5G'") }}) as subs_5g_package,
        sum({{ flag_int('is_in_service and is_5g_terminal') }}) as subs_5g_terminal,
        sum(mou) as mou_total,
        sum(dou_mb) as data_mb_total,
        sum(sms_cnt) as sms_total
    from subscriber_months
    group by period_month, prov_code, city_code{{ ", net_type" if net_expr == "net_type" }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

regions as (
    {{ region_rollup('city_month', ['period_month', 'net_type'], [
        'opening_subs', 'subs_in_service', 'active_subs', 'silent_subs', 'subs_5g_package', 'subs_5g_terminal',
        'mou_total', 'data_mb_total',
        'sms_total']) }}
),

with_ratios as (
    select
        *,
        (opening_subs + subs_in_service) / 2.0 as avg_subs,
        {{ safe_ratio('2 * mou_total', 'opening_subs + subs_in_service') }} as mou,
        {{ safe_ratio('2 * data_mb_total', 'opening_subs + subs_in_service', '1 / 1024e0') }} as dou_gb,
        {{ safe_ratio('active_subs', 'subs_in_service', 100) }} as active_rate_pct,
        {{ safe_ratio('silent_subs', 'subs_in_service', 100) }} as silent_rate_pct,
        {{ safe_ratio('subs_5g_package', 'subs_in_service', 100) }} as penetration_5g_pct,
        {{ safe_ratio('subs_5g_terminal', 'subs_in_service', 100) }} as terminal_5g_pct
    from regions
),

compared as (
    select
        cur.*,
        {{ period_compare_columns(['mou', 'dou_gb', 'mou_total', 'data_mb_total']) }}
    from with_ratios as cur
    {{ period_compare_joins('with_ratios', keys) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    net_type,
    -- measures
    opening_subs,
    subs_in_service,
    avg_subs,
    active_subs,
    silent_subs,
    subs_5g_package,
    subs_5g_terminal,
    mou_total,
    data_mb_total,
    sms_total,
    mou,
    dou_gb,
    active_rate_pct,
    silent_rate_pct,
    penetration_5g_pct,
    terminal_5g_pct,
    -- comparisons
    mou_last_month,
    mou_mom_pct,
    mou_sply,
    mou_yoy_pct,
    dou_gb_last_month,
    dou_gb_mom_pct,
    dou_gb_sply,
    dou_gb_yoy_pct,
    data_mb_total_mom_pct,
    data_mb_total_yoy_pct
from compared
