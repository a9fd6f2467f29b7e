with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_flagged') }}
),

arpu_bands as (
    select * from {{ ref('dim_arpu_band') }}
),

tenure_bands as (
    select * from {{ ref('dim_tenure_band') }}
),

arrears_age_bands as (
    select * from {{ ref('dim_arrears_age_band') }}
)

select
    -- ids
    s.subs_id,
    s.cust_id,
    s.subscriber_sk,
    s.customer_sk,
    s.month_start,
    -- dimensions
    s.prov_code,
    s.city_code,
    s.county_code,
    s.package_code,
    s.pay_type,
    s.net_type,
    s.channel_id,
    s.status,
    s.status_date,
    s.open_date,
    {{ hash_columns(['s.terminal_brand', 's.terminal_model']) }} as terminal_key,
    s.tenure_months,
    ab.band_code as arpu_band,
    tb.band_code as tenure_band,
    rb.band_code as arrears_age_band,
    -- revenue by bill item (元, the bill month's 应收)
    s.package_fee_yuan,
    s.voice_fee_yuan,
    s.data_fee_yuan,
    s.sms_fee_yuan,
    s.vas_fee_yuan,
    s.roaming_fee_yuan,
    s.other_fee_yuan,
    s.discount_yuan,
    s.revenue_yuan,
    -- usage
    s.mou,
    s.dou_mb,
    s.sms_cnt,
    s.active_days,
    s.main_cell_id,
    -- payment behaviour
    s.paid_yuan,
    s.topup_yuan,
    s.unpaid_yuan,
    s.arrears_yuan,
    s.arrears_age_months,
    s.due_date,
    s.last_pay_date,
    s.late_payment,
    -- service
    s.complaint_cnt,
    -- status flags
    s.is_new,
    s.is_in_service,
    s.is_active,
    s.is_silent,
    s.is_churned,
    s.is_ported_out,
    s.is_cancelled,
    s.is_5g_terminal,
    s.is_opt_out,
    s.is_in_snapshot,
    s.is_billed
from subscriber_months as s
left join arpu_bands as ab
    on (ab.lower_bound is null or s.revenue_yuan >= ab.lower_bound)
    and (ab.upper_bound is null or s.revenue_yuan < ab.upper_bound)
left join tenure_bands as tb
    on (tb.lower_bound is null or s.tenure_months >= tb.lower_bound)
    and (tb.upper_bound is null or s.tenure_months < tb.upper_bound)
left join arrears_age_bands as rb
    on s.arrears_age_months is not null
    and (rb.lower_bound is null or s.arrears_age_months >= rb.lower_bound)
    and (rb.upper_bound is null or s.arrears_age_months < rb.upper_bound)
