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
    filter selects (conditional aggregation) the way the catalogue says:
      sum     sum(value_column)                       (additive measures; 0 when no row matched)
      ratio   scale * sum(numerator) / sum(denominator)  (recomputed, never averaged)
      change  scale * (sum(numerator) - sum(denominator)) / |sum(denominator)|, the numerator
              being the current period's measure and the denominator the base period's; NULL
              when any selected row has a current value but no base (an incomplete base period)
      value   max(value_column): a non-additive value taken as the mart computed it; the filter
              must select one row per period and region (a data test checks)
    Ratios and changes keep their summed numerator and denominator, so a consumer can recompute
    the value over any set of regions (national = from the national numerator and denominator).

    Monthly indicators are dense (docs/warehouse.md "Zero is a row"): every region and month of
    `region_months` (the regions with subscribers, at the region levels the source mart has, in
    the months it covers) gets a row, 0 for a sum with nothing to count. Daily indicators keep
    the rows of their source (its daily grid is already dense).
-#}
{% macro indicator_values_sql(catalogue, region_months='region_months') -%}
    {%- set aggregations = ['sum', 'ratio', 'change', 'value'] -%}
    {%- for ind in catalogue %}
    {% if ind['aggregation'] not in aggregations -%}
        {{ exceptions.raise_compiler_error(
            "seeds/indicators.csv: indicator " ~ ind['indicator_code'] ~ " has aggregation '"
            ~ ind['aggregation'] ~ "'; the rule is one of " ~ aggregations | join(', ')) }}
    {%- endif -%}
    {%- set agg = ind['aggregation'] -%}
    {%- set daily = ind['period_grain'] == 'day' -%}
    {%- set period = 'stat_date' if daily else 'period_month' -%}
    {%- set keys = [period, 'region_level', 'region_code', 'prov_code'] -%}
    {%- set source = ref(ind['source_model']) -%}
    {%- set hit = '(' ~ (ind['source_filter'] or '1 = 1') ~ ')' -%}
    {%- set num_col = ind['numerator_column'] or ind['value_column'] -%}
    {%- set num = 'case when ' ~ hit ~ ' then ' ~ num_col ~ ' end' -%}
    {%- set den = 'case when ' ~ hit ~ ' then ' ~ ind['denominator_column'] ~ ' end' -%}
    {%- set val = 'case when ' ~ hit ~ ' then ' ~ ind['value_column'] ~ ' end' -%}
    {%- set matched = 'sum(case when ' ~ hit ~ ' then 1 else 0 end)' -%}
    {%- set scale = ind['scale'] if ind['scale'] is not none else 1 -%}
    {%- if agg == 'change' -%}
        {#- a selected row with a current value and no base makes the whole base incomplete -#}
        {%- set den_sum = 'case when sum(case when ' ~ hit ~ ' and ' ~ num_col ~ ' is not null and '
            ~ ind['denominator_column'] ~ ' is null then 1 else 0 end) > 0 then null else sum('
            ~ den ~ ') end' -%}
    {%- else -%}
        {%- set den_sum = 'sum(' ~ den ~ ')' -%}
    {%- endif %}
    select
        '{{ ind["indicator_code"] }}' as indicator_code,
        '{{ ind["period_grain"] }}' as period_grain,
        {%- if daily %}
        {{ month_start('k.stat_date') }} as period_month,
        k.stat_date,
        {%- else %}
        k.period_month,
        cast(null as date) as stat_date,
        {%- endif %}
        k.region_level,
        k.region_code,
        k.prov_code,
        {%- if agg == 'sum' %}
        -- nothing to count in this region (no row, or no row the filter selects): 0, not missing
        case
            when coalesce(a.source_rows, 0) = 0 then 0
            else a.value
        end as value,
        {%- else %}
        a.value,
        {%- endif %}
        a.numerator,
        a.denominator,
        coalesce(a.source_rows, 0) as source_rows,
        '{{ ind["source_model"] }}' as source_model,
        '{{ ind["value_column"] }}' as source_column
    from (
        {%- if daily %}
        select distinct {{ keys | join(', ') }} from {{ source }}
        {%- else %}
        select r.period_month, r.region_level, r.region_code, r.prov_code
        from {{ region_months }} as r
        inner join (select distinct period_month, region_level from {{ source }}) as covered
            on covered.period_month = r.period_month
            and covered.region_level = r.region_level
        union
        select distinct {{ keys | join(', ') }} from {{ source }}
        {%- endif %}
    ) as k
    left join (
        select
            {{ keys | join(', ') }},
            {%- if agg == 'sum' %}
            cast(sum({{ val }}) as {{ double_type() }}) as value,
            {%- elif agg == 'ratio' %}
            {{ safe_ratio('sum(' ~ num ~ ')', den_sum, scale) }} as value,
            {%- elif agg == 'change' %}
            {{ safe_ratio('sum(' ~ num ~ ') - (' ~ den_sum ~ ')', 'abs(' ~ den_sum ~ ')', scale) }} as value,
            {%- else %}
            cast(max({{ val }}) as {{ double_type() }}) as value,
            {%- endif %}
            {%- if agg in ('ratio', 'change') %}
            cast(sum({{ num }}) as {{ double_type() }}) as numerator,
            cast({{ den_sum }} as {{ double_type() }}) as denominator,
            {%- else %}
            cast(null as {{ double_type() }}) as numerator,
            cast(null as {{ double_type() }}) as denominator,
            {%- endif %}
            {{ matched }} as source_rows
        from {{ source }}
        group by {{ keys | join(', ') }}
    ) as a
        on {% for key in keys %}a.{{ key }} = k.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}
