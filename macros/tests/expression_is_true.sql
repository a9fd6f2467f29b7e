{#- Every row satisfies a boolean SQL expression, e.g. `total_due_yuan >= 0`; with
    `column_name` the expression is applied to that column (`expression: ">= 0"`).
    Fails with the rows where it is false or NULL. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
{% if column_name is none %}
where not coalesce({{ expression }}, false)
{% else %}
where not coalesce({{ column_name }} {{ expression }}, false)
{% endif %}
{% endtest %}
