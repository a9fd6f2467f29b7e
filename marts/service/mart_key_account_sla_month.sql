{{ config(materialized='table') }}

{#- One row per key-account circuit per month with a delivered day: availability and
    restoration against the contracted SLA (集团客户 SLA 报告). Availability = 100 x (1 - outage
    minutes / (days delivered x 1440)); an availability breach is below the contracted monthly
    availability, a restoration breach is a fault restored later than the contracted time. -#}

with

days as (
    select * from {{ ref('stg_bss__circuit_days') }}
)

select
    -- keys
    circuit_id,
    {{ month_start('stat_date') }} as period_month,
    -- dimensions
    max(group_cust_id) as group_cust_id,
    max(prov_code) as prov_code,
    max(city_code) as city_code,
    max(circuit_type) as circuit_type,
    max(bandwidth_mbps) as bandwidth_mbps,
    max(sla_availability_pct) as sla_availability_pct,
    max(sla_restore_minutes) as sla_restore_minutes,
    -- measures
    count(*) as days_reported,
    sum(fault_cnt) as fault_cnt,
    sum(outage_minutes) as outage_minutes,
    max(max_restore_minutes) as max_restore_minutes,
    100 * (1 - cast(sum(outage_minutes) as {{ double_type() }}) / (count(*) * 1440))
        as availability_pct,
    -- flags
    100 * (1 - cast(sum(outage_minutes) as {{ double_type() }}) / (count(*) * 1440))
        < max(sla_availability_pct) as is_availability_breach,
    coalesce(max(max_restore_minutes) > max(sla_restore_minutes), false) as is_restore_breach,
    100 * (1 - cast(sum(outage_minutes) as {{ double_type() }}) / (count(*) * 1440))
        < max(sla_availability_pct)
        or coalesce(max(max_restore_minutes) > max(sla_restore_minutes), false) as is_sla_breach
from days
group by circuit_id, {{ month_start('stat_date') }}
