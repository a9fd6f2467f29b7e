{#- A code column only holds codes of one code set of the `code_values` seed (an interface
    `ref` of `code_values.X`), so the list of valid codes lives in one place — the seed — and is
    never hard-coded in yml.  NULLs are not checked.  Fails with one row per unknown code. -#}
{% test accepted_code(model, column_name, code_set) %}
select
    {{ column_name }} as unknown_code,
    count(*) as n_rows
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} not in (
    select code from {{ ref('code_values') }} where code_set = '{{ code_set }}'
  )
group by {{ column_name }}
{% endtest %}
