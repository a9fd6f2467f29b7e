{#- A number as text the way people read it: thousands separators and `decimals` fixed decimals
    (1234567.891, 2 -> '1,234,567.89'; 1234.5, 0 -> '1,235'), a minus sign when negative.
    DuckDB's format() takes fmt's '{:,.2f}', Spark has format_number(), Trino format()'s
    printf '%,.2f'. NULL stays NULL. -#}
{% macro number_text(expr, decimals) -%}
    {{ return(adapter.dispatch('number_text')(expr, decimals)) }}
{%- endmacro %}

{% macro default__number_text(expr, decimals) -%}
    format('%,.{{ decimals }}f', cast({{ expr }} as {{ double_type() }}))
{%- endmacro %}

{% macro duckdb__number_text(expr, decimals) -%}
    format('{:,.{{ decimals }}f}', cast({{ expr }} as {{ double_type() }}))
{%- endmacro %}

{% macro spark__number_text(expr, decimals) -%}
    format_number(cast({{ expr }} as {{ double_type() }}), {{ decimals }})
{%- endmacro %}

{#- `number_text` with an explicit sign: '+1.5', '-0.3', and '0.0' when it rounds to zero (no
    '-0.0'). -#}
{% macro signed_number_text(expr, decimals) -%}
    case
        when round({{ expr }}, {{ decimals }}) > 0 then {{ dbt.concat(["'+'", number_text(expr, decimals)]) }}
        when round({{ expr }}, {{ decimals }}) < 0 then {{ dbt.concat(["'-'", number_text('abs(' ~ expr ~ ')', decimals)]) }}
        else {{ number_text('0', decimals) }}
    end
{%- endmacro %}
