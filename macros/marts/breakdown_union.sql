{#- Aggregates of `relation` once per breakdown, stacked: for each (label, expression) of
    `breakdowns` one select grouped by `group_by` and the expression, with the label in
    `label_column` and the expression's value in `value_column`; an expression of none is the
    total ('all', grouped by `group_by` only). `columns` are the select's leading columns (the
    grouped keys, possibly renamed) and `aggregates` the measures' SQL. -#}
{% macro breakdown_union(relation, columns, group_by, breakdowns, label_column, value_column, aggregates) -%}
{% for label, expr in breakdowns -%}
select
    {{ columns | join(', ') }},
    '{{ label }}' as {{ label_column }},
    {{ "'all'" if expr is none else expr }} as {{ value_column }},
    {{ aggregates }}
from {{ relation }}
group by {{ group_by | join(', ') }}{% if expr is not none %}, {{ expr }}{% endif %}
{% if not loop.last %}union all{% endif %}
{% endfor %}
{%- endmacro %}
