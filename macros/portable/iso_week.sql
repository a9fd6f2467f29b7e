{#- ISO 8601 week number (1-53) of a date. -#}
{% macro iso_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_week')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_week(date_expr) -%}
    extract(week from {{ date_expr }})
{%- endmacro %}

{% macro spark__iso_week(date_expr) -%}
    weekofyear({{ date_expr }})
{%- endmacro %}
