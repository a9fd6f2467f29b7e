with

payments as (
    select * from {{ ref('stg_bss__payments') }}
),

bills as (
    select * from {{ ref('stg_bss__bills') }}
)

select
    -- ids
    p.pay_id,
    p.subs_id,
    p.cust_id,
    -- dimensions
    p.pay_time,
    cast(p.pay_time as date) as pay_date,
    {{ month_start('p.pay_time') }} as month_start,
    p.prov_code,
    p.city_code,
    p.pay_method,
    p.pay_channel_id,
    p.bill_month,
    b.due_date,
    -- measures
    p.amount_yuan,
    -- flags
    p.bill_month is null as is_topup,
    p.amount_yuan < 0 as is_refund,
    coalesce(cast(p.pay_time as date) > b.due_date, false) as is_late
from payments as p
left join bills as b
    on p.subs_id = b.subs_id
    and p.bill_month = b.bill_month
