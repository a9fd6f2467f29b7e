-- 用户申诉 appeals to the regulator: one row per appeal.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'appl') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        appeal_id,
        subs_id,
        order_id,
        -- personal data (hashed / masked)
        {{ pii_hash('appellant_no') }} as appellant_no_hash,
        {{ mask_msisdn('appellant_no') }} as appellant_no_masked,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        regulator,
        category_code,
        is_upheld,
        -- dates
        accept_time,
        close_time,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
