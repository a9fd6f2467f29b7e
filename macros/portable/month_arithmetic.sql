{#- Month arithmetic that returns a DATE on every engine. dbt.dateadd returns a timestamp on
    DuckDB and dbt.date_trunc a timestamp on Spark, and dbt.datediff counts month boundaries on
    DuckDB but whole months on Spark; working on first-of-month dates makes them agree. -#}

{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{% macro add_months(date_expr, months) -%}
    cast({{ dbt.dateadd('month', months, date_expr) }} as date)
{%- endmacro %}

{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{#- Whole calendar months from the month of `from_date` to the month of `to_date`. -#}
{% macro months_between_starts(from_date, to_date) -%}
    {{ dbt.datediff(month_start(from_date), month_start(to_date), 'month') }}
{%- endmacro %}
