-- 用户资料 subscribers: one row per subscriber in service at any time in the month (full snapshot at month end).
with

source as (

    select * from {{ source('raw', 'subs') }}

),

renamed as (

    select
        -- ids
        subs_id,
        cust_id,
        channel_id,
        -- personal data (hashed / masked; address and contact_phone dropped)
        {{ pii_hash('msisdn') }} as msisdn_hash,
        {{ mask_msisdn('msisdn') }} as msisdn_masked,
        -- dimensions (codes stay codes)
        prov_code,
        city_code,
        county_code,
        package_code,
        pay_type,
        net_type,
        status,
        terminal_brand,
        terminal_model,
        is_5g_terminal,
        is_opt_out,
        -- dates
        {{ period_month('_period') }} as snapshot_month,
        open_date,
        status_date,
        terminal_date,
        contract_end_date,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
