{{ config(enabled=var('hq_receipts', false)) }}
-- The catalogue HQ validated uploads against: one row per indicator.
with

source as (

    select * from {{ source('hq', 'catalogue') }}

),

renamed as (

    select
        -- ids
        indicator_code,
        -- dimensions
        catalogue_version,
        name_zh,
        name_en,
        unit,
        period_grain,
        level,
        aggregation,
        is_mandatory,
        is_ratio,
        is_additive,
        -- measures
        scale
    from source

)

select * from renamed
