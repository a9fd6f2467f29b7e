-- One row per subscriber-month: every SUBS snapshot row appears exactly once in
-- fct_subscriber_month (and no snapshot row is lost or doubled by the joins).
-- Fails with the months whose counts differ.
with

snapshots as (
    select snapshot_month as month_start, count(*) as row_cnt, count(distinct subs_id) as subs_cnt
    from {{ ref('stg_bss__subscribers') }}
    group by snapshot_month
),

facts as (
    select month_start, count(*) as row_cnt, count(distinct subs_id) as subs_cnt
    from {{ ref('fct_subscriber_month') }}
    where is_in_snapshot
    group by month_start
)

select
    coalesce(s.month_start, f.month_start) as month_start,
    s.row_cnt as snapshot_rows,
    s.subs_cnt as snapshot_subscribers,
    f.row_cnt as fact_rows,
    f.subs_cnt as fact_subscribers
from snapshots as s
full outer join facts as f
    on s.month_start = f.month_start
where coalesce(s.row_cnt, -1) <> coalesce(f.row_cnt, -1)
    or coalesce(s.subs_cnt, -1) <> coalesce(f.row_cnt, -1)
