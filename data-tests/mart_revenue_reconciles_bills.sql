-- Revenue in the marts equals the billed revenue loaded: for every bill month and province,
-- mart_revenue_region_month (province rows), mart_revenue_structure_month (the bill items, which
-- must add up to the total) and mart_business_review_month agree with the staged bills' total due
-- (应收) to the fen. Fails with the months and provinces that differ.
with

bills as (
    select
        bill_month as period_month,
        prov_code,
        sum(total_due_yuan) as revenue_yuan
    from {{ ref('stg_bss__bills') }}
    group by bill_month, prov_code
),

region_mart as (
    select period_month, region_code as prov_code, revenue_yuan
    from {{ ref('mart_revenue_region_month') }}
    where region_level = 'province'
),

item_mart as (
    select period_month, region_code as prov_code, sum(revenue_yuan) as revenue_yuan
    from {{ ref('mart_revenue_structure_month') }}
    where region_level = 'province'
        and breakdown_type = 'bill_item'
    group by period_month, region_code
),

review_mart as (
    select period_month, region_code as prov_code, revenue_yuan
    from {{ ref('mart_business_review_month') }}
    where region_level = 'province'
),

compared as (
    select
        coalesce(b.period_month, r.period_month) as period_month,
        coalesce(b.prov_code, r.prov_code) as prov_code,
        b.revenue_yuan as bills_revenue_yuan,
        r.revenue_yuan as mart_revenue_yuan,
        i.revenue_yuan as items_revenue_yuan,
        v.revenue_yuan as review_revenue_yuan
    from bills as b
    full outer join region_mart as r
        on b.period_month = r.period_month
        and b.prov_code = r.prov_code
    left join item_mart as i
        on coalesce(b.period_month, r.period_month) = i.period_month
        and coalesce(b.prov_code, r.prov_code) = i.prov_code
    left join review_mart as v
        on coalesce(b.period_month, r.period_month) = v.period_month
        and coalesce(b.prov_code, r.prov_code) = v.prov_code
)

select *
from compared
where not coalesce(abs(bills_revenue_yuan - mart_revenue_yuan) < 0.01, false)
    or not coalesce(abs(bills_revenue_yuan - items_revenue_yuan) < 0.01, false)
    or not coalesce(abs(bills_revenue_yuan - review_revenue_yuan) < 0.01, false)
