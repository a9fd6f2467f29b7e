{{ config(enabled=var('hq_receipts', false)) }}
-- Uploaded figures: one row per submission per indicator per region (province or city).
with

source as (

    select * from {{ source('hq', 'submission_values') }}

),

renamed as (

    select
        -- ids
        submission_id,
        indicator_code,
        -- dimensions
        prov_code,
        period,
        period_grain,
        period_month,
        stat_date,
        region_level,
        region_code,
        unit,
        -- measures
        value,
        numerator,
        denominator
    from source

)

select * from renamed
