{{ config(enabled=var('hq_receipts', false)) }}
-- 全国汇总: one row per indicator per period, consolidated from the provinces' current accepted
-- uploads — additive values are the sum of provinces; ratios are recomputed from the summed
-- numerators and denominators (never averaged) — beside the centrally computed national figure.
with

submissions as (

    select * from {{ ref('stg_hq__submissions') }}

),

uploaded_values as (

    select * from {{ ref('stg_hq__submission_values') }}

),

catalogue as (

    select * from {{ ref('stg_hq__catalogue') }}

),

central_values as (

    select * from {{ ref('stg_hq__central_values') }}

),

period_status as (

    select * from {{ ref('stg_hq__period_status') }}

),

province_values as (

    select v.*
    from uploaded_values as v
    inner join submissions as s
        on s.submission_id = v.submission_id
    where s.is_current
        and v.region_level = 'province'

),

summed as (

    select
        indicator_code,
        period,
        period_grain,
        period_month,
        stat_date,
        count(distinct prov_code) as provinces_reported,
        sum(value) as sum_value,
        sum(numerator) as sum_numerator,
        sum(denominator) as sum_denominator
    from province_values
    group by indicator_code, period, period_grain, period_month, stat_date

),

expected as (

    select
        period,
        count(*) as provinces_expected
    from period_status
    group by period

),

central_national as (

    select
        indicator_code,
        period,
        value as central_value
    from central_values
    where region_level = 'national'

),

final as (

    select
        -- ids
        s.indicator_code || '-' || s.period as national_key,
        s.indicator_code,
        s.period,
        -- dimensions
        s.period_grain,
        s.period_month,
        s.stat_date,
        k.name_zh as indicator_name_zh,
        k.name_en as indicator_name_en,
        k.unit,
        k.aggregation,
        s.provinces_reported = e.provinces_expected as is_complete,
        -- measures
        s.provinces_reported,
        e.provinces_expected,
        case
            when not k.is_additive then null
            when k.aggregation = 'ratio'
                then {{ safe_ratio('s.sum_numerator', 's.sum_denominator', 'k.scale') }}
            when k.aggregation = 'change'
                then {{ safe_ratio('s.sum_numerator - s.sum_denominator', 'abs(s.sum_denominator)', 'k.scale') }}
            else s.sum_value
        end as national_value,
        s.sum_value as sum_of_provinces,
        s.sum_numerator,
        s.sum_denominator,
        c.central_value
    from summed as s
    inner join catalogue as k
        on k.indicator_code = s.indicator_code
    left join expected as e
        on e.period = s.period
    left join central_national as c
        on c.indicator_code = s.indicator_code
        and c.period = s.period

)

select * from final
