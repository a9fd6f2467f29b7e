"""The star schema (models/marts/core) on a simulated warehouse: reconciled with the raw
extracts and the simulator's ground truth, SCD2 history consistent, 口径 as documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = pytest.mark.slow


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_churn_per_month_matches_simulator_truth(core_home: Any) -> None:
    manifest = json.loads((core_home.truth / "manifest.json").read_text(encoding="utf-8"))
    truth = {m["month"]: (m["subscribers"], m["churned"]) for m in manifest["monthly_churn"]}
    rows = query(
        core_home.db,
        """
        select cast(month_start as varchar),
               count(*) filter (where is_in_snapshot),
               count(*) filter (where is_churned)
        from main.fct_subscriber_month
        group by month_start
        """,
    )
    built = {month: (subs, churned) for month, subs, churned in rows}
    assert len(truth) == 13
    assert {m: built.get(m) for m in truth} == truth


def test_revenue_reconciles_with_raw_bills(core_home: Any) -> None:
    raw = core_home.home / "warehouse" / "raw" / "bill" / "*.parquet"
    expected = dict(
        query(
            core_home.db,
            f"select bill_month, sum(total_due_fen) from read_parquet('{raw}') group by 1",
        )
    )
    built = dict(
        query(
            core_home.db,
            "select month_start, cast(round(sum(revenue_yuan) * 100) as bigint) "
            "from main.fct_subscriber_month group by 1",
        )
    )
    assert expected and built == expected


def test_one_row_per_subscriber_month(core_db: Path) -> None:
    [(rows, keys, snapshot_rows)] = query(
        core_db,
        """
        select
            (select count(*) from main.fct_subscriber_month),
            (select count(distinct subs_id || '|' || cast(month_start as varchar))
             from main.fct_subscriber_month),
            (select count(*) from staging.stg_bss__subscribers)
        """,
    )
    assert rows == keys >= snapshot_rows > 0


def test_subscriber_history_is_as_was_in_facts_and_as_is_in_current_rows(core_db: Path) -> None:
    # Every fact row carries the version valid in its month: its package is the version's.
    [(mismatched, checked)] = query(
        core_db,
        """
        select count(*) filter (where f.package_code <> d.package_code
                                   or not (f.month_start >= d.valid_from
                                           and f.month_start < d.valid_to)),
               count(*)
        from main.fct_subscriber_month as f
        join main.dim_subscriber as d on f.subscriber_sk = d.subscriber_sk
        """,
    )
    assert checked > 0 and mismatched == 0
    # Subscribers who changed package have several versions, exactly one current, and the
    # current one carries the package of their latest snapshot.
    [(changed, wrong_current)] = query(
        core_db,
        """
        with latest as (
            select subs_id, package_code,
                   row_number() over (partition by subs_id order by snapshot_month desc) as rn
            from staging.stg_bss__subscribers
        )
        select count(distinct d.subs_id) filter (where d.version_no > 1),
               count(*) filter (where d.is_current and d.package_code <> l.package_code)
        from main.dim_subscriber as d
        join latest as l on d.subs_id = l.subs_id and l.rn = 1
        """,
    )
    assert changed > 0 and wrong_current == 0


def test_status_flags_follow_the_definitions(core_db: Path) -> None:
    [(bad_churn, bad_silent, bad_new, churned, new)] = query(
        core_db,
        """
        select
            count(*) filter (where is_churned <> (status in ('90', '91')
                and date_trunc('month', status_date) = month_start)),
            count(*) filter (where is_silent <> (status not in ('90', '91')
                and mou = 0 and dou_mb = 0 and sms_cnt = 0)),
            count(*) filter (where is_new <> (date_trunc('month', open_date) = month_start)),
            count(*) filter (where is_churned),
            count(*) filter (where is_new)
        from main.fct_subscriber_month
        where is_in_snapshot
        """,
    )
    assert (bad_churn, bad_silent, bad_new) == (0, 0, 0)
    assert churned > 0 and new > 0


def test_arrears_only_on_postpaid_bills_past_due(core_db: Path) -> None:
    [(arrears_rows, bad_rows, banded_wrongly)] = query(
        core_db,
        """
        select
            count(*) filter (where arrears_yuan > 0),
            count(*) filter (where arrears_yuan > 0
                and (pay_type <> '2' or due_date >= (select max(pay_date) from main.fct_payments)
                     or arrears_yuan > revenue_yuan)),
            count(*) filter (where (arrears_yuan > 0) <> (arrears_age_band is not null))
        from main.fct_subscriber_month
        """,
    )
    assert arrears_rows > 0
    assert bad_rows == 0 and banded_wrongly == 0


def test_calendar_knows_chinese_holidays(core_db: Path) -> None:
    rows = {
        str(d): (weekday, holiday, workday, spring)
        for d, weekday, holiday, workday, spring in query(
            core_db,
            """
            select date_day, weekday, is_holiday, is_workday, is_spring_festival_period
            from main.dim_date
            where date_day in ('2025-10-01', '2025-09-28', '2026-02-17', '2026-03-02')
            """,
        )
    }
    assert rows == {
        "2025-10-01": (3, True, False, False),  # 国庆节, a Wednesday
        "2025-09-28": (7, False, True, False),  # a Sunday worked in exchange (调休)
        "2026-02-17": (2, True, False, True),  # 春节 (Spring Festival day)
        "2026-03-02": (1, False, True, False),  # an ordinary Monday
    }


def test_channel_cohorts_are_tracked_at_three_and_six_months(core_db: Path) -> None:
    [(observed_m3, unobserved_m6_with_counts, alive_over_new)] = query(
        core_db,
        """
        select
            count(*) filter (where is_m3_observed and new_subs_cnt > 0),
            count(*) filter (where not is_m6_observed and alive_m6_cnt is not null),
            count(*) filter (where alive_m3_cnt > new_subs_cnt or alive_m6_cnt > new_subs_cnt)
        from main.fct_channel_month
        """,
    )
    assert observed_m3 > 0
    assert unobserved_m6_with_counts == 0 and alive_over_new == 0
