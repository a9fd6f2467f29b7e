{{ config(tags=['month_close']) }}

{#- One row per subscriber per month: every subscriber in the month's SUBS snapshot, plus any
    subscriber billed in a month whose snapshot lacks them (so revenue always reconciles with
    the bills). Attributes come from the snapshot, measures from bills, usage, payments and
    complaints of that month. Daily data (top-ups, complaints) joins only the months of the
    spine, so a day after the latest month cannot change a row (tag month_close). -#}

with

snapshots as (
    select * from {{ ref('int_subscriber_snapshots_versioned') }}
),

customer_snapshots as (
    select * from {{ ref('int_customer_snapshots_versioned') }}
),

bills as (
    select * from {{ ref('int_bills_settled') }}
),

usage as (
    select * from {{ ref('stg_bss__monthly_usage') }}
),

payments as (
    select * from {{ ref('stg_bss__payments') }}
),

complaints as (
    select * from {{ ref('stg_bss__complaints') }}
),

spine as (
    select subs_id, snapshot_month as month_start from snapshots
    union
    select subs_id, bill_month as month_start from bills
),

topups as (
    select
        subs_id,
        {{ month_start('pay_time') }} as month_start,
        sum(amount_yuan) as topup_yuan
    from payments
    where bill_month is null
    group by subs_id, {{ month_start('pay_time') }}
),

complaints_per_month as (
    select
        subs_id,
        {{ month_start('accept_time') }} as month_start,
        count(*) as complaint_cnt
    from complaints
    group by subs_id, {{ month_start('accept_time') }}
)

select
    -- ids
    sp.subs_id,
    coalesce(s.cust_id, b.cust_id) as cust_id,
    s.subscriber_sk,
    cs.customer_sk,
    sp.month_start,
    -- dimensions
    coalesce(s.prov_code, b.prov_code) as prov_code,
    coalesce(s.city_code, b.city_code) as city_code,
    s.county_code,
    coalesce(s.package_code, b.package_code) as package_code,
    s.pay_type,
    s.net_type,
    s.channel_id,
    s.status,
    s.status_date,
    s.open_date,
    s.terminal_brand,
    s.terminal_model,
    {{ months_between_starts('s.open_date', 'sp.month_start') }} as tenure_months,
    coalesce(s.is_5g_terminal, false) as is_5g_terminal,
    coalesce(s.is_opt_out, false) as is_opt_out,
    s.subs_id is not null as is_in_snapshot,
    b.subs_id is not null as is_billed,
    -- revenue by bill item (元)
    coalesce(b.package_fee_yuan, 0) as package_fee_yuan,
    coalesce(b.voice_fee_yuan, 0) as voice_fee_yuan,
    coalesce(b.data_fee_yuan, 0) as data_fee_yuan,
    coalesce(b.sms_fee_yuan, 0) as sms_fee_yuan,
    coalesce(b.vas_fee_yuan, 0) as vas_fee_yuan,
    coalesce(b.roaming_fee_yuan, 0) as roaming_fee_yuan,
    coalesce(b.other_fee_yuan, 0) as other_fee_yuan,
    coalesce(b.discount_yuan, 0) as discount_yuan,
    coalesce(b.total_due_yuan, 0) as revenue_yuan,
    -- usage
    coalesce(u.mou, 0) as mou,
    coalesce(u.data_mb, 0) as dou_mb,
    coalesce(u.sms_cnt, 0) as sms_cnt,
    coalesce(u.active_days, 0) as active_days,
    u.main_cell_id,
    -- payment behaviour
    coalesce(b.paid_yuan, 0) as paid_yuan,
    coalesce(t.topup_yuan, 0) as topup_yuan,
    b.due_date,
    b.last_pay_date,
    coalesce(b.is_paid_late, false) as late_payment,
    case when s.pay_type = '2' then coalesce(b.outstanding_yuan, 0) else 0 end as unpaid_yuan,
    case
        when s.pay_type = '2' and b.is_past_due then b.outstanding_yuan
        else 0
    end as arrears_yuan,
    case
        when s.pay_type = '2' and b.is_past_due and b.outstanding_yuan > 0 then b.months_past_due
    end as arrears_age_months,
    -- service
    coalesce(c.complaint_cnt, 0) as complaint_cnt
from spine as sp
left join snapshots as s
    on sp.subs_id = s.subs_id
    and sp.month_start = s.snapshot_month
left join bills as b
    on sp.subs_id = b.subs_id
    and sp.month_start = b.bill_month
left join customer_snapshots as cs
    on coalesce(s.cust_id, b.cust_id) = cs.cust_id
    and sp.month_start = cs.snapshot_month
left join usage as u
    on sp.subs_id = u.subs_id
    and sp.month_start = u.usage_month
left join topups as t
    on sp.subs_id = t.subs_id
    and sp.month_start = t.month_start
left join complaints_per_month as c
    on sp.subs_id = c.subs_id
    and sp.month_start = c.month_start
