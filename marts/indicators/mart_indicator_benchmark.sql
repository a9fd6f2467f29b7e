{{ config(materialized='table') }}

{#- 对标: one row per monthly L0 indicator per month per province, with the province's own
    value, the national value and the province's rank among the provinces (1 = best: the
    highest value, or the lowest for an indicator whose direction is lower_better). It carries
    no other province's value, so row-level security on prov_code gives a province its own
    benchmark and nothing else of the others; mart_indicator_values' national rows (prov_code
    '00') stay 总部-only. A province without a value that month (a 同比 without its base month)
    has no row: there is nothing to compare, and the rank stays a whole number. -#}

with

indicator_values as (
    select * from {{ ref('mart_indicator_values') }}
    where level = 'L0' and period_grain = 'month'
),

provinces as (
    select distinct prov_code, prov_name, prov_iso_code from {{ ref('dim_region') }}
),

province_values as (
    select
        indicator_code,
        period_month,
        prov_code,
        name_zh,
        unit,
        direction,
        value,
        -- the ranking key: larger is better
        case when direction = 'lower_better' then -value else value end as merit
    from indicator_values
    where region_level = 'province'
        and value is not null
),

national_values as (
    select
        indicator_code,
        period_month,
        value as national_value
    from indicator_values
    where region_level = 'national'
),

ranked as (
    select
        pv.*,
        -- ties share a rank
        rank() over (
            partition by pv.indicator_code, pv.period_month order by pv.merit desc
        ) as rank_among_provinces,
        count(*) over (
            partition by pv.indicator_code, pv.period_month
        ) as provinces_ranked
    from province_values as pv
)

select
    -- ids
    r.indicator_code,
    r.period_month,
    r.prov_code,
    -- dimensions
    r.name_zh as indicator_name_zh,
    r.unit,
    r.direction,
    case when r.direction = 'lower_better' then '越低越好' else '越高越好' end as rank_basis_zh,
    p.prov_name,
    p.prov_iso_code,
    -- measures
    r.value as province_value,
    n.national_value,
    cast(r.rank_among_provinces as integer) as rank_among_provinces,
    cast(r.provinces_ranked as integer) as provinces_ranked
from ranked as r
left join national_values as n
    on r.indicator_code = n.indicator_code
    and r.period_month = n.period_month
left join provinces as p
    on r.prov_code = p.prov_code
