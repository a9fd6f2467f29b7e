{#- Incremental by day on DuckDB (a table on Spark): a run recomputes the days from the earliest
    day that received a new daily row since the last run (normally just the new day; a late or
    corrected file for an old day recomputes from that day on, since its baselines and day-on-day
    and week-on-week comparisons feed the later days), reading the facts from that day minus the
    baseline window. When the monthly dimensions this mart reads change (subscribers, channels)
    every day is recomputed, so an incremental run always equals a full refresh (tested). -#}
{{ config(
    materialized=('table' if target.type == 'spark' else 'incremental'),
    incremental_strategy='delete+insert',
    unique_key='stat_date',
    on_schema_change='fail',
) }}

{#- One row per day per region per KPI (日监控): the day's value (numerator / denominator for
    ratios), day-on-day (较前日) and week-on-week (较上周同日) change, the KPI's baseline over the
    previous var monitor_baseline_days (28) days in the same region (mean and standard deviation),
    the statistical thresholds baseline ± var monitor_z_limit (3) standard deviations on the side
    that is bad for the KPI, the fixed target threshold where one exists (cell availability
    >= 99%, drop rate <= 2%, no cell below 99% availability), and the flags: is_anomaly (outside
    the statistical thresholds) and is_target_breach (outside the target).
    A day is only judged with at least 7 earlier days of history and a baseline above the KPI's
    minimum volume (so tiny counts do not raise alarms). Count KPIs are 0 on days the source
    delivered data but the region had none. -#}

{#- kpi_code: (source, numerator, denominator or none, scale, bad side, minimum baseline,
    target low, target high) -#}
{%- set kpis = {
    'new_subs':              ('events',    'is_open_int',         none, 1,   'both', 5,   none, none),
    'churned_subs':          ('events',    'is_leave_int',        none, 1,   'up',   5,   none, none),
    'hall_transactions':     ('hall',      'transactions',        none, 1,   'both', 5,   none, none),
    'payment_yuan':          ('payments',  'amount_yuan',         none, 1,   'down', 100, none, none),
    'payment_cnt':           ('payments',  'payment_cnt',         none, 1,   'down', 5,   none, none),
    'topup_yuan':            ('payments',  'topup_yuan',          none, 1,   'down', 100, none, none),
    'active_users':          ('usage',     'active_users',        none, 1,   'down', 5,   none, none),
    'usage_data_gb':         ('usage',     'data_gb',             none, 1,   'down', 1,   none, none),
    'usage_mou':             ('usage',     'mou',                 none, 1,   'down', 10,  none, none),
    'cell_data_traffic_gb':  ('cells',     'data_traffic_gb',     none, 1,   'down', 1,   none, none),
    'cell_availability_pct': ('cells',     'availability_sum',    'cells', 1, 'down', 0,  99,   none),
    'low_availability_cells':('cells',     'low_availability_cells', none, 1, 'up',  0,   none, 0),
    'drop_rate_pct':         ('cells',     'drop_rate_sum',       'cells', 1, 'up',   0,  none, 2),
    'complaints':            ('complaints','tickets',             none, 1,   'up',   1,   none, none),
} -%}
{%- set window = var('monitor_baseline_days', 28) -%}
{%- set z_limit = var('monitor_z_limit', 3) -%}
{%- set lookback = [window, 7] | max -%}
{#- the staging models whose rows feed this mart: (model, date expression) -#}
{%- set daily_inputs = [
    ('stg_bss__subscriber_events', 'cast(event_time as date)'),
    ('stg_bss__payments', 'cast(pay_time as date)'),
    ('stg_bss__daily_usage', 'usage_date'),
    ('stg_bss__cell_kpis', 'stat_date'),
    ('stg_bss__complaints', 'cast(accept_time as date)'),
] -%}
{%- set monthly_inputs = ['stg_bss__subscribers', 'stg_bss__channels'] -%}

with

-- the newest load time this build has read (kept on every row: the next run's watermark)
inputs_loaded as (
    select max(loaded_at) as loaded_at from (
        {% for model in (daily_inputs | map('first') | list) + monthly_inputs -%}
        select max(loaded_at) as loaded_at from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ) as l
),

-- the first day to recompute (every day on a full build)
{% if is_incremental() -%}
watermark as (
    select max(inputs_loaded_at) as loaded_at from {{ this }}
),

recompute as (
    select case
        when exists (
            {% for model in monthly_inputs -%}
            select 1 from {{ ref(model) }}
            where loaded_at > (select loaded_at from watermark)
            {% if not loop.last %}union all{% endif %}
            {% endfor %}
        ) then cast('1900-01-01' as date)
        else (
            select min(d) from (
                {% for model, expr in daily_inputs -%}
                select min({{ expr }}) as d from {{ ref(model) }}
                where loaded_at > (select loaded_at from watermark)
                {% if not loop.last %}union all{% endif %}
                {% endfor %}
            ) as changed
        )
    end as from_day
),
{%- else %}
recompute as (
    select cast('1900-01-01' as date) as from_day
),
{%- endif %}

read_from as (
    select {{ add_days('from_day', -lookback) }} as from_day from recompute
),

events as (
    select * from {{ ref('fct_subscriber_events') }}
    where event_date >= (select from_day from read_from)
),

payments as (
    select * from {{ ref('fct_payments') }}
    where pay_date >= (select from_day from read_from)
),

daily_usage as (
    select * from {{ ref('fct_daily_usage') }}
    where usage_date >= (select from_day from read_from)
),

cells as (
    select * from {{ ref('fct_cell_day') }}
    where stat_date >= (select from_day from read_from)
),

complaints as (
    select * from {{ ref('fct_complaints') }}
    where accept_date >= (select from_day from read_from)
),

channels as (
    select * from {{ ref('dim_channel') }}
),

subscribers as (
    select subs_id, city_code from {{ ref('dim_subscriber') }}
    where is_current
),

-- every city that has ever had a subscriber (SCD2 history, so cities do not drop out)
cities as (
    select distinct prov_code, city_code
    from {{ ref('dim_subscriber') }}
),

source_city_day as (
    select
        'events' as source,
        event_date as stat_date,
        prov_code,
        city_code,
        sum({{ flag_int('is_open or is_port_in') }}) as is_open_int,
        sum({{ flag_int('is_cancel or is_port_out') }}) as is_leave_int,
        0 as transactions,
        0 as amount_yuan, 0 as payment_cnt, 0 as topup_yuan,
        0 as active_users, 0 as data_gb, 0 as mou,
        0 as data_traffic_gb, 0 as availability_sum, 0 as cells, 0 as low_availability_cells,
        0 as drop_rate_sum, 0 as tickets
    from events
    group by event_date, prov_code, city_code
    union all
    select
        'hall', stat_date, prov_code, city_code,
        0, 0, count(*),
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from (
        select e.event_date as stat_date, e.prov_code, e.city_code
        from events as e
        inner join channels as c on e.channel_id = c.channel_id
        where c.level1_code = '10'
        union all
        select p.pay_date, p.prov_code, p.city_code
        from payments as p
        inner join channels as c on p.pay_channel_id = c.channel_id
        where c.level1_code = '10'
    ) as hall
    group by stat_date, prov_code, city_code
    union all
    select
        'payments', pay_date, prov_code, city_code,
        0, 0, 0,
        sum(amount_yuan), count(*), sum(case when is_topup then amount_yuan else 0 end),
        0, 0, 0, 0, 0, 0, 0, 0, 0
    from payments
    group by pay_date, prov_code, city_code
    union all
    select
        'usage', u.usage_date, u.prov_code, coalesce(s.city_code, 'unknown'),
        0, 0, 0, 0, 0, 0,
        sum({{ flag_int('u.has_usage') }}), sum(u.data_mb) / 1024, sum(u.mou),
        0, 0, 0, 0, 0, 0
    from daily_usage as u
    left join subscribers as s on u.subs_id = s.subs_id
    group by u.usage_date, u.prov_code, coalesce(s.city_code, 'unknown')
    union all
    select
        'cells', stat_date, prov_code, city_code,
        0, 0, 0, 0, 0, 0, 0, 0, 0,
        sum(data_traffic_gb), sum(availability), count(*),
        sum({{ flag_int('is_low_availability') }}), sum(drop_rate), 0
    from cells
    group by stat_date, prov_code, city_code
    union all
    select
        'complaints', accept_date, prov_code, city_code,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*)
    from complaints
    group by accept_date, prov_code, city_code
),

-- the days each source delivered data, so a city with nothing that day counts 0
source_days as (
    select distinct source, stat_date from source_city_day
),

spine as (
    select d.source, d.stat_date, c.prov_code, c.city_code
    from source_days as d
    cross join cities as c
    union
    select source, stat_date, prov_code, city_code from source_city_day
),

-- one join of the spine with the sources, unpivoted to one row per KPI by joining the KPI list
-- (not one join per KPI: Spark inlines every CTE reference, and fourteen joins here, times the
-- references below, made its query analysis take minutes)
kpi_sources as (
    {% for kpi_code, d in kpis.items() -%}
    select '{{ kpi_code }}' as kpi_code, '{{ d[0] }}' as source
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

city_day as (
    select
        sp.stat_date,
        sp.prov_code,
        sp.city_code,
        k.kpi_code,
        cast(coalesce(sum(case k.kpi_code
            {%- for kpi_code, d in kpis.items() %}
            when '{{ kpi_code }}' then s.{{ d[1] }}
            {%- endfor %}
        end), 0) as {{ double_type() }}) as numerator,
        case k.kpi_code
            {%- for kpi_code, d in kpis.items() if d[2] is not none %}
            when '{{ kpi_code }}' then cast(coalesce(sum(s.{{ d[2] }}), 0) as {{ double_type() }})
            {%- endfor %}
        end as denominator
    from spine as sp
    inner join kpi_sources as k
        on sp.source = k.source
    left join source_city_day as s
        on sp.source = s.source
        and sp.stat_date = s.stat_date
        and sp.prov_code = s.prov_code
        and sp.city_code = s.city_code
    group by sp.stat_date, sp.prov_code, sp.city_code, k.kpi_code
),

regions as (
    {{ region_rollup('city_day', ['stat_date', 'kpi_code'], ['numerator', 'denominator']) }}
),

kpi_definitions as (
    {% for kpi_code, d in kpis.items() -%}
    select
        '{{ kpi_code }}' as kpi_code,
        '{{ d[4] }}' as bad_side,
        {{ d[5] }} as min_baseline,
        {{ d[6] if d[6] is not none else 'cast(null as ' ~ double_type() ~ ')' }} as target_low,
        {{ d[7] if d[7] is not none else 'cast(null as ' ~ double_type() ~ ')' }} as target_high
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

valued as (
    select
        r.*,
        case
            when r.denominator is null then cast(r.numerator as {{ double_type() }})
            else {{ safe_ratio('r.numerator', 'r.denominator') }}
        end as kpi_value
    from regions as r
),

baselines as (
    select
        v.stat_date,
        v.region_level,
        v.region_code,
        v.kpi_code,
        count(h.kpi_value) as baseline_days,
        avg(h.kpi_value) as baseline_mean,
        stddev_samp(h.kpi_value) as baseline_sd
    from valued as v
    left join valued as h
        on v.region_level = h.region_level
        and v.region_code = h.region_code
        and v.kpi_code = h.kpi_code
        and h.stat_date >= {{ add_days('v.stat_date', -window) }}
        and h.stat_date < v.stat_date
    group by v.stat_date, v.region_level, v.region_code, v.kpi_code
),

compared as (
    select
        v.stat_date,
        v.region_level,
        v.region_code,
        v.prov_code,
        v.kpi_code,
        v.numerator,
        v.denominator,
        v.kpi_value,
        last_day.kpi_value as value_last_day,
        {{ pct_change('v.kpi_value', 'last_day.kpi_value') }} as dod_pct,
        last_week.kpi_value as value_last_week,
        {{ pct_change('v.kpi_value', 'last_week.kpi_value') }} as wow_pct,
        b.baseline_days,
        b.baseline_mean,
        b.baseline_sd,
        -- a flat or short history understates the spread: one deviation is at least 5% of the
        -- mean, and for counts at least the Poisson sqrt(mean)
        greatest(
            coalesce(b.baseline_sd, 0),
            0.05 * abs(b.baseline_mean),
            case when v.denominator is null and b.baseline_mean > 0 then sqrt(b.baseline_mean) else 0 end
        ) as effective_sd,
        k.bad_side,
        k.min_baseline,
        k.target_low,
        k.target_high
    from valued as v
    inner join kpi_definitions as k
        on v.kpi_code = k.kpi_code
    left join baselines as b
        on v.stat_date = b.stat_date
        and v.region_level = b.region_level
        and v.region_code = b.region_code
        and v.kpi_code = b.kpi_code
    left join valued as last_day
        on v.region_level = last_day.region_level
        and v.region_code = last_day.region_code
        and v.kpi_code = last_day.kpi_code
        and last_day.stat_date = {{ add_days('v.stat_date', -1) }}
    left join valued as last_week
        on v.region_level = last_week.region_level
        and v.region_code = last_week.region_code
        and v.kpi_code = last_week.kpi_code
        and last_week.stat_date = {{ add_days('v.stat_date', -7) }}
),

thresholds as (
    select
        *,
        case
            when bad_side in ('down', 'both') and baseline_days >= 7
                then baseline_mean - {{ z_limit }} * effective_sd
        end as threshold_low,
        case
            when bad_side in ('up', 'both') and baseline_days >= 7
                then baseline_mean + {{ z_limit }} * effective_sd
        end as threshold_high,
        case when effective_sd > 0 then (kpi_value - baseline_mean) / effective_sd end as z_score
    from compared
)

select
    -- keys
    stat_date,
    region_level,
    region_code,
    prov_code,
    kpi_code,
    -- value
    kpi_value,
    numerator,
    denominator,
    -- changes
    value_last_day,
    dod_pct,
    value_last_week,
    wow_pct,
    -- baseline and thresholds
    baseline_days,
    baseline_mean,
    baseline_sd,
    z_score,
    bad_side,
    threshold_low,
    threshold_high,
    target_low,
    target_high,
    -- flags
    coalesce(
        baseline_mean >= min_baseline
        and (kpi_value < threshold_low or kpi_value > threshold_high),
        false
    ) as is_anomaly,
    case
        when coalesce(baseline_mean >= min_baseline and kpi_value < threshold_low, false) then 'down'
        when coalesce(baseline_mean >= min_baseline and kpi_value > threshold_high, false) then 'up'
    end as anomaly_direction,
    coalesce(kpi_value < target_low or kpi_value > target_high, false) as is_target_breach,
    -- metadata
    (select loaded_at from inputs_loaded) as inputs_loaded_at
from thresholds
where stat_date >= (select from_day from recompute)
