{#- Composite primary key: no two rows share the same values in `combination_of_columns`
    (the dbt_utils test of the same name, written here because `dbt deps` cannot reach the hub).
    Fails with one row per duplicated combination. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
