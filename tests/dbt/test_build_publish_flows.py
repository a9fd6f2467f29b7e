"""The build and publish flows end to end on the fixture raw layer (Prefect, dbt, DuckDB)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from jingfen.config import REPO_ROOT
from jingfen.dbt import DbtRunError


@pytest.mark.slow
def test_build_then_publish(raw_home: Path, prefect_harness: None) -> None:
    from flows.build import build_flow
    from flows.publish import publish_flow

    summary = build_flow(select="staging")
    # every staging model (BSS, ingest audit, HQ receipt: the flow initialises HQ's store)
    staged = len(list((REPO_ROOT / "models" / "staging").rglob("stg_*.sql")))
    assert summary["seed"]["nodes"] >= 8
    assert summary["build"]["by_type"]["model"] == staged
    assert summary["build"]["by_status"] == {
        "success": staged,
        "pass": summary["build"]["nodes"] - staged,
    }
    assert summary["seconds"] > 0

    published = publish_flow()
    assert published == raw_home / "warehouse" / "jingfen.duckdb"
    con = duckdb.connect(str(published), read_only=True)
    try:
        n = con.execute("select count(*) from staging.stg_bss__subscribers").fetchall()[0][0]
    finally:
        con.close()
    assert n == 6


@pytest.mark.slow
def test_build_flow_fails_on_a_failing_test(raw_home: Path, prefect_harness: None) -> None:
    from flows.build import build_flow

    bills = raw_home / "warehouse" / "raw" / "bill"
    src = bills / "BILL_44_202610_001.parquet"
    pq.write_table(pq.read_table(src), bills / "BILL_44_202610_002.parquet")  # duplicate keys
    with pytest.raises(DbtRunError, match="unique_combination_of_columns_stg_bss__bills"):
        build_flow(select="staging")


def test_missing_raw_interfaces(raw_home: Path) -> None:
    from jingfen.build_state import missing_raw_interfaces
    from jingfen.config import Paths

    paths = Paths(raw_home)
    assert missing_raw_interfaces(paths) == []
    for f in (paths.raw / "cmpl").glob("*.parquet"):
        f.unlink()
    assert missing_raw_interfaces(paths) == ["CMPL"]
