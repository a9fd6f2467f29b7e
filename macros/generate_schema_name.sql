{#- Use a model's custom schema as-is (`staging`, `intermediate`) rather than dbt's default
    `<target_schema>_<custom>`, so the published database has readable schema names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
