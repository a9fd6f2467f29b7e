{{ config(enabled=var('hq_receipts', false)) }}
-- 上报记录: one row per received package version (accepted, superseded, rejected, duplicate), with
-- its rejection reasons in one text.
with

submissions as (

    select * from {{ ref('stg_hq__submissions') }}

),

reasons as (

    select * from {{ ref('stg_hq__submission_reasons') }}

),

reason_text as (

    select
        submission_id,
        {{ dbt.listagg("'[' || rule || '] ' || detail", "'\n'", "order by reason_no") }} as reasons
    from reasons
    group by submission_id

),

final as (

    select
        -- ids
        s.submission_id,
        s.package,
        s.superseded_by,
        s.duplicate_of,
        -- dimensions
        s.prov_code,
        s.period,
        s.period_grain,
        s.period_month,
        s.stat_date,
        s.seq,
        s.status,
        s.is_current,
        s.is_late,
        s.catalogue_version,
        r.reasons,
        -- measures
        s.records,
        s.reason_count,
        -- metadata (Beijing time)
        s.generated_at,
        s.delivered_at,
        s.received_at,
        s.due_at
    from submissions as s
    left join reason_text as r
        on r.submission_id = s.submission_id

)

select * from final
