-- 热线话务 hotline calls: one row per call to the 10010 hotline.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'hotl') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        call_id,
        subs_id,
        agent_id,
        -- personal data (hashed / masked)
        {{ pii_hash('caller_no') }} as caller_no_hash,
        {{ mask_msisdn('caller_no') }} as caller_no_masked,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        vip_level,
        ivr_node,
        call_category,
        is_self_service,
        is_to_agent,
        is_answered,
        -- dates
        arrive_time,
        -- measures
        queue_seconds,
        talk_seconds,
        acw_seconds,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
