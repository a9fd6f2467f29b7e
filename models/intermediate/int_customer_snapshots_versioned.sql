{#- One row per customer per snapshot month, cut into SCD type 2 versions wherever a tracked
    attribute changes (macros/intermediate/scd2_versions.sql: gaps and islands, no dbt
    snapshots, so it runs on Spark without Delta). -#}
{{ scd2_versions(ref('stg_bss__customers'), 'cust_id', 'customer_sk', [
    'cust_name_masked', 'cust_type', 'cert_type', 'cert_no_hash', 'cert_no_masked', 'gender',
    'birth_date', 'prov_code', 'city_code', 'county_code', 'vip_level', 'group_cust_id',
    'create_date', 'status',
]) }}
