{#- Staging of the daily interfaces is incremental by delivered file: a run reads only the raw
    rows loaded after the newest row already staged, and replaces every file it reads
    (delete+insert on source_file), so a corrected re-delivery of a file replaces the old rows
    and a run with no new files costs almost nothing. Spark builds these as tables (its raw
    tables are registered over the same Parquet files, and dbt-spark has no delete+insert).

    Use both:  {{ config(**staging_by_file_config()) }}  and, in the source CTE,
    {{ new_files_only() }} after `select * from source(...)`. -#}

{% macro staging_by_file_config() -%}
    {{ return({
        'materialized': 'table' if target.type == 'spark' else 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'source_file',
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{% macro new_files_only(loaded_at='_loaded_at') -%}
    {%- if is_incremental() %}
    where {{ loaded_at }} > (
        select coalesce(max(loaded_at), cast('1900-01-01 00:00:00' as timestamp)) from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
