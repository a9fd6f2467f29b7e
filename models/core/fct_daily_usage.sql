{#- Incremental by day. A run reprocesses whole days: every day that received a file loaded
    after the newest row already in the table (a new day, or a late or corrected province file
    for an old day), so incremental and full-refresh builds agree. DuckDB replaces those days
    with delete+insert on usage_date; Spark overwrites the usage_date partitions. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
    unique_key=(none if target.type == 'spark' else 'usage_date'),
    partition_by=('usage_date' if target.type == 'spark' else none),
    on_schema_change='fail',
) }}

with

daily_usage as (
    select * from {{ ref('stg_bss__daily_usage') }}
    {% if is_incremental() %}
    where usage_date in (
        select distinct usage_date
        from {{ ref('stg_bss__daily_usage') }}
        where loaded_at > (select max(loaded_at) from {{ this }})
    )
    {% endif %}
)

select
    -- ids
    subs_id,
    usage_date,
    -- dimensions
    {{ month_start('usage_date') }} as month_start,
    prov_code,
    main_cell_id,
    -- measures
    mou,
    data_mb,
    sms_cnt,
    (mou > 0 or data_mb > 0 or sms_cnt > 0) as has_usage,
    -- metadata
    loaded_at
from daily_usage
