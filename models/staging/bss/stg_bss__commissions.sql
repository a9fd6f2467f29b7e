-- 渠道佣金 commissions: one row per commission item paid to a channel.
with

source as (

    select * from {{ source('raw', 'cmsn') }}

),

renamed as (

    select
        -- ids
        cmsn_id,
        channel_id,
        subs_id,
        -- dimensions (codes stay codes)
        cmsn_type,
        prov_code,
        -- dates
        settle_month,
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
