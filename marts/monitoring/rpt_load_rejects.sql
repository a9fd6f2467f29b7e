{#- One row per rejected check of a line of a loaded file (拒绝记录), with the interface, province and period
    of its file from the load audit, so row-level security can limit it to the province. A reject
    without its audit row has no province, so only 总部 sees it. -#}

with

rejects as (
    select * from {{ ref('stg_ingest__load_rejects') }}
),

audit as (
    select * from {{ ref('stg_ingest__load_audit') }}
)

select
    -- ids
    r.load_id,
    r.file_name,
    -- dimensions
    a.interface,
    a.prov_code,
    a.period,
    -- the rejected line
    r.line_no,
    r.rule,
    r.column_name,
    r.message,
    -- metadata
    a.finished_at
from rejects as r
left join audit as a
    on a.load_id = r.load_id
    and a.file_name = r.file_name
