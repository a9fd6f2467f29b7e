-- SCD2 history is gap-free and unambiguous: each subscriber's and customer's versions chain
-- (valid_to = the next version's valid_from), and exactly one version per key is current.
-- Fails with the offending keys.
{% for dim, key in [('dim_subscriber', 'subs_id'), ('dim_customer', 'cust_id')] %}
select
    '{{ dim }}' as dimension,
    {{ key }} as natural_key,
    count(*) as version_cnt,
    sum(case when is_current then 1 else 0 end) as current_cnt,
    sum(case when next_valid_from is not null and valid_to <> next_valid_from then 1 else 0 end)
        as broken_link_cnt
from (
    select
        *,
        lead(valid_from) over (partition by {{ key }} order by valid_from) as next_valid_from
    from {{ ref(dim) }}
) as chained
group by {{ key }}
having sum(case when is_current then 1 else 0 end) <> 1
    or sum(case when next_valid_from is not null and valid_to <> next_valid_from then 1 else 0 end) > 0
{% if not loop.last %}union all{% endif %}
{% endfor %}
