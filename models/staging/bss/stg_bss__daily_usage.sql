-- 日使用量 daily usage: one row per subscriber per day with any usage (recent days only).
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'usgd') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        subs_id,
        main_cell_id,
        -- dimensions (codes stay codes)
        prov_code,
        -- dates
        usage_date,
        -- measures
        mou,
        data_mb,
        sms_cnt,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
