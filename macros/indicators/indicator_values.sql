{#- The indicator catalogue (seeds/indicators.csv) as a list of dicts, read from the seed table
    at execution time. Empty while parsing, or when the seed has not been loaded yet. -#}
{% macro indicator_catalogue() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set seed = ref('indicators') -%}
    {%- set relation = adapter.get_relation(
        database=seed.database, schema=seed.schema, identifier=seed.identifier) -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query('select * from ' ~ relation ~ ' order by indicator_code') -%}
    {%- set rows = [] -%}
    {%- for row in result.rows -%}
        {%- set item = {} -%}
        {%- for column in result.column_names -%}
            {%- do item.update({column: row[column]}) -%}
        {%- endfor -%}
        {%- do rows.append(item) -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

{#- One select per catalogued indicator, unioned: the long-format indicator values. Each reads the
    indicator's source mart, groups by period and region, and computes the value over the rows its
    filter selects (conditional aggregation, so every period and region of the mart gets a row
    even when the filter selects none) the way the catalogue says:
      sum     sum(value_column)                       (additive measures; 0 when no row matched)
      ratio   scale * sum(numerator) / sum(denominator)  (recomputed, never averaged);
              numerator and denominator are kept, NULL for the other aggregations
      change  100 * (sum(numerator) - sum(denominator)) / |sum(denominator)|
      value   max(value_column): a non-additive value taken as the mart computed it; the filter
              must select one row per period and region (a data test checks)
-#}
{% macro indicator_values_sql(catalogue) -%}
    {%- set aggregations = ['sum', 'ratio', 'change', 'value'] -%}
    {%- for ind in catalogue %}
    {% if ind['aggregation'] not in aggregations -%}
        {{ exceptions.raise_compiler_error(
            "seeds/indicators.csv: indicator " ~ ind['indicator_code'] ~ " has aggregation '"
            ~ ind['aggregation'] ~ "'; the rule is one of " ~ aggregations | join(', ')) }}
    {%- endif -%}
    {%- set period = 'stat_date' if ind['period_grain'] == 'day' else 'period_month' -%}
    {%- set hit = '(' ~ (ind['source_filter'] or '1 = 1') ~ ')' -%}
    {%- set num = 'case when ' ~ hit ~ ' then ' ~ (ind['numerator_column'] or ind['value_column']) ~ ' end' -%}
    {%- set den = 'case when ' ~ hit ~ ' then ' ~ ind['denominator_column'] ~ ' end' -%}
    {%- set val = 'case when ' ~ hit ~ ' then ' ~ ind['value_column'] ~ ' end' -%}
    {%- set matched = 'sum(case when ' ~ hit ~ ' then 1 else 0 end)' -%}
    {%- set scale = ind['scale'] if ind['scale'] is not none else 1 -%}
    select
        '{{ ind["indicator_code"] }}' as indicator_code,
        '{{ ind["period_grain"] }}' as period_grain,
        {%- if period == 'stat_date' %}
        {{ month_start('stat_date') }} as period_month,
        stat_date,
        {%- else %}
        period_month,
        cast(null as date) as stat_date,
        {%- endif %}
        region_level,
        region_code,
        prov_code,
        {%- if ind['aggregation'] == 'sum' %}
        -- no row in the breakdown for this region (e.g. no 5G subscribers): 0, not missing
        case
            when {{ matched }} = 0 then 0
            else cast(sum({{ val }}) as {{ double_type() }})
        end as value,
        {%- elif ind['aggregation'] == 'ratio' %}
        {{ safe_ratio('sum(' ~ num ~ ')', 'sum(' ~ den ~ ')', scale) }} as value,
        {%- elif ind['aggregation'] == 'change' %}
        {{ pct_change('sum(' ~ num ~ ')', 'sum(' ~ den ~ ')') }} as value,
        {%- else %}
        cast(max({{ val }}) as {{ double_type() }}) as value,
        {%- endif %}
        {%- if ind['aggregation'] == 'ratio' %}
        cast(sum({{ num }}) as {{ double_type() }}) as numerator,
        cast(sum({{ den }}) as {{ double_type() }}) as denominator,
        {%- else %}
        cast(null as {{ double_type() }}) as numerator,
        cast(null as {{ double_type() }}) as denominator,
        {%- endif %}
        {{ matched }} as source_rows,
        '{{ ind["source_model"] }}' as source_model,
        '{{ ind["value_column"] }}' as source_column
    from {{ ref(ind['source_model']) }}
    group by {{ period }}, region_level, region_code, prov_code
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}
