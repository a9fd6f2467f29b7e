{#- SCD type 2 without dbt snapshots (they need Delta on Spark): each customer's monthly
    snapshots, ordered by month, are cut into versions wherever a tracked attribute changes
    (gaps and islands). A later return to earlier values starts a new version. -#}
{%- set tracked = [
    'cust_name_masked', 'cust_type', 'cert_type', 'cert_no_hash', 'cert_no_masked', 'gender',
    'birth_date', 'prov_code', 'city_code', 'county_code', 'vip_level', 'group_cust_id',
    'create_date', 'status',
] -%}

with

customers as (
    select * from {{ ref('stg_bss__customers') }}
),

hashed as (
    select
        cust_id,
        snapshot_month,
        {% for column in tracked -%}
        {{ column }},
        {% endfor -%}
        {{ hash_columns(tracked) }} as attributes_hash
    from customers
),

marked as (
    select
        *,
        case
            when lag(attributes_hash) over (partition by cust_id order by snapshot_month)
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
            partition by cust_id
            order by snapshot_month
            rows between unbounded preceding and current row
        ) as integer) as version_no
    from marked
),

version_starts as (
    select
        cust_id,
        version_no,
        min(snapshot_month) as valid_from
    from numbered
    group by cust_id, version_no
)

select
    -- ids
    {{ hash_columns(['n.cust_id', 'v.valid_from']) }} as customer_sk,
    n.cust_id,
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
    on n.cust_id = v.cust_id
    and n.version_no = v.version_no
