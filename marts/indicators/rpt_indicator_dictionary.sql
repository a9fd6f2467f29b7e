{#- 指标字典 and 报表检索: one row per indicator per chart that shows it (an indicator no chart
    shows yet has one row without a report), and one row per report. `report_link` opens the
    report; `search_text` holds every word a user may search by (codes, Chinese and English
    names, the 口径, the report and chart titles), lower-cased for the English. Built from the
    indicator catalogue and the two seeds dashboards/dictionary.py generates from the report
    catalogue, so the dictionary is never written by hand twice. -#}

with

indicators as (
    select * from {{ ref('indicators') }}
),

reports as (
    select * from {{ ref('report_index') }}
),

charts as (
    select * from {{ ref('report_charts') }}
),

indicator_entries as (
    select
        '指标' as entry_kind,
        i.indicator_code,
        i.name_zh,
        i.name_en,
        i.formula,
        i.unit,
        i.level,
        i.owner,
        i.period_grain,
        i.aggregation,
        i.source_model,
        r.report_slug,
        r.report_title_zh,
        c.chart_key,
        c.chart_title_zh
    from indicators as i
    left join charts as c
        on c.indicator_code = i.indicator_code
    left join reports as r
        on r.report_slug = c.report_slug
),

report_entries as (
    select
        '报表' as entry_kind,
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        r.report_title_zh as name_zh,
        r.report_title_en as name_en,
        r.contents_zh as formula,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as {{ dbt.type_string() }}) as level,
        cast(null as {{ dbt.type_string() }}) as owner,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as {{ dbt.type_string() }}) as aggregation,
        cast(null as {{ dbt.type_string() }}) as source_model,
        r.report_slug,
        r.report_title_zh,
        cast(null as {{ dbt.type_string() }}) as chart_key,
        cast(null as {{ dbt.type_string() }}) as chart_title_zh
    from reports as r
),

entries as (
    select * from indicator_entries
    union all
    select * from report_entries
)

select
    -- ids
    {{ hash_columns(['entry_kind', 'indicator_code', 'report_slug', 'chart_key']) }}
        as entry_key,
    entry_kind,
    -- the definition ("—" where it does not apply: a report has no unit)
    coalesce(indicator_code, '—') as indicator_code,
    name_zh,
    name_en,
    formula,
    coalesce(unit, '—') as unit,
    coalesce(level, '—') as level,
    coalesce(owner, '—') as owner,
    case period_grain when 'month' then '月' when 'day' then '日' else '—' end as period_grain,
    coalesce(aggregation, '—') as aggregation,
    coalesce(source_model, '—') as source_model,
    -- where it is shown
    report_slug,
    report_title_zh,
    chart_key,
    coalesce(chart_title_zh, '—') as chart_title_zh,
    -- an indicator no report shows yet says so (a person reads words, not N/A)
    case
        when report_slug is not null
            then '<a href=''/superset/dashboard/' || report_slug || '/''>' || report_title_zh || '</a>'
        else '尚无报表'
    end as report_link,
    -- what a search matches
    lower(
        coalesce(indicator_code, '') || ' ' || coalesce(name_zh, '') || ' '
        || coalesce(name_en, '') || ' ' || coalesce(formula, '') || ' '
        || coalesce(report_title_zh, '') || ' ' || coalesce(chart_title_zh, '')
    ) as search_text
from entries
