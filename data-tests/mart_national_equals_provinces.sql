-- national = sum of provinces, and each province = sum of its cities, for the additive measures
-- of every region-level subject mart (ratios are recomputed from these, so they follow).
-- Fails with the mart, measure, period and region where the roll-up does not add up.
{%- set checks = [
    ('mart_revenue_region_month', 'period_month', [], ['revenue_yuan', 'discount_yuan', 'billed_subs', 'avg_subs', 'revenue_ytd_yuan']),
    ('mart_revenue_structure_month', 'period_month', ['breakdown_type', 'breakdown_value'], ['revenue_yuan', 'avg_subs']),
    ('mart_payment_month', 'period_month', [], ['due_yuan', 'collected_yuan', 'arrears_yuan', 'arrears_over_3m_yuan']),
    ('mart_development_month', 'period_month', ['breakdown_type', 'breakdown_value'], ['opening_subs', 'new_subs', 'churned_subs', 'closing_subs']),
    ('mart_usage_month', 'period_month', ['net_type'], ['subs_in_service', 'mou_total', 'data_mb_total', 'subs_5g_package']),
    ('mart_customer_base_month', 'period_month', ['segment_type', 'segment_value'], ['total_subs', 'opening_subs', 'churned_subs']),
    ('mart_customer_count_month', 'period_month', [], ['customers', 'group_customers']),
    ('mart_channel_region_month', 'period_month', ['channel_type'], ['new_subs', 'commission_yuan', 'acquired_revenue_yuan']),
    ('mart_complaint_month', 'period_month', ['category_level', 'category_code'], ['tickets', 'escalated_tickets', 'subs_in_service']),
    ('mart_daily_kpi', 'stat_date', ['kpi_code'], ['numerator', 'denominator']),
    ('mart_business_review_month', 'period_month', [], ['revenue_yuan', 'avg_subs', 'mou_total']),
    ('mart_high_value_summary', 'period_month', [], ['high_value_subs', 'at_risk_subs']),
] -%}

{%- for model, period, dims, measures in checks %}
{%- set keys = [period] + dims %}
{%- for measure in measures %}
{%- for parent_level, child_level, child_parent in [('national', 'province', "'00'"), ('province', 'city', 'prov_code')] %}
select
    '{{ model }}' as mart,
    '{{ measure }}' as measure,
    '{{ parent_level }}' as parent_level,
    cast(parent.{{ period }} as date) as period_date,
    parent.region_code as parent_region_code,
    parent.{{ measure }} as parent_value,
    children.child_sum as children_value
from {{ ref(model) }} as parent
left join (
    select
        {% for k in keys %}{{ k }}, {% endfor %}
        {{ child_parent }} as parent_code,
        sum({{ measure }}) as child_sum
    from {{ ref(model) }}
    where region_level = '{{ child_level }}'
    group by {% for k in keys %}{{ k }}, {% endfor %}{{ child_parent }}
) as children
    on {% for k in keys %}children.{{ k }} = parent.{{ k }} and {% endfor %}children.parent_code = parent.region_code
where parent.region_level = '{{ parent_level }}'
    and not coalesce(abs(coalesce(parent.{{ measure }}, 0) - coalesce(children.child_sum, 0)) < 0.01, false)
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
