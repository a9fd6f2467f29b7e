{{ config(materialized='table') }}

{#- One row per scored subscriber per scored month: the churn score from ml/ with the
    subscriber's region, segment and value that month. -#}

with

scores as (
    {{ score_source('churn_scores', {
        'subs_id': 'string', 'score_month': 'date', 'p_churn': 'float', 'risk_decile': 'int',
        'reason_1_code': 'string', 'reason_1_zh': 'string', 'reason_1_en': 'string',
        'reason_2_code': 'string', 'reason_2_zh': 'string', 'reason_2_en': 'string',
        'reason_3_code': 'string', 'reason_3_zh': 'string', 'reason_3_en': 'string',
        'model_version': 'string', 'reason_method': 'string', 'scored_at': 'timestamp',
    }) }}
),

subscriber_months as (
    select * from {{ ref('fct_subscriber_month') }}
),

regions as (
    select distinct prov_code, prov_name, city_code, city_name from {{ ref('dim_region') }}
),

counties as (
    select county_code, county_name from {{ ref('dim_region') }}
)

select
    -- ids
    sc.subs_id,
    sc.score_month,
    -- dimensions
    sm.prov_code,
    r.prov_name,
    sm.city_code,
    r.city_name,
    sm.county_code,
    co.county_name,
    sm.pay_type,
    sm.net_type,
    sm.package_code,
    sm.arpu_band,
    sm.tenure_band,
    -- measures
    sc.p_churn,
    sc.risk_decile,
    cast(sm.revenue_yuan as {{ double_type() }}) as arpu_yuan,
    sc.p_churn * cast(sm.revenue_yuan as {{ double_type() }}) as value_at_risk_yuan,
    -- reasons
    sc.reason_1_code,
    sc.reason_1_zh,
    sc.reason_1_en,
    sc.reason_2_code,
    sc.reason_2_zh,
    sc.reason_2_en,
    sc.reason_3_code,
    sc.reason_3_zh,
    sc.reason_3_en,
    -- metadata
    sc.model_version,
    sc.reason_method,
    sc.scored_at
from scores as sc
left join subscriber_months as sm
    on sc.subs_id = sm.subs_id
    and sc.score_month = sm.month_start
left join regions as r
    on sm.city_code = r.city_code
left join counties as co
    on sm.county_code = co.county_code
