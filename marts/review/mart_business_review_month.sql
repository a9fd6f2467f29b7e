{{ config(materialized='table') }}

{#- One row per month per region (经营盘点): the revenue change against last month split into a
    volume effect (量效应: change in billed subscribers x last month's ARPU) and a price effect
    (价效应: change in ARPU x this month's billed subscribers) — the two add up to the change
    exactly; the subscriber waterfall (期初 + 新增 - 离网 ± 迁移 = 期末, from
    mart_development_month 'total'); MOU and DOU with their change; unit prices (语音单价 = voice
    revenue / minutes, 综合流量单价 = revenue / GB of data) with their change. -#}

{%- set keys = ['region_level', 'region_code'] -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

development as (
    select * from {{ ref('mart_development_month') }}
    where breakdown_type = 'total'
),

city_month_billed as (
    select
        period_month,
        prov_code,
        city_code,
        sum(revenue_yuan) as revenue_yuan,
        sum(voice_fee_yuan) as voice_fee_yuan,
        sum(data_fee_yuan) as data_fee_yuan,
        count(*) as billed_subs,
        sum({{ flag_int('is_in_opening') }}) as opening_subs,
        sum({{ flag_int('is_in_service') }}) as closing_subs,
        sum(mou) as mou_total,
        sum(dou_mb) as data_mb_total
    from subscriber_months
    group by period_month, prov_code, city_code
),

-- Dense month x city grid (zero is a row): a city with no bills in a month still gets a zero
-- row, so next month's change compares with 0, not with a missing month.
city_month as (
    select
        m.period_month,
        c.prov_code,
        c.city_code,
        coalesce(b.revenue_yuan, 0) as revenue_yuan,
        coalesce(b.voice_fee_yuan, 0) as voice_fee_yuan,
        coalesce(b.data_fee_yuan, 0) as data_fee_yuan,
        coalesce(b.billed_subs, 0) as billed_subs,
        coalesce(b.opening_subs, 0) as opening_subs,
        coalesce(b.closing_subs, 0) as closing_subs,
        coalesce(b.mou_total, 0) as mou_total,
        coalesce(b.data_mb_total, 0) as data_mb_total
    from (select distinct period_month from subscriber_months) as m
    cross join (select distinct prov_code, city_code from subscriber_months) as c
    left join city_month_billed as b
        on b.period_month = m.period_month
        and b.prov_code = c.prov_code
        and b.city_code = c.city_code
),

regions as (
    {{ region_rollup('city_month', ['period_month'], [
        'revenue_yuan', 'voice_fee_yuan', 'data_fee_yuan', 'billed_subs', 'opening_subs',
        'closing_subs', 'mou_total', 'data_mb_total']) }}
),

with_ratios as (
    select
        *,
        (opening_subs + closing_subs) / 2.0 as avg_subs,
        {{ safe_ratio('2 * revenue_yuan', 'opening_subs + closing_subs') }} as arpu_yuan,
        {{ safe_ratio('2 * mou_total', 'opening_subs + closing_subs') }} as mou,
        {{ safe_ratio('2 * data_mb_total', 'opening_subs + closing_subs', '1 / 1024e0') }} as dou_gb,
        {{ safe_ratio('voice_fee_yuan', 'mou_total') }} as voice_unit_price_yuan_per_min,
        {{ safe_ratio('revenue_yuan', 'data_mb_total', 1024) }} as data_unit_price_yuan_per_gb
    from regions
),

compared as (
    select
        cur.*,
        {{ period_compare_columns([
            'revenue_yuan', 'avg_subs', 'arpu_yuan', 'mou', 'dou_gb',
            'voice_unit_price_yuan_per_min', 'data_unit_price_yuan_per_gb']) }}
    from with_ratios as cur
    {{ period_compare_joins('with_ratios', keys) }}
)

select
    -- keys
    c.period_month,
    c.region_level,
    c.region_code,
    c.prov_code,
    -- revenue bridge (收入变动 = 量效应 + 价效应)
    c.revenue_yuan,
    c.revenue_yuan_last_month,
    c.revenue_yuan - c.revenue_yuan_last_month as revenue_change_yuan,
    c.revenue_yuan_mom_pct,
    c.avg_subs,
    c.avg_subs_last_month,
    c.arpu_yuan,
    c.arpu_yuan_last_month,
    (c.avg_subs - c.avg_subs_last_month) * c.arpu_yuan_last_month as volume_effect_yuan,
    (c.arpu_yuan - c.arpu_yuan_last_month) * c.avg_subs as price_effect_yuan,
    -- subscriber waterfall
    d.opening_subs,
    d.new_subs,
    d.churned_subs,
    d.migration_in_subs,
    d.migration_out_subs,
    d.migration_in_subs - d.migration_out_subs as net_migration_subs,
    d.closing_subs,
    d.net_adds,
    -- usage
    c.voice_fee_yuan,
    c.mou_total,
    c.data_mb_total,
    c.mou,
    c.mou_last_month,
    c.mou - c.mou_last_month as mou_change,
    c.mou_mom_pct,
    c.dou_gb,
    c.dou_gb_last_month,
    c.dou_gb_mom_pct,
    -- unit prices
    c.voice_unit_price_yuan_per_min,
    c.voice_unit_price_yuan_per_min_last_month,
    c.voice_unit_price_yuan_per_min_mom_pct,
    c.data_unit_price_yuan_per_gb,
    c.data_unit_price_yuan_per_gb_last_month,
    c.data_unit_price_yuan_per_gb_mom_pct
from compared as c
left join development as d
    on c.period_month = d.period_month
    and c.region_level = d.region_level
    and c.region_code = d.region_code
