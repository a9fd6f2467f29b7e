"""Helpers for the Superset tests: reference queries on the DuckDB file, env switching."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from dashboards.generate import ChartSpec, DatasetSpec

_TRUNC = {"P1M": "month", "P1D": "day"}


@contextlib.contextmanager
def jingfen_home(home: Path) -> Iterator[None]:
    """Point JINGFEN_HOME at ``home`` for the duration (settings are read at call time)."""
    old = os.environ.get("JINGFEN_HOME")
    os.environ["JINGFEN_HOME"] = str(home)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("JINGFEN_HOME", None)
        else:
            os.environ["JINGFEN_HOME"] = old


def _sql_literal(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def source(ds: DatasetSpec, rls: str | None = None) -> str:
    """The FROM item of a dataset: its table, or its SQL as a subquery (a virtual dataset),
    with its calculated columns (names decoded from codes) beside the table's own.

    ``rls``: a row-level-security condition, applied to the dataset's own table inside its SQL
    as Superset 6.1 does (so a top-N rank inside the SQL ranks the rows the user may see)."""
    sql = ds.sql
    if sql and rls:
        table = f"{ds.schema}.{ds.table}"
        sql = sql.replace(table, f"(select * from {table} where {rls})")
    base = f"({sql}) as t" if sql else f"{ds.schema}.{ds.table}"
    calculated = [f"{c.expression} as {c.name}" for c in ds.columns if c.expression]
    if not ds.sql and not calculated:
        return base
    return f"(select *{''.join(', ' + c for c in calculated)} from {base}) as virtual_table"


def city_condition(ds: DatasetSpec, city: str) -> str:
    """The rows a city user (``city_<code>``) may see: by city_code, else the city rows of a
    region hierarchy, else none (province-level data)."""
    cols = {c.name for c in ds.columns}
    if "city_code" in cols:
        return f"city_code = {_sql_literal(city)}"
    if {"region_level", "region_code"} <= cols:
        return f"region_level = 'city' and region_code = {_sql_literal(city)}"
    return "1 = 0"


def reference_sql(chart: ChartSpec, prov: str | None = None, city: str | None = None) -> str:
    """The chart's query written independently of Superset (``prov`` / ``city``: what row-level
    security should leave for a province or a city user)."""
    where = []
    for w in chart.where:
        if w.op == "SQL":
            where.append(f"({w.val})")
        elif w.op in ("IN", "NOT IN") and isinstance(w.val, tuple):
            where.append(f"{w.col} {w.op.lower()} ({', '.join(_sql_literal(v) for v in w.val)})")
        elif w.op in ("==", "!=", "<", ">", "<=", ">="):
            op = "=" if w.op == "==" else "<>" if w.op == "!=" else w.op
            where.append(f"{w.col} {op} {_sql_literal(w.val)}")
        else:
            raise NotImplementedError(w.op)
    rls = []
    if prov is not None and chart.dataset.has_province:  # reference data has no province rows
        rls.append(f"prov_code = {_sql_literal(prov)}")
    if city is not None and chart.dataset.has_province:
        rls.append(f"({city_condition(chart.dataset, city)})")
    where += rls
    clause = f"where {' and '.join(where)}" if where else ""
    ds = chart.dataset
    src = source(ds, " and ".join(rls) or None)
    if chart.kind == "table":
        order = ", ".join(f"{c} {'asc' if asc else 'desc'}" for c, asc in chart.order_by)
        return (
            f"select {', '.join(chart.columns)} from {src} {clause}"
            + (f" order by {order}" if order else "")
            + f" limit {chart.row_limit}"
        )
    metrics = [ds.metric(m).expression for m in chart.all_metrics]
    dims = list(chart.groupby)
    if chart.kind in ("line", "big_number"):
        dims = [f"date_trunc('{_TRUNC[chart.time_grain]}', {ds.main_dttm_col})::date", *dims]
    return f"select {', '.join([*dims, *metrics])} from {src} {clause} group by all"


def reference_rows(
    db: Path, chart: ChartSpec, prov: str | None = None, city: str | None = None
) -> set[tuple[Any, ...]]:
    """The chart's rows computed straight from the DuckDB file, independently of Superset."""
    return {normalise(r) for r in query(db, reference_sql(chart, prov, city))}


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def normalise(row: tuple[Any, ...] | list[Any]) -> tuple[Any, ...]:
    """Dates as ISO strings, numbers rounded: Superset returns epoch ms and floats."""
    out: list[Any] = []
    for v in row:
        if isinstance(v, dt.datetime):
            v = v.date().isoformat()
        elif isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, decimal.Decimal | float | int) and not isinstance(v, bool):
            v = round(float(v), 4)
            v = 0.0 if v == 0 else v
        out.append(v)
    return tuple(out)


def superset_rows(result: dict[str, Any]) -> set[tuple[Any, ...]]:
    """Rows of one chart-data result, in the query's column order."""
    cols: list[str] = result["colnames"]
    time_cols = {c for c, t in zip(cols, result["coltypes"], strict=True) if t == 2}
    rows = set()
    for rec in result["data"]:
        vals = []
        for c in cols:
            v = rec[c]
            if c in time_cols and isinstance(v, int | float):
                v = dt.datetime.fromtimestamp(v / 1000, tz=dt.UTC).date()
            vals.append(v)
        rows.add(normalise(vals))
    return rows
