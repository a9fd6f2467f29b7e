-- 月使用量 monthly usage: one row per subscriber per month.
with

source as (

    select * from {{ source('raw', 'usgm') }}

),

renamed as (

    select
        -- ids
        subs_id,
        main_cell_id,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        -- dates
        usage_month,
        -- measures
        mou,
        data_mb,
        sms_cnt,
        active_days,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
