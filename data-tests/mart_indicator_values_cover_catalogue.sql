-- mart_indicator_values holds only catalogued indicators, each with the catalogue's grain and
-- unit, and the catalogue names only source columns that the generator could read (a row per
-- period and region of its source mart). Fails with the offending indicator codes.
with

catalogue as (
    select * from {{ ref('indicators') }}
),

computed as (
    select indicator_code, period_grain, unit, count(*) as value_rows
    from {{ ref('mart_indicator_values') }}
    group by indicator_code, period_grain, unit
)

select
    coalesce(c.indicator_code, v.indicator_code) as indicator_code,
    case
        when c.indicator_code is null then 'computed but not in the catalogue'
        when v.indicator_code is null then 'in the catalogue but not computed'
        when c.period_grain <> v.period_grain then 'grain differs from the catalogue'
        else 'unit differs from the catalogue'
    end as problem
from catalogue as c
full outer join computed as v
    on c.indicator_code = v.indicator_code
where c.indicator_code is null
    or v.indicator_code is null
    or c.period_grain <> v.period_grain
    or c.unit <> v.unit
