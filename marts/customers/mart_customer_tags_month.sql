{{ config(materialized='table') }}

{#- 客户标签库: one row per subscriber per month in which the subscriber is in service at month
    end or churns in the month, with one tag per theme (value, behaviour, lifecycle stage,
    contract, terminal, network, payment, complaints) as a code and its Chinese name, and the
    measures the tags are read from. The rules are in docs/warehouse.md "Customer tags
    (客户标签库)"; tests/warehouse/test_customer_tags.py re-implements each of them.
    Identifiers are the warehouse's own (subs_id, cust_id); no personal data. -#}

{%- set high_arpu = var('high_value_arpu_yuan', 100) -%}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_segmented') }}
),

facts as (
    select * from {{ ref('fct_subscriber_month') }}
),

subscribers as (
    select * from {{ ref('dim_subscriber') }}
),

history as (
    select
        s.*,
        lag(s.revenue_3m_avg_yuan, 3) over (
            partition by s.subs_id
            order by s.period_month
        ) as revenue_3m_avg_before_yuan,
        f.subscriber_sk
    from subscriber_months as s
    inner join facts as f
        on s.subs_id = f.subs_id
        and s.period_month = f.month_start
),

measured as (
    select
        h.*,
        {{ months_between_starts('h.period_month', 'sub.contract_end_date') }} as contract_months_left,
        {{ months_between_starts('sub.terminal_date', 'h.period_month') }} as terminal_age_months,
        sub.terminal_brand is null and sub.terminal_model is null as is_terminal_unknown
    from history as h
    left join subscribers as sub
        on h.subscriber_sk = sub.subscriber_sk
    where h.is_in_service or h.is_churned
),

tagged as (
    select
        m.*,
        case
            when m.revenue_3m_avg_yuan >= {{ high_arpu }} then 'high'
            when m.revenue_3m_avg_yuan >= 50 then 'medium'
            when m.revenue_3m_avg_yuan > 0 then 'low'
            else 'zero'
        end as value_tier,
        case
            when m.is_churned then 'churned'
            when m.tenure_months < 3 then 'new'
            when m.revenue_3m_avg_before_yuan > 0
                and m.revenue_3m_avg_yuan < 0.7 * m.revenue_3m_avg_before_yuan then 'declining'
            when m.tenure_months < 12 then 'growing'
            else 'mature'
        end as lifecycle_stage,
        case
            when m.contract_months_left is null then 'none'
            when m.contract_months_left < 0 then 'expired'
            when m.contract_months_left <= 3 then 'ending'
            else 'in_contract'
        end as contract_tag,
        case
            when m.is_terminal_unknown then 'unknown'
            when m.is_5g_terminal then '5g'
            when m.terminal_age_months >= 24 then 'old_4g'
            else '4g'
        end as terminal_tag,
        case
            when m.net_type = '5G' then '5g_package'
            when m.net_type = '4G' and m.is_5g_terminal then '5g_ready'
            when m.net_type = '4G' then '4g_package'
            else 'other'
        end as network_tag,
        case
            when m.arrears_yuan > 0 then 'arrears'
            when m.late_payment then 'late'
            else 'on_time'
        end as payment_tag,
        case when m.complaint_cnt > 0 then 'complained' else 'none' end as complaint_tag
    from measured as m
)

select
    -- ids
    t.subs_id,
    t.cust_id,
    t.period_month,
    -- region
    t.prov_code,
    t.city_code,
    -- tags (code, 中文名)
    t.value_tier,
    case t.value_tier
        when 'high' then '高价值'
        when 'medium' then '中价值'
        when 'low' then '低价值'
        else '零收入'
    end as value_tier_zh,
    t.behaviour_segment as behaviour_tag,
    case t.behaviour_segment
        when 'silent' then '沉默'
        when 'heavy_all' then '语音流量双高'
        when 'data_centric' then '流量型'
        when 'voice_centric' then '语音型'
        else '轻度使用'
    end as behaviour_tag_zh,
    t.lifecycle_stage,
    case t.lifecycle_stage
        when 'churned' then '离网'
        when 'new' then '新入网期'
        when 'declining' then '衰退期'
        when 'growing' then '成长期'
        else '成熟期'
    end as lifecycle_stage_zh,
    t.contract_tag,
    case t.contract_tag
        when 'none' then '无合约'
        when 'expired' then '合约已到期'
        when 'ending' then '合约三个月内到期'
        else '合约期内'
    end as contract_tag_zh,
    t.terminal_tag,
    case t.terminal_tag
        when 'unknown' then '终端未知'
        when '5g' then '5G终端'
        when 'old_4g' then '4G老旧终端'
        else '4G终端'
    end as terminal_tag_zh,
    t.network_tag,
    case t.network_tag
        when '5g_package' then '5G套餐'
        when '5g_ready' then '5G终端4G套餐'
        when '4g_package' then '4G套餐'
        else '其他网络'
    end as network_tag_zh,
    t.payment_tag,
    case t.payment_tag
        when 'arrears' then '欠费'
        when 'late' then '缴费逾期'
        else '按时缴费'
    end as payment_tag_zh,
    t.complaint_tag,
    case t.complaint_tag when 'complained' then '当月有投诉' else '无投诉' end as complaint_tag_zh,
    -- dimensions the tags read
    t.pay_type,
    t.net_type,
    t.package_code,
    t.tenure_months,
    t.contract_months_left,
    t.terminal_age_months,
    -- measures the tags read
    t.revenue_yuan,
    t.revenue_3m_avg_yuan,
    t.revenue_3m_avg_before_yuan,
    t.mou,
    t.dou_mb,
    t.sms_cnt,
    t.active_days,
    t.arrears_yuan,
    t.complaint_cnt,
    -- flags
    t.is_in_service,
    t.is_churned,
    t.is_5g_terminal,
    t.late_payment
from tagged as t
