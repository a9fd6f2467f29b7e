"""The customer-service marts (marts/service/) against the simulator's truth on the standard
test set: enquiry surges found by the hot-spot mart, the call centre's behaviour by tier, the
key accounts' SLA breaches, and work orders reconciled with the staged rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from testkit.service_recall import measure, measure_home


def test_surge_matching_needs_city_topic_and_dates() -> None:
    surges = pd.DataFrame(
        {
            "kind": ["enquiry_surge", "enquiry_surge", "cell_outage"],
            "city_code": ["4401", "4403", "4405"],
            "ivr_node": ["11", "12", "21"],
            "start_date": ["2026-03-10", "2026-04-01", "2026-05-01"],
            "end_date": ["2026-03-12", "2026-04-02", "2026-05-03"],
        }
    )
    hot = pd.DataFrame(
        {
            "stat_date": ["2026-03-14", "2026-04-10", "2026-05-02", "2026-06-01"],
            "city_code": ["4401", "4403", "4405", "4401"],
            "ivr_node": ["11", "12", "21", "13"],
        }
    )
    rep = measure(surges, hot)
    assert rep.found == [0]  # two days after the end still counts; eight days does not
    assert rep.recall == 0.5
    # the outage's fault calls are explained; the late row and the other topic are not
    assert rep.false_alarm_episodes == {("4403", "12", "2026-04"), ("4401", "13", "2026-06")}


@pytest.mark.slow
def test_planted_enquiry_surges_are_found_with_few_false_alarms(marts_home: Path) -> None:
    rep = measure_home(marts_home)
    report = "\n".join(rep.lines())
    print(report)
    assert len(rep.planted) >= 4, report
    assert rep.recall >= 0.9, report
    assert len(rep.false_alarm_episodes) <= 3, report


@pytest.mark.slow
def test_tiers_get_the_service_the_simulator_gave_them(
    marts_home: Path, marts_db: duckdb.DuckDBPyConnection
) -> None:
    truth = pd.read_csv(marts_home / "truth" / "service_tiers.csv", dtype={"vip_level": str})
    got = marts_db.execute(
        """
        select vip_level, sum(offered_calls) as offered,
            100.0 * sum(answered_calls) / sum(offered_calls) as answered_pct,
            100.0 * sum(answered_in_time_calls) / sum(offered_calls) as answer_15s_pct
        from mart_hotline_day
        where region_level = 'national' and vip_level <> 'all'
        group by vip_level order by vip_level
        """
    ).df()
    both = got.merge(truth, on="vip_level")
    assert len(both) == 4
    for r in both.itertuples():
        if r.offered < 200:
            continue
        tol = 4 * (100 / r.offered**0.5)  # four binomial spreads at p = 1/2, in points
        assert abs(r.answered_pct - r.expected_answered_pct) < tol, both
        assert abs(r.answer_15s_pct - r.expected_answer_15s_pct) < tol, both
    # routing priority: the better the tier, the faster it is answered
    assert both["answer_15s_pct"].is_monotonic_increasing, both


@pytest.mark.slow
def test_national_is_the_sum_of_provinces_and_of_the_staged_calls(
    marts_db: duckdb.DuckDBPyConnection,
) -> None:
    calls = marts_db.execute(
        "select count(*), count(*) filter (where is_answered) from staging.stg_bss__hotline_calls"
    ).fetchall()[0]
    levels = marts_db.execute(
        """
        select region_level, sum(calls), sum(answered_calls) from mart_hotline_day
        where vip_level = 'all' group by region_level
        """
    ).fetchall()
    assert {lvl: (c, a) for lvl, c, a in levels} == {
        "national": calls,
        "province": calls,
        "city": calls,
    }
    # monthly marts cover the months with a subscriber snapshot (the month close)
    orders = marts_db.execute(
        """
        select count(*) from staging.stg_bss__work_orders
        where create_time < (
            select max(month_start) + interval 1 month from fct_subscriber_month
        )
        """
    ).fetchall()[0][0]
    by = marts_db.execute(
        """
        select breakdown, sum(orders) from mart_work_order_month
        where region_level = 'national' group by breakdown
        """
    ).fetchall()
    assert dict(by) == {b: orders for b in ("total", "order_type", "department", "vip_level")}


@pytest.mark.slow
def test_sla_breaches_are_the_planted_and_the_real_ones(
    marts_home: Path, marts_db: duckdb.DuckDBPyConnection
) -> None:
    truth = pd.read_csv(marts_home / "truth" / "sla_breaches.csv", dtype=str)
    assert (truth["planted"] == "True").sum() >= 3
    got = marts_db.execute(
        """
        select circuit_id, cast(period_month as varchar) as month
        from mart_key_account_sla_month where is_sla_breach
        """
    ).df()
    assert set(zip(got["circuit_id"], got["month"], strict=True)) == set(
        zip(truth["circuit_id"], truth["month"], strict=True)
    )


@pytest.mark.slow
def test_agent_occupancy_is_the_simulators_true_occupancy(
    marts_home: Path, marts_db: duckdb.DuckDBPyConnection
) -> None:
    """坐席利用率 from the agent sessions (AGNT) and the calls equals the truth per province and
    day; the national and monthly figures divide the sums (not average the ratios)."""
    truth = pd.read_csv(marts_home / "truth" / "agent_occupancy.csv", dtype={"prov_code": str})
    got = marts_db.execute(
        """
        select cast(stat_date as varchar) as stat_date, prov_code, agents_on_duty,
            staffed_seconds, break_seconds, available_seconds, handle_seconds, occupancy_pct
        from mart_hotline_agents_day where region_level = 'province'
        """
    ).df()
    both = truth.merge(got, on=["stat_date", "prov_code"], how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"].head()
    assert len(both) > 3 * 300  # three provinces, every day of 13 months
    assert (both["agents"] == both["agents_on_duty"]).all()
    assert (both["logged_in_seconds"] == both["staffed_seconds"]).all()
    assert (both["break_seconds_x"] == both["break_seconds_y"]).all()
    assert (both["handle_seconds_x"] == both["handle_seconds_y"]).all()
    off = (both["occupancy_pct_x"] - both["occupancy_pct_y"]).abs()
    assert off.max() < 1e-3, both.loc[off.idxmax()]
    # not a full 8-hour shift per agent any more: the logged-in time less the breaks
    assert (both["available_seconds"] < both["staffed_seconds"]).all()
    national = marts_db.execute(
        """
        select cast(stat_date as varchar) as stat_date, occupancy_pct
        from mart_hotline_agents_day where region_level = 'national'
        """
    ).df()
    sums = truth.groupby("stat_date")[
        ["handle_seconds", "logged_in_seconds", "break_seconds"]
    ].sum()
    expected = 100 * sums["handle_seconds"] / (sums["logged_in_seconds"] - sums["break_seconds"])
    n = national.set_index("stat_date")["occupancy_pct"]
    assert set(n.index) == set(expected.index)
    assert ((n - expected[n.index]).abs() < 1e-6).all()
    month = marts_db.execute(
        """
        select sum(agent_handle_seconds), sum(available_seconds), max(occupancy_pct)
        from mart_hotline_month
        where region_level = 'national' and vip_level = 'all'
            and period_month = date '2026-03-01'
        """
    ).fetchall()[0]
    march = truth[truth["stat_date"].str.startswith("2026-03")]
    assert month[0] == march["handle_seconds"].sum()
    assert month[1] == march["logged_in_seconds"].sum() - march["break_seconds"].sum()
    assert month[2] == pytest.approx(100 * month[0] / month[1])
