-- 坐席签入记录 agent sessions: one row per hotline agent log-in session (签入 to 签出).
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'agnt') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        session_id,
        agent_id,
        -- dimensions (codes stay codes)
        prov_code,
        -- dates
        stat_date,
        login_time,
        logout_time,
        -- measures
        break_seconds,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
