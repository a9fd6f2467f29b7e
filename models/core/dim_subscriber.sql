{#- SCD type 2: one row per version of a subscriber. A version is valid from its first monthly
    snapshot (valid_from, inclusive) until the next version starts (valid_to, exclusive;
    9999-12-31 for the latest). As-was: join on subscriber_sk, or on subs_id with
    valid_from <= month_start < valid_to. As-is: filter is_current. -#}

with

-- one row per version: its snapshot span and validity (macros/intermediate/scd2_versions.sql)
versions as (
    {{ scd2_valid_ranges(ref('int_subscriber_snapshots_versioned'), 'subs_id', 'subscriber_sk', [
        'cust_id',
        'msisdn_hash',
        'msisdn_masked',
        'prov_code',
        'city_code',
        'county_code',
        'package_code',
        'pay_type',
        'net_type',
        'open_date',
        'channel_id',
        'status',
        'status_date',
        'terminal_brand',
        'terminal_model',
        'is_5g_terminal',
        'terminal_date',
        'contract_end_date',
        'is_opt_out'
    ]) }}
)

select
    -- ids
    subscriber_sk,
    subs_id,
    cust_id,
    -- version
    version_no,
    valid_from,
    valid_to,
    is_current,
    last_snapshot_month,
    snapshot_cnt,
    -- attributes (masked PII only)
    msisdn_hash,
    msisdn_masked,
    prov_code,
    city_code,
    county_code,
    package_code,
    pay_type,
    net_type,
    open_date,
    channel_id,
    status,
    status_date,
    status in ('90', '91') as is_terminated,
    {{ hash_columns(['terminal_brand', 'terminal_model']) }} as terminal_key,
    terminal_brand,
    terminal_model,
    is_5g_terminal,
    terminal_date,
    contract_end_date,
    is_opt_out
from versions
