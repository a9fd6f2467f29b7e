{{ config(materialized='table') }}

{#- One row per month per region per breakdown value: revenue structure (收入结构) by
    breakdown_type 'bill_item' | 'package' | 'package_family' | 'net_type' | 'cust_type' |
    'pay_type', with subscribers, ARPU (revenue / average subscribers of the value), share of the region's revenue, MoM, YoY, same period
    last year and YTD, and a package ARPU spike flag (a likely billing error). For 'bill_item' the subscribers are all of the region's, so its ARPU is the
    item's contribution to ARPU. -#}

{%- set items = [
    'package_fee_yuan', 'voice_fee_yuan', 'data_fee_yuan', 'sms_fee_yuan', 'vas_fee_yuan',
    'roaming_fee_yuan', 'other_fee_yuan', 'discount_yuan',
] -%}
{%- set breakdowns = {
    'package': 'package_code',
    'package_family': 'package_family',
    'net_type': 'net_type',
    'cust_type': 'cust_type',
    'pay_type': 'pay_type',
} -%}
{%- set keys = ['region_level', 'region_code', 'breakdown_type', 'breakdown_value'] -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

city_breakdowns as (
    {% for item in items -%}
    select
        period_month,
        prov_code,
        city_code,
        'bill_item' as breakdown_type,
        '{{ item | replace("_yuan", "") }}' as breakdown_value,
        -- a discount is taken off: it enters the structure as a negative amount
        sum({{ "-" if item == "discount_yuan" }}{{ item }}) as revenue_yuan,
        count(*) as billed_subs,
        sum({{ flag_int('is_in_opening') }}) as opening_subs,
        sum({{ flag_int('is_in_service') }}) as closing_subs
    from subscriber_months
    group by period_month, prov_code, city_code
    union all
    {% endfor -%}
    {% for breakdown_type, column in breakdowns.items() -%}
    select
        period_month,
        prov_code,
        city_code,
        '{{ breakdown_type }}' as breakdown_type,
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'unknown') as breakdown_value,
        sum(revenue_yuan) as revenue_yuan,
        count(*) as billed_subs,
        sum({{ flag_int('is_in_opening') }}) as opening_subs,
        sum({{ flag_int('is_in_service') }}) as closing_subs
    from subscriber_months
    group by period_month, prov_code, city_code, {{ column }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

regions as (
    {{ region_rollup('city_breakdowns', ['period_month', 'breakdown_type', 'breakdown_value'],
        ['revenue_yuan', 'billed_subs', 'opening_subs', 'closing_subs']) }}
),

with_ratios as (
    select
        *,
        (opening_subs + closing_subs) / 2.0 as avg_subs,
        {{ safe_ratio('2 * revenue_yuan', 'opening_subs + closing_subs') }} as arpu_yuan,
        {{ safe_ratio(
            'revenue_yuan',
            'sum(revenue_yuan) over (partition by region_level, region_code, period_month, breakdown_type)',
            100) }} as share_pct,
        {{ ytd_sum('revenue_yuan', keys) }} as revenue_ytd_yuan,
        avg({{ safe_ratio('2 * revenue_yuan', 'opening_subs + closing_subs') }}) over (
            partition by {{ keys | join(', ') }}
            order by period_month
            rows between 3 preceding and 1 preceding
        ) as arpu_prev_3m_avg_yuan,
        count(*) over (
            partition by {{ keys | join(', ') }}
            order by period_month
            rows between 3 preceding and 1 preceding
        ) as prev_months_available
    from regions
),

compared as (
    select
        cur.*,
        {{ period_compare_columns(['revenue_yuan', 'arpu_yuan', 'billed_subs']) }}
    from with_ratios as cur
    {{ period_compare_joins('with_ratios', keys) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    breakdown_type,
    breakdown_value,
    -- measures
    revenue_yuan,
    billed_subs,
    avg_subs,
    arpu_yuan,
    share_pct,
    revenue_ytd_yuan,
    -- comparisons
    revenue_yuan_last_month,
    revenue_yuan_mom_pct,
    revenue_yuan_sply,
    revenue_yuan_yoy_pct,
    arpu_yuan_last_month,
    arpu_yuan_mom_pct,
    arpu_yuan_sply,
    arpu_yuan_yoy_pct,
    billed_subs_mom_pct,
    billed_subs_yoy_pct,
    -- billing anomaly (计费异常): a package's ARPU jumps to var billing_spike_ratio (1.5) times the
    -- average of its previous 3 months (2 at least) in a region with at least
    -- var billing_spike_min_subs (10) subscribers on it
    arpu_prev_3m_avg_yuan,
    coalesce(
        breakdown_type = 'package'
        and region_level <> 'national'
        and prev_months_available >= 2
        and billed_subs >= {{ var('billing_spike_min_subs', 10) }}
        and arpu_yuan >= {{ var('billing_spike_ratio', 1.5) }} * arpu_prev_3m_avg_yuan,
        false
    ) as is_arpu_spike
from compared
