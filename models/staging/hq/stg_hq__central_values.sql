{{ config(enabled=var('hq_receipts', false)) }}
-- Centrally computed indicator values (from mart_indicator_values) for the provinces and periods
-- HQ holds uploads for, plus the national rows: one row per indicator per period per region.
with

source as (

    select * from {{ source('hq', 'central_values') }}

),

renamed as (

    select
        -- ids
        indicator_code,
        -- dimensions
        prov_code,
        period,
        period_grain,
        region_level,
        region_code,
        -- measures
        value,
        numerator,
        denominator,
        -- metadata
        refreshed_at
    from source

)

select * from renamed
