{#- A foreign key into a monthly full snapshot (SUBS, CUST, CHNL staging): the id exists in the
    snapshot of the month of `at` (same_month, the default) or in any snapshot.  Rows of months
    after the latest snapshot are not checked: daily increments arrive before the month-end
    snapshot that will list a subscriber opened this month.
    Fails with one row per unknown id and month. -#}
{% test exists_in_snapshot(model, column_name, to, field, at, same_month=true) %}
with

parent as (

    select {{ field }} as id, snapshot_month from {{ to }}

),

covered as (

    select max(snapshot_month) as last_month from parent

),

child as (

    select distinct
        {{ column_name }} as id,
        {{ month_start(at) }} as month_start
    from {{ model }}
    where {{ column_name }} is not null

)

select child.id, child.month_start
from child
cross join covered
where child.month_start <= covered.last_month
  and not exists (
    select 1 from parent
    where parent.id = child.id
    {% if same_month %}
      and parent.snapshot_month = child.month_start
    {% endif %}
  )
{% endtest %}
