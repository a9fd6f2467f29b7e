-- 客户资料 customers: one row per customer that exists at month end (full snapshot).
with

source as (

    select * from {{ source('raw', 'cust') }}

),

renamed as (

    select
        -- ids
        cust_id,
        group_cust_id,
        -- personal data (hashed / masked; address and contact_phone dropped)
        {{ mask_name('cust_name') }} as cust_name_masked,
        {{ pii_hash('cert_no') }} as cert_no_hash,
        {{ mask_cert_no('cert_no') }} as cert_no_masked,
        -- dimensions (codes stay codes)
        cust_type,
        cert_type,
        gender,
        prov_code,
        city_code,
        county_code,
        vip_level,
        status,
        -- dates
        {{ period_month('_period') }} as snapshot_month,
        birth_date,
        create_date,
        -- metadata
        _file as source_file,
        _line as source_line,
        _period as source_period,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source

)

select * from renamed
