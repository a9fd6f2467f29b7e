-- 缴费 payments: one row per payment or top-up.
{{ config(**staging_by_file_config()) }}
with

source as (

    select * from {{ source('raw', 'paym') }}
    {{ new_files_only() }}

),

renamed as (

    select
        -- ids
        pay_id,
        subs_id,
        cust_id,
        pay_channel_id,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        pay_method,
        -- dates
        pay_time,
        bill_month,
        -- measures (money in 元)
        {{ fen_to_yuan('amount_fen') }} as amount_yuan,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
