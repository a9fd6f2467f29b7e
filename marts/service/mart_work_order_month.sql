{{ config(materialized='table') }}

{#- One row per month per region (national / province / city) per breakdown (total, order_type,
    department, vip_level) value: work-order handling (电子工单). Orders count in the month they
    were created. Within limit = closed no later than limit_hours after creation; overdue =
    closed late, or still open past its limit at the data's end (the newest order's creation
    time); reopened = reopen_cnt > 0; repeat complaint (重复投诉) = a complaint order of a
    subscriber with another complaint order in the var repeat_complaint_days (30) days before;
    satisfied = callback score 4 or 5. Appeals (申诉) count in the month they were accepted,
    under the breakdown of the complaint order they escalate; appeals per million subscribers
    use the region's subscribers in service at month end. Zero is a row: every region with
    subscribers in every month with work orders, for every code of every breakdown. -#}

with

orders as (
    select * from {{ ref('stg_bss__work_orders') }}
),

as_of as (
    select max(create_time) as as_of_time from orders
),

-- complaint orders of a subscriber with another complaint order in the days before (a join, not
-- a correlated subquery: Spark takes EXISTS only in a filter)
repeats as (
    select distinct c.order_id
    from orders as c
    inner join orders as p
        on c.subs_id = p.subs_id
        and p.order_id <> c.order_id
        and p.create_time < c.create_time
        and p.create_time >= {{ dbt.dateadd('day', -var('repeat_complaint_days', 30), 'c.create_time') }}
    where c.order_type = '1'
        and p.order_type = '1'
),

