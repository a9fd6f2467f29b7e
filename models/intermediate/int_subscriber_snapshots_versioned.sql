{#- One row per subscriber per snapshot month, cut into SCD type 2 versions wherever a tracked
    attribute changes (macros/intermediate/scd2_versions.sql: gaps and islands, no dbt
    snapshots, so it runs on Spark without Delta). -#}
{{ scd2_versions(ref('stg_bss__subscribers'), 'subs_id', 'subscriber_sk', [
    'cust_id', 'msisdn_hash', 'msisdn_masked', 'prov_code', 'city_code', 'county_code',
    'package_code', 'pay_type', 'net_type', 'open_date', 'channel_id', 'status', 'status_date',
    'terminal_brand', 'terminal_model', 'is_5g_terminal', 'terminal_date', 'contract_end_date',
    'is_opt_out',
]) }}
