{{ config(materialized='table') }}

{#- One row per key account (group customer) per month with a delivered circuit day: the
    account's monthly SLA report header (集团客户 SLA 月报) over its circuits in
    mart_key_account_sla_month. Availability over all circuits = 100 x (1 - outage minutes /
    circuit-days x 1440). -#}

with

circuits as (
    select * from {{ ref('mart_key_account_sla_month') }}
)

select
    -- keys
    group_cust_id,
    period_month,
    -- dimensions
    max(prov_code) as prov_code,
    -- measures
    count(*) as circuits,
    sum({{ flag_int('is_sla_breach') }}) as breached_circuits,
    sum({{ flag_int('is_availability_breach') }}) as availability_breaches,
    sum({{ flag_int('is_restore_breach') }}) as restore_breaches,
    sum(fault_cnt) as fault_cnt,
    sum(outage_minutes) as outage_minutes,
    sum(days_reported) as circuit_days,
    100 * (1 - cast(sum(outage_minutes) as {{ double_type() }}) / (sum(days_reported) * 1440))
        as availability_pct,
    min(availability_pct) as worst_circuit_availability_pct,
    max(max_restore_minutes) as max_restore_minutes
from circuits
group by group_cust_id, period_month
