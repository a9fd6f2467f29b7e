{#- Month-on-month and year-on-year columns by self-join on the month (not lag(), so a missing
    month gives NULL rather than comparing with the wrong month).

    For each measure m of `relation` (one row per `keys` per `period`):
      m_last_month, m_mom_pct   the previous month and the change against it (环比)
      m_sply, m_yoy_pct         the same period last year and the change against it (同比)
    Emits the select list and joins; the caller writes `select cur.*, {{ ... }}`.
-#}
{% macro period_compare_columns(measures) -%}
    {%- for m in measures %}
    last_month.{{ m }} as {{ m }}_last_month,
    {{ pct_change('cur.' ~ m, 'last_month.' ~ m) }} as {{ m }}_mom_pct,
    last_year.{{ m }} as {{ m }}_sply,
    {{ pct_change('cur.' ~ m, 'last_year.' ~ m) }} as {{ m }}_yoy_pct{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro period_compare_joins(relation, keys, period='period_month') -%}
    left join {{ relation }} as last_month
        on {% for k in keys %}last_month.{{ k }} = cur.{{ k }} and {% endfor -%}
        last_month.{{ period }} = {{ add_months('cur.' ~ period, -1) }}
    left join {{ relation }} as last_year
        on {% for k in keys %}last_year.{{ k }} = cur.{{ k }} and {% endfor -%}
        last_year.{{ period }} = {{ add_months('cur.' ~ period, -12) }}
{%- endmacro %}

{#- Year-to-date running sum (累计) of `measure` within the calendar year of `period`. -#}
{% macro ytd_sum(measure, keys, period='period_month') -%}
    sum({{ measure }}) over (
        partition by {{ keys | join(', ') }}, extract(year from {{ period }})
        order by {{ period }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}
