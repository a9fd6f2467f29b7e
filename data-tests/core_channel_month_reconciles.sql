-- fct_channel_month agrees with its sources: new subscribers with the subscriber-months
-- flagged new, commissions with the staged commission items. Fails with the months that differ.
with

new_subs as (
    select month_start, count(*) as new_subs_cnt
    from {{ ref('fct_subscriber_month') }}
    where is_new
    group by month_start
),

commissions as (
    select settle_month as month_start, sum(amount_yuan) as commission_yuan
    from {{ ref('stg_bss__commissions') }}
    group by settle_month
),

channel_months as (
    select month_start, sum(new_subs_cnt) as new_subs_cnt, sum(commission_yuan) as commission_yuan
    from {{ ref('fct_channel_month') }}
    group by month_start
)

select
    c.month_start,
    c.new_subs_cnt,
    n.new_subs_cnt as expected_new_subs_cnt,
    c.commission_yuan,
    m.commission_yuan as expected_commission_yuan
from channel_months as c
left join new_subs as n
    on c.month_start = n.month_start
left join commissions as m
    on c.month_start = m.month_start
where c.new_subs_cnt <> coalesce(n.new_subs_cnt, 0)
    or abs(c.commission_yuan - coalesce(m.commission_yuan, 0)) >= 0.01
