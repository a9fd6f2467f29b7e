{#- Read a score table that ml/ writes into schema `ml` (marts/scores/_scores__sources.yml),
    selecting the documented columns. On the very first build, before `jingfen ml score` has
    ever run, the table does not exist: the model then selects no rows with the same typed
    columns, so the score marts build (empty) and fill on the next build after scoring.
    `columns` maps column name -> one of string, float, int, date, timestamp, bool. -#}
{% macro score_source(table_name, columns) -%}
    {%- set rel = source('ml', table_name) -%}
    {%- set found = none -%}
    {%- if execute -%}
        {%- set found = adapter.get_relation(
            database=rel.database, schema=rel.schema, identifier=rel.identifier) -%}
    {%- endif -%}
    {%- set types = {
        'string': dbt.type_string(), 'float': double_type(), 'int': dbt.type_int(),
        'date': 'date', 'timestamp': dbt.type_timestamp(), 'bool': dbt.type_boolean(),
    } -%}
    {%- if found is not none -%}
    select
        {% for name, kind in columns.items() -%}
        cast({{ name }} as {{ types[kind] }}) as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor -%}
    from {{ rel }}
    {%- else -%}
    select
        {% for name, kind in columns.items() -%}
        cast(null as {{ types[kind] }}) as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor -%}
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