classified as (
    select
        {{ month_start('o.create_time') }} as period_month,
        o.order_id,
        o.city_code,
        o.order_type,
        o.department,
        o.vip_level,
        {{ flag_int('o.close_time is not null') }} as is_closed,
        {{ flag_int('o.close_time is not null and o.close_time <= ' ~ dbt.dateadd('hour', 'o.limit_hours', 'o.create_time')) }}
            as is_within_limit,
        {{ flag_int('(o.close_time is not null and o.close_time > ' ~ dbt.dateadd('hour', 'o.limit_hours', 'o.create_time') ~ ')
            or (o.close_time is null and a.as_of_time > ' ~ dbt.dateadd('hour', 'o.limit_hours', 'o.create_time') ~ ')') }}
            as is_overdue,
        {{ flag_int('o.reopen_cnt > 0') }} as is_reopened,
        {{ flag_int("o.order_type = '1'") }} as is_complaint,
        {{ flag_int('r.order_id is not null') }} as is_repeat_complaint,
        {{ flag_int('o.satisfaction is not null') }} as is_callback,
        {{ flag_int("o.satisfaction in ('4', '5')") }} as is_satisfied,
        case when o.close_time is not null
            then {{ dbt.datediff('o.create_time', 'o.close_time', 'minute') }} / 60.0
            else 0 end as handling_hours
    from orders as o
    cross join as_of as a
    left join repeats as r
        on o.order_id = r.order_id
),

appeals as (
    select
        {{ month_start('a.accept_time') }} as period_month,
        a.city_code,
        o.order_type,
        o.department,
        o.vip_level
    from {{ ref('stg_bss__appeals') }} as a
    left join orders as o
        on a.order_id = o.order_id
),

months as (
    select distinct period_month from classified
),

subscribers as (
    select s.month_start as period_month, s.prov_code, s.city_code,
        sum({{ flag_int('s.is_in_service') }}) as subscribers
    from {{ ref('fct_subscriber_month') }} as s
    inner join months as m on s.month_start = m.period_month
    group by s.month_start, s.prov_code, s.city_code
),

breakdowns as (
    select 'total' as breakdown, 'all' as breakdown_value
    union all
    select 'order_type', code from {{ ref('code_values') }} where code_set = 'work_order_type'
    union all
    select 'department', code from {{ ref('code_values') }} where code_set = 'department'
    union all
    select 'vip_level', code from {{ ref('code_values') }} where code_set = 'vip_level'
),

{%- set breakdowns = [('total', none), ('order_type', 'order_type'), ('department', 'department'), ('vip_level', 'vip_level')] %}

order_facts as (
    {{ breakdown_union('classified', ['period_month', 'city_code'], ['period_month', 'city_code'],
        breakdowns, 'breakdown', 'breakdown_value',
        'count(*) as orders, sum(is_closed) as closed_orders,
        sum(is_within_limit) as within_limit_orders, sum(is_overdue) as overdue_orders,
        sum(is_reopened) as reopened_orders, sum(is_complaint) as complaint_orders,
        sum(is_repeat_complaint) as repeat_complaint_orders, sum(is_callback) as callbacks,
        sum(is_satisfied) as satisfied_callbacks, sum(handling_hours) as handling_hours') }}
),

appeal_facts as (
    {{ breakdown_union('appeals', ['period_month', 'city_code'], ['period_month', 'city_code'],
        breakdowns, 'breakdown', 'breakdown_value', 'count(*) as appeals') }}
),

city_month as (
    select
        s.period_month,
        s.prov_code,
        s.city_code,
        b.breakdown,
        b.breakdown_value,
        s.subscribers,
        coalesce(f.orders, 0) as orders,
        coalesce(f.closed_orders, 0) as closed_orders,
        coalesce(f.within_limit_orders, 0) as within_limit_orders,
        coalesce(f.overdue_orders, 0) as overdue_orders,
        coalesce(f.reopened_orders, 0) as reopened_orders,
        coalesce(f.complaint_orders, 0) as complaint_orders,
        coalesce(f.repeat_complaint_orders, 0) as repeat_complaint_orders,
        coalesce(f.callbacks, 0) as callbacks,
        coalesce(f.satisfied_callbacks, 0) as satisfied_callbacks,
        coalesce(f.handling_hours, 0) as handling_hours,
        coalesce(a.appeals, 0) as appeals
    from subscribers as s
    cross join breakdowns as b
    left join order_facts as f
        on s.period_month = f.period_month
        and s.city_code = f.city_code
        and b.breakdown = f.breakdown
        and b.breakdown_value = f.breakdown_value
    left join appeal_facts as a
        on s.period_month = a.period_month
        and s.city_code = a.city_code
        and b.breakdown = a.breakdown
        and b.breakdown_value = a.breakdown_value
),

rolled as (
    {{ region_rollup('city_month', ['period_month', 'breakdown', 'breakdown_value'],
        ['subscribers', 'orders', 'closed_orders', 'within_limit_orders', 'overdue_orders',
         'reopened_orders', 'complaint_orders', 'repeat_complaint_orders', 'callbacks',
         'satisfied_callbacks', 'handling_hours', 'appeals']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    breakdown,
    breakdown_value,
    -- dimensions
    prov_code,
    -- measures
    subscribers,
    orders,
    closed_orders,
    within_limit_orders,
    overdue_orders,
    reopened_orders,
    complaint_orders,
    repeat_complaint_orders,
    callbacks,
    satisfied_callbacks,
    handling_hours,
    appeals,
    {{ safe_ratio('within_limit_orders', 'closed_orders', 100) }} as within_limit_pct,
    {{ safe_ratio('reopened_orders', 'closed_orders', 100) }} as reopen_pct,
    {{ safe_ratio('repeat_complaint_orders', 'complaint_orders', 100) }} as repeat_complaint_pct,
    {{ safe_ratio('satisfied_callbacks', 'callbacks', 100) }} as satisfaction_pct,
    {{ safe_ratio('handling_hours', 'closed_orders') }} as avg_handling_hours,
    {{ safe_ratio('appeals', 'subscribers', 1000000) }} as appeals_per_million_subs
from rolled
