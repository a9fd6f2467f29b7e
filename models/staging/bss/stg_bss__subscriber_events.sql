-- 用户异动 subscriber events: one row per subscriber change event.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'evnt') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        event_id,
        subs_id,
        channel_id,
        -- personal data (hashed / masked; address and contact_phone dropped)
        {{ pii_hash('msisdn') }} as msisdn_hash,
        {{ mask_msisdn('msisdn') }} as msisdn_masked,
        -- dimensions (codes stay codes)
        event_type,
        prov_code,
        city_code,
        old_package_code,
        new_package_code,
        -- dates
        event_time,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
