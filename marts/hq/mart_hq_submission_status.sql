{{ config(enabled=var('hq_receipts', false)) }}
-- 上报状态: one row per province per period HQ has received anything for, with its status
-- (on_time 按时, late 逾期, rejected 退回, missing 缺报, pending 未到期) as of the last receive run.
with

period_status as (

    select * from {{ ref('stg_hq__period_status') }}

),

final as (

    select
        -- ids
        prov_code || '-' || period as status_key,
        prov_code,
        period,
        current_submission_id,
        -- dimensions
        prov_name,
        period_grain,
        period_month,
        stat_date,
        status,
        case status
            when 'on_time' then '按时'
            when 'late' then '逾期'
            when 'rejected' then '退回'
            when 'missing' then '缺报'
            when 'pending' then '未到期'
        end as status_zh,
        case status
            when 'on_time' then 1
            when 'late' then 2
            when 'pending' then 3
            when 'rejected' then 4
            when 'missing' then 5
        end as status_order,
        current_package,
        accepted_versions > 1 as is_resubmitted,
        last_reasons,
        -- measures
        versions,
        accepted_versions,
        rejected_versions,
        superseded_versions,
        duplicate_deliveries,
        -- metadata (Beijing time)
        due_at,
        first_delivered_at,
        current_delivered_at,
        as_of
    from period_status

)

select * from final
