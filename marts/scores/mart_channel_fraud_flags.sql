{{ config(materialized='table') }}

{#- 养卡预警 — one row per flagged channel per rating month, with the behaviour of its acquired
    subscribers that triggered the flag and the channel's names. -#}

with

flags as (
    {{ score_source('channel_fraud_flags', {
        'period_month': 'date', 'channel_id': 'string', 'new_subs': 'int',
        'zero_usage_rate': 'float', 'early_churn_rate': 'float', 'commission_to_revenue': 'float',
        'robust_z': 'float', 'reason_zh': 'string', 'reason_en': 'string',
    }) }}
),

channels as (
    select * from {{ ref('dim_channel') }}
)

select
    -- ids
    f.channel_id,
    f.period_month,
    -- dimensions
    ch.channel_name,
    ch.channel_type_name,
    ch.prov_code,
    ch.city_code,
    -- measures
    f.new_subs,
    f.zero_usage_rate,
    f.early_churn_rate,
    f.commission_to_revenue,
    f.robust_z,
    -- why
    f.reason_zh,
    f.reason_en
from flags as f
left join channels as ch
    on f.channel_id = ch.channel_id
