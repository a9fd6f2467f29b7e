{{ config(materialized='table') }}

{#- 客户生命周期价值 (CLV): one row per scored subscriber per scored month, the expected value of
    the subscriber's remaining bills over the next var clv_horizon_months (36) months, discounted
    by var clv_monthly_discount (0.8% a month, about 10% a year). Formula (docs/ml.md "Lifetime
    value"):
      monthly hazard   h = 1 - (1 - p_churn)^(1/2)       (p_churn covers two months)
      ARPU trend       g = (arpu_3m / arpu_3m_before)^(1/3) - 1, clamped to +-var clv_max_trend
                           (2% a month); 0 without three months of earlier history
      ratio            r = (1 + g)(1 - h) / (1 + d)
      CLV              = arpu_3m * r (1 - r^H) / (1 - r)   (arpu_3m * H when r = 1)
      lifetime months  = s (1 - s^H) / (1 - s), s = 1 - h (expected months in service within H)
    with the segment of the month from ml.customer_segments. -#}

{%- set horizon = var('clv_horizon_months', 36) -%}
{%- set discount = var('clv_monthly_discount', 0.008) -%}
{%- set max_trend = var('clv_max_trend', 0.02) -%}

with

scores as (
    {{ score_source('churn_scores', {
        'subs_id': 'string', 'score_month': 'date', 'p_churn': 'float', 'risk_decile': 'int',
        'model_version': 'string',
    }) }}
),

segments as (
    {{ score_source('customer_segments', {
        'subs_id': 'string', 'period_month': 'date', 'segment_id': 'int',
        'segment_name_zh': 'string', 'segment_name_en': 'string',
    }) }}
),

tags as (
    select * from {{ ref('mart_customer_tags_month') }}
),

inputs as (
    select
        sc.subs_id,
        sc.score_month,
        t.prov_code,
        t.city_code,
        t.value_tier_zh,
        t.lifecycle_stage_zh,
        seg.segment_id,
        seg.segment_name_zh,
        seg.segment_name_en,
        sc.p_churn,
        sc.risk_decile,
        sc.model_version,
        cast(greatest(coalesce(t.revenue_3m_avg_yuan, 0), 0) as {{ double_type() }}) as arpu_3m_yuan,
        cast(t.revenue_3m_avg_before_yuan as {{ double_type() }}) as arpu_3m_before_yuan,
        1 - power(1 - least(greatest(sc.p_churn, 0), 0.999999), 0.5) as monthly_hazard
    from scores as sc
    inner join tags as t
        on sc.subs_id = t.subs_id
        and sc.score_month = t.period_month
    left join segments as seg
        on sc.subs_id = seg.subs_id
        and sc.score_month = seg.period_month
),

trended as (
    select
        i.*,
        case
            when i.arpu_3m_before_yuan > 0 and i.arpu_3m_yuan > 0
                then least(greatest(
                    power(i.arpu_3m_yuan / i.arpu_3m_before_yuan, 1.0 / 3) - 1,
                    -{{ max_trend }}), {{ max_trend }})
            else 0
        end as arpu_trend
    from inputs as i
),

ratios as (
    select
        t.*,
        (1 + t.arpu_trend) * (1 - t.monthly_hazard) / (1 + {{ discount }}) as value_ratio,
        1 - t.monthly_hazard as survival_ratio
    from trended as t
)

select
    -- ids
    subs_id,
    score_month,
    -- dimensions
    prov_code,
    city_code,
    segment_id,
    segment_name_zh,
    segment_name_en,
    value_tier_zh,
    lifecycle_stage_zh,
    -- inputs
    p_churn,
    risk_decile,
    monthly_hazard,
    arpu_3m_yuan,
    arpu_trend,
    -- measures
    case
        when abs(1 - value_ratio) < 1e-9 then arpu_3m_yuan * {{ horizon }}
        else arpu_3m_yuan * value_ratio * (1 - power(value_ratio, {{ horizon }})) / (1 - value_ratio)
    end as clv_yuan,
    case
        when monthly_hazard < 1e-9 then {{ horizon }}
        else survival_ratio * (1 - power(survival_ratio, {{ horizon }})) / (1 - survival_ratio)
    end as expected_lifetime_months,
    -- metadata
    model_version
from ratios
