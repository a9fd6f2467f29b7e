-- The ingest flow's load audit: one row per extract file per ingest run, with its outcome.
with

source as (

    select * from {{ source('ingest', 'load_audit') }}

),

renamed as (

    select
        -- ids
        load_id,
        file_name,
        -- dimensions
        interface,
        prov_code,
        period,
        seq,
        status,
        reason_code,
        reason,
        encoding,
        destination,
        raw_path,
        md5,
        -- measures
        bytes,
        records_declared,
        records_read,
        records_loaded,
        records_rejected,
        -- dates
        started_at,
        finished_at
    from source

)

select * from renamed
