{#- One row per month per region per bridge step (收入桥): 上月收入 + 量效应 + 价效应 + 其他 =
    本月收入, from mart_business_review_month (months with a previous month only), for a
    waterfall chart; 其他 is what volume x price leaves (rounding, the cross term), so the steps
    add up to this month's revenue exactly. is_latest_month marks the newest month. -#}

{%- set steps = [
    ('1 上月收入', 'revenue_yuan_last_month'),
    ('2 量效应', 'volume_effect_yuan'),
    ('3 价效应', 'price_effect_yuan'),
    ('4 其他', 'revenue_yuan - revenue_yuan_last_month - volume_effect_yuan - price_effect_yuan'),
] -%}

with

review as (
    select
        *,
        period_month = max(period_month) over () as is_latest_month
    from {{ ref('mart_business_review_month') }}
    where revenue_yuan_last_month is not null
)

{{ waterfall_steps('review', steps) }}
