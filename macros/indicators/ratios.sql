{#- Ratios recomputed from numerators and denominators (never averaged), so a national ratio is
    sum(numerators) / sum(denominators) of its provinces. NULL when the denominator is 0 or NULL.
    Arguments may be expressions: they are parenthesised. -#}
{% macro safe_ratio(numerator, denominator, scale=1) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else ({{ scale }}) * cast(({{ numerator }}) as {{ double_type() }}) / ({{ denominator }})
    end
{%- endmacro %}

{#- Percentage change from `previous` to `current` (100 = doubled); NULL without a base. -#}
{% macro pct_change(current, previous) -%}
    case
        when ({{ previous }}) is null or ({{ previous }}) = 0 then null
        else 100 * (cast(({{ current }}) as {{ double_type() }}) - ({{ previous }})) / abs({{ previous }})
    end
{%- endmacro %}

{#- 1/0 for a boolean, so flags sum portably (Spark and Trino have no sum(boolean)). -#}
{% macro flag_int(condition) -%}
    case when {{ condition }} then 1 else 0 end
{%- endmacro %}
