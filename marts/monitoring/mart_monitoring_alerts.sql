{{ config(materialized='table') }}

{#- One row per alert raised by the subject marts, in one shape for the alert list of the
    monitoring dashboard and for measuring recall against planted incidents:
      complaint hot spots (mart_complaint_hotspots), daily KPI anomalies (mart_daily_kpi, city and
      province level), cells out of service (fct_cell_day, availability below
      var outage_availability_pct), risky channels (mart_channel_value_month) and revenue dips
      (mart_revenue_region_month, city and province level) and package ARPU spikes
      (mart_revenue_structure_month).
      Hotline enquiry surges (mart_enquiry_hotspots, alert_kind 'enquiry_surge') and key-account
      circuits that broke their SLA in a month (mart_key_account_sla_month, 'sla_breach'; the
      circuit in kpi_code).
    alert_kind names the likely cause in the simulator's words: 'cell_outage', 'billing_error',
    'fraud_dealer', 'revenue_dip', or 'complaint_hotspot' / 'kpi_anomaly' when no cause is
    implied. -#}

with

hotspots as (
    select * from {{ ref('mart_complaint_hotspots') }}
    where is_hotspot
),

-- a daily KPI alerts when it misses its target, or is far outside its own baseline
-- (|z| >= var monitor_alert_z, 4: stricter than the dashboard's amber anomaly flag at 3)
kpis as (
    select * from {{ ref('mart_daily_kpi') }}
    where region_level in ('province', 'city')
        and (
            is_target_breach
            or (is_anomaly and abs(z_score) >= {{ var('monitor_alert_z', 4) }})
        )
),

-- billing runs per province (one BSS per province), so a billing error is looked for there
package_spikes as (
    select * from {{ ref('mart_revenue_structure_month') }}
    where is_arpu_spike
        and region_level = 'province'
),

cells as (
    select * from {{ ref('fct_cell_day') }}
    where availability < {{ var('outage_availability_pct', 90) }}
),

channels as (
    select * from {{ ref('mart_channel_value_month') }}
    where is_risk_channel
),

enquiries as (
    select * from {{ ref('mart_enquiry_hotspots') }}
    where is_hotspot
),

sla_breaches as (
    select * from {{ ref('mart_key_account_sla_month') }}
    where is_sla_breach
),

revenue as (
    select * from {{ ref('mart_revenue_region_month') }}
    where is_revenue_dip
        and region_level in ('province', 'city')
)

select
    'complaint_hotspot' as alert_source,
    case category_l1_code
        when '01' then 'cell_outage'
        when '02' then 'billing_error'
        else 'complaint_hotspot'
    end as alert_kind,
    region_level,
    region_code,
    prov_code,
    city_code,
    case when region_level = 'cell' then region_code end as cell_id,
    cast(null as {{ dbt.type_string() }}) as channel_id,
    {{ add_days('stat_date', -2) }} as start_date,
    stat_date as end_date,
    {{ dbt.concat(["'complaints_'", 'category_l1_code']) }} as kpi_code,
    cast(window_tickets as {{ double_type() }}) as kpi_value,
    expected_tickets as baseline_value,
    hotspot_score as score
from hotspots

union all

select
    'daily_kpi',
    case
        when kpi_code in ('cell_availability_pct', 'low_availability_cells') then 'cell_outage'
        when kpi_code in ('payment_yuan', 'topup_yuan', 'payment_cnt') and anomaly_direction = 'down'
            then 'revenue_dip'
        when kpi_code = 'new_subs' and anomaly_direction = 'up' then 'fraud_dealer'
        when kpi_code = 'complaints' then 'complaint_hotspot'
        else 'kpi_anomaly'
    end,
    region_level,
    region_code,
    prov_code,
    case when region_level = 'city' then region_code end,
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    stat_date,
    stat_date,
    kpi_code,
    kpi_value,
    baseline_mean,
    z_score
from kpis

union all

select
    'cell_day',
    'cell_outage',
    'city',
    city_code,
    prov_code,
    city_code,
    cell_id,
    cast(null as {{ dbt.type_string() }}),
    stat_date,
    stat_date,
    'cell_availability_pct',
    availability,
    cast(null as {{ double_type() }}),
    cast(null as {{ double_type() }})
from cells

union all

select
    'channel_month',
    'fraud_dealer',
    'city',
    city_code,
    prov_code,
    city_code,
    cast(null as {{ dbt.type_string() }}),
    channel_id,
    period_month,
    {{ add_days(add_months('period_month', 1), -1) }},
    case when is_zero_usage_risk then 'zero_usage_rate_pct' else 'early_churn_rate_pct' end,
    case when is_zero_usage_risk then zero_usage_rate_pct else early_churn_rate_pct end,
    case when is_zero_usage_risk then prov_zero_usage_rate_pct else prov_early_churn_rate_pct end,
    cast(null as {{ double_type() }})
from channels

union all

select
    'revenue_month',
    'revenue_dip',
    region_level,
    region_code,
    prov_code,
    case when region_level = 'city' then region_code end,
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    period_month,
    {{ add_days(add_months('period_month', 1), -1) }},
    'revenue_yuan',
    revenue_yuan,
    revenue_prev_3m_avg_yuan,
    revenue_vs_prev_3m_pct
from revenue

union all

select
    'revenue_structure_month',
    'billing_error',
    region_level,
    region_code,
    prov_code,
    case when region_level = 'city' then region_code end,
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    period_month,
    {{ add_days(add_months('period_month', 1), -1) }},
    {{ dbt.concat(["'arpu_yuan:'", 'breakdown_value']) }},
    arpu_yuan,
    arpu_prev_3m_avg_yuan,
    {{ safe_ratio('arpu_yuan', 'arpu_prev_3m_avg_yuan') }}
from package_spikes

union all

select
    'enquiry_hotspot',
    'enquiry_surge',
    'city',
    city_code,
    prov_code,
    city_code,
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    {{ add_days('stat_date', -2) }},
    stat_date,
    {{ dbt.concat(["'hotline_calls_'", 'ivr_node']) }},
    cast(window_calls as {{ double_type() }}),
    expected_calls,
    hotspot_score
from enquiries

union all

select
    'key_account_sla',
    'sla_breach',
    'city',
    city_code,
    prov_code,
    city_code,
    cast(null as {{ dbt.type_string() }}),
    cast(null as {{ dbt.type_string() }}),
    period_month,
    {{ add_days(add_months('period_month', 1), -1) }},
    {{ dbt.concat(["'circuit_availability_pct:'", 'circuit_id']) }},
    availability_pct,
    sla_availability_pct,
    cast(max_restore_minutes as {{ double_type() }})
from sla_breaches
