"""Recall of the simulator's planted incidents by the hot-spot and daily-monitoring marts (and
the revenue and channel marts for the kinds they own), measured on the standard test set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from testkit.marts_recall import Alert, Incident, measure, measure_home
from testkit.warehouse import StandardWarehouse

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

OUTAGE = Incident("cell_outage", "44", "4401", "C1", "", date(2026, 3, 14), date(2026, 3, 16))
DIP = Incident("revenue_dip", "44", "", "", "", date(2026, 4, 1), date(2026, 4, 30))


def alert(
    kind: str,
    level: str,
    code: str,
    start: date,
    *,
    cell: str | None = None,
    prov: str = "44",
    city: str | None = None,
) -> Alert:
    return Alert("test", kind, level, code, prov, city, cell, None, start, start)


def test_matching_needs_kind_place_and_dates() -> None:
    alerts = [
        alert(
            "cell_outage", "cell", "C1", date(2026, 3, 18), cell="C1", city="4401"
        ),  # 2 days late
        alert("cell_outage", "cell", "C1", date(2026, 3, 17), cell="C1", city="4401"),  # 1: slack
        alert("cell_outage", "city", "4403", date(2026, 3, 15), city="4403"),  # wrong city
        alert("revenue_dip", "province", "44", date(2026, 5, 5)),  # the month after
        alert("billing_error", "province", "11", date(2026, 2, 1), prov="11"),  # nothing planted
    ]
    rep = measure([OUTAGE, DIP], alerts)
    assert rep.found == [OUTAGE]
    assert rep.missed == [DIP]
    assert rep.recall == 0.5
    assert {ep[0] for ep in rep.false_alarm_episodes} == {
        "cell_outage",
        "revenue_dip",
        "billing_error",
    }
    assert rep.found_by[OUTAGE] == {"test"}


def test_province_alert_on_an_outage_is_explained_but_does_not_find_it() -> None:
    rep = measure([OUTAGE], [alert("cell_outage", "province", "44", date(2026, 3, 15))])
    assert rep.recall == 0.0
    assert not rep.false_alarm_episodes


def test_a_fraud_dealer_flagged_after_its_last_batch_is_no_false_alarm() -> None:
    dealer = Incident("fraud_dealer", "11", "1101", "", "Q1", date(2026, 1, 1), date(2026, 4, 30))
    late = Alert(
        "channel_month",
        "fraud_dealer",
        "city",
        "1101",
        "11",
        "1101",
        None,
        "Q1",
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    other = Alert(
        "channel_month",
        "fraud_dealer",
        "city",
        "1101",
        "11",
        "1101",
        None,
        "Q2",
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    rep = measure([dealer], [late, other])
    assert rep.recall == 0.0  # June is after the incident: it explains, it does not find
    assert rep.false_alarm_episodes == {("fraud_dealer", "city", "Q2", "2026-02")}


@pytest.mark.slow
def test_planted_incidents_are_found_with_few_false_alarms(
    marts_home: Path, standard_warehouse: StandardWarehouse
) -> None:
    rep = measure_home(marts_home)
    report = "\n".join(rep.lines() + [f"build timings (s): {standard_warehouse.timings}"])
    print(report)
    ARTIFACTS.mkdir(exist_ok=True)  # not into the shared home, which tests only read
    (ARTIFACTS / "marts_recall.txt").write_text(report + "\n", encoding="utf-8")
    kinds = {i.kind for i in rep.incidents}
    assert {"cell_outage", "billing_error", "revenue_dip", "fraud_dealer"} <= kinds
    assert rep.recall >= 0.9, report
    assert len(rep.false_alarm_episodes) <= 3, report
    # the hot-spot and daily-monitoring marts on their own find the outages
    found, total = rep.recall_by({"complaint_hotspot", "daily_kpi", "cell_day"}, {"cell_outage"})
    assert found >= 0.9 * total, report
    for kind in kinds:
        found, total = rep.recall_by(
            {
                a
                for a in (
                    "complaint_hotspot",
                    "daily_kpi",
                    "cell_day",
                    "channel_month",
                    "revenue_month",
                    "revenue_structure_month",
                )
            },
            {kind},
        )
        assert found >= 1, f"no {kind} incident found:\n{report}"
