{{ config(enabled=var('hq_receipts', false)) }}
-- Why a package was rejected: one row per reason.
with

source as (

    select * from {{ source('hq', 'submission_reasons') }}

),

renamed as (

    select
        -- ids
        submission_id,
        reason_no,
        -- dimensions
        rule,
        detail
    from source

)

select * from renamed
