{{ config(materialized='table', tags=['month_close']) }}

{#- One row per month per region: collection (收费/回收) of the month's postpaid bills and the
    arrears (欠费) outstanding at that month's end by age band.
    collection_rate_pct = paid against the month's bills (as of the month close,
    int_bills_settled) / amount due.
    Ageing: a bill of month b still unpaid at the end of month m is (m - b) months old
    ('1' = last month's bill); bands '1', '2-3', '4-6', '7-12', '13+'. -#}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
),

postpaid_bills as (
    select
        subs_id,
        period_month as bill_month,
        prov_code,
        city_code,
        revenue_yuan as due_yuan,
        paid_yuan,
        arrears_yuan,
        late_payment
    from subscriber_months
    where pay_type = '2'
),

collection as (
    select
        bill_month as period_month,
        prov_code,
        city_code,
        sum(due_yuan) as due_yuan,
        sum(case when paid_yuan > due_yuan then due_yuan else paid_yuan end) as collected_yuan,
        count(*) as postpaid_bills,
        sum({{ flag_int('late_payment') }}) as late_bills,
        sum({{ flag_int('arrears_yuan > 0') }}) as unpaid_bills
    from postpaid_bills
    group by bill_month, prov_code, city_code
),

months as (
    select distinct period_month from subscriber_months
),

-- only bills that were ever behind can be outstanding at some month end
bills_ever_behind as (
    select * from postpaid_bills
    where due_yuan > 0 and (arrears_yuan > 0 or late_payment or paid_yuan < due_yuan)
),

paid_by_month as (
    select
        subs_id,
        bill_month,
        {{ month_start('pay_time') }} as pay_month,
        sum(amount_yuan) as amount_yuan
    from payments
    where bill_month is not null
    group by subs_id, bill_month, {{ month_start('pay_time') }}
),

outstanding as (
    select
        b.prov_code,
        b.city_code,
        m.period_month,
        {{ months_between_starts('b.bill_month', 'm.period_month') }} as age_months,
        -- a refund booked against the bill (a negative payment) does not make it owe more than
        -- its due (docs/warehouse.md "unpaid")
        least(b.due_yuan - coalesce(sum(p.amount_yuan), 0), b.due_yuan) as outstanding_yuan
    from bills_ever_behind as b
    inner join months as m
        on m.period_month > b.bill_month
    left join paid_by_month as p
        on b.subs_id = p.subs_id
        and b.bill_month = p.bill_month
        and p.pay_month <= m.period_month
    group by b.subs_id, b.bill_month, b.prov_code, b.city_code, b.due_yuan, m.period_month
),

ageing as (
    select
        period_month,
        prov_code,
        city_code,
        sum(outstanding_yuan) as arrears_yuan,
        sum(case when age_months = 1 then outstanding_yuan else 0 end) as arrears_age_1m_yuan,
        sum(case when age_months between 2 and 3 then outstanding_yuan else 0 end)
            as arrears_age_2_3m_yuan,
        sum(case when age_months between 4 and 6 then outstanding_yuan else 0 end)
            as arrears_age_4_6m_yuan,
        sum(case when age_months between 7 and 12 then outstanding_yuan else 0 end)
            as arrears_age_7_12m_yuan,
        sum(case when age_months > 12 then outstanding_yuan else 0 end) as arrears_age_13m_plus_yuan,
        count(*) as arrears_bills
    from outstanding
    where outstanding_yuan > 0
    group by period_month, prov_code, city_code
),

city_month as (
    select
        coalesce(c.period_month, a.period_month) as period_month,
        coalesce(c.prov_code, a.prov_code) as prov_code,
        coalesce(c.city_code, a.city_code) as city_code,
        coalesce(c.due_yuan, 0) as due_yuan,
        coalesce(c.collected_yuan, 0) as collected_yuan,
        coalesce(c.postpaid_bills, 0) as postpaid_bills,
        coalesce(c.late_bills, 0) as late_bills,
        coalesce(c.unpaid_bills, 0) as unpaid_bills,
        coalesce(a.arrears_yuan, 0) as arrears_yuan,
        coalesce(a.arrears_age_1m_yuan, 0) as arrears_age_1m_yuan,
        coalesce(a.arrears_age_2_3m_yuan, 0) as arrears_age_2_3m_yuan,
        coalesce(a.arrears_age_4_6m_yuan, 0) as arrears_age_4_6m_yuan,
        coalesce(a.arrears_age_7_12m_yuan, 0) as arrears_age_7_12m_yuan,
        coalesce(a.arrears_age_13m_plus_yuan, 0) as arrears_age_13m_plus_yuan,
        coalesce(a.arrears_bills, 0) as arrears_bills
    from collection as c
    full outer join ageing as a
        on c.period_month = a.period_month
        and c.prov_code = a.prov_code
        and c.city_code = a.city_code
),

regions as (
    {{ region_rollup('city_month', ['period_month'], [
        'due_yuan', 'collected_yuan', 'postpaid_bills', 'late_bills', 'unpaid_bills',
        'arrears_yuan', 'arrears_age_1m_yuan', 'arrears_age_2_3m_yuan', 'arrears_age_4_6m_yuan',
        'arrears_age_7_12m_yuan', 'arrears_age_13m_plus_yuan', 'arrears_bills']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    -- collection of the month's bills
    due_yuan,
    collected_yuan,
    {{ safe_ratio('collected_yuan', 'due_yuan', 100) }} as collection_rate_pct,
    postpaid_bills,
    late_bills,
    unpaid_bills,
    -- arrears outstanding at month end, by age
    arrears_yuan,
    arrears_age_1m_yuan,
    arrears_age_2_3m_yuan,
    arrears_age_4_6m_yuan,
    arrears_age_7_12m_yuan,
    arrears_age_13m_plus_yuan,
    arrears_age_4_6m_yuan + arrears_age_7_12m_yuan + arrears_age_13m_plus_yuan
        as arrears_over_3m_yuan,
    arrears_bills
from regions
