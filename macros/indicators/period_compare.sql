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

{#- How many months of the calendar year up to `period` the history holds (the YTD window's
    row count). A year-to-date figure is complete when this equals the month number: a YTD whose
    year began before the history did covers only part of the year, and a comparison against it
    (累计同比) is NULL, not a number (docs/warehouse.md "Comparisons"). -#}
{% macro ytd_months(keys, period='period_month') -%}
    count(*) over (
        partition by {{ keys | join(', ') }}, extract(year from {{ period }})
        order by {{ period }}
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{#- `value` when the year-to-date window of `relation_alias` covers the whole year so far
    (every month from January), else NULL. -#}
{% macro complete_ytd(value, relation_alias, period='period_month') -%}
    case
        when {{ relation_alias }}.ytd_months = extract(month from {{ relation_alias }}.{{ period }})
            then {{ value }}
    end
{%- endmacro %}
