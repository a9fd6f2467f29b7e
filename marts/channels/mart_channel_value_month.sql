{{ config(materialized='table') }}

{#- One row per channel per month: development volume (发展量), commission cost by type,
    commission-to-revenue ratio (酬金收入比 = commission / revenue this month of the subscribers
    the channel acquired), the value and quality of acquired subscribers (revenue, survival and
    zero usage at M+3 / M+6 of the month's cohort, from fct_channel_month), the early-warning
    signals on the last 3 months' acquisitions (share already churned; share still in service with
    next to no use this month — at most var low_usage_active_days (3) active days, 零使用/低使用),
    the risk flags (both at least var channel_risk_* and twice the rest of the province) and the inputs to the channel rating (percentile ranks within the
    province, 0-1, higher is better). -#}

with

channel_months as (
    select * from {{ ref('fct_channel_month') }}
),

channels as (
    select * from {{ ref('dim_channel') }}
),

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

-- revenue this month of everyone the channel ever acquired, and the recent acquisitions' state
acquired as (
    select
        channel_id,
        period_month,
        sum(revenue_yuan) as acquired_revenue_yuan,
        sum({{ flag_int('is_in_service') }}) as acquired_subs_in_service,
        sum({{ flag_int('tenure_months between 0 and 2') }}) as recent_new_subs,
        sum({{ flag_int('tenure_months between 0 and 2 and not is_in_service') }})
            as recent_churned_subs,
        sum({{ flag_int('tenure_months between 0 and 2 and is_in_service and active_days <= '
            ~ var('low_usage_active_days', 3)) }}) as recent_zero_usage_subs
    from subscriber_months
    where channel_id is not null
    group by channel_id, period_month
),

joined as (
    select
        cm.channel_id,
        cm.month_start as period_month,
        cm.prov_code,
        cm.city_code,
        cm.channel_type_code,
        ch.channel_name,
        ch.level1_code as channel_level1_code,
        ch.level1_name as channel_level1_name,
        cm.channel_status,
        cm.new_subs_cnt as new_subs,
        cm.new_subs_revenue_yuan,
        cm.commission_acquisition_yuan,
        cm.commission_revenue_share_yuan,
        cm.commission_incentive_yuan,
        cm.commission_clawback_yuan,
        cm.commission_yuan,
        coalesce(a.acquired_revenue_yuan, 0) as acquired_revenue_yuan,
        coalesce(a.acquired_subs_in_service, 0) as acquired_subs_in_service,
        coalesce(a.recent_new_subs, 0) as recent_new_subs,
        coalesce(a.recent_churned_subs, 0) as recent_churned_subs,
        coalesce(a.recent_zero_usage_subs, 0) as recent_zero_usage_subs,
        cm.is_m3_observed,
        cm.alive_m3_cnt,
        cm.zero_usage_m3_cnt,
        cm.revenue_m3_yuan,
        cm.is_m6_observed,
        cm.alive_m6_cnt,
        cm.zero_usage_m6_cnt,
        cm.revenue_m6_yuan
    from channel_months as cm
    left join channels as ch
        on cm.channel_id = ch.channel_id
    left join acquired as a
        on cm.channel_id = a.channel_id
        and cm.month_start = a.period_month
),

with_ratios as (
    select
        *,
        {{ safe_ratio('commission_yuan', 'acquired_revenue_yuan', 100) }}
            as commission_revenue_ratio_pct,
        {{ safe_ratio('recent_churned_subs', 'recent_new_subs', 100) }} as early_churn_rate_pct,
        {{ safe_ratio('recent_zero_usage_subs', 'recent_new_subs', 100) }}
            as zero_usage_rate_pct,
        {{ safe_ratio('alive_m3_cnt', 'new_subs', 100) }} as survival_m3_pct,
        {{ safe_ratio('alive_m6_cnt', 'new_subs', 100) }} as survival_m6_pct,
        {{ safe_ratio('zero_usage_m3_cnt', 'new_subs', 100) }} as zero_usage_m3_pct,
        {{ safe_ratio('revenue_m3_yuan', 'alive_m3_cnt') }} as arpu_m3_yuan
    from joined
),

province_totals as (
    select
        period_month,
        prov_code,
        sum(recent_new_subs) as prov_recent_new_subs,
        sum(recent_churned_subs) as prov_recent_churned_subs,
        sum(recent_zero_usage_subs) as prov_recent_zero_usage_subs
    from with_ratios
    group by period_month, prov_code
),

-- the channel's peers: the rest of its province (a large fraudulent dealer would otherwise raise
-- its own yardstick)
province_norms as (
    select
        w.channel_id,
        w.period_month,
        {{ safe_ratio('t.prov_recent_churned_subs - w.recent_churned_subs',
            't.prov_recent_new_subs - w.recent_new_subs', 100) }} as prov_early_churn_rate_pct,
        {{ safe_ratio('t.prov_recent_zero_usage_subs - w.recent_zero_usage_subs',
            't.prov_recent_new_subs - w.recent_new_subs', 100) }} as prov_zero_usage_rate_pct
    from with_ratios as w
    inner join province_totals as t
        on w.period_month = t.period_month
        and w.prov_code = t.prov_code
),

