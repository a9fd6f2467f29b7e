{#- An 8-byte floating-point type. dbt.type_float() is FLOAT, which DuckDB reads as a 4-byte
    REAL: ratios computed in it lose digits and stop agreeing with their numerators. -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type')()) }}
{%- endmacro %}

{% macro default__double_type() -%}
    double precision
{%- endmacro %}

{% macro spark__double_type() -%}
    double
{%- endmacro %}

{% macro trino__double_type() -%}
    double
{%- endmacro %}
