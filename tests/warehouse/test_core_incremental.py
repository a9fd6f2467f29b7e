"""Incremental daily facts: a daily run processes only the days that received new files, and
the result is identical to a full refresh."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = pytest.mark.slow

DAILY_FACTS = {"fct_daily_usage": "usage_date", "fct_cell_day": "stat_date"}
SELECT = ["--select", *(f"+{name}" for name in DAILY_FACTS)]


def table_rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            name: con.execute(f"select * from main.{name} order by all").fetchall()
            for name in DAILY_FACTS
        }


def hold_back_last_day(landing: Path, held: Path) -> str:
    """Move the last day's daily delivery (every interface) out of the landing folder."""
    from jingfen.extracts import ExtractName

    names = [ExtractName.parse(p.name) for p in landing.iterdir() if ".dat" in p.name]
    last = max(n.period for n in names if n.is_daily)
    held.mkdir()
    for n in names:
        if n.period == last:
            for name in (n.data_name, n.control_name):
                shutil.move(landing / name, held / name)
    return last


def home_with_last_day_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """A JINGFEN_HOME with 300 simulated subscribers (Guangdong, 2 months + 2 days) in landing/,
    the last day's files moved to ``tmp_path/held``; returns the paths and that day (ISO)."""
    from jingfen.config import settings
    from simulator.config import SimConfig
    from simulator.generate import simulate

    monkeypatch.setenv("JINGFEN_HOME", str(tmp_path / "home"))
    paths = settings().paths.ensure()
    simulate(
        SimConfig(subscribers=300, provinces=("44",), months=2, days=2, usage_days=3),
        paths.landing,
        paths.truth,
    )
    last = hold_back_last_day(paths.landing, tmp_path / "held")
    return paths, f"{last[:4]}-{last[4:6]}-{last[6:]}"


def test_incremental_run_processes_new_days_only_and_equals_full_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from flows.ingest import ingest_flow
    from jingfen.dbt import run_dbt

    paths, last_day = home_with_last_day_held(tmp_path, monkeypatch)

    # Day 1: the first build holds every day but the last.
    ingest_flow()
    run_dbt(["run", *SELECT])
    db = paths.build_db
    with duckdb.connect(str(db)) as con:
        first_day = con.execute("select min(usage_date) from main.fct_daily_usage").fetchall()[0][0]
        assert (
            str(con.execute("select max(usage_date) from main.fct_daily_usage").fetchall()[0][0])
            < last_day
        )
        # A marker on an old day: a run that reprocessed old days would wipe it.
        con.execute("update main.fct_daily_usage set mou = -1 where usage_date = ?", [first_day])
        marked = con.execute("select count(*) from main.fct_daily_usage where mou = -1").fetchall()[
            0
        ][0]
    assert marked > 0

    # Day 2: the last day's files arrive; the incremental run adds that day only.
    for f in (tmp_path / "held").iterdir():
        shutil.move(f, paths.landing / f.name)
    ingest_flow()
    run_dbt(["run", *SELECT])
    with duckdb.connect(str(db)) as con:
        still_marked = con.execute(
            "select count(*) from main.fct_daily_usage where mou = -1"
        ).fetchall()[0][0]
        assert still_marked == marked, "the incremental run reprocessed an old day"
        for name, day_column in DAILY_FACTS.items():
            [(added, staged)] = con.execute(
                f"""
                select
                    (select count(*) from main.{name} where {day_column} = cast(? as date)),
                    (select count(*) from staging.stg_bss__{"daily_usage" if name == "fct_daily_usage" else "cell_kpis"}
                     where {day_column} = cast(? as date))
                """,
                [last_day, last_day],
            ).fetchall()
            assert added == staged > 0, f"{name}: {added} rows for {last_day}, staged {staged}"
        # Put the marked rows back as staged, then compare with a full rebuild.
        con.execute(
            """
            update main.fct_daily_usage as f set mou = s.mou
            from staging.stg_bss__daily_usage as s
            where f.subs_id = s.subs_id and f.usage_date = s.usage_date and f.mou = -1
            """
        )
    incremental = table_rows(db)

    run_dbt(["run", "--full-refresh", *SELECT])
    full_refresh = table_rows(db)
    for name in DAILY_FACTS:
        assert incremental[name] == full_refresh[name], f"{name} differs after a full refresh"
    run_dbt(["test", "--select", "core_daily_facts_match_staging"])
