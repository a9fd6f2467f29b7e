-- 电子工单 work orders: one row per work order.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'work') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        order_id,
        subs_id,
        source_call_id,
        -- personal data (hashed / masked)
        {{ pii_hash('contact_no') }} as contact_no_hash,
        {{ mask_msisdn('contact_no') }} as contact_no_masked,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        vip_level,
        order_type,
        category_code,
        department,
        -- dates
        create_time,
        dispatch_time,
        reply_time,
        close_time,
        -- measures
        limit_hours,
        reopen_cnt,
        satisfaction,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
