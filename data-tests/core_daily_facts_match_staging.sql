-- The incremental daily facts hold exactly the staged days: same rows and totals per day as
-- staging (a day processed twice, or a late file missed, shows up here).
with

staged_usage as (
    select usage_date as day, count(*) as row_cnt, sum(mou) as total
    from {{ ref('stg_bss__daily_usage') }}
    group by usage_date
),

fact_usage as (
    select usage_date as day, count(*) as row_cnt, sum(mou) as total
    from {{ ref('fct_daily_usage') }}
    group by usage_date
),

staged_cells as (
    select stat_date as day, count(*) as row_cnt, sum(data_traffic_gb) as total
    from {{ ref('stg_bss__cell_kpis') }}
    group by stat_date
),

fact_cells as (
    select stat_date as day, count(*) as row_cnt, sum(data_traffic_gb) as total
    from {{ ref('fct_cell_day') }}
    group by stat_date
)

select 'fct_daily_usage' as fact, coalesce(s.day, f.day) as day, s.row_cnt as staged_rows, f.row_cnt as fact_rows
from staged_usage as s
full outer join fact_usage as f
    on s.day = f.day
where coalesce(s.row_cnt, -1) <> coalesce(f.row_cnt, -1)
    or abs(coalesce(s.total, 0) - coalesce(f.total, 0)) > 0.001
union all
select 'fct_cell_day' as fact, coalesce(s.day, f.day) as day, s.row_cnt as staged_rows, f.row_cnt as fact_rows
from staged_cells as s
full outer join fact_cells as f
    on s.day = f.day
where coalesce(s.row_cnt, -1) <> coalesce(f.row_cnt, -1)
    or abs(coalesce(s.total, 0) - coalesce(f.total, 0)) > 0.001
