{{ config(materialized='table', tags=['month_close']) }}

{#- One row per month per region per complaint category (category_level 'all' | 'l1' | 'l2',
    with its code): tickets, complaints per 10k subscribers (万户投诉率 = tickets / subscribers
    in service at month end x 10000), escalations (越级/升级) and escalation rate, resolution time
    (average hours from acceptance to closure of the tickets closed) and satisfaction. Months
    are those of the subscriber-month chain, so tickets of a later day do not change a row
    (tag month_close). -#}

with

complaints as (
    select * from {{ ref('fct_complaints') }}
),

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

subscribers as (
    select
        period_month,
        prov_code,
        city_code,
        sum({{ flag_int('is_in_service') }}) as subs_in_service
    from subscriber_months
    group by period_month, prov_code, city_code
),


ticket_categories as (
    {{ breakdown_union('complaints', ['month_start as period_month', 'prov_code', 'city_code'],
        ['month_start', 'prov_code', 'city_code'],
        [('all', none), ('l1', "coalesce(category_l1_code, 'unknown')"),
         ('l2', "coalesce(category_l2_code, 'unknown')")],
        'category_level', 'category_code',
        'count(*) as tickets,
        sum(' ~ flag_int('is_escalated') ~ ') as escalated_tickets,
        sum(' ~ flag_int('is_closed') ~ ') as closed_tickets,
        sum(coalesce(handling_hours, 0)) as handling_hours_total,
        sum(' ~ flag_int('satisfaction is not null') ~ ') as rated_tickets,
        sum(' ~ flag_int('is_satisfied') ~ ') as satisfied_tickets') }}
),

-- every category seen in the month is reported for every city with subscribers, so per-10k
-- rates roll up with the full subscriber base as denominator
grid as (
    select distinct
        s.period_month,
        s.prov_code,
        s.city_code,
        s.subs_in_service,
        t.category_level,
        t.category_code
    from subscribers as s
    inner join (
        select distinct period_month, category_level, category_code from ticket_categories
    ) as t
        on s.period_month = t.period_month
),

city_month as (
    select
        g.period_month,
        g.prov_code,
        g.city_code,
        g.category_level,
        g.category_code,
        g.subs_in_service,
        coalesce(t.tickets, 0) as tickets,
        coalesce(t.escalated_tickets, 0) as escalated_tickets,
        coalesce(t.closed_tickets, 0) as closed_tickets,
        coalesce(t.handling_hours_total, 0) as handling_hours_total,
        coalesce(t.rated_tickets, 0) as rated_tickets,
        coalesce(t.satisfied_tickets, 0) as satisfied_tickets
    from grid as g
    left join ticket_categories as t
        on g.period_month = t.period_month
        and g.prov_code = t.prov_code
        and g.city_code = t.city_code
        and g.category_level = t.category_level
        and g.category_code = t.category_code
),

regions as (
    {{ region_rollup('city_month', ['period_month', 'category_level', 'category_code'], [
        'subs_in_service', 'tickets', 'escalated_tickets', 'closed_tickets',
        'handling_hours_total', 'rated_tickets', 'satisfied_tickets']) }}
)

select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    category_level,
    category_code,
    -- measures
    subs_in_service,
    tickets,
    {{ safe_ratio('tickets', 'subs_in_service', 10000) }} as complaints_per_10k,
    escalated_tickets,
    {{ safe_ratio('escalated_tickets', 'tickets', 100) }} as escalation_rate_pct,
    closed_tickets,
    handling_hours_total,
    {{ safe_ratio('handling_hours_total', 'closed_tickets') }} as avg_resolution_hours,
    rated_tickets,
    satisfied_tickets,
    {{ safe_ratio('satisfied_tickets', 'rated_tickets', 100) }} as satisfaction_rate_pct
from regions
