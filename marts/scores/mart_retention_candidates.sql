{{ config(materialized='table') }}

{#- 挽留名单 — one row per subscriber of the latest scored month who is still in service in the
    latest month of the warehouse and has not opted out of marketing contact (免打扰): masked
    msisdn, risk, value, reasons and the suggested action from the retention rule table (the
    first rule by priority whose reason code matches reason 1, else 2, else 3; `*` otherwise).
    The same list as `jingfen ml retention-list`, for Superset. -#}

with

scores as (
    select * from {{ ref('mart_churn_scores') }}
),

rules as (
    {{ score_source('retention_rules', {
        'priority': 'int', 'reason_code': 'string', 'action_code': 'string',
        'action_zh': 'string', 'action_en': 'string',
    }) }}
),

subscriber_months as (
    select * from {{ ref('fct_subscriber_month') }}
),

subscribers as (
    select * from {{ ref('dim_subscriber') }}
),

latest_scored as (
    select max(score_month) as score_month from scores
),

latest_month as (
    select max(month_start) as month_start from subscriber_months
),

now_in_service as (
    select sm.subs_id, sm.is_in_service, sm.is_opt_out
    from subscriber_months as sm
    inner join latest_month as lm
        on sm.month_start = lm.month_start
),

candidates as (
    select sc.*
    from scores as sc
    inner join latest_scored as ls
        on sc.score_month = ls.score_month
    inner join now_in_service as n
        on sc.subs_id = n.subs_id
    where n.is_in_service
        and not coalesce(n.is_opt_out, false)
),

matched as (
    select
        c.subs_id,
        r.action_code,
        r.action_zh,
        r.action_en,
        row_number() over (
            partition by c.subs_id
            order by
                case
                    when r.reason_code = c.reason_1_code then 1
                    when r.reason_code = c.reason_2_code then 2
                    when r.reason_code = c.reason_3_code then 3
                    else 4
                end,
                r.priority
        ) as rule_rank
    from candidates as c
    inner join rules as r
        on r.reason_code in (c.reason_1_code, c.reason_2_code, c.reason_3_code, '*')
)

select
    -- ids
    c.subs_id,
    c.score_month,
    -- dimensions
    c.prov_code,
    c.prov_name,
    c.city_code,
    c.city_name,
    c.pay_type,
    c.net_type,
    c.package_code,
    s.msisdn_masked,
    -- measures
    c.p_churn,
    c.risk_decile,
    c.arpu_yuan,
    c.value_at_risk_yuan,
    row_number() over (partition by c.prov_code order by c.p_churn desc, c.value_at_risk_yuan desc)
        as rank_in_province,
    -- reasons and action
    c.reason_1_zh,
    c.reason_2_zh,
    c.reason_3_zh,
    m.action_code,
    m.action_zh,
    c.reason_1_en,
    c.reason_2_en,
    c.reason_3_en,
    m.action_en,
    c.reason_1_code,
    c.reason_2_code,
    c.reason_3_code,
    -- metadata
    c.model_version
from candidates as c
left join subscriber_months as sm
    on c.subs_id = sm.subs_id
    and c.score_month = sm.month_start
left join subscribers as s
    on sm.subscriber_sk = s.subscriber_sk
left join matched as m
    on c.subs_id = m.subs_id
    and m.rule_rank = 1
