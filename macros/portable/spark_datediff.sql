{#- dbt.datediff counts boundaries crossed (DuckDB, Snowflake, ...): from 10:00:59 to 10:01:00 is
    one minute.  dbt-spark 1.11 instead counts elapsed time rounded up for hour, minute and second,
    so handling times came out a minute longer on Spark.  Count boundaries here too (whole
    units since the epoch; the session time zone is UTC, and zones have whole-hour offsets
    where this matters); days and longer parts keep dbt-spark's own macro. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1} -%}
    {%- if datepart in seconds -%}
        (floor(unix_timestamp(cast({{ second_date }} as timestamp)) / {{ seconds[datepart] }})
            - floor(unix_timestamp(cast({{ first_date }} as timestamp)) / {{ seconds[datepart] }}))
    {%- else -%}
        {{ return(dbt.spark__datediff(first_date, second_date, datepart)) }}
    {%- endif -%}
{%- endmacro %}
