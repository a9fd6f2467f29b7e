with

complaints as (
    select * from {{ ref('stg_bss__complaints') }}
),

categories as (
    select * from {{ ref('dim_complaint_category') }}
),

snapshots as (
    select * from {{ ref('int_subscriber_snapshots_versioned') }}
)

select
    -- ids
    c.ticket_id,
    c.subs_id,
    s.subscriber_sk,
    -- dimensions
    c.accept_time,
    cast(c.accept_time as date) as accept_date,
    {{ month_start('c.accept_time') }} as month_start,
    c.close_time,
    c.prov_code,
    c.city_code,
    c.county_code,
    c.source,
    c.category_code,
    k.l2_code as category_l2_code,
    k.l1_code as category_l1_code,
    c.cell_id,
    c.satisfaction,
    -- measures
    case
        when c.close_time is not null
            then cast(
                {{ dbt.datediff('c.accept_time', 'c.close_time', 'minute') }} as {{ double_type() }}
            ) / 60
    end as handling_hours,
    -- flags
    c.close_time is not null as is_closed,
    c.is_escalated,
    coalesce(c.satisfaction in ('4', '5'), false) as is_satisfied
from complaints as c
left join categories as k
    on c.category_code = k.category_code
left join snapshots as s
    on c.subs_id = s.subs_id
    and {{ month_start('c.accept_time') }} = s.snapshot_month
