-- The bands of each type (seeds/bands.csv) tile the number line: sorted by lower bound, each
-- band starts where the previous one ends, only the first is open below and only the last
-- is open above. Fails with the bands that break the chain.
with

ordered as (
    select
        band_type,
        band_code,
        lower_bound,
        upper_bound,
        lag(upper_bound) over (partition by band_type order by coalesce(lower_bound, -1e18)) as previous_upper,
        row_number() over (partition by band_type order by coalesce(lower_bound, -1e18)) as position,
        count(*) over (partition by band_type) as band_cnt
    from {{ ref('bands') }}
)

select *
from ordered
where (position > 1 and (lower_bound is null or previous_upper is null or lower_bound <> previous_upper))
    or (position < band_cnt and upper_bound is null)
    or (lower_bound is not null and upper_bound is not null and lower_bound >= upper_bound)
