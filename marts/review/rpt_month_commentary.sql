{{ config(materialized='table') }}

{#- One row per month per region (national, each province, each city) per sentence: the month-end
    commentary (月末经营述评) of the 月报, written from the marts (docs/warehouse.md "Month-end
    commentary"). Sentences, in order:
      1 收入      revenue, its change against last month and the split into 量效应 / 价效应
      2 用户      closing subscribers, net adds (新增, 离网, 净迁移) and the churn rate
      3 ARPU      ARPU and its change
      1x 区域贡献  the provinces (for the nation) or cities (for a province) whose revenue moved
                  most, largest first, each with its own 量效应 / 价效应 (none for a city: no
                  mart has county rows)
      2x 套餐贡献  the packages whose revenue moved most in the region, largest first
    A month without a previous month in the history says 无可比数据 and has no 贡献 sentences.
    Every figure a sentence quotes is also a numeric column (NULL when not quoted), equal to the
    mart value it comes from. -#}

{%- set top_n = var('commentary_top_movers', 3) -%}
{%- set figures = [
    'revenue_yuan', 'revenue_change_yuan', 'revenue_mom_pct', 'volume_effect_yuan',
    'price_effect_yuan', 'closing_subs', 'net_adds', 'new_subs', 'churned_subs',
    'net_migration_subs', 'churn_rate_pct', 'arpu_yuan', 'arpu_change_yuan', 'arpu_mom_pct',
] -%}

with

review as (
    select * from {{ ref('mart_business_review_month') }}
),

revenue_region as (
    select * from {{ ref('mart_revenue_region_month') }}
),

development as (
    select * from {{ ref('mart_development_month') }}
    where breakdown_type = 'total'
),

package_structure as (
    select * from {{ ref('mart_revenue_structure_month') }}
    where breakdown_type = 'package'
),

packages as (
    select * from {{ ref('dim_package') }}
),

region_names as (
    {{ region_names() }}
),

latest as (
    select max(period_month) as latest_month from review
),

-- the regions commented on, every month of the history
regions as (
    select
        r.period_month,
        r.region_level,
        r.region_code,
        r.prov_code,
        n.region_name,
        {{ dbt.concat([
            "cast(extract(year from r.period_month) as " ~ dbt.type_string() ~ ")",
            "'年'",
            "lpad(cast(extract(month from r.period_month) as " ~ dbt.type_string() ~ "), 2, '0')",
            "'月'",
        ]) }} as month_label,
        r.period_month = l.latest_month as is_latest_month,
        r.revenue_yuan_last_month is not null as has_last_month,
        r.revenue_yuan,
        r.revenue_change_yuan,
        r.revenue_yuan_mom_pct,
        r.volume_effect_yuan,
        r.price_effect_yuan,
        r.closing_subs,
        r.net_adds,
        r.new_subs,
        r.churned_subs,
        r.net_migration_subs,
        d.churn_rate_pct,
        r.arpu_yuan,
        r.arpu_yuan - r.arpu_yuan_last_month as arpu_change_yuan,
        rr.arpu_yuan_mom_pct
    from review as r
    cross join latest as l
    left join region_names as n
        on r.region_level = n.region_level
        and r.region_code = n.region_code
    left join revenue_region as rr
        on r.period_month = rr.period_month
        and r.region_level = rr.region_level
        and r.region_code = rr.region_code
    left join development as d
        on r.period_month = d.period_month
        and r.region_level = d.region_level
        and r.region_code = d.region_code
),

-- the provinces of the nation and the cities of a province, with their own revenue bridge
region_movers as (
    select
        p.period_month,
        'national' as region_level,
        '00' as region_code,
        'province' as mover_type,
        p.region_code as mover_code,
        p.revenue_change_yuan,
        p.revenue_yuan_mom_pct as revenue_mom_pct,
        p.volume_effect_yuan,
        p.price_effect_yuan
    from review as p
    where p.region_level = 'province'
    union all
    select
        c.period_month,
        'province' as region_level,
        c.prov_code as region_code,
        'city' as mover_type,
        c.region_code as mover_code,
        c.revenue_change_yuan,
        c.revenue_yuan_mom_pct as revenue_mom_pct,
        c.volume_effect_yuan,
        c.price_effect_yuan
    from review as c
    where c.region_level = 'city'
),

-- every package a region billed this month or last month: a package with no bill in one of the
-- two months counts 0 there (zero is a row), so one that stopped billing still moved
package_keys as (
    select period_month, region_level, region_code, breakdown_value as package_code
    from package_structure
    union
    select {{ add_months('period_month', 1) }}, region_level, region_code, breakdown_value
    from package_structure
),

package_months as (
    select
        k.period_month,
        k.region_level,
        k.region_code,
        k.package_code,
        coalesce(cur.revenue_yuan, 0) as revenue_yuan,
        coalesce(prev.revenue_yuan, 0) as revenue_yuan_last_month,
        coalesce(cur.avg_subs, 0) as avg_subs,
        coalesce(prev.avg_subs, 0) as avg_subs_last_month,
        cur.arpu_yuan,
        prev.arpu_yuan as arpu_yuan_last_month
    from package_keys as k
    left join package_structure as cur
        on k.period_month = cur.period_month
        and k.region_level = cur.region_level
        and k.region_code = cur.region_code
        and k.package_code = cur.breakdown_value
    left join package_structure as prev
        on prev.period_month = {{ add_months('k.period_month', -1) }}
        and k.region_level = prev.region_level
        and k.region_code = prev.region_code
        and k.package_code = prev.breakdown_value
),

package_movers as (
    select
        period_month,
        region_level,
        region_code,
        'package' as mover_type,
        package_code as mover_code,
        revenue_yuan - revenue_yuan_last_month as revenue_change_yuan,
        {{ pct_change('revenue_yuan', 'revenue_yuan_last_month') }} as revenue_mom_pct,
        -- the package's own bridge, when it has an ARPU in both months (the two add up to the
        -- change); a package new or gone this month has none
        case
            when arpu_yuan is not null and arpu_yuan_last_month is not null
                then (avg_subs - avg_subs_last_month) * arpu_yuan_last_month
        end as volume_effect_yuan,
        case
            when arpu_yuan is not null and arpu_yuan_last_month is not null
                then (arpu_yuan - arpu_yuan_last_month) * avg_subs
        end as price_effect_yuan
    from package_months
),

movers_ranked as (
    select
        m.*,
        row_number() over (
            partition by m.period_month, m.region_level, m.region_code, m.mover_type
            order by abs(m.revenue_change_yuan) desc, m.mover_code
        ) as mover_rank
    from (
        select * from region_movers
        union all
        select * from package_movers
    ) as m
    inner join regions as r
        on m.period_month = r.period_month
        and m.region_level = r.region_level
        and m.region_code = r.region_code
    where r.has_last_month
        and m.revenue_change_yuan is not null
        and m.revenue_change_yuan <> 0
),

movers as (
    select
        m.*,
        coalesce(n.region_name, p.package_name, m.mover_code) as mover_name
    from movers_ranked as m
    left join region_names as n
        on m.mover_type = n.region_level
        and m.mover_code = n.region_code
    left join packages as p
        on m.mover_type = 'package'
        and m.mover_code = p.package_code
    where m.mover_rank <= {{ top_n }}
),

sentences as (
    -- 1 收入
    select
        period_month,
        region_level,
        region_code,
        1 as sentence_no,
        'revenue' as topic,
        '收入' as topic_zh,
        case
            when not has_last_month then {{ dbt.concat([
                'region_name', "'本月出账收入'", yuan_text('revenue_yuan'), "'，上月无可比数据。'"]) }}
            else {{ dbt.concat([
                'region_name', "'本月出账收入'", yuan_text('revenue_yuan'),
                "'，环比'", change_words_yuan('revenue_change_yuan'),
                "case when revenue_yuan_mom_pct is null then '' else "
                    ~ dbt.concat(["'（'", pct_text('revenue_yuan_mom_pct', signed=true), "'）'"]) ~ " end",
                "'，其中量效应'", yuan_text('volume_effect_yuan', signed=true),
                "'、价效应'", yuan_text('price_effect_yuan', signed=true),
                "case when abs(volume_effect_yuan) >= abs(price_effect_yuan)"
                    ~ " then '，以量效应（用户规模变化）为主。' else '，以价效应（ARPU变化）为主。' end",
            ]) }}
        end as sentence,
        cast(null as {{ dbt.type_string() }}) as mover_type,
        cast(null as {{ dbt.type_string() }}) as mover_code,
        cast(null as {{ dbt.type_string() }}) as mover_name,
        cast(null as {{ dbt.type_int() }}) as mover_rank,
        {{ commentary_figures(figures, {
            'revenue_yuan': 'revenue_yuan',
            'revenue_change_yuan': 'revenue_change_yuan',
            'revenue_mom_pct': 'revenue_yuan_mom_pct',
            'volume_effect_yuan': 'volume_effect_yuan',
            'price_effect_yuan': 'price_effect_yuan',
        }) }}
    from regions
    union all
    -- 2 用户
    select
        period_month,
        region_level,
        region_code,
        2 as sentence_no,
        'subscribers' as topic,
        '用户' as topic_zh,
        case
            when net_adds is null or churn_rate_pct is null then {{ dbt.concat([
                'region_name', "'本月用户增减无可比数据。'"]) }}
            else {{ dbt.concat([
                'region_name', "'期末在网'", count_text('closing_subs'),
                "case when net_adds < 0 then '，净减' else '，净增' end", count_text('abs(net_adds)'),
                "'（新增'", count_text('new_subs'), "'、离网'", count_text('churned_subs'),
                "case when net_migration_subs = 0 then '' else "
                    ~ dbt.concat(["'、净迁移'", count_text('net_migration_subs', signed=true)]) ~ " end",
                "'），离网率'", pct_text('churn_rate_pct'), "'。'",
            ]) }}
        end as sentence,
        cast(null as {{ dbt.type_string() }}) as mover_type,
        cast(null as {{ dbt.type_string() }}) as mover_code,
        cast(null as {{ dbt.type_string() }}) as mover_name,
        cast(null as {{ dbt.type_int() }}) as mover_rank,
        {{ commentary_figures(figures, {
            'closing_subs': 'case when net_adds is not null and churn_rate_pct is not null then closing_subs end',
            'net_adds': 'case when churn_rate_pct is not null then net_adds end',
            'new_subs': 'case when net_adds is not null and churn_rate_pct is not null then new_subs end',
            'churned_subs': 'case when net_adds is not null and churn_rate_pct is not null then churned_subs end',
            'net_migration_subs': 'case when net_adds is not null and churn_rate_pct is not null and net_migration_subs <> 0 then net_migration_subs end',
            'churn_rate_pct': 'case when net_adds is not null then churn_rate_pct end',
        }) }}
    from regions
    union all
    -- 3 ARPU
    select
        period_month,
        region_level,
        region_code,
        3 as sentence_no,
        'arpu' as topic,
        'ARPU' as topic_zh,
        case
            when arpu_yuan is null then {{ dbt.concat(['region_name', "'本月ARPU无可比数据。'"]) }}
            when arpu_change_yuan is null then {{ dbt.concat([
                'region_name', "'本月ARPU为'", number_text('arpu_yuan', 2), "'元，上月无可比数据。'"]) }}
            else {{ dbt.concat([
                'region_name', "'本月ARPU为'", number_text('arpu_yuan', 2), "'元，环比'",
                signed_number_text('arpu_change_yuan', 2), "'元'",
                "case when arpu_yuan_mom_pct is null then '' else "
                    ~ dbt.concat(["'（'", pct_text('arpu_yuan_mom_pct', signed=true), "'）'"]) ~ " end",
                "'。'",
            ]) }}
        end as sentence,
        cast(null as {{ dbt.type_string() }}) as mover_type,
        cast(null as {{ dbt.type_string() }}) as mover_code,
        cast(null as {{ dbt.type_string() }}) as mover_name,
        cast(null as {{ dbt.type_int() }}) as mover_rank,
        {{ commentary_figures(figures, {
            'arpu_yuan': 'arpu_yuan',
            'arpu_change_yuan': 'arpu_change_yuan',
            'arpu_mom_pct': 'case when arpu_change_yuan is not null then arpu_yuan_mom_pct end',
        }) }}
    from regions
    union all
    -- 1x 区域贡献, 2x 套餐贡献: largest movers first
    select
        period_month,
        region_level,
        region_code,
        case when mover_type = 'package' then 20 else 10 end + mover_rank as sentence_no,
        case when mover_type = 'package' then 'package_movers' else 'region_movers' end as topic,
        case when mover_type = 'package' then '套餐贡献' else '区域贡献' end as topic_zh,
        {{ dbt.concat([
            "case when mover_rank > 1 then '其次是' when mover_type = 'province'"
                ~ " then '收入变动最大的省份是' when mover_type = 'city' then '收入变动最大的地市是'"
                ~ " else '收入变动最大的套餐是' end",
            'mover_name', "'，环比'", change_words_yuan('revenue_change_yuan'),
            "case when revenue_mom_pct is null then '（上月无收入）' else "
                ~ dbt.concat(["'（'", pct_text('revenue_mom_pct', signed=true), "'）'"]) ~ " end",
            "case when volume_effect_yuan is null or price_effect_yuan is null then '。' else "
                ~ dbt.concat(["'，量效应'", yuan_text('volume_effect_yuan', signed=true),
                    "'、价效应'", yuan_text('price_effect_yuan', signed=true), "'。'"]) ~ " end",
        ]) }} as sentence,
        mover_type,
        mover_code,
        mover_name,
        mover_rank,
        {{ commentary_figures(figures, {
            'revenue_change_yuan': 'revenue_change_yuan',
            'revenue_mom_pct': 'revenue_mom_pct',
            'volume_effect_yuan': 'case when price_effect_yuan is not null then volume_effect_yuan end',
            'price_effect_yuan': 'case when volume_effect_yuan is not null then price_effect_yuan end',
        }) }}
    from movers
)

select
    -- keys
    s.period_month,
    s.region_level,
    s.region_code,
    s.sentence_no,
    -- dimensions
    r.prov_code,
    r.region_name,
    r.month_label,
    r.is_latest_month,
    s.topic,
    s.topic_zh,
    s.mover_type,
    s.mover_code,
    s.mover_name,
    s.mover_rank,
    -- the sentence
    s.sentence,
    -- the figures it quotes
    {% for name in figures -%}
    s.{{ name }}{{ "," if not loop.last }}
    {% endfor %}
from sentences as s
inner join regions as r
    on s.period_month = r.period_month
    and s.region_level = r.region_level
    and s.region_code = r.region_code
