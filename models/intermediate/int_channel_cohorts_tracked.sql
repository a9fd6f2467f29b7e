{#- Every subscriber opened in a month, with the acquiring channel and how the subscriber stands
    3 and 6 months after the opening month (M+3, M+6). A milestone is "observed" only when that
    month is inside the data; a subscriber missing from a later month's snapshot has left. -#}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_flagged') }}
),

data_range as (
    select max(month_start) as last_month from subscriber_months
),

acquired as (
    select
        subs_id,
        channel_id,
        month_start as cohort_month,
        revenue_yuan as first_month_revenue_yuan
    from subscriber_months
    where is_new
),

{% for m in [3, 6] %}
at_m{{ m }} as (
    select
        subs_id,
        {{ add_months('month_start', -m) }} as cohort_month,
        is_in_service,
        is_silent,
        revenue_yuan
    from subscriber_months
){% if not loop.last %},{% endif %}
{% endfor %}

select
    -- ids
    a.subs_id,
    a.channel_id,
    a.cohort_month,
    -- measures
    a.first_month_revenue_yuan,
    {% for m in [3, 6] %}
    {{ add_months('a.cohort_month', m) }} <= r.last_month as is_m{{ m }}_observed,
    case
        when {{ add_months('a.cohort_month', m) }} <= r.last_month
            then coalesce(m{{ m }}.is_in_service, false)
    end as is_alive_m{{ m }},
    case
        when {{ add_months('a.cohort_month', m) }} <= r.last_month
            then coalesce(m{{ m }}.is_silent, false)
    end as is_zero_usage_m{{ m }},
    case
        when {{ add_months('a.cohort_month', m) }} <= r.last_month
            then coalesce(m{{ m }}.revenue_yuan, 0)
    end as revenue_m{{ m }}_yuan{% if not loop.last %},{% endif %}
    {% endfor %}
from acquired as a
cross join data_range as r
left join at_m3 as m3
    on a.subs_id = m3.subs_id
    and a.cohort_month = m3.cohort_month
left join at_m6 as m6
    on a.subs_id = m6.subs_id
    and a.cohort_month = m6.cohort_month
