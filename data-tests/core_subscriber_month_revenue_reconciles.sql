-- fct_subscriber_month revenue equals the staged bills' total due (应收) in every bill month,
-- item by item. Fails with the months that differ by a fen or more.
with

bills as (
    select
        bill_month as month_start,
        sum(total_due_yuan) as revenue_yuan,
        sum(package_fee_yuan) as package_fee_yuan,
        sum(discount_yuan) as discount_yuan,
        count(*) as bill_cnt
    from {{ ref('stg_bss__bills') }}
    group by bill_month
),

facts as (
    select
        month_start,
        sum(revenue_yuan) as revenue_yuan,
        sum(package_fee_yuan) as package_fee_yuan,
        sum(discount_yuan) as discount_yuan,
        sum(case when is_billed then 1 else 0 end) as bill_cnt
    from {{ ref('fct_subscriber_month') }}
    group by month_start
)

select
    coalesce(b.month_start, f.month_start) as month_start,
    b.revenue_yuan as bills_revenue_yuan,
    f.revenue_yuan as fact_revenue_yuan,
    b.bill_cnt as bills_cnt,
    f.bill_cnt as fact_billed_cnt
from bills as b
full outer join facts as f
    on b.month_start = f.month_start
where abs(coalesce(b.revenue_yuan, 0) - coalesce(f.revenue_yuan, 0)) >= 0.01
    or abs(coalesce(b.package_fee_yuan, 0) - coalesce(f.package_fee_yuan, 0)) >= 0.01
    or abs(coalesce(b.discount_yuan, 0) - coalesce(f.discount_yuan, 0)) >= 0.01
    or coalesce(b.bill_cnt, 0) <> coalesce(f.bill_cnt, 0)
