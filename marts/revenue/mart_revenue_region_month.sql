{{ config(materialized='table') }}

{#- One row per month per region (national / province / city): billed revenue by bill item,
    subscribers and ARPU, each with 环比 (MoM), 同比 (YoY), same period last year and 累计 (YTD).
    ARPU = revenue / average subscribers ((期初 + 期末) / 2, docs/warehouse.md "Definitions"),
    recomputed at every region level; YTD ARPU = YTD revenue / YTD sum of average subscribers. -#}

{%- set items = [
    'package_fee_yuan', 'voice_fee_yuan', 'data_fee_yuan', 'sms_fee_yuan', 'vas_fee_yuan',
    'roaming_fee_yuan', 'other_fee_yuan', 'discount_yuan',
] -%}
{%- set keys = ['region_level', 'region_code'] -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

city_month_billed as (
    select
        period_month,
        prov_code,
        city_code,
        sum(revenue_yuan) as revenue_yuan,
        {% for item in items -%}
        sum({{ item }}) as {{ item }},
        {% endfor -%}
        count(*) as billed_subs,
        sum({{ flag_int('is_in_opening') }}) as opening_subs,
        sum({{ flag_int('is_in_service') }}) as closing_subs,
        sum({{ flag_int("is_in_opening and net_type = '5G'") }}) as opening_subs_5g,
        sum({{ flag_int("is_in_service and net_type = '5G'") }}) as closing_subs_5g,
        sum(case when net_type = '5G' then revenue_yuan else 0 end) as revenue_5g_yuan
    from subscriber_months
    group by period_month, prov_code, city_code
),

-- Dense month x city grid: a city with no bills in a month still gets a (zero) row, so its
-- year-to-date sum carries on and cities keep adding up to their province (and MoM windows
-- always look at the previous calendar month).
city_grid as (
    select
        m.period_month,
        c.prov_code,
        c.city_code
    from (select distinct period_month from subscriber_months) as m
    cross join (select distinct prov_code, city_code from subscriber_months) as c
),

city_month as (
    select
        g.period_month,
        g.prov_code,
        g.city_code,
        coalesce(b.revenue_yuan, 0) as revenue_yuan,
        {% for item in items -%}
        coalesce(b.{{ item }}, 0) as {{ item }},
        {% endfor -%}
        coalesce(b.billed_subs, 0) as billed_subs,
        coalesce(b.opening_subs, 0) as opening_subs,
        coalesce(b.closing_subs, 0) as closing_subs,
        coalesce(b.opening_subs_5g, 0) as opening_subs_5g,
        coalesce(b.closing_subs_5g, 0) as closing_subs_5g,
        coalesce(b.revenue_5g_yuan, 0) as revenue_5g_yuan
    from city_grid as g
    left join city_month_billed as b
        on g.period_month = b.period_month
        and g.prov_code = b.prov_code
        and g.city_code = b.city_code
),

regions as (
    {{ region_rollup('city_month', ['period_month'],
        ['revenue_yuan'] + items + ['billed_subs', 'opening_subs', 'closing_subs', 'opening_subs_5g',
         'closing_subs_5g', 'revenue_5g_yuan']) }}
),

with_ratios as (
    select
        *,
        (opening_subs + closing_subs) / 2.0 as avg_subs,
        (opening_subs_5g + closing_subs_5g) / 2.0 as avg_subs_5g,
        {{ safe_ratio('2 * revenue_yuan', 'opening_subs + closing_subs') }} as arpu_yuan,
        {{ safe_ratio('2 * revenue_5g_yuan', 'opening_subs_5g + closing_subs_5g') }} as arpu_5g_yuan,
        {{ ytd_sum('revenue_yuan', keys) }} as revenue_ytd_yuan,
        {{ ytd_sum('(opening_subs + closing_subs) / 2.0', keys) }} as avg_subs_ytd,
        {{ ytd_months(keys) }} as ytd_months,
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
        {{ safe_ratio('cur.revenue_ytd_yuan', 'cur.avg_subs_ytd') }} as arpu_ytd_yuan,
        -- the base year-to-date only when the history holds all of it (else NULL, shown "—")
        {{ complete_ytd('last_year.revenue_ytd_yuan', 'last_year') }} as revenue_ytd_sply_yuan,
        {{ pct_change('cur.revenue_ytd_yuan', complete_ytd('last_year.revenue_ytd_yuan', 'last_year')) }}
            as revenue_ytd_yoy_pct,
        {{ period_compare_columns(['revenue_yuan', 'arpu_yuan', 'avg_subs']) }}
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
    -- subscribers and ARPU (revenue / average subscribers)
    c.billed_subs,
    c.opening_subs,
    c.closing_subs,
    c.avg_subs,
    c.avg_subs_5g,
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
    c.avg_subs_ytd,
    c.arpu_ytd_yuan,
    c.avg_subs_last_month,
    c.avg_subs_mom_pct,
    c.avg_subs_yoy_pct,
    -- dip signal against the region's own trailing months (收入异常下滑): revenue more than
    -- var revenue_dip_threshold (6%) below the average of the previous 3 months (2 at least), in
    -- a region with at least var revenue_dip_min_subs (200) billed subscribers (smaller ones are
    -- too noisy). The region's own history, not its peers: a dip elsewhere moves the peers.
    c.revenue_prev_3m_avg_yuan,
    {{ pct_change('c.revenue_yuan', 'c.revenue_prev_3m_avg_yuan') }} as revenue_vs_prev_3m_pct,
    coalesce(
        c.prev_months_available >= 2
        and c.billed_subs >= {{ var('revenue_dip_min_subs', 200) }}
        and c.revenue_yuan < (1 - {{ var('revenue_dip_threshold', 0.06) }}) * c.revenue_prev_3m_avg_yuan,
        false
    ) as is_revenue_dip
from compared as c
left join names as n
    on c.region_level = n.region_level
    and c.region_code = n.region_code
