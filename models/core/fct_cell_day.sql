{#- Incremental by day, like fct_daily_usage: whole days are reprocessed when any file for them
    arrives, by delete+insert on stat_date (DuckDB) or partition overwrite (Spark). -#}
{{ config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
    unique_key=(none if target.type == 'spark' else 'stat_date'),
    partition_by=('stat_date' if target.type == 'spark' else none),
    on_schema_change='fail',
) }}

with

cell_kpis as (
    select * from {{ ref('stg_bss__cell_kpis') }}
    {% if is_incremental() %}
    where stat_date in (
        select distinct stat_date
        from {{ ref('stg_bss__cell_kpis') }}
        where loaded_at > (select max(loaded_at) from {{ this }})
    )
    {% endif %}
)

select
    -- ids
    cell_id,
    stat_date,
    -- dimensions
    {{ month_start('stat_date') }} as month_start,
    cell_name,
    prov_code,
    city_code,
    county_code,
    net_type,
    -- measures
    voice_traffic_erl,
    data_traffic_gb,
    drop_rate,
    congestion_rate,
    availability,
    -- quality flags (thresholds in docs/warehouse.md "Definitions")
    drop_rate > {{ var('cell_drop_rate_alarm_pct', 2.0) }} as is_high_drop,
    congestion_rate > {{ var('cell_congestion_alarm_pct', 5.0) }} as is_congested,
    availability < {{ var('cell_availability_alarm_pct', 99.0) }} as is_low_availability,
    -- metadata
    loaded_at
from cell_kpis
