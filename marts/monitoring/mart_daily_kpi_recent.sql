{{ config(materialized='view') }}

{#- The last var daily_trend_days (60) days of mart_daily_kpi, counted back from the latest day
    in the data: what the daily trend charts draw. The whole history by province (31 x 400 days)
    is past Superset's row limit and unreadable as lines; the full mart stays for the detail.
    A view, so the nightly increment of mart_daily_kpi needs no rebuild here. -#}

with

kpis as (
    select * from {{ ref('mart_daily_kpi') }}
),

latest as (
    select max(stat_date) as last_date from kpis
)

select kpis.*
from kpis
cross join latest
where kpis.stat_date > {{ add_days('latest.last_date', -var('daily_trend_days', 60)) }}
