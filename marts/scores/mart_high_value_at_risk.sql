{{ config(materialized='table') }}

{#- One row per high-value subscriber (3-month average bill >= var high_value_arpu_yuan) in
    service at the end of the latest month: its value, the rule-based churn signals, the churn
    score from ml/ when the score table exists, and whether it is at risk (高价值风险用户).
    Signals: usage fell below half its previous 3-month average; bill fell below 70% of it;
    arrears outstanding; complaints in the last 3 months; contract ending within 2 months.
    The score is ml.churn_scores.p_churn of the latest scored month (source ml.churn_scores).
    At risk: churn_probability >= var churn_risk_threshold (0.5), or 2+ signals. -#}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

subscribers as (
    select * from {{ ref('dim_subscriber') }}
    where is_current
),

latest as (
    select max(period_month) as period_month from subscriber_months
),

history as (
    select
        subs_id,
        period_month,
        avg(mou + dou_mb) over (
            partition by subs_id order by period_month rows between 3 preceding and 1 preceding
        ) as usage_prev_3m_avg,
        avg(revenue_yuan) over (
            partition by subs_id order by period_month rows between 3 preceding and 1 preceding
        ) as revenue_prev_3m_avg_yuan,
        sum(complaint_cnt) over (
            partition by subs_id order by period_month rows between 2 preceding and current row
        ) as complaints_3m
    from subscriber_months
),

-- ml/'s churn scores through the documented source (marts/scores/_scores__sources.yml); before
-- ml/ has scored there are no rows, and the rule-based signals decide alone
scores as (
    {{ score_source('churn_scores', {'subs_id': 'string', 'score_month': 'date', 'p_churn': 'float'}) }}
),

churn_scores as (
    select subs_id, max(p_churn) as churn_probability
    from scores
    where score_month = (select max(score_month) from scores)
    group by subs_id
),

signals as (
    select
        s.period_month,
        s.subs_id,
        s.cust_id,
        s.prov_code,
        s.city_code,
        s.package_code,
        s.net_type,
        s.cust_type,
        s.behaviour_segment,
        s.tenure_months,
        s.revenue_yuan,
        s.revenue_3m_avg_yuan,
        s.mou,
        s.dou_mb,
        s.arrears_yuan,
        h.complaints_3m,
        d.contract_end_date,
        sc.churn_probability,
        coalesce(s.mou + s.dou_mb < 0.5 * h.usage_prev_3m_avg, false) as has_usage_drop,
        coalesce(s.revenue_yuan < 0.7 * h.revenue_prev_3m_avg_yuan, false) as has_revenue_drop,
        s.arrears_yuan > 0 as has_arrears,
        coalesce(h.complaints_3m > 0, false) as has_recent_complaints,
        coalesce(
            d.contract_end_date >= s.period_month
            and d.contract_end_date < {{ add_months('s.period_month', 3) }},
            false
        ) as has_contract_ending
    from subscriber_months as s
    inner join latest as l
        on s.period_month = l.period_month
    left join history as h
        on s.subs_id = h.subs_id
        and s.period_month = h.period_month
    left join subscribers as d
        on s.subs_id = d.subs_id
    left join churn_scores as sc
        on s.subs_id = sc.subs_id
    where s.is_in_service
        and s.is_high_value
)

select
    -- ids
    period_month,
    subs_id,
    cust_id,
    -- dimensions
    prov_code,
    city_code,
    package_code,
    net_type,
    cust_type,
    behaviour_segment,
    tenure_months,
    -- measures
    revenue_yuan,
    revenue_3m_avg_yuan,
    mou,
    dou_mb,
    arrears_yuan,
    complaints_3m,
    contract_end_date,
    churn_probability,
    -- signals
    has_usage_drop,
    has_revenue_drop,
    has_arrears,
    has_recent_complaints,
    has_contract_ending,
    {{ flag_int('has_usage_drop') }} + {{ flag_int('has_revenue_drop') }}
        + {{ flag_int('has_arrears') }} + {{ flag_int('has_recent_complaints') }}
        + {{ flag_int('has_contract_ending') }} as signal_cnt,
    coalesce(churn_probability >= {{ var('churn_risk_threshold', 0.5) }}, false)
        or ({{ flag_int('has_usage_drop') }} + {{ flag_int('has_revenue_drop') }}
            + {{ flag_int('has_arrears') }} + {{ flag_int('has_recent_complaints') }}
            + {{ flag_int('has_contract_ending') }}) >= 2 as is_at_risk
from signals
