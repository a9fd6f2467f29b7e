{#- SCD type 2 without dbt snapshots (they need Delta on Spark): each entity's monthly
    snapshots in `relation`, ordered by snapshot_month, are cut into versions wherever one of
    the `tracked` attributes changes (gaps and islands); a later return to earlier values starts
    a new version. One row per entity per snapshot month, with its version number, the month
    the version starts (valid_from), the surrogate key `sk` (a hash of key and valid_from), the
    tracked attributes and their hash. Plain window functions, so it runs on every engine. -#}
{% macro scd2_versions(relation, key, sk, tracked) -%}

with

snapshots as (
    select * from {{ relation }}
),

hashed as (
    select
        {{ key }},
        snapshot_month,
        {% for column in tracked -%}
        {{ column }},
        {% endfor -%}
        {{ hash_columns(tracked) }} as attributes_hash
    from snapshots
),

marked as (
    select
        *,
        case
            when lag(attributes_hash) over (partition by {{ key }} order by snapshot_month)
                = attributes_hash
                then 0
            else 1
        end as is_version_start
    from hashed
),

numbered as (
    select
        *,
        cast(sum(is_version_start) over (
            partition by {{ key }}
            order by snapshot_month
            rows between unbounded preceding and current row
        ) as integer) as version_no
    from marked
),

version_starts as (
    select
        {{ key }},
        version_no,
        min(snapshot_month) as valid_from
    from numbered
    group by {{ key }}, version_no
)

select
    -- ids
    {{ hash_columns(['n.' ~ key, 'v.valid_from']) }} as {{ sk }},
    n.{{ key }},
    n.snapshot_month,
    -- version
    n.version_no,
    v.valid_from,
    -- tracked attributes
    {% for column in tracked -%}
    n.{{ column }},
    {% endfor -%}
    n.attributes_hash
from numbered as n
inner join version_starts as v
    on n.{{ key }} = v.{{ key }}
    and n.version_no = v.version_no

{%- endmacro %}
