{#- One row per channel per month in which the channel was in the CHNL snapshot, acquired a
    subscriber, or was paid a commission. Cohort measures describe the subscribers the channel
    opened in that month, 3 and 6 months after the opening month (NULL until observable). -#}
{%- set commission_types = {
    '01': 'acquisition', '02': 'revenue_share', '03': 'incentive', '04': 'clawback',
} -%}

with

channels as (
    select * from {{ ref('stg_bss__channels') }}
),

channel_dim as (
    select * from {{ ref('dim_channel') }}
),

commissions as (
    select * from {{ ref('stg_bss__commissions') }}
),

cohorts as (
    select * from {{ ref('int_channel_cohorts_tracked') }}
),

spine as (
    select channel_id, snapshot_month as month_start from channels
    union
    select channel_id, settle_month as month_start from commissions
    union
    select channel_id, cohort_month as month_start from cohorts
),

commissions_per_month as (
    select
        channel_id,
        settle_month as month_start,
        {% for code, name in commission_types.items() -%}
        sum(case when cmsn_type = '{{ code }}' then amount_yuan else 0 end)
            as commission_{{ name }}_yuan,
        {% endfor -%}
        sum(amount_yuan) as commission_yuan,
        count(*) as commission_item_cnt
    from commissions
    group by channel_id, settle_month
),

cohorts_per_month as (
    select
        channel_id,
        cohort_month as month_start,
        count(*) as new_subs_cnt,
        sum(first_month_revenue_yuan) as new_subs_revenue_yuan,
        {% for m in [3, 6] -%}
        max(case when is_m{{ m }}_observed then 1 else 0 end) = 1 as is_m{{ m }}_observed,
        sum(case when is_alive_m{{ m }} then 1 when is_m{{ m }}_observed then 0 end)
            as alive_m{{ m }}_cnt,
        sum(case when is_zero_usage_m{{ m }} then 1 when is_m{{ m }}_observed then 0 end)
            as zero_usage_m{{ m }}_cnt,
        sum(revenue_m{{ m }}_yuan) as revenue_m{{ m }}_yuan{% if not loop.last %},{% endif %}
        {% endfor %}
    from cohorts
    group by channel_id, cohort_month
)

select
    -- ids
    sp.channel_id,
    sp.month_start,
    -- dimensions (the month's snapshot; the latest one if the channel was not in it)
    coalesce(ch.channel_type_code, d.channel_type_code) as channel_type_code,
    coalesce(ch.prov_code, d.prov_code) as prov_code,
    coalesce(ch.city_code, d.city_code) as city_code,
    coalesce(ch.county_code, d.county_code) as county_code,
    coalesce(ch.status, d.status) as channel_status,
    ch.channel_id is not null as is_in_snapshot,
    -- acquisition
    coalesce(co.new_subs_cnt, 0) as new_subs_cnt,
    coalesce(co.new_subs_revenue_yuan, 0) as new_subs_revenue_yuan,
    -- commissions (元)
    {% for name in commission_types.values() -%}
    coalesce(cm.commission_{{ name }}_yuan, 0) as commission_{{ name }}_yuan,
    {% endfor -%}
    coalesce(cm.commission_yuan, 0) as commission_yuan,
    coalesce(cm.commission_item_cnt, 0) as commission_item_cnt,
    -- quality of the acquired subscribers at M+3 and M+6
    {% for m in [3, 6] -%}
    coalesce(co.is_m{{ m }}_observed, false) as is_m{{ m }}_observed,
    co.alive_m{{ m }}_cnt,
    co.zero_usage_m{{ m }}_cnt,
    co.revenue_m{{ m }}_yuan{% if not loop.last %},{% endif %}
    {% endfor %}
from spine as sp
left join channels as ch
    on sp.channel_id = ch.channel_id
    and sp.month_start = ch.snapshot_month
left join channel_dim as d
    on sp.channel_id = d.channel_id
left join commissions_per_month as cm
    on sp.channel_id = cm.channel_id
    and sp.month_start = cm.month_start
left join cohorts_per_month as co
    on sp.channel_id = co.channel_id
    and sp.month_start = co.month_start
