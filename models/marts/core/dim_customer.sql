{#- SCD type 2: one row per version of a customer, built like dim_subscriber. -#}

with

snapshots as (
    select * from {{ ref('int_customer_snapshots_versioned') }}
),

versions as (
    select
        customer_sk,
        cust_id,
        version_no,
        valid_from,
        max(snapshot_month) as last_snapshot_month,
        count(*) as snapshot_cnt,
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
        create_date,
        status
    from snapshots
    group by
        customer_sk, cust_id, version_no, valid_from, cust_name_masked, cust_type, cert_type,
        cert_no_hash, cert_no_masked, gender, birth_date, prov_code, city_code, county_code,
        vip_level, group_cust_id, create_date, status
),

bounded as (
    select
        *,
        lead(valid_from) over (partition by cust_id order by valid_from) as next_valid_from
    from versions
)

select
    -- ids
    customer_sk,
    cust_id,
    -- version
    version_no,
    valid_from,
    coalesce(next_valid_from, cast('9999-12-31' as date)) as valid_to,
    next_valid_from is null as is_current,
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
from bounded
