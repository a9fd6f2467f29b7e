{{ config(materialized='table') }}

{#- 客户细分迁移矩阵: one row per pair of consecutive segmented months per segment of the first
    month per segment of the second, with the subscribers who moved so. Subscribers segmented in
    only one of the two months enter from 新增/回流 (from_segment_id 0) or leave to 离网/未细分
    (to_segment_id 0), so each from-segment's row total is its size in the first month and each
    to-segment's column total its size in the second. -#}

with

segments as (
    {{ score_source('customer_segments', {
        'subs_id': 'string', 'period_month': 'date', 'prov_code': 'string',
        'segment_id': 'int', 'segment_name_zh': 'string', 'segment_name_en': 'string',
    }) }}
),

months as (
    select distinct period_month from segments
),

month_pairs as (
    select
        m1.period_month as from_month,
        m2.period_month as to_month
    from months as m1
    inner join months as m2
        on m2.period_month = {{ add_months('m1.period_month', 1) }}
),

from_side as (
    select p.from_month, p.to_month, s.subs_id, s.prov_code, s.segment_id, s.segment_name_zh, s.segment_name_en
    from segments as s
    inner join month_pairs as p
        on s.period_month = p.from_month
),

to_side as (
    select p.from_month, p.to_month, s.subs_id, s.prov_code, s.segment_id, s.segment_name_zh, s.segment_name_en
    from segments as s
    inner join month_pairs as p
        on s.period_month = p.to_month
),

moves as (
    select
        coalesce(f.from_month, t.from_month) as from_month,
        coalesce(f.to_month, t.to_month) as to_month,
        coalesce(f.prov_code, t.prov_code) as prov_code,
        coalesce(f.segment_id, 0) as from_segment_id,
        coalesce(f.segment_name_zh, '新增/回流') as from_segment_name_zh,
        coalesce(f.segment_name_en, 'new or returning') as from_segment_name_en,
        coalesce(t.segment_id, 0) as to_segment_id,
        coalesce(t.segment_name_zh, '离网/未细分') as to_segment_name_zh,
        coalesce(t.segment_name_en, 'left or not segmented') as to_segment_name_en
    from from_side as f
    full outer join to_side as t
        on f.subs_id = t.subs_id
        and f.from_month = t.from_month
)

select
    -- ids
    from_month,
    to_month,
    prov_code,
    from_segment_id,
    to_segment_id,
    -- dimensions
    from_segment_name_zh,
    from_segment_name_en,
    to_segment_name_zh,
    to_segment_name_en,
    from_segment_id = to_segment_id as is_kept,
    -- measures
    count(*) as subscribers
from moves
group by
    from_month,
    to_month,
    prov_code,
    from_segment_id,
    to_segment_id,
    from_segment_name_zh,
    from_segment_name_en,
    to_segment_name_zh,
    to_segment_name_en
