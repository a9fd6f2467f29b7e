"""jingfen.dbt.run_dbt: environment, vars, logging, and failures that raise."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jingfen.dbt import DbtRunError, run_dbt


def test_failing_test_raises_and_names_the_node(raw_home: Path) -> None:
    # A second copy of a subscriber snapshot file under another SEQ repeats every key.
    subs = raw_home / "warehouse" / "raw" / "subs"
    src = subs / "SUBS_44_202610_001.parquet"
    pq.write_table(pq.read_table(src), subs / "SUBS_44_202610_002.parquet")

    run_dbt(["seed", "--select", "packages", "provinces", "regions", "code_values"])
    with pytest.raises(DbtRunError) as exc:
        run_dbt(["build", "--select", "stg_bss__subscribers", "--indirect-selection", "cautious"])

    err = exc.value
    ids = [f.unique_id for f in err.failures]
    assert any("unique_combination_of_columns_stg_bss__subscribers" in i for i in ids), ids
    assert all(f.status == "fail" for f in err.failures)
    assert "node(s) failed" in str(err) and "stg_bss__subscribers" in str(err)
    # the salt is never echoed in the error
    assert "<vars>" in str(err)


def test_compilation_error_raises_with_dbts_message(use_built_home: Path) -> None:
    with pytest.raises(DbtRunError) as exc:
        run_dbt(["show", "--inline", "select {{ no_such_macro_here() }} as x"])
    assert "no_such_macro_here" in str(exc.value)


def test_events_go_to_the_logger_and_paths_under_home(raw_home: Path) -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    log = logging.getLogger("test-dbt-events")
    log.setLevel(logging.DEBUG)
    log.addHandler(Collect())
    res = run_dbt(["seed", "--select", "provinces"], logger=log)

    assert res.success
    messages = [r.getMessage() for r in records]
    assert any("provinces" in m for m in messages), messages[:20]
    assert not any("START" in m for m in messages)  # start lines are skipped
    assert (raw_home / "dbt" / "target" / "run_results.json").exists()
    assert (raw_home / "dbt" / "logs" / "dbt.log").exists()
    assert (raw_home / "warehouse" / "build" / "jingfen.duckdb").exists()
    assert not (Path(__file__).resolve().parents[2] / "target").exists()


def test_database_is_released_after_each_command(raw_home: Path) -> None:
    import duckdb

    run_dbt(["seed", "--select", "provinces"])
    db = raw_home / "warehouse" / "build" / "jingfen.duckdb"
    # another connection in this process, with another configuration, can open it now ...
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from main.provinces").fetchall()[0][0] == 31
    finally:
        con.close()
    # ... and everything was checkpointed into the file (publish copies the file alone)
    wal = db.with_name(db.name + ".wal")
    assert not wal.exists() or wal.stat().st_size == 0
