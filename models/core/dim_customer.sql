{#- SCD type 2: one row per version of a customer, built like dim_subscriber. -#}

with

-- one row per version: its snapshot span and validity (macros/intermediate/scd2_versions.sql)
versions as (
    {{ scd2_valid_ranges(ref('int_customer_snapshots_versioned'), 'cust_id', 'customer_sk', [
        'cust_name_masked',
        'cust_type',
        'cert_type',
        'cert_no_hash',
        'cert_no_masked',
        'gender',
        'birth_date',
        'prov_code',
        'city_code',
        'county_code',
        'vip_level',
        'group_cust_id',
        'create_date',
        'status'
    ]) }}
)

select
    -- ids
    customer_sk,
    cust_id,
    -- version
    version_no,
    valid_from,
    valid_to,
    is_current,
    last_snapshot_month,
    snapshot_cnt,
    -- attributes (masked PII only)
    cust_name_masked,
    cust_type,
    cert_type,
    cert_no_hash,
    cert_no_masked,
    gender,
    birth_date,
    prov_code,
    city_code,
    county_code,
    vip_level,
    group_cust_id,
    group_cust_id is not null as is_group_member,
    create_date,
    status
from versions
