-- The subscriber waterfall balances (期初 + 新增 - 离网 ± 迁移 = 期末) in every row of
-- mart_development_month and mart_business_review_month; migration cancels out nationally; the
-- national closing and opening equal the subscribers in service in fct_subscriber_month at the end
-- of the month and of the month before. Fails with the offending rows, named by `problem`.
with

development as (
    select * from {{ ref('mart_development_month') }}
),

facts as (
    select
        month_start as period_month,
        sum(case when is_in_service then 1 else 0 end) as in_service_subs
    from {{ ref('fct_subscriber_month') }}
    group by month_start
),

unbalanced as (
    select
        'development row does not balance' as problem,
        period_month,
        region_level,
        region_code,
        breakdown_type,
        breakdown_value,
        opening_subs + new_subs - churned_subs + migration_in_subs - migration_out_subs as expected,
        closing_subs as actual
    from development
    where opening_subs + new_subs - churned_subs + migration_in_subs - migration_out_subs
        <> closing_subs
    union all
    select
        'review row does not balance',
        period_month,
        region_level,
        region_code,
        'total',
        'all',
        opening_subs + new_subs - churned_subs + net_migration_subs,
        closing_subs
    from {{ ref('mart_business_review_month') }}
    where opening_subs + new_subs - churned_subs + net_migration_subs <> closing_subs
    union all
    select
        'national migration does not cancel out',
        period_month,
        region_level,
        region_code,
        breakdown_type,
        breakdown_value,
        migration_out_subs,
        migration_in_subs
    from development
    where region_level = 'national'
        and breakdown_type = 'total'
        and migration_in_subs <> migration_out_subs
    union all
    select
        'national closing differs from subscribers in service',
        d.period_month,
        d.region_level,
        d.region_code,
        d.breakdown_type,
        d.breakdown_value,
        f.in_service_subs,
        d.closing_subs
    from development as d
    inner join facts as f
        on d.period_month = f.period_month
    where d.region_level = 'national'
        and d.breakdown_type = 'total'
        and d.closing_subs <> f.in_service_subs
    union all
    select
        'national opening differs from last month in service',
        d.period_month,
        d.region_level,
        d.region_code,
        d.breakdown_type,
        d.breakdown_value,
        f.in_service_subs,
        d.opening_subs
    from development as d
    inner join facts as f
        on f.period_month = {{ add_months('d.period_month', -1) }}
    where d.region_level = 'national'
        and d.breakdown_type = 'total'
        and d.opening_subs <> f.in_service_subs
)

select * from unbalanced
