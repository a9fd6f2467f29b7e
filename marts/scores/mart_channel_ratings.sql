{{ config(materialized='table') }}

{#- 渠道评级 — one row per channel per rating month: the AHP scorecard indicators, score,
    grade A-D and k-means cluster from ml/, with the channel's names and region. -#}

with

ratings as (
    {{ score_source('channel_ratings', {
        'period_month': 'date', 'channel_id': 'string', 'new_subs': 'int',
        'acquired_revenue_yuan': 'float', 'survival_m3': 'float', 'survival_m6': 'float',
        'commission_yuan': 'float', 'commission_to_revenue': 'float', 'complaint_rate': 'float',
        'zero_usage_rate': 'float', 'early_churn_rate': 'float', 'growth': 'float',
        'score': 'float', 'grade': 'string', 'rank_in_period': 'int', 'cluster': 'int',
        'is_rated': 'bool',
    }) }}
),

flags as (
    select * from {{ ref('mart_channel_fraud_flags') }}
),

channels as (
    select * from {{ ref('dim_channel') }}
)

select
    -- ids
    r.channel_id,
    r.period_month,
    -- dimensions
    ch.channel_name,
    ch.channel_type_code,
    ch.channel_type_name,
    ch.level1_code,
    ch.level1_name,
    ch.prov_code,
    ch.city_code,
    r.grade,
    r.cluster,
    r.is_rated,
    f.channel_id is not null as is_fraud_flagged,
    -- measures
    r.score,
    r.rank_in_period,
    r.new_subs,
    r.acquired_revenue_yuan,
    r.survival_m3,
    r.survival_m6,
    r.commission_yuan,
    r.commission_to_revenue,
    r.complaint_rate,
    r.zero_usage_rate,
    r.early_churn_rate,
    r.growth
from ratings as r
left join channels as ch
    on r.channel_id = ch.channel_id
left join flags as f
    on r.channel_id = f.channel_id
    and r.period_month = f.period_month
