{#- Money arrives as integer 分 (fen); staging and everything after it speak 元 (yuan) as
    decimal(18,2). Dispatched (jaffle-shop's cents_to_dollars pattern) so an engine can
    override the arithmetic. -#}
{% macro fen_to_yuan(column_name, scale=2) -%}
    {{ return(adapter.dispatch('fen_to_yuan')(column_name, scale)) }}
{%- endmacro %}

{% macro default__fen_to_yuan(column_name, scale) -%}
    cast({{ column_name }} / 100.0 as decimal(18, {{ scale }}))
{%- endmacro %}

{% macro duckdb__fen_to_yuan(column_name, scale) -%}
    cast(cast({{ column_name }} as decimal(18, 0)) / 100 as decimal(18, {{ scale }}))
{%- endmacro %}
