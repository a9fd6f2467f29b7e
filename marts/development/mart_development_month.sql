{{ config(materialized='table') }}

{#- One row per month per region per breakdown value: the subscriber waterfall
    期初 opening_subs + 新增 new_subs - 离网 churned_subs + migration_in_subs - migration_out_subs
    = 期末 closing_subs, with 净增 net_adds = closing - opening and 离网率 churn_rate_pct =
    churned / opening. breakdown_type 'total' (value 'all') | 'net_type' | 'package' |
    'package_family' | 'channel_type' (acquisition channel level 1) | 'cust_type'.
    Migration is a move between cities or breakdown values (e.g. 4G -> 5G); it cancels out at
    national level for 'total'. Starts at the second month of data (the first has no opening);
    the closing counts it compares against (上月末, 上年同期末) come from every month of data,
    the first included, since a month's closing count needs no opening. -#}

{%- set breakdowns = {
    'total': "'all'",
    'net_type': 'net_type',
    'package': 'package_code',
    'package_family': 'package_family',
    'channel_type': 'channel_level1_code',
    'cust_type': 'cust_type',
} -%}
{%- set keys = ['region_level', 'region_code', 'breakdown_type', 'breakdown_value'] -%}

with

transitions as (
    select * from {{ ref('int_subscriber_transitions') }}
),

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

-- closing counts (期末在网) of every month of data, the base of the closing comparisons
city_closings as (
    {% for breakdown_type, column in breakdowns.items() -%}
    select
        period_month,
        prov_code,
        city_code,
        '{{ breakdown_type }}' as breakdown_type,
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'unknown') as breakdown_value,
        count(*) as closing_subs
    from subscriber_months
    where is_in_service
    group by 1, 2, 3, 4, 5
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

closings as (
    {{ region_rollup('city_closings', ['period_month', 'breakdown_type', 'breakdown_value'],
        ['closing_subs']) }}
),

sides as (
    {% for breakdown_type, column in breakdowns.items() -%}
    {%- set prev_value = column if column.startswith("'") else 'prev_' ~ column -%}
    {%- set cur_value = column if column.startswith("'") else 'cur_' ~ column -%}
    {%- set moved = "is_opening and is_closing and (prev_city_code <> cur_city_code or "
        ~ prev_value ~ " <> " ~ cur_value ~ ")" -%}
    -- where the subscriber stood at the end of last month
    select
        period_month,
        prev_prov_code as prov_code,
        prev_city_code as city_code,
        '{{ breakdown_type }}' as breakdown_type,
        {{ prev_value }} as breakdown_value,
        1 as opening_subs,
        {{ flag_int('is_removed') }} as churned_subs,
        {{ flag_int(moved) }} as migration_out_subs,
        0 as new_subs,
        0 as migration_in_subs,
        0 as closing_subs
    from transitions
    where is_opening
    union all
    -- where the subscriber stands this month
    select
        period_month,
        cur_prov_code as prov_code,
        cur_city_code as city_code,
        '{{ breakdown_type }}' as breakdown_type,
        {{ cur_value }} as breakdown_value,
        0 as opening_subs,
        {{ flag_int('is_removed and not is_opening') }} as churned_subs,
        0 as migration_out_subs,
        {{ flag_int('is_added') }} as new_subs,
        {{ flag_int(moved) }} as migration_in_subs,
        {{ flag_int('is_closing') }} as closing_subs
    from transitions
    where cur_city_code is not null
        and (is_closing or is_added or is_removed)
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

city_month as (
    select
        period_month,
        prov_code,
        city_code,
        breakdown_type,
        coalesce(cast(breakdown_value as {{ dbt.type_string() }}), 'unknown') as breakdown_value,
        sum(opening_subs) as opening_subs,
        sum(new_subs) as new_subs,
        sum(churned_subs) as churned_subs,
        sum(migration_in_subs) as migration_in_subs,
        sum(migration_out_subs) as migration_out_subs,
        sum(closing_subs) as closing_subs
    from sides
    group by 1, 2, 3, 4, 5
),

regions as (
    {{ region_rollup('city_month', ['period_month', 'breakdown_type', 'breakdown_value'], [
        'opening_subs', 'new_subs', 'churned_subs', 'migration_in_subs', 'migration_out_subs',
        'closing_subs']) }}
),

with_ratios as (
    select
        *,
        closing_subs - opening_subs as net_adds,
        {{ safe_ratio('churned_subs', 'opening_subs', 100) }} as churn_rate_pct
    from regions
),

compared as (
    select
        cur.*,
        -- a base month in the history with no subscriber left there counts 0 (zero is a row);
        -- a base month before the history is unknown (NULL)
        case
            when {{ add_months('cur.period_month', -1) }} >= h.first_month
                then coalesce(closing_last_month.closing_subs, 0)
        end as closing_subs_last_month,
        case
            when {{ add_months('cur.period_month', -12) }} >= h.first_month
                then coalesce(closing_last_year.closing_subs, 0)
        end as closing_subs_sply,
        {{ pct_change('cur.closing_subs', "case when " ~ add_months('cur.period_month', -12)
            ~ " >= h.first_month then coalesce(closing_last_year.closing_subs, 0) end") }}
            as closing_subs_yoy_pct,
        {{ period_compare_columns(['new_subs', 'churned_subs', 'net_adds']) }}
    from with_ratios as cur
    {{ period_compare_joins('with_ratios', keys) }}
    cross join (select min(period_month) as first_month from subscriber_months) as h
    left join closings as closing_last_month
        on {% for k in keys %}closing_last_month.{{ k }} = cur.{{ k }} and {% endfor -%}
        closing_last_month.period_month = {{ add_months('cur.period_month', -1) }}
    left join closings as closing_last_year
        on {% for k in keys %}closing_last_year.{{ k }} = cur.{{ k }} and {% endfor -%}
        closing_last_year.period_month = {{ add_months('cur.period_month', -12) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    breakdown_type,
    breakdown_value,
    -- waterfall
    opening_subs,
    new_subs,
    churned_subs,
    migration_in_subs,
    migration_out_subs,
    closing_subs,
    net_adds,
    churn_rate_pct,
    -- comparisons
    closing_subs_last_month,
    closing_subs_sply,
    closing_subs_yoy_pct,
    new_subs_mom_pct,
    new_subs_yoy_pct,
    churned_subs_mom_pct,
    churned_subs_yoy_pct,
    net_adds_last_month,
    net_adds_sply
from compared
