{#- Status flags of a subscriber-month (口径 in docs/warehouse.md "Definitions"):
    new       = opened in the month;
    churned   = status 90 (拆机) or 91 (携号转出) at month end, changed in that month;
    in service (在网) = not 90/91 at month end (suspended 20/21 still count);
    active    = in service with any voice, data or SMS use;
    silent    = in service with zero MOU, zero data and zero SMS (沉默). -#}

with

subscriber_months as (
    select * from {{ ref('int_subscriber_months_assembled') }}
),

flagged as (
    select
        *,
        coalesce(status not in ('90', '91'), false) as is_in_service,
        coalesce(
            status in ('90', '91')
            and status_date >= month_start
            and status_date < {{ add_months('month_start', 1) }},
            false
        ) as is_churned,
        coalesce(
            open_date >= month_start and open_date < {{ add_months('month_start', 1) }},
            false
        ) as is_new,
        (mou > 0 or dou_mb > 0 or sms_cnt > 0) as has_usage
    from subscriber_months
)

select
    *,
    is_in_service and has_usage as is_active,
    is_in_service and not has_usage as is_silent,
    is_churned and status = '91' as is_ported_out,
    is_churned and status = '90' as is_cancelled
from flagged
