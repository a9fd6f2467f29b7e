{#- Terminals (brand + model) seen on subscribers; "unknown" when the BSS has no terminal. -#}

with

snapshots as (
    select * from {{ ref('stg_bss__subscribers') }}
),

terminals as (
    select
        terminal_brand,
        terminal_model,
        max(case when is_5g_terminal then 1 else 0 end) as is_5g_int,
        count(distinct subs_id) as subscriber_cnt,
        min(snapshot_month) as first_seen_month
    from snapshots
    group by terminal_brand, terminal_model
)

select
    -- ids
    {{ hash_columns(['terminal_brand', 'terminal_model']) }} as terminal_key,
    -- attributes
    coalesce(terminal_brand, 'unknown') as terminal_brand,
    coalesce(terminal_model, 'unknown') as terminal_model,
    terminal_brand is null and terminal_model is null as is_unknown,
    is_5g_int = 1 as is_5g_terminal,
    -- metadata
    subscriber_cnt,
    first_seen_month
from terminals
