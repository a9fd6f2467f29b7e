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

{#- The SCD type 2 dimension over `scd2_versions` output (`relation`): one row per version with
    its snapshot span and its validity: valid_from (inclusive) until the next version starts
    (valid_to, exclusive; 9999-12-31 for the latest, which is_current). Columns: sk, key,
    version_no, valid_from, valid_to, is_current, last_snapshot_month, snapshot_cnt, then the
    tracked attributes. -#}
{% macro scd2_valid_ranges(relation, key, sk, tracked) -%}
select
    {{ sk }},
    {{ key }},
    version_no,
    valid_from,
    coalesce(
        lead(valid_from) over (partition by {{ key }} order by valid_from),
        cast('9999-12-31' as date)
    ) as valid_to,
    lead(valid_from) over (partition by {{ key }} order by valid_from) is null as is_current,
    last_snapshot_month,
    snapshot_cnt,
    {% for column in tracked -%}
    {{ column }}{{ "," if not loop.last }}
    {% endfor -%}
from (
    select
        {{ sk }},
        {{ key }},
        version_no,
        valid_from,
        max(snapshot_month) as last_snapshot_month,
        count(*) as snapshot_cnt,
        {% for column in tracked -%}
        {{ column }}{{ "," if not loop.last }}
        {% endfor -%}
    from {{ relation }}
    group by {{ sk }}, {{ key }}, version_no, valid_from, {{ tracked | join(', ') }}
) as versions
{%- endmacro %}
