-- 渠道资料 channels: one row per channel (outlet or dealer) at month end (full snapshot).
with

source as (

    select * from {{ source('raw', 'chnl') }}

),

renamed as (

    select
        -- ids
        channel_id,
        -- dimensions (codes stay codes)
        channel_name,
        channel_type_code,
        prov_code,
        city_code,
        county_code,
        status,
        -- dates
        {{ period_month('_period') }} as snapshot_month,
        open_date,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
