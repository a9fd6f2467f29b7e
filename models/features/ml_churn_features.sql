{{ config(materialized='table', schema='features', tags=['month_close']) }}

{#- The churn feature table: one row per subscriber per month in which the subscriber is in
    service (在网) at month end, with what is known at that month end and the outcome label.

    Label (docs/ml.md "Churn label"): label_churn_2m is true when the subscriber is cancelled
    (拆机, status 90) or ported out (携号转出, status 91) in either of the next two months; NULL
    while those months are not in the data yet. label_churn_1m looks one month ahead.

    Trends compare averages of consecutive monthly rows of the subscriber: "_chg_3m" is this
    month against the average of the three before it, "_chg_6m" the last three months against
    the three before them; NULL when that history is missing. Changes are capped at +500%.

    Point in time: every feature uses only what was known at the month end. Payment behaviour
    is rebuilt from bills and dated payments (fct_subscriber_month.arrears_yuan is as of the
    latest month close, which would leak whether a churner paid the bill after leaving). Being
    point in time, no row reads a day after the latest month (tag month_close). -#}

{%- set trended = {'mou': 'mou', 'dou': 'dou_mb', 'arpu': 'revenue_yuan', 'active_days': 'active_days'} -%}

with

subscriber_months as (
    select * from {{ ref('fct_subscriber_month') }}
),

subscribers as (
    select * from {{ ref('dim_subscriber') }}
),

packages as (
    select * from {{ ref('dim_package') }}
),

channels as (
    select * from {{ ref('dim_channel') }}
),

complaints as (
    select * from {{ ref('fct_complaints') }}
),

cell_days as (
    select * from {{ ref('fct_cell_day') }}
),

bills as (
    select * from {{ ref('int_bills_settled') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
),

bills_paid_by as (
    -- each bill with what had been paid against it by its due date and by the end of each of
    -- the six months after the bill month
    select
        b.subs_id,
        b.bill_month,
        b.due_date,
        cast(b.total_due_yuan as {{ double_type() }}) as total_due_yuan,
        coalesce(sum(case when p.pay_date <= b.due_date then p.amount_yuan end), 0) as paid_by_due_yuan,
        {% for k in range(1, 7) -%}
        coalesce(sum(case when p.pay_date < {{ add_months('b.bill_month', k + 1) }} then p.amount_yuan end), 0)
            as paid_by_m{{ k }}_yuan{% if not loop.last %},{% endif %}
        {% endfor %}
    from bills as b
    left join payments as p
        on b.subs_id = p.subs_id
        and b.bill_month = p.bill_month
    group by b.subs_id, b.bill_month, b.due_date, b.total_due_yuan
),

data_range as (
    select max(month_start) as last_month from subscriber_months
),

network_complaints as (
    -- 网络质量 (level-1 category 01) tickets per subscriber-month
    select
        subs_id,
        month_start,
        count(*) as network_complaint_cnt
    from complaints
    where category_l1_code = '01'
    group by subs_id, month_start
),

cell_months as (
    select
        cell_id,
        month_start,
        avg(drop_rate) as drop_rate,
        avg(congestion_rate) as congestion_rate,
        avg(availability) as availability
    from cell_days
    group by cell_id, month_start
),

history as (
    select
        s.*,
        coalesce(nc.network_complaint_cnt, 0) as network_complaint_cnt,
        {% for k in range(1, 7) -%}
        -- the bill of month M-{{ k }} at the end of month M: outstanding once due, paid late
        case
            when lag(bp.due_date, {{ k }}) over w < {{ add_months('s.month_start', 1) }}
                then greatest(
                    lag(bp.total_due_yuan, {{ k }}) over w - lag(bp.paid_by_m{{ k }}_yuan, {{ k }}) over w, 0
                )
            else 0
        end as outstanding_b{{ k }}_yuan,
        case
            when lag(bp.due_date, {{ k }}) over w < {{ add_months('s.month_start', 1) }}
                and lag(bp.paid_by_due_yuan, {{ k }}) over w < lag(bp.total_due_yuan, {{ k }}) over w - 0.005
                then 1
            else 0
        end as late_b{{ k }},
        {% endfor -%}
        {% for name, col in trended.items() -%}
        avg(cast(s.{{ col }} as {{ double_type() }})) over (
            partition by s.subs_id order by s.month_start rows between 3 preceding and 1 preceding
        ) as {{ name }}_prev_3m_avg,
        avg(cast(s.{{ col }} as {{ double_type() }})) over (
            partition by s.subs_id order by s.month_start rows between 2 preceding and current row
        ) as {{ name }}_3m_avg,
        avg(cast(s.{{ col }} as {{ double_type() }})) over (
            partition by s.subs_id order by s.month_start rows between 5 preceding and 3 preceding
        ) as {{ name }}_prior_3m_avg,
        {% endfor -%}
        count(*) over (
            partition by s.subs_id order by s.month_start rows between unbounded preceding and current row
        ) - 1 as history_months,
        sum(s.complaint_cnt) over (
            partition by s.subs_id order by s.month_start rows between 2 preceding and current row
        ) as complaint_cnt_3m,
        sum(coalesce(nc.network_complaint_cnt, 0)) over (
            partition by s.subs_id order by s.month_start rows between 2 preceding and current row
        ) as network_complaint_cnt_3m,
        sum(case when s.is_silent then 1 else 0 end) over (
            partition by s.subs_id order by s.month_start rows between 2 preceding and current row
        ) as silent_months_3m,
        lead(s.is_churned, 1) over (partition by s.subs_id order by s.month_start) as churned_next_1,
        lead(s.is_churned, 2) over (partition by s.subs_id order by s.month_start) as churned_next_2
    from subscriber_months as s
    left join network_complaints as nc
        on s.subs_id = nc.subs_id
        and s.month_start = nc.month_start
    left join bills_paid_by as bp
        on s.subs_id = bp.subs_id
        and s.month_start = bp.bill_month
    window w as (partition by s.subs_id order by s.month_start)
)

select
    -- ids
    h.subs_id,
    h.month_start as month,
    -- segments (also features)
    h.prov_code,
    h.city_code,
    h.pay_type,
    h.net_type,
    h.package_code,
    ch.level1_code as channel_level1_code,
    -- tenure and value
    h.tenure_months,
    cast(h.revenue_yuan as {{ double_type() }}) as arpu_yuan,
    h.arpu_3m_avg as arpu_3m_avg_yuan,
    cast(p.monthly_fee_yuan as {{ double_type() }}) as package_fee_yuan,
    case
        when h.revenue_yuan + h.discount_yuan > 0
            then cast(h.discount_yuan as {{ double_type() }}) / cast(h.revenue_yuan + h.discount_yuan as {{ double_type() }})
        else 0
    end as discount_share,
    -- usage and its trends
    cast(h.mou as {{ double_type() }}) as mou,
    cast(h.dou_mb as {{ double_type() }}) as dou_mb,
    h.active_days,
    {% for name, col in trended.items() -%}
    case
        when h.{{ name }}_prev_3m_avg > 0 then least(cast(h.{{ col }} as {{ double_type() }}) / h.{{ name }}_prev_3m_avg - 1, 5)
        when h.{{ name }}_prev_3m_avg = 0 then case when h.{{ col }} > 0 then 1.0 else 0.0 end
    end as {{ name }}_chg_3m,
    case
        when h.history_months < 5 then null
        when h.{{ name }}_prior_3m_avg > 0 then least(h.{{ name }}_3m_avg / h.{{ name }}_prior_3m_avg - 1, 5)
        when h.{{ name }}_prior_3m_avg = 0 then case when h.{{ name }}_3m_avg > 0 then 1.0 else 0.0 end
    end as {{ name }}_chg_6m,
    {% endfor -%}
    h.silent_months_3m,
    -- service
    h.complaint_cnt_3m,
    h.network_complaint_cnt_3m,
    cm.drop_rate as main_cell_drop_rate,
    cm.congestion_rate as main_cell_congestion_rate,
    cm.availability as main_cell_availability,
    -- payment
    case when h.status = '21' then 1 else 0 end as is_suspended_for_arrears,
    case when h.pay_type = '2' then
        {% for k in range(1, 7) %}h.outstanding_b{{ k }}_yuan{% if not loop.last %} + {% endif %}{% endfor %}
    else 0 end as arrears_yuan,
    case when h.pay_type = '2' then
        case
            {% for k in range(6, 0, -1) -%}
            when h.outstanding_b{{ k }}_yuan > 0 then {{ k }}
            {% endfor -%}
        end
    end as arrears_age_months,
    case when h.pay_type = '2' then
        {% for k in range(1, 7) %}h.late_b{{ k }}{% if not loop.last %} + {% endif %}{% endfor %}
    else 0 end as late_payment_cnt_6m,
    -- terminal and contract
    case when h.is_5g_terminal then 1 else 0 end as is_5g_terminal,
    {{ months_between_starts('sub.terminal_date', 'h.month_start') }} as terminal_age_months,
    {{ months_between_starts('h.month_start', 'sub.contract_end_date') }} as contract_months_left,
    -- metadata
    h.history_months,
    h.is_opt_out,
    -- labels (NULL while the outcome months are not in the data)
    case
        when {{ add_months('h.month_start', 1) }} <= r.last_month
            then coalesce(h.churned_next_1, false)
    end as label_churn_1m,
    case
        when {{ add_months('h.month_start', 2) }} <= r.last_month
            then coalesce(h.churned_next_1, false) or coalesce(h.churned_next_2, false)
    end as label_churn_2m
from history as h
cross join data_range as r
left join subscribers as sub
    on h.subscriber_sk = sub.subscriber_sk
left join packages as p
    on h.package_code = p.package_code
left join channels as ch
    on h.channel_id = ch.channel_id
left join cell_months as cm
    on h.main_cell_id = cm.cell_id
    and h.month_start = cm.month_start
where h.is_in_service
