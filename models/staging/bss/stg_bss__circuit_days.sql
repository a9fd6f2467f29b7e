-- 集团电路日可用率 key-account circuit days: one row per leased circuit per day.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'circ') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        circuit_id,
        group_cust_id,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        circuit_type,
        -- dates
        stat_date,
        -- measures
        bandwidth_mbps,
        availability as availability_pct,
        fault_cnt,
        outage_minutes,
        max_restore_minutes,
        sla_availability as sla_availability_pct,
        sla_restore_minutes,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
