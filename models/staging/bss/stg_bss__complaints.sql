-- 投诉工单 complaint tickets: one row per complaint ticket.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'cmpl') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        ticket_id,
        subs_id,
        cell_id,
        -- personal data (hashed / masked; address and contact_phone dropped)
        {{ pii_hash('msisdn') }} as msisdn_hash,
        {{ mask_msisdn('msisdn') }} as msisdn_masked,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        county_code,
        source,
        category_code,
        is_escalated,
        satisfaction,
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
