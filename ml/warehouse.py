"""Reading the warehouse and writing the score tables (schema ``ml``) of the build database.

ml/ writes only the tables of schema ``ml`` (churn_scores, channel_ratings, channel_fraud_flags,
score_drift, retention_rules); dbt reads them back through the documented sources in
marts/scores/. DuckDB allows one writer: never run this while dbt builds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from jingfen.config import settings

SCHEMA = "ml"


def month_start(value: str | None) -> date | None:
    """A month given as ``2026-03`` (a day after it is ignored) as its first day; None for
    no month (the latest one)."""
    if not value:
        return None
    try:
        y, m = value.split("-")[:2]
        return date(int(y), int(m), 1)
    except ValueError:
        raise ValueError(f"{value!r} is not a month like 2026-03") from None


def build_db() -> Path:
    return settings().paths.build_db


@contextmanager
def connect(
    read_only: bool = False, path: Path | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    db = path or build_db()
    if read_only and not db.exists():
        raise FileNotFoundError(
            f"the warehouse {db} does not exist yet: run `jingfen build` (or the nightly flow) first"
        )
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=read_only, config={"threads": 2})
    try:
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(rows[0][0])


def read_table(con: duckdb.DuckDBPyConnection, schema: str, name: str, hint: str) -> pd.DataFrame:
    if not table_exists(con, schema, name):
        raise LookupError(f"the warehouse has no table {schema}.{name}: {hint}")
    return con.execute(f'select * from "{schema}"."{name}"').df()


def replace_partition(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, key: str | None = None
) -> int:
    """Write ``frame`` into ``ml.<name>``: the rows of the ``key`` values it holds are replaced
    (a re-score of a month replaces that month); without ``key`` the whole table is replaced."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.register("_incoming", frame)
    try:
        con.execute("begin transaction")
        if key is None or not table_exists(con, SCHEMA, name):
            con.execute(f"create or replace table {SCHEMA}.{name} as select * from _incoming")
        else:
            con.execute(
                f"delete from {SCHEMA}.{name} where {key} in (select distinct {key} from _incoming)"
            )
            con.execute(f"insert into {SCHEMA}.{name} by name select * from _incoming")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_incoming")
    return len(frame)
