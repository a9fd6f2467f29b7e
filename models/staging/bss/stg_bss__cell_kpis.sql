-- 基站小区日指标 cell daily KPIs: one row per cell per day.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'cell') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        cell_id,
        -- dimensions (codes stay codes)
        cell_name,
        prov_code,
        city_code,
        county_code,
        net_type,
        -- dates
        stat_date,
        -- measures
        voice_traffic_erl,
        data_traffic_gb,
        drop_rate,
        congestion_rate,
        availability,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
