{{ config(enabled=var('hq_receipts', false)) }}
-- Every package HQ received: one row per package version (accepted, rejected, superseded, duplicate).
with

source as (

    select * from {{ source('hq', 'submissions') }}

),

renamed as (

    select
        -- ids
        submission_id,
        package,
        superseded_by,
        duplicate_of,
        -- dimensions
        prov_code,
        period,
        period_grain,
        period_month,
        stat_date,
        seq,
        status,
        is_current,
        is_late,
        catalogue_version,
        -- measures
        records,
        reason_count,
        -- metadata (Beijing time)
        generated_at,
        delivered_at,
        received_at,
        due_at,
        data_md5,
        stored_path
    from source

)

select * from renamed
