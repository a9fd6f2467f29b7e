with

regions as (
    select * from {{ ref('regions') }}
),

provinces as (
    select * from {{ ref('provinces') }}
)

select
    -- ids
    r.county_code,
    -- hierarchy: province > city > county (GB/T 2260)
    r.prov_code,
    r.prov_name,
    p.prov_name_short,
    p.prov_name_en,
    p.prov_iso_code,
    p.geo_region,
    r.city_code,
    r.city_name,
    r.city_name_en,
    r.county_name,
    -- attributes
    p.population_10k as prov_population_10k
from regions as r
left join provinces as p
    on r.prov_code = p.prov_code
