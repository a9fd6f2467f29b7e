"""The nightly build (`jingfen build --changed`): only what the night's files can change is
rebuilt, the daily models process only the new day, and the warehouse then equals a full
refresh of the same inputs, table for table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.warehouse.test_core_incremental import home_with_last_day_held

pytestmark = pytest.mark.slow

SCHEMAS = ("main", "staging", "intermediate")


def all_tables(db: Path) -> dict[str, pd.DataFrame]:
    """Every table the build wrote, sorted so that row order does not matter."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            f"where schema_name in {SCHEMAS} order by 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select * from {s}."{t}" order by all').df() for s, t in names
        }


def test_changed_build_rebuilds_only_what_new_files_touch_and_equals_full_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None
) -> None:
    from flows.build import build_flow
    from flows.ingest import ingest_flow
    from jingfen.build_state import state_path

    paths, last_day = home_with_last_day_held(tmp_path, monkeypatch)

    # No build state yet: a changed-only build is a full one.
    ingest_flow()
    first = build_flow(changed_only=True)
    assert first["select"] is None and "no previous build" in first["why"]
    assert json.loads(state_path(paths).read_text())["audit_watermark"]

    db = paths.build_db
    with duckdb.connect(str(db)) as con:
        # Markers on old rows: a build that recomputed them would wipe the markers.
        con.execute("update staging.stg_bss__payments set source_line = -1")
        # (baseline_sd is read by nothing downstream, so the marker does not spread)
        con.execute("update main.mart_daily_kpi set baseline_sd = -1")
        assert con.execute("select max(stat_date) from main.mart_daily_kpi").fetchone()[0] < (
            pd.Timestamp(last_day).date()
        )

    # The last day's files arrive (daily interfaces only).
    for f in (tmp_path / "held").iterdir():
        shutil.move(f, paths.landing / f.name)
    ingest_flow()
    nightly = build_flow(changed_only=True)
    selected = nightly["select"].split()
    # the day is after the month close: the walk from the daily interfaces stops at the
    # month facts instead of selecting everything downstream (source:raw.paym+)
    assert not any(s.startswith("source:raw.") for s in selected)
    assert {"stg_bss__payments", "fct_payments", "mart_daily_kpi"} <= set(selected)
    assert "new files for" in nightly["why"] and "after the month close" in nightly["why"]

    # the month chain and its inputs were not rebuilt; the daily models were
    run = json.loads((paths.dbt / "target" / "run_results.json").read_text())
    built = {r["unique_id"].split(".")[-1] for r in run["results"]}
    month_chain = {
        "int_bills_settled",
        "int_subscriber_months_assembled",
        "fct_subscriber_month",
        "int_subscriber_months_segmented",
        "mart_revenue_region_month",
        "mart_payment_month",
        "mart_complaint_month",
        "ml_churn_features",
    }
    assert not built & month_chain
    assert not built & {"stg_bss__subscribers", "dim_subscriber", "stg_bss__bills", "dim_channel"}
    assert {
        "stg_bss__payments",
        "fct_daily_usage",
        "mart_daily_kpi",
        "mart_indicator_values",
    } <= built

    with duckdb.connect(str(db)) as con:

        def count(sql: str, *params: object) -> int:
            return con.execute(sql, list(params)).fetchone()[0]

        # old staged files and old KPI days were kept
        assert count("select count(*) from staging.stg_bss__payments where source_line = -1") > 0
        assert (
            count(
                "select count(*) from staging.stg_bss__payments where source_line <> -1 "
                "and cast(pay_time as date) < cast(? as date)",
                last_day,
            )
            == 0
        )
        assert count("select count(*) from main.mart_daily_kpi where baseline_sd = -1") > 0
        # ... and the new day is in: staged, in the daily facts and in the monitoring mart
        new_kpis = count(
            "select count(*) from main.mart_daily_kpi where stat_date = cast(? as date)", last_day
        )
        assert new_kpis > 0
        assert (
            count(
                "select count(*) from main.mart_daily_kpi where stat_date = cast(? as date) "
                "and baseline_sd = -1",
                last_day,
            )
            == 0
        )
        assert count(
            "select count(*) from staging.stg_bss__payments where cast(pay_time as date) = ?",
            last_day,
        ) == count(
            "select count(*) from main.fct_payments where pay_date = cast(? as date)", last_day
        )

    # Nothing new: only the load-audit models are refreshed.
    idle = build_flow(changed_only=True)
    assert idle["select"] == "source:ingest+" and "no new files" in idle["why"]

    # Undo the markers by rebuilding those old rows from a full refresh and compare everything.
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update staging.stg_bss__payments as s set source_line = r.source_line "
            "from (select pay_id, _file as source_file, _line as source_line "
            "from read_parquet(?)) as r "
            "where s.pay_id = r.pay_id and s.source_file = r.source_file",
            [str(paths.raw / "paym" / "*.parquet")],
        )
    with duckdb.connect(str(db), read_only=True) as con:
        marked_kpi_days = {
            r[0]
            for r in con.execute(
                "select distinct stat_date from main.mart_daily_kpi where baseline_sd = -1"
            ).fetchall()
        }
    assert marked_kpi_days and pd.Timestamp(last_day).date() not in marked_kpi_days
    incremental = all_tables(db)

    build_flow(full_refresh=True)
    full = all_tables(db)
    assert set(incremental) == set(full)
    for name, frame in full.items():
        inc = incremental[name]
        if name == "main.mart_daily_kpi":
            # the old days carry the marker in baseline_sd; everything else must agree
            old = pd.to_datetime(inc["stat_date"]) < pd.Timestamp(last_day)
            assert old.any() and (inc.loc[old, "baseline_sd"] == -1).all()
            inc.loc[old, "baseline_sd"] = frame.loc[old.values, "baseline_sd"].values
            # old days keep the watermark of the build that computed them
            assert (
                inc.loc[old, "inputs_loaded_at"] < inc.loc[~old, "inputs_loaded_at"].min()
            ).all()
            inc.loc[old, "inputs_loaded_at"] = frame.loc[old.values, "inputs_loaded_at"].values
        pd.testing.assert_frame_equal(
            inc.reset_index(drop=True),
            frame.reset_index(drop=True),
            check_exact=False,
            rtol=1e-9,
            obj=name,
        )
