-- Every catalogued indicator (seeds/indicators.csv) is computed, and agrees with the subject mart
-- it comes from. Generated from the catalogue, one block per indicator; fails with one row per
-- problem:
--   'not computed'            the indicator has no row in mart_indicator_values
--   'differs from source'     where the catalogue filter selects one source row per period and
--                             region, the value differs from the mart's own column (value_column)
--                             — the mart computes it its way, the generator from the catalogue
--   'ratio differs'           a ratio is not scale x numerator / denominator, or a change not
--                             scale x (numerator - denominator) / |denominator|
--   'national != provinces'   an additive indicator's national sum (or, for ratios and changes,
--                             numerator and denominator) is not the sum of its provinces
-- depends_on: {{ ref('indicators') }}
-- depends_on: {{ ref('mart_indicator_values') }}
-- depends_on: {{ ref('mart_revenue_region_month') }}
-- depends_on: {{ ref('mart_revenue_structure_month') }}
-- depends_on: {{ ref('mart_payment_month') }}
-- depends_on: {{ ref('mart_development_month') }}
-- depends_on: {{ ref('mart_package_migration_month') }}
-- depends_on: {{ ref('mart_usage_month') }}
-- depends_on: {{ ref('mart_customer_base_month') }}
-- depends_on: {{ ref('mart_customer_count_month') }}
-- depends_on: {{ ref('mart_high_value_summary') }}
-- depends_on: {{ ref('mart_channel_region_month') }}
-- depends_on: {{ ref('mart_complaint_month') }}
-- depends_on: {{ ref('mart_hotline_month') }}
-- depends_on: {{ ref('mart_work_order_month') }}
-- depends_on: {{ ref('mart_daily_kpi') }}
-- depends_on: {{ ref('mart_business_review_month') }}
{%- set catalogue = indicator_catalogue() %}
{%- set values = ref('mart_indicator_values') %}

with

problems as (
    select
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        cast(null as {{ dbt.type_string() }}) as problem,
        cast(null as date) as period_date,
        cast(null as {{ dbt.type_string() }}) as region_code,
        cast(null as {{ double_type() }}) as expected,
        cast(null as {{ double_type() }}) as actual
    from {{ ref('indicators') }}
    where 1 = 0
    {%- for ind in catalogue %}
    {%- set code = ind['indicator_code'] %}
    {%- set period = 'stat_date' if ind['period_grain'] == 'day' else 'period_month' %}
    {%- set filter = ind['source_filter'] or '1 = 1' %}
    union all
    select '{{ code }}', 'not computed', cast(null as date), cast(null as {{ dbt.type_string() }}),
        cast(null as {{ double_type() }}), cast(null as {{ double_type() }})
    where not exists (select 1 from {{ values }} where indicator_code = '{{ code }}')
    union all
    select '{{ code }}', 'differs from source', v.period_date, v.region_code, s.source_value, v.value
    from (
        select
            coalesce(stat_date, period_month) as period_date,
            region_level,
            region_code,
            value
        from {{ values }}
        where indicator_code = '{{ code }}'
    ) as v
    inner join (
        select
            {{ period }} as period_date,
            region_level,
            region_code,
            max({{ ind['value_column'] }}) as source_value,
            count(*) as source_rows
        from {{ ref(ind['source_model']) }}
        where {{ filter }}
        group by {{ period }}, region_level, region_code
    ) as s
        on v.period_date = s.period_date
        and v.region_level = s.region_level
        and v.region_code = s.region_code
    where s.source_rows = 1
        and not (
            (v.value is null and s.source_value is null)
            or abs(v.value - s.source_value) <= 1e-6 * (1 + abs(s.source_value))
        )
    {%- if ind['aggregation'] in ('ratio', 'change') %}
    {%- if ind['aggregation'] == 'ratio' %}
    {%- set recomputed = safe_ratio('numerator', 'denominator', ind['scale']) %}
    {%- else %}
    {%- set recomputed = safe_ratio('numerator - denominator', 'abs(denominator)', ind['scale']) %}
    {%- endif %}
    union all
    select '{{ code }}', 'ratio differs', coalesce(stat_date, period_month), region_code,
        {{ recomputed }}, value
    from {{ values }}
    where indicator_code = '{{ code }}'
        and not coalesce(
            abs(value - {{ recomputed }}) <= 1e-9 * (1 + abs(value)),
            value is null and (denominator is null or denominator = 0)
        )
    {%- endif %}
    {%- if ind['is_additive'] and ind['aggregation'] in ('sum', 'ratio', 'change') %}
    {%- for column in (['value'] if ind['aggregation'] == 'sum' else ['numerator', 'denominator']) %}
    union all
    select '{{ code }}', 'national != provinces ({{ column }})', n.period_date, '00', p.total, n.{{ column }}
    from (
        select coalesce(stat_date, period_month) as period_date, {{ column }}
        from {{ values }}
        where indicator_code = '{{ code }}' and region_level = 'national'
    ) as n
    inner join (
        select coalesce(stat_date, period_month) as period_date, sum({{ column }}) as total
        from {{ values }}
        where indicator_code = '{{ code }}' and region_level = 'province'
        group by coalesce(stat_date, period_month)
    ) as p
        on n.period_date = p.period_date
    where not coalesce(
        abs(n.{{ column }} - p.total) <= 1e-6 * (1 + abs(p.total)),
        n.{{ column }} is null and p.total is null
    )
    {%- endfor %}
    {%- endif %}
    {%- endfor %}
)

select * from problems
