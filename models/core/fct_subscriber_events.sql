with

events as (
    select * from {{ ref('stg_bss__subscriber_events') }}
),

snapshots as (
    select * from {{ ref('int_subscriber_snapshots_versioned') }}
)

select
    -- ids
    e.event_id,
    e.subs_id,
    s.subscriber_sk,
    -- dimensions
    e.event_type,
    e.event_time,
    cast(e.event_time as date) as event_date,
    {{ month_start('e.event_time') }} as month_start,
    e.prov_code,
    e.city_code,
    e.old_package_code,
    e.new_package_code,
    e.channel_id,
    -- flags (event_type codes: code_values.event_type)
    e.event_type = '01' as is_open,
    e.event_type = '02' as is_package_change,
    e.event_type = '05' as is_cancel,
    e.event_type = '06' as is_port_out,
    e.event_type = '07' as is_port_in
from events as e
left join snapshots as s
    on e.subs_id = s.subs_id
    and {{ month_start('e.event_time') }} = s.snapshot_month
