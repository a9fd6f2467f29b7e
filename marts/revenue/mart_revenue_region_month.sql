{{ config(materialized='table') }}

{#- One row per month per region (national / province / city): billed revenue by bill item,
    subscribers and ARPU, each with 环比 (MoM), 同比 (YoY), same period last year and 累计 (YTD).
    ARPU = revenue / subscribers billed in the month, recomputed at every region level. -#}

{%- set items = [
    'package_fee_yuan', 'voice_fee_yuan', 'data_fee_yuan', 'sms_fee_yuan', 'vas_fee_yuan',
    'roaming_fee_yuan', 'other_fee_yuan', 'discount_yuan',
] -%}
{%- set keys = ['region_level', 'region_code'] -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

city_month as (
    select
        period_month,
        prov_code,
        city_code,
        sum(revenue_yuan) as revenue_yuan,
        {% for item in items -%}
        sum({{ item }}) as {{ item }},
        {% endfor -%}
        count(*) as billed_subs,
        sum({{ flag_int("net_type = '5G'") }}) as billed_subs_5g,
        sum(case when net_type = '5G' then revenue_yuan else 0 end) as revenue_5g_yuan
    from subscriber_months
    group by period_month, prov_code, city_code
),

regions as (
    {{ region_rollup('city_month', ['period_month'],
        ['revenue_yuan'] + items + ['billed_subs', 'billed_subs_5g', 'revenue_5g_yuan']) }}
),

with_ratios as (
    select
        *,
        {{ safe_ratio('revenue_yuan', 'billed_subs') }} as arpu_yuan,
        {{ safe_ratio('revenue_5g_yuan', 'billed_subs_5g') }} as arpu_5g_yuan,
        {{ ytd_sum('revenue_yuan', keys) }} as revenue_ytd_yuan,
        {{ ytd_sum('billed_subs', keys) }} as billed_subs_ytd,
        avg(revenue_yuan) over (
            partition by region_level, region_code
            order by period_month
            rows between 3 preceding and 1 preceding
        ) as revenue_prev_3m_avg_yuan,
        count(*) over (
            partition by region_level, region_code
            order by period_month
            rows between 3 preceding and 1 preceding
        ) as prev_months_available
    from regions
),

compared as (
    select
        cur.*,
        {{ safe_ratio('cur.revenue_ytd_yuan', 'cur.billed_subs_ytd') }} as arpu_ytd_yuan,
        last_year.revenue_ytd_yuan as revenue_ytd_sply_yuan,
        {{ pct_change('cur.revenue_ytd_yuan', 'last_year.revenue_ytd_yuan') }}
            as revenue_ytd_yoy_pct,
        {{ period_compare_columns(['revenue_yuan', 'arpu_yuan', 'billed_subs']) }}
    from with_ratios as cur
    {{ period_compare_joins('with_ratios', keys) }}
),

names as (
    {{ region_names() }}
)

select
    -- keys
    c.period_month,
    c.region_level,
    c.region_code,
    c.prov_code,
    n.region_name,
    -- revenue (元)
    c.revenue_yuan,
    {% for item in items -%}
    c.{{ item }},
    {% endfor -%}
    c.revenue_5g_yuan,
    -- subscribers and ARPU
    c.billed_subs,
    c.billed_subs_5g,
    c.arpu_yuan,
    c.arpu_5g_yuan,
    -- comparisons
    c.revenue_yuan_last_month,
    c.revenue_yuan_mom_pct,
    c.revenue_yuan_sply,
    c.revenue_yuan_yoy_pct,
    c.revenue_ytd_yuan,
    c.revenue_ytd_sply_yuan,
    c.revenue_ytd_yoy_pct,
    c.arpu_yuan_last_month,
    c.arpu_yuan_mom_pct,
    c.arpu_yuan_sply,
    c.arpu_yuan_yoy_pct,
    c.billed_subs_ytd,
    c.arpu_ytd_yuan,
    c.billed_subs_last_month,
    c.billed_subs_mom_pct,
    c.billed_subs_yoy_pct,
    -- dip signal against the region's own trailing 3 months (收入异常下滑): revenue more than
    -- var revenue_dip_threshold (8%) below the previous 3 months' average, in a region with at
    -- least var revenue_dip_min_subs (500) billed subscribers (smaller ones are too noisy)
    c.revenue_prev_3m_avg_yuan,
    {{ pct_change('c.revenue_yuan', 'c.revenue_prev_3m_avg_yuan') }} as revenue_vs_prev_3m_pct,
    coalesce(
        c.prev_months_available = 3
        and c.billed_subs >= {{ var('revenue_dip_min_subs', 500) }}
        and c.revenue_yuan < (1 - {{ var('revenue_dip_threshold', 0.08) }}) * c.revenue_prev_3m_avg_yuan,
        false
    ) as is_revenue_dip
from compared as c
left join names as n
    on c.region_level = n.region_level
    and c.region_code = n.region_code
