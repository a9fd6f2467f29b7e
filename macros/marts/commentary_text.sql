{#- Figures as the month-end commentary (月末经营述评, rpt_month_commentary) writes them; the
    test that reads the sentences back (tests/warehouse/test_marts_commentary.py) parses exactly
    these forms.
      yuan_text     an amount: 万元 with 2 decimals from 1万元 up, else whole 元 ('3,456元')
      pct_text      a percentage with 1 decimal ('2.3%')
      count_text    a count of subscribers, whole, with thousands separators ('12,345户')
    The signed_ forms write '+' or '-' in front (nothing when it rounds to zero). -#}
{% macro yuan_text(expr, signed=false) -%}
    {%- set fmt = signed_number_text if signed else number_text -%}
    case
        when abs({{ expr }}) >= 10000 then {{ dbt.concat([fmt('(' ~ expr ~ ') / 10000.0', 2), "'万元'"]) }}
        else {{ dbt.concat([fmt(expr, 0), "'元'"]) }}
    end
{%- endmacro %}

{% macro pct_text(expr, signed=false) -%}
    {%- set fmt = signed_number_text if signed else number_text -%}
    {{ dbt.concat([fmt(expr, 1), "'%'"]) }}
{%- endmacro %}

{% macro count_text(expr, signed=false) -%}
    {%- set fmt = signed_number_text if signed else number_text -%}
    {{ dbt.concat([fmt(expr, 0), "'户'"]) }}
{%- endmacro %}

{#- 增加 x / 减少 x: the size of a change after the word that gives its direction. -#}
{% macro change_words_yuan(expr) -%}
    {{ dbt.concat([
        "case when " ~ expr ~ " < 0 then '减少' else '增加' end",
        yuan_text('abs(' ~ expr ~ ')'),
    ]) }}
{%- endmacro %}

{#- The commentary's figure columns, in a fixed order, for one select of the union: the columns
    `values` names take its expression, the others are NULL (not quoted by that sentence). -#}
{% macro commentary_figures(names, values) -%}
    {%- for name in names %}
    cast({{ values.get(name, 'null') }} as {{ double_type() }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
