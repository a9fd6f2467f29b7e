{{ config(enabled=var('hq_receipts', false)) }}
-- Submission status as of the last receive run: one row per province per period.
with

source as (

    select * from {{ source('hq', 'period_status') }}

),

renamed as (

    select
        -- ids
        prov_code,
        period,
        current_submission_id,
        -- dimensions
        prov_name,
        period_grain,
        period_month,
        stat_date,
        status,
        current_package,
        last_reasons,
        -- measures
        versions,
        accepted_versions,
        rejected_versions,
        superseded_versions,
        duplicate_deliveries,
        -- metadata (Beijing time)
        due_at,
        first_delivered_at,
        current_delivered_at,
        as_of
    from source

)

select * from renamed
