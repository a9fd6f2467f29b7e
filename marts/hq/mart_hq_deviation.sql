{{ config(enabled=var('hq_receipts', false)) }}
-- 口径核对: one row per province per period per indicator per region of the current accepted
-- upload, beside the same indicator computed centrally from the warehouse. A city the province
-- filled with 0 (or an empty ratio) where the warehouse has no row counts as matching.
with

submissions as (

    select * from {{ ref('stg_hq__submissions') }}

),

uploaded_values as (

    select * from {{ ref('stg_hq__submission_values') }}

),

central_values as (

    select * from {{ ref('stg_hq__central_values') }}

),

catalogue as (

    select * from {{ ref('stg_hq__catalogue') }}

),

current_values as (

    select v.*
    from uploaded_values as v
    inner join submissions as s
        on s.submission_id = v.submission_id
    where s.is_current

),

compared as (

    select
        u.submission_id,
        u.prov_code,
        u.period,
        u.period_grain,
        u.period_month,
        u.stat_date,
        u.indicator_code,
        u.region_level,
        u.region_code,
        u.unit,
        u.value as uploaded_value,
        c.value as central_value,
        c.indicator_code is not null as has_central_row
    from current_values as u
    left join central_values as c
        on c.prov_code = u.prov_code
        and c.period = u.period
        and c.indicator_code = u.indicator_code
        and c.region_level = u.region_level
        and c.region_code = u.region_code

),

final as (

    select
        -- ids
        c.prov_code || '-' || c.period || '-' || c.indicator_code || '-' || c.region_code as deviation_key,
        c.submission_id,
        c.indicator_code,
        -- dimensions
        c.prov_code,
        c.period,
        c.period_grain,
        c.period_month,
        c.stat_date,
        c.region_level,
        c.region_code,
        k.name_zh as indicator_name_zh,
        k.name_en as indicator_name_en,
        c.unit,
        case
            when not c.has_central_row and coalesce(c.uploaded_value, 0) = 0 then 'match'
            when not c.has_central_row then 'not_central'
            when c.uploaded_value is null and c.central_value is null then 'match'
            when c.uploaded_value is null or c.central_value is null then 'differs'
            when abs(c.uploaded_value - c.central_value) <= 0.005 + 1e-6 * abs(c.central_value) then 'match'
            else 'differs'
        end as deviation_status,
        -- measures
        c.uploaded_value,
        c.central_value,
        c.uploaded_value - c.central_value as deviation,
        {{ pct_change('c.uploaded_value', 'c.central_value') }} as deviation_pct
    from compared as c
    left join catalogue as k
        on k.indicator_code = c.indicator_code

)

select * from final
