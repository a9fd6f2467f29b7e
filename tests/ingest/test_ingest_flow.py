"""The real Prefect flow end to end, on a handful of files and on a small simulated set."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import codes_from_seeds, rows, write_extract

from jingfen.config import REPO_ROOT, settings
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
    assert summary["loaded"] == 4 and summary["rejected"] == 1
    assert summary["rows_loaded"] == 40 + 41 + 20 + 29 and summary["rows_rejected"] == 1
    assert summary["load_id"].startswith("L")
    paths = settings().paths
    assert not any(paths.landing.iterdir())
    assert (paths.quarantine / summary["load_id"] / "EVNT_11_20260105_001.dat.reason.txt").exists()
    n = duckdb.sql(f"select count(*) from '{paths.raw}/subs/*.parquet'").fetchall()[0][0]
    assert n == 81

    # a second run over the same (re-delivered) file is a duplicate, and nothing is left open
    write_extract(landing, "SUBS_11_202601_001.dat", rows("SUBS", 40, codes))
    again = ingest_flow()
    assert again["duplicate"] == 1 and again["files"] == 1
    with duckdb.connect(str(paths.ingest_db)) as con:  # read-write: nobody holds it open
        assert con.execute(
            "select count(*) from load_runs where finished_at is null"
        ).fetchall() == [(0,)]


def test_simulated_extracts_load_with_zero_rejects(jingfen_home: Path) -> None:
    simulate = pytest.importorskip("simulator.generate").simulate
    from simulator.config import SimConfig

    paths = settings().paths
    simulate(
        SimConfig(subscribers=1500, provinces=("44", "11"), months=13, days=2),
        paths.landing,
        paths.truth,
    )
    t0 = time.perf_counter()
    summary = run_load(LoadContext.from_settings(seeds_dir=REPO_SEEDS))
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
    assert summary["files"] > 50 and summary["rows_loaded"] > 10_000
    print(
        f"simulated set: {summary['files']} files, {summary['rows_loaded']} rows, {seconds:.1f} s"
    )
