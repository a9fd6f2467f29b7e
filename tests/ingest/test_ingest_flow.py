"""The real Prefect flow end to end, on a handful of files and on a small simulated set."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from testkit.ingest import codes_from_seeds, rows, write_extract

from jingfen.config import REPO_ROOT, beijing_today, settings
from jingfen.extracts import write_control
from jingfen.ingest import LoadContext, run_load
from jingfen.interfaces import INTERFACES

REPO_SEEDS = REPO_ROOT / "seeds"


def test_flow_end_to_end(prefect_harness, jingfen_home: Path) -> None:
    from flows.ingest import ingest_flow

    codes = codes_from_seeds(REPO_SEEDS)
    landing = settings().paths.landing
    write_extract(landing, "SUBS_11_202601_001.dat", rows("SUBS", 40, codes))
    write_extract(landing, "SUBS_11_202602_001.dat.gz", rows("SUBS", 41, codes))
    write_extract(landing, "CUST_11_202601_001.dat", rows("CUST", 20, codes), encoding="GBK")
    bad = rows("BILL", 30, codes)
    bad[2][INTERFACES["BILL"].names.index("due_date")] = "20260230"
    write_extract(landing, "BILL_11_202601_001.dat", bad)
    write_extract(landing, "EVNT_11_20260105_001.dat", rows("EVNT", 10, codes), control=False)

    summary = ingest_flow()
    assert summary["loaded"] == 4 and summary["rejected"] == 0
    assert summary["rows_loaded"] == 40 + 41 + 20 + 29 and summary["rows_rejected"] == 1
    assert summary["load_id"].startswith("L")
    # the EVNT file has no control file yet: it waits in landing/, reported in the summary
    assert summary["waiting"] == 1
    (w,) = summary["waiting_files"]
    assert (w["file"], w["waiting_for"]) == ("EVNT_11_20260105_001.dat", "its control file")
    paths = settings().paths
    assert [p.name for p in paths.landing.iterdir()] == ["EVNT_11_20260105_001.dat"]
    n = duckdb.sql(f"select count(*) from '{paths.raw}/subs/*.parquet'").fetchall()[0][0]
    assert n == 81

    # a second run over the same (re-delivered) file is a duplicate; the EVNT control file has
    # arrived, so the pair loads; nothing is left open
    write_extract(landing, "SUBS_11_202601_001.dat", rows("SUBS", 40, codes))
    write_control(landing / "EVNT_11_20260105_001.dat", 10, "UTF-8", "20260105")
    again = ingest_flow()
    assert again["duplicate"] == 1 and again["loaded"] == 1 and again["files"] == 2
    assert again["waiting"] == 0 and not any(paths.landing.iterdir())
    with duckdb.connect(str(paths.ingest_db)) as con:  # read-write: nobody holds it open
        assert con.execute(
            "select count(*) from load_runs where finished_at is null"
        ).fetchall() == [(0,)]


def test_simulated_extracts_load_with_zero_rejects(jingfen_home: Path) -> None:
    """The simulator's calendar anchored to today -- 13 complete months ending with the last
    one, then the first days of this month as daily increments -- loads whole on the worst
    day for the period window: the 1st, when the increment days run up to two days past the
    business date (the default tolerance is 3 days)."""
    simulate = pytest.importorskip("simulator.generate").simulate
    from simulator.config import SimConfig

    this_month = beijing_today().replace(day=1)
    start_index = this_month.year * 12 + this_month.month - 1 - 13
    start = f"{start_index // 12}-{start_index % 12 + 1:02d}"
    paths = settings().paths
    simulate(
        SimConfig(subscribers=1500, provinces=("44", "11"), months=13, days=3, start=start),
        paths.landing,
        paths.truth,
    )
    ctx = LoadContext.from_settings(seeds_dir=REPO_SEEDS)
    ctx = replace(ctx, business_date=this_month, history_start_month=start.replace("-", ""))
    t0 = time.perf_counter()
    summary = run_load(ctx)
    seconds = time.perf_counter() - t0
    with duckdb.connect(str(paths.ingest_db), read_only=True) as con:
        bad = con.execute(
            "select file_name, reason from load_audit where status <> 'loaded' limit 5"
        ).fetchall()
        rules = con.execute(
            "select rule, column_name, count(*), min(file_name), min(message) from load_rejects "
            "group by all order by 3 desc limit 5"
        ).fetchall()
    assert bad == [] and rules == []
    assert summary["rejected"] == 0 and summary["rows_rejected"] == 0
    assert summary["duplicate"] == 0 and summary["waiting"] == 0
    assert summary["files"] > 50 and summary["rows_loaded"] > 10_000
    print(
        f"simulated set: {summary['files']} files, {summary['rows_loaded']} rows, {seconds:.1f} s"
    )
