"""The nightly pipeline end to end on a small simulated set, and again with nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest


def _figures(db: Path) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "indicators": con.execute(
                "select count(*), round(sum(value), 2) from mart_indicator_values"
            ).fetchall()[0],
            "revenue": con.execute("select sum(revenue_yuan) from fct_subscriber_month").fetchall()[
                0
            ][0],
            "scores": con.execute("select count(*) from mart_churn_scores").fetchall()[0][0],
            "hq_accepted": con.execute(
                "select count(*) from mart_hq_submissions where status = 'accepted'"
            ).fetchall()[0][0],
            "hq_periods": con.execute(
                "select period, is_late from mart_hq_submissions where status = 'accepted' "
                "order by period"
            ).fetchall(),
        }
    finally:
        con.close()


@pytest.mark.slow
def test_nightly_runs_every_step_and_reruns_idempotently(jingfen_home, prefect_harness):
    from flows.nightly import nightly_flow
    from jingfen.config import settings
    from simulator.config import SimConfig
    from simulator.generate import simulate

    paths = settings().paths
    simulate(
        SimConfig(subscribers=1200, provinces=("44", "11"), months=13, days=2),
        paths.landing,
        paths.truth,
    )

    first = nightly_flow()
    assert first["ingest"]["rejected"] == 0 and first["ingest"]["loaded"] > 0
    assert first["champion"]
    assert first["reports"] == {}, "no Superset runs in this home: the 日报 step sends nothing"
    db = paths.published_db
    assert db.exists()
    before = _figures(db)
    assert before["scores"] > 0, "the champion scored nobody"
    assert before["revenue"] and before["revenue"] > 0
    assert before["hq_accepted"] == 4, "both provinces' monthly and daily packages reach HQ"
    # The default calendar is anchored to today: last month is the newest complete month and
    # tonight's run delivers it (and this month's newest day) before they are due.
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y%m")
    periods = {period for period, _ in before["hq_periods"]}
    assert last_month in periods, f"last month {last_month} not uploaded: {periods}"
    assert not [p for p, late in before["hq_periods"] if late], before["hq_periods"]
    assert not list(paths.landing.glob("*.dat")), "every delivered file was archived or quarantined"

    # Nothing new delivered: a second night changes no figure.
    second = nightly_flow()
    assert second["champion"] == first["champion"]
    assert _figures(db) == before
