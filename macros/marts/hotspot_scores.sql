{#- The hot-spot scoring shared by the complaint and enquiry hot spots (docs/warehouse.md
    "Anomalies, hot spots and alerts"): emits the CTEs windowed, scored, expected and flagged
    after the caller's CTEs `<daily>` (one row per place per day with `<measure>`) and
    `first_day` (its `first_date`). For each row of `<daily>`: window_<measure> = the 3 days
    ending that day, baseline_<measure> = the `window` days before them (days without rows count
    0), baseline_days = the days of history available (at most `window`), expected_<measure> =
    3 x baseline rate, hotspot_score = (window - expected) / sqrt(max(expected, 0.25)).
      keys     the place's columns carried through (grouped by)
      match    the columns identifying the place (the history join)
      carry    the day's own measures carried through
    The caller writes the flag, since each mart has its own thresholds. -#}
{% macro hotspot_scores(daily, keys, match, carry, measure, window) -%}
windowed as (
    select
        {%- for k in keys %}
        d.{{ k }},
        {%- endfor %}
        d.stat_date,
        {%- for c in carry %}
        d.{{ c }},
        {%- endfor %}
        sum(case when h.stat_date > {{ add_days('d.stat_date', -3) }} then h.{{ measure }} else 0 end)
            as window_{{ measure }},
        sum(case when h.stat_date <= {{ add_days('d.stat_date', -3) }} then h.{{ measure }} else 0 end)
            as baseline_{{ measure }}
    from {{ daily }} as d
    inner join {{ daily }} as h
        on {% for k in match %}d.{{ k }} = h.{{ k }}
        and {% endfor %}h.stat_date > {{ add_days('d.stat_date', -(window + 3)) }}
        and h.stat_date <= d.stat_date
    group by
        {% for k in keys %}d.{{ k }}, {% endfor %}d.stat_date{% for c in carry %}, d.{{ c }}{% endfor %}
),

scored as (
    select
        w.*,
        case
            when {{ dbt.datediff('f.first_date', 'w.stat_date', 'day') }} - 2 > {{ window }}
                then {{ window }}
            when {{ dbt.datediff('f.first_date', 'w.stat_date', 'day') }} - 2 < 0 then 0
            else {{ dbt.datediff('f.first_date', 'w.stat_date', 'day') }} - 2
        end as baseline_days
    from windowed as w
    cross join first_day as f
),

expected as (
    select
        *,
        case
            when baseline_days = 0 then null
            else 3 * cast(baseline_{{ measure }} as {{ double_type() }}) / baseline_days
        end as expected_{{ measure }}
    from scored
),

flagged as (
    select
        *,
        (window_{{ measure }} - expected_{{ measure }})
            / sqrt(case when expected_{{ measure }} < 0.25 then 0.25 else expected_{{ measure }} end)
            as hotspot_score
    from expected
)
{%- endmacro %}
