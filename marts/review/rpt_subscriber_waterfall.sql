{#- One row per month per region per waterfall step (用户瀑布): 期初在网 + 新增 - 离网 ± 净迁移 =
    期末在网, from mart_business_review_month, for a waterfall chart; is_latest_month marks the
    newest month so the chart can show it without a date filter. -#}

{%- set steps = [
    ('1 期初在网', 'opening_subs'),
    ('2 新增', 'new_subs'),
    ('3 离网', '-churned_subs'),
    ('4 净迁移', 'closing_subs - opening_subs - new_subs + churned_subs'),
] -%}

with

review as (
    select
        *,
        period_month = max(period_month) over () as is_latest_month
    from {{ ref('mart_business_review_month') }}
)

{{ waterfall_steps('review', steps) }}
