with

packages as (
    select * from {{ ref('packages') }}
)

select
    -- ids
    package_code,
    -- attributes
    package_name,
    package_name_en,
    family as package_family,
    net_type,
    pay_type,
    monthly_fee_yuan,
    data_gb,
    voice_min,
    launch_month,
    is_active
from packages
