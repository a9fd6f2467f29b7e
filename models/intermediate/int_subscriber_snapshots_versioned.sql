{#- SCD type 2 without dbt snapshots (they need Delta on Spark): each subscriber's monthly
    snapshots, ordered by month, are cut into versions wherever a tracked attribute changes
    (gaps and islands). A later return to earlier values starts a new version. -#}
{%- set tracked = [
    'cust_id', 'msisdn_hash', 'msisdn_masked', 'prov_code', 'city_code', 'county_code',
    'package_code', 'pay_type', 'net_type', 'open_date', 'channel_id', 'status', 'status_date',
    'terminal_brand', 'terminal_model', 'is_5g_terminal', 'terminal_date', 'contract_end_date',
    'is_opt_out',
] -%}

with

subscribers as (
    select * from {{ ref('stg_bss__subscribers') }}
),

hashed as (
    select
        subs_id,
        snapshot_month,
        {% for column in tracked -%}
        {{ column }},
        {% endfor -%}
        {{ hash_columns(tracked) }} as attributes_hash
    from subscribers
),

marked as (
    select
        *,
        case
            when lag(attributes_hash) over (partition by subs_id order by snapshot_month)
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
            partition by subs_id
            order by snapshot_month
            rows between unbounded preceding and current row
        ) as integer) as version_no
    from marked
),

version_starts as (
    select
        subs_id,
        version_no,
        min(snapshot_month) as valid_from
    from numbered
    group by subs_id, version_no
)

select
    -- ids
    {{ hash_columns(['n.subs_id', 'v.valid_from']) }} as subscriber_sk,
    n.subs_id,
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
    on n.subs_id = v.subs_id
    and n.version_no = v.version_no
