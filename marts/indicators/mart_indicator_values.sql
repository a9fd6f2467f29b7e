{{ config(materialized='table') }}

{#- One row per indicator per period per region (national / province / city): the long-format
    indicator values (contract: docs/architecture.md "Indicator values") read by the HQ upload (总部指标上报) and the dashboards. Generated from the
    catalogue seeds/indicators.csv — one select per catalogued indicator — never hand-written per
    indicator. Adding an indicator is one catalogue row; a source mart not listed below must be
    added to the depends_on list (dbt stops with "unable to infer all dependencies" otherwise). -#}

-- depends_on: {{ ref('indicators') }}
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

with

-- the regions with subscribers in each month, at every region level: the dense grid of the
-- monthly indicators (a count of zero is a row with 0)
region_months as (
    select period_month, region_level, region_code, prov_code
    from {{ ref('mart_revenue_region_month') }}
    where opening_subs + closing_subs + billed_subs > 0
),

indicator_values as (
    {%- if catalogue %}
    {{ indicator_values_sql(catalogue) }}
    {%- else %}
    -- the catalogue seed is not loaded yet (parsing, or `dbt compile` before `dbt seed`)
    select
        cast(null as {{ dbt.type_string() }}) as indicator_code,
        cast(null as {{ dbt.type_string() }}) as period_grain,
        cast(null as date) as period_month,
        cast(null as date) as stat_date,
        cast(null as {{ dbt.type_string() }}) as region_level,
        cast(null as {{ dbt.type_string() }}) as region_code,
        cast(null as {{ dbt.type_string() }}) as prov_code,
        cast(null as {{ double_type() }}) as value,
        cast(null as {{ double_type() }}) as numerator,
        cast(null as {{ double_type() }}) as denominator,
        0 as source_rows,
        cast(null as {{ dbt.type_string() }}) as source_model,
        cast(null as {{ dbt.type_string() }}) as source_column
    where 1 = 0
    {%- endif %}
),

catalogue as (
    select * from {{ ref('indicators') }}
),

-- a month's indicators are reported once the month is closed (月末时点: the latest month of the
-- subscriber-month chain); the open month's days are in the daily indicators. A subject mart
-- that already has rows for the open month (the hotline's days) does not make it a period.
month_close as (
    select max(period_month) as closed_month from region_months
)

select
    -- keys
    v.indicator_code,
    v.period_grain,
    v.period_month,
    v.stat_date,
    v.region_level,
    v.region_code,
    v.prov_code,
    -- value (numerator and denominator for ratios and changes: current and base period)
    v.value,
    v.numerator,
    v.denominator,
    c.unit,
    -- how the value is aggregated over regions (national of a ratio = from its numerator and
    -- denominator; non-additive values only as computed, per region)
    c.aggregation,
    c.scale,
    c.is_additive,
    -- catalogue attributes
    c.name_zh,
    c.name_en,
    c.domain,
    c.level,
    c.direction,
    -- lineage
    v.source_rows,
    v.source_model,
    v.source_column
from indicator_values as v
inner join catalogue as c
    on v.indicator_code = c.indicator_code
cross join month_close as mc
where v.period_grain = 'day'
    or v.period_month <= mc.closed_month
