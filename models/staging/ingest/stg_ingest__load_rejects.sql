-- Row-level rejects of the ingest flow: one row per rejected field check of a file line.
with

source as (

    select * from {{ source('ingest', 'load_rejects') }}

),

renamed as (

    select
        -- ids
        load_id,
        file_name,
        md5,
        line_no,
        -- dimensions
        rule,
        column_name,
        message
        -- `value` (the offending field as delivered) is dropped: it may be personal data.
    from source

)

select * from renamed
