{#- One row per month per region per arrears age band (欠费账龄): mart_payment_month unpivoted,
    so a chart can stack or list the bands. The band labels sort in age order. -#}

{%- set bands = [
    ('1 当月', 'arrears_age_1m_yuan'),
    ('2 2-3个月', 'arrears_age_2_3m_yuan'),
    ('3 4-6个月', 'arrears_age_4_6m_yuan'),
    ('4 7-12个月', 'arrears_age_7_12m_yuan'),
    ('5 13个月以上', 'arrears_age_13m_plus_yuan'),
] -%}

with

payments as (
    select * from {{ ref('mart_payment_month') }}
)

{% for band, column in bands -%}
select
    -- keys
    period_month,
    region_level,
    region_code,
    prov_code,
    '{{ band }}' as age_band,
    -- measures
    cast({{ column }} as {{ double_type() }}) as arrears_yuan
from payments
{% if not loop.last %}union all{% endif %}
{% endfor %}
