-- 客户账单 monthly bills: one row per subscriber per bill month, one amount column per bill item (all in 分).
with

source as (

    select * from {{ source('raw', 'bill') }}

),

renamed as (

    select
        -- ids
        subs_id,
        cust_id,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        package_code,
        -- dates
        bill_month,
        due_date,
        -- measures (money in 元)
        {{ fen_to_yuan('package_fee_fen') }} as package_fee_yuan,
        {{ fen_to_yuan('voice_fee_fen') }} as voice_fee_yuan,
        {{ fen_to_yuan('data_fee_fen') }} as data_fee_yuan,
        {{ fen_to_yuan('sms_fee_fen') }} as sms_fee_yuan,
        {{ fen_to_yuan('vas_fee_fen') }} as vas_fee_yuan,
        {{ fen_to_yuan('roaming_fee_fen') }} as roaming_fee_yuan,
        {{ fen_to_yuan('other_fee_fen') }} as other_fee_yuan,
        {{ fen_to_yuan('discount_fen') }} as discount_yuan,
        {{ fen_to_yuan('total_due_fen') }} as total_due_yuan,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