flagged as (
    select
        w.*,
        p.prov_early_churn_rate_pct,
        p.prov_zero_usage_rate_pct,
        coalesce(
            w.recent_new_subs >= {{ var('channel_risk_min_new_subs', 5) }}
            and w.early_churn_rate_pct >= {{ var('channel_risk_early_churn_pct', 30) }}
            and w.early_churn_rate_pct >= 2 * p.prov_early_churn_rate_pct,
            false
        ) as is_early_churn_risk,
        coalesce(
            w.recent_new_subs >= {{ var('channel_risk_min_new_subs', 5) }}
            and w.zero_usage_rate_pct >= {{ var('channel_risk_zero_usage_pct', 40) }}
            and w.zero_usage_rate_pct >= 2 * p.prov_zero_usage_rate_pct,
            false
        ) as is_zero_usage_risk
    from with_ratios as w
    left join province_norms as p
        on w.channel_id = p.channel_id
        and w.period_month = p.period_month
)

select
    -- ids
    channel_id,
    period_month,
    -- dimensions
    prov_code,
    city_code,
    channel_name,
    channel_type_code,
    channel_level1_code,
    channel_level1_name,
    channel_status,
    -- development and cost
    new_subs,
    new_subs_revenue_yuan,
    commission_acquisition_yuan,
    commission_revenue_share_yuan,
    commission_incentive_yuan,
    commission_clawback_yuan,
    commission_yuan,
    acquired_revenue_yuan,
    acquired_subs_in_service,
    commission_revenue_ratio_pct,
    -- value and quality of acquired subscribers
    is_m3_observed,
    alive_m3_cnt,
    zero_usage_m3_cnt,
    revenue_m3_yuan,
    survival_m3_pct,
    zero_usage_m3_pct,
    arpu_m3_yuan,
    is_m6_observed,
    alive_m6_cnt,
    zero_usage_m6_cnt,
    revenue_m6_yuan,
    survival_m6_pct,
    -- early warning on the last 3 months' acquisitions
    recent_new_subs,
    recent_churned_subs,
    recent_zero_usage_subs,
    early_churn_rate_pct,
    zero_usage_rate_pct,
    prov_early_churn_rate_pct,
    prov_zero_usage_rate_pct,
    is_early_churn_risk,
    is_zero_usage_risk,
    (is_early_churn_risk or is_zero_usage_risk) as is_risk_channel,
    -- rating inputs: percentile rank within the province and month (1 = best)
    percent_rank() over (partition by prov_code, period_month order by new_subs)
        as rating_volume_rank,
    percent_rank() over (partition by prov_code, period_month order by acquired_revenue_yuan)
        as rating_value_rank,
    percent_rank() over (
        partition by prov_code, period_month
        order by coalesce(commission_revenue_ratio_pct, 0) desc
    ) as rating_cost_rank,
    percent_rank() over (
        partition by prov_code, period_month
        order by coalesce(early_churn_rate_pct, 0) + coalesce(zero_usage_rate_pct, 0) desc
    ) as rating_quality_rank
from flagged
