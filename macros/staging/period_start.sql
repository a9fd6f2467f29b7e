{#- First day of the month of a raw `_period` (YYYYMM or YYYYMMDD from the file name), as a
    DATE.  Works whether the raw layer stored `_period` as text or as a DATE: digits only, first
    six, day 01. -#}
{% macro period_month(column_name) -%}
    {{ return(adapter.dispatch('period_month')(column_name)) }}
{%- endmacro %}

{% macro default__period_month(column_name) -%}
    to_date(concat(left(replace(cast({{ column_name }} as {{ dbt.type_string() }}), '-', ''), 6), '01'), 'yyyyMMdd')
{%- endmacro %}

{% macro duckdb__period_month(column_name) -%}
    cast(strptime(concat(left(replace(cast({{ column_name }} as varchar), '-', ''), 6), '01'), '%Y%m%d') as date)
{%- endmacro %}
