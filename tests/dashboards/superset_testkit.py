"""Helpers for the Superset tests: a small warehouse, reference queries, env switching."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from dashboards.generate import ChartSpec

PROVINCES = ("11", "31", "44")
INDICATORS = ("arpu", "net_adds", "churn_rate")
MONTHS = tuple(dt.date(2025, m, 1) for m in range(1, 7))


def write_warehouse(path: Path, scale: float = 1.0) -> None:
    """Build ``mart_indicator_values`` (plus a staging table no province may see) in a new
    file next to ``path`` and swap it in atomically, as the publish step does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(
            """
            create table mart_indicator_values (
                indicator_code varchar, period_month date, region_level varchar,
                region_code varchar, prov_code varchar, value double
            )
            """
        )
        rows: list[tuple[Any, ...]] = []
        for i, ind in enumerate(INDICATORS):
            for j, prov in enumerate(PROVINCES):
                for k, month in enumerate(MONTHS):
                    value = round((100 + 10 * i + 3 * j + k) * scale, 2)
                    rows.append((ind, month, "province", prov, prov, value))
                    # two cities per province: city rows must never leak across provinces either
                    for c in (1, 2):
                        rows.append((ind, month, "city", f"{prov}0{c}", prov, value / 2))
            for k, month in enumerate(MONTHS):
                rows.append((ind, month, "national", "00", None, 1000.0 * scale + k))
        con.executemany("insert into mart_indicator_values values (?, ?, ?, ?, ?, ?)", rows)
        con.execute("create table stg_bss__customers as select 'secret' as cust_name_masked")
    finally:
        con.close()
    os.replace(tmp, path)


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
    return "'" + str(v).replace("'", "''") + "'"


def reference_rows(db: Path, chart: ChartSpec, prov: str | None = None) -> set[tuple[Any, ...]]:
    """The chart's rows computed straight from the DuckDB file, independently of Superset.

    ``prov`` restricts to one province (what row-level security should leave)."""
    where = []
    for w in chart.where:
        if w.op == "==":
            where.append(f"{w.col} = {_sql_literal(w.val)}")
        elif w.op == "IN" and isinstance(w.val, tuple):
            where.append(f"{w.col} in ({', '.join(_sql_literal(v) for v in w.val)})")
        else:
            raise NotImplementedError(w.op)
    if prov is not None:
        where.append(f"prov_code = {_sql_literal(prov)}")
    clause = f"where {' and '.join(where)}" if where else ""
    ds = chart.dataset
    if chart.kind == "table":
        select = ", ".join(chart.columns)
        sql = f"select {select} from {ds.table} {clause}"
    else:
        assert chart.metric is not None
        metric = ds.metric(chart.metric).expression
        dims = list(chart.groupby)
        if chart.kind == "line":
            dims = [f"date_trunc('month', {ds.main_dttm_col})::date", *dims]
        sql = f"select {', '.join(dims)}, {metric} from {ds.table} {clause} group by all"
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {normalise(r) for r in con.execute(sql).fetchall()}
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
        elif isinstance(v, float | int) and not isinstance(v, bool):
            v = round(float(v), 4)
        out.append(v)
    return tuple(out)


def superset_rows(result: dict[str, Any], chart: ChartSpec) -> set[tuple[Any, ...]]:
    """Rows of one chart-data result in the reference's column order."""
    del chart  # the colnames already follow the query's column order
    cols: list[str] = result["colnames"]
    time_cols = {c for c, t in zip(cols, result["coltypes"], strict=True) if t == 2}
    rows = set()
    for rec in result["data"]:
        vals = []
        for c in cols:
            v = rec[c]
            if c in time_cols and v is not None:
                v = dt.datetime.fromtimestamp(v / 1000, tz=dt.UTC).date()
            vals.append(v)
        rows.add(normalise(vals))
    return rows
