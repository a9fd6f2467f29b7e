{#- Bounds are lower-inclusive and upper-exclusive; an empty bound is open-ended. -#}

select
    -- ids
    band_code,
    -- attributes
    band_name,
    band_name_en,
    lower_bound,
    upper_bound
from {{ ref('bands') }}
where band_type = 'arrears_age'
