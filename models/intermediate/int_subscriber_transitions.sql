{{ config(materialized='table') }}

{#- One row per subscriber per month (from the second month of data on) pairing the subscriber's
    state at the end of the previous month with its state in this month, for the subscriber
    waterfall (期初 + 新增 - 离网 ± 迁移 = 期末):
      is_opening  in service at the end of the previous month
      is_closing  in service at the end of this month
      is_added    not opening, and closing or opened-and-churned within the month  (新增)
      is_removed  opening and not closing, or opened-and-churned within the month    (离网)
      is_moved    opening and closing with a different region or segment             (迁移)
    Every subscriber-month falls in exactly one of these shapes, so the waterfall balances by
    construction; data-tests/mart_waterfall_balances.sql checks it anyway. -#}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

months as (
    select distinct period_month from subscriber_months
),

bounds as (
    select min(period_month) as first_month, max(period_month) as last_month from months
),

previous_base as (
    select
        {{ add_months('period_month', 1) }} as period_month,
        subs_id,
        prov_code,
        city_code,
        net_type,
        package_code,
        package_family,
        package_monthly_fee_yuan,
        channel_level1_code,
        cust_type,
        behaviour_segment,
        is_high_value,
        is_group_member,
        revenue_yuan,
        mou,
        dou_mb
    from subscriber_months
    where is_in_service
),

current_month as (
    select * from subscriber_months
),

paired as (
    select
        coalesce(c.period_month, p.period_month) as period_month,
        coalesce(c.subs_id, p.subs_id) as subs_id,
        p.subs_id is not null as is_opening,
        coalesce(c.is_in_service, false) as is_closing,
        coalesce(c.is_new and c.is_churned, false) as is_new_and_churned,
        coalesce(c.is_new, false) as is_flagged_new,
        coalesce(c.is_churned, false) as is_flagged_churned,
        c.channel_id,
        -- state at the end of the previous month
        p.prov_code as prev_prov_code,
        p.city_code as prev_city_code,
        p.net_type as prev_net_type,
        p.package_code as prev_package_code,
        p.package_family as prev_package_family,
        p.package_monthly_fee_yuan as prev_package_monthly_fee_yuan,
        p.channel_level1_code as prev_channel_level1_code,
        p.cust_type as prev_cust_type,
        p.behaviour_segment as prev_behaviour_segment,
        p.is_high_value as prev_is_high_value,
        p.is_group_member as prev_is_group_member,
        p.revenue_yuan as prev_revenue_yuan,
        p.mou as prev_mou,
        p.dou_mb as prev_dou_mb,
        -- state in this month
        c.prov_code as cur_prov_code,
        c.city_code as cur_city_code,
        c.net_type as cur_net_type,
        c.package_code as cur_package_code,
        c.package_family as cur_package_family,
        c.package_monthly_fee_yuan as cur_package_monthly_fee_yuan,
        c.channel_level1_code as cur_channel_level1_code,
        c.cust_type as cur_cust_type,
        c.revenue_yuan as cur_revenue_yuan,
        c.mou as cur_mou,
        c.dou_mb as cur_dou_mb
    from current_month as c
    full outer join previous_base as p
        on c.subs_id = p.subs_id
        and c.period_month = p.period_month
)

select
    pr.*,
    (not pr.is_opening and (pr.is_closing or pr.is_new_and_churned)) as is_added,
    ((pr.is_opening and not pr.is_closing) or (not pr.is_opening and pr.is_new_and_churned))
        as is_removed,
    (
        pr.is_opening and pr.is_closing
        and (
            pr.prev_city_code <> pr.cur_city_code
            or pr.prev_net_type <> pr.cur_net_type
            or pr.prev_package_code <> pr.cur_package_code
            or pr.prev_channel_level1_code <> pr.cur_channel_level1_code
        )
    ) as is_moved
from paired as pr
cross join bounds as b
where pr.period_month > b.first_month
    and pr.period_month <= b.last_month
