{#- Roll a city-grain relation up to the three region levels the marts publish:
      'national' (region_code '00'), 'province' (prov_code) and 'city' (city_code).
    Every level sums the same city rows, so national = sum of provinces = sum of cities for each
    additive measure by construction. Ratios are computed after the roll-up from the summed
    numerators and denominators.

    from_relation  a relation or CTE name with prov_code, city_code, the dims and the measures
    dims           grouping columns kept at every level (period, breakdowns)
    sums           additive measure columns
-#}
{% macro region_rollup(from_relation, dims, sums) -%}
    {%- set levels = [
        ('national', "'00'", "'00'", []),
        ('province', 'prov_code', 'prov_code', ['prov_code']),
        ('city', 'city_code', 'prov_code', ['prov_code', 'city_code']),
    ] -%}
    {%- for level, code_expr, prov_expr, keys in levels %}
    select
        '{{ level }}' as region_level,
        {{ code_expr }} as region_code,
        {{ prov_expr }} as prov_code,
        {%- for dim in dims %}
        {{ dim }},
        {%- endfor %}
        {%- for measure in sums %}
        sum({{ measure }}) as {{ measure }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ from_relation }}
    {%- set group_cols = keys + dims %}
    {%- if group_cols %}
    group by {{ group_cols | join(', ') }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Region names for the codes region_rollup produces, from dim_region. -#}
{% macro region_names() -%}
    select distinct 'national' as region_level, '00' as region_code, '全国' as region_name
    from {{ ref('dim_region') }}
    union all
    select distinct 'province', prov_code, prov_name from {{ ref('dim_region') }}
    union all
    select distinct 'city', city_code, city_name from {{ ref('dim_region') }}
{%- endmacro %}
