{#- One row per calendar day from var date_first to var date_last. Holidays, adjusted working
    days (调休上班) and the Spring Festival holiday come from the holidays seed (State Council
    schedules); days outside the seed's years are ordinary days. The Spring Festival window
    adds 7 days either side of the official holiday (春运 travel peak, when migrant workers'
    traffic moves between provinces). -#}
{%- set first = var('date_first', '2015-01-01') -%}
{%- set last = var('date_last', '2030-12-31') -%}
{%- set first_date = modules.datetime.date.fromisoformat(first) -%}
{%- set day_count = (modules.datetime.date.fromisoformat(last) - first_date).days + 1 -%}

with

numbers as (
    {{ dbt.generate_series(day_count) }}
),

days as (
    select {{ add_days("cast('" ~ first ~ "' as date)", 'generated_number - 1') }} as date_day
    from numbers
),

holidays as (
    select
        h.date as holiday_date,
        h.holiday_name,
        h.holiday_name_en,
        h.is_holiday,
        h.is_adjusted_workday,
        h.is_spring_festival_period
    from {{ ref('holidays') }} as h
),

spring_festivals as (
    select
        extract(year from holiday_date) as festival_year,
        min(holiday_date) as first_day,
        max(holiday_date) as last_day
    from holidays
    where is_spring_festival_period
    group by extract(year from holiday_date)
)

select
    -- ids
    d.date_day,
    -- calendar
    cast(
        extract(year from d.date_day) * 10000
        + extract(month from d.date_day) * 100
        + extract(day from d.date_day)
        as integer
    ) as date_id,
    {{ month_start('d.date_day') }} as month_start,
    cast(extract(year from d.date_day) * 100 + extract(month from d.date_day) as integer)
        as month_id,
    cast(extract(year from d.date_day) as integer) as year,
    cast(extract(quarter from d.date_day) as integer) as quarter,
    cast(extract(month from d.date_day) as integer) as month,
    cast(extract(day from d.date_day) as integer) as day_of_month,
    cast({{ iso_week('d.date_day') }} as integer) as week,
    cast({{ dbt.date_trunc('week', 'd.date_day') }} as date) as week_start,
    cast({{ iso_weekday('d.date_day') }} as integer) as weekday,
    {{ iso_weekday('d.date_day') }} >= 6 as is_weekend,
    -- Chinese public holidays
    h.holiday_name,
    h.holiday_name_en,
    coalesce(h.is_holiday, false) as is_holiday,
    coalesce(h.is_adjusted_workday, false) as is_adjusted_workday,
    case
        when h.is_holiday then false
        when h.is_adjusted_workday then true
        else {{ iso_weekday('d.date_day') }} <= 5
    end as is_workday,
    coalesce(h.is_spring_festival_period, false) as is_spring_festival_period,
    sf.festival_year is not null as is_spring_festival_window
from days as d
left join holidays as h
    on d.date_day = h.holiday_date
left join spring_festivals as sf
    on d.date_day >= {{ add_days('sf.first_day', -7) }}
    and d.date_day <= {{ add_days('sf.last_day', 7) }}
