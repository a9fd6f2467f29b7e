{#- A waterfall (瀑布/桥) chart's rows: one row per row of `relation` per step, in step order,
    with the step's label and amount (cast to double). `steps` is a list of (label, expression)
    pairs over the relation's columns; the region keys and is_latest_month are carried. -#}
{% macro waterfall_steps(relation, steps) -%}
{% for step, expr in steps -%}
select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    is_latest_month,
    '{{ step }}' as step,
    -- measures
    cast({{ expr }} as {{ double_type() }}) as amount
from {{ relation }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
{%- endmacro %}
