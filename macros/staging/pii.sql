{#- Personal data (interfaces.py `pii=True`) never leaves staging in clear: a salted SHA-256
    hex hash to join and count distinct on, and a masked display form.  The salt comes from the
    `pii_salt` var, which jingfen.dbt.run_dbt passes from jingfen.config.pii_salt(); it is never
    in git.  Tables (not views) keep the salt out of the published database. -#}

{% macro pii_salt() -%}
    {%- set salt = var('pii_salt', none) -%}
    {%- if salt is none or salt | string | length == 0 -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "The dbt var `pii_salt` is not set: run dbt through jingfen.dbt.run_dbt (or the "
                "`jingfen build` CLI), which passes it from jingfen.config.pii_salt().") }}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(salt | string) }}
{%- endmacro %}

{#- Salted SHA-256 of a value, lowercase hex; NULL stays NULL. -#}
{% macro pii_hash(column_name) -%}
    {{ return(adapter.dispatch('pii_hash')(column_name)) }}
{%- endmacro %}

{% macro default__pii_hash(column_name) -%}
    case when {{ column_name }} is not null
        then lower(sha2(concat('{{ pii_salt() | replace("'", "''") }}', '|', {{ column_name }}), 256))
    end
{%- endmacro %}

{% macro duckdb__pii_hash(column_name) -%}
    case when {{ column_name }} is not null
        then sha256(concat('{{ pii_salt() | replace("'", "''") }}', '|', {{ column_name }}))
    end
{%- endmacro %}

{#- Keep `keep_left` leading and `keep_right` trailing characters and star the middle:
    mask_middle('18612341234', 3, 4) = '186****1234'.  Values too short to keep anything are
    starred completely. -#}
{% macro mask_middle(column_name, keep_left, keep_right) -%}
    case
        when {{ column_name }} is null then null
        when length({{ column_name }}) <= {{ keep_left + keep_right }}
            then repeat('*', length({{ column_name }}))
        else concat(
            left({{ column_name }}, {{ keep_left }}),
            repeat('*', length({{ column_name }}) - {{ keep_left + keep_right }}),
            right({{ column_name }}, {{ keep_right }})
        )
    end
{%- endmacro %}

{#- 手机号脱敏: 186****1234 -#}
{% macro mask_msisdn(column_name) -%}
    {{ mask_middle(column_name, 3, 4) }}
{%- endmacro %}

{#- 证件号脱敏: first 4 (province + city of issue) and last 4 kept: 4401**********123X -#}
{% macro mask_cert_no(column_name) -%}
    {{ mask_middle(column_name, 4, 4) }}
{%- endmacro %}

{#- 姓名脱敏: first character kept: 张** ; a one-character name becomes '*'. -#}
{% macro mask_name(column_name) -%}
    case
        when {{ column_name }} is null then null
        when length({{ column_name }}) <= 1 then '*'
        else concat(left({{ column_name }}, 1), repeat('*', length({{ column_name }}) - 1))
    end
{%- endmacro %}
