{{ config(tags=['month_close']) }}

{#- Each bill with what has been paid against it (payments whose bill_month names it) as of the
    month close (月末时点): the last day of the latest bill month. Payments made after it count
    when the next month closes (the daily payment flow is in mart_daily_kpi), so the month
    facts do not move with every daily file and the nightly build can keep them (tag
    month_close, flows/build.py). Prepaid top-ups carry no bill month and do not settle bills.
    A bill is in arrears only once its due date is before the close. -#}

with

bills as (
    select * from {{ ref('stg_bss__bills') }}
),

payments as (
    select * from {{ ref('stg_bss__payments') }}
),

as_of as (
    select
        {{ add_days(add_months('max(bill_month)', 1), -1) }} as as_of_date,
        max(bill_month) as as_of_month
    from bills
),

payments_per_bill as (
    select
        subs_id,
        bill_month,
        sum(amount_yuan) as paid_yuan,
        count(*) as payment_cnt,
        min(cast(pay_time as date)) as first_pay_date,
        max(cast(pay_time as date)) as last_pay_date
    from payments
    cross join as_of
    where bill_month is not null
        and cast(pay_time as date) <= as_of.as_of_date
    group by subs_id, bill_month
)

select
    -- ids
    b.subs_id,
    b.cust_id,
    b.bill_month,
    -- dimensions
    b.prov_code,
    b.city_code,
    b.package_code,
    b.due_date,
    -- bill items
    b.package_fee_yuan,
    b.voice_fee_yuan,
    b.data_fee_yuan,
    b.sms_fee_yuan,
    b.vas_fee_yuan,
    b.roaming_fee_yuan,
    b.other_fee_yuan,
    b.discount_yuan,
    b.total_due_yuan,
    -- settlement
    coalesce(p.paid_yuan, 0) as paid_yuan,
    coalesce(p.payment_cnt, 0) as payment_cnt,
    p.first_pay_date,
    p.last_pay_date,
    coalesce(p.last_pay_date > b.due_date, false) as is_paid_late,
    -- a refund booked against a bill (negative payment) does not make it owe more than its due
    case
        when coalesce(p.paid_yuan, 0) <= 0 then greatest(b.total_due_yuan, 0)
        when b.total_due_yuan - p.paid_yuan > 0 then b.total_due_yuan - p.paid_yuan
        else 0
    end as outstanding_yuan,
    coalesce(b.due_date < a.as_of_date, false) as is_past_due,
    {{ months_between_starts('b.due_date', 'a.as_of_month') }} as months_past_due,
    a.as_of_date
from bills as b
cross join as_of as a
left join payments_per_bill as p
    on b.subs_id = p.subs_id
    and b.bill_month = p.bill_month
