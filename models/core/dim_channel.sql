{#- Channels as of their latest monthly snapshot (type 1: a channel's outlet attributes are
    overwritten), with the two-level channel-type hierarchy. -#}

with

channels as (
    select * from {{ ref('stg_bss__channels') }}
),

channel_types as (
    select * from {{ ref('channel_types') }}
),

ranked as (
    select
        *,
        row_number() over (partition by channel_id order by snapshot_month desc) as recency_rank,
        min(snapshot_month) over (partition by channel_id) as first_snapshot_month
    from channels
)

select
    -- ids
    c.channel_id,
    -- attributes
    c.channel_name,
    c.channel_type_code,
    t.channel_type_name,
    t.channel_type_name_en,
    t.level1_code,
    t.level1_name,
    t.level1_name_en,
    c.prov_code,
    c.city_code,
    c.county_code,
    c.open_date,
    c.status,
    c.status = '1' as is_open,
    -- metadata
    c.first_snapshot_month,
    c.snapshot_month as last_snapshot_month
from ranked as c
left join channel_types as t
    on c.channel_type_code = t.channel_type_code
where c.recency_rank = 1
