{#- SCD type 2: one row per version of a subscriber. A version is valid from its first monthly
    snapshot (valid_from, inclusive) until the next version starts (valid_to, exclusive;
    9999-12-31 for the latest). As-was: join on subscriber_sk, or on subs_id with
    valid_from <= month_start < valid_to. As-is: filter is_current. -#}

with

snapshots as (
    select * from {{ ref('int_subscriber_snapshots_versioned') }}
),

versions as (
    select
        subscriber_sk,
        subs_id,
        version_no,
        valid_from,
        max(snapshot_month) as last_snapshot_month,
        count(*) as snapshot_cnt,
        cust_id,
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
        terminal_brand,
        terminal_model,
        is_5g_terminal,
        terminal_date,
        contract_end_date,
        is_opt_out
    from snapshots
    group by
        subscriber_sk, subs_id, version_no, valid_from, cust_id, msisdn_hash, msisdn_masked,
        prov_code, city_code, county_code, package_code, pay_type, net_type, open_date,
        channel_id, status, status_date, terminal_brand, terminal_model, is_5g_terminal,
        terminal_date, contract_end_date, is_opt_out
),

bounded as (
    select
        *,
        lead(valid_from) over (partition by subs_id order by valid_from) as next_valid_from
    from versions
)

select
    -- ids
    subscriber_sk,
    subs_id,
    cust_id,
    -- version
    version_no,
    valid_from,
    coalesce(next_valid_from, cast('9999-12-31' as date)) as valid_to,
    next_valid_from is null as is_current,
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
from bounded
