"""Reading ``mart_indicator_values`` (docs/architecture.md, "Indicator values") from a warehouse file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

TABLE = "mart_indicator_values"


class WarehouseError(RuntimeError):
    """The warehouse file or its indicator table cannot be read."""


def period_date(period: str) -> date:
    fmt = "%Y%m%d" if len(period) == 8 else "%Y%m"
    return datetime.strptime(period, fmt).date()


def _qualified_table(con: duckdb.DuckDBPyConnection, db: Path) -> str:
    rows = con.execute(
        "select table_schema from information_schema.tables where table_name = ? "
        "order by table_schema = 'main' desc, table_schema",
        [TABLE],
    ).fetchall()
    if not rows:
        raise WarehouseError(
            f"{db} has no table {TABLE}: build the warehouse first (jingfen build)"
        )
    return f'"{rows[0][0]}"."{TABLE}"'


def read_indicator_values(
    db: Path,
    periods: list[str],
    provinces: list[str] | None = None,
    levels: tuple[str, ...] = ("province", "city"),
) -> list[dict]:
    """Rows of ``mart_indicator_values`` for the periods (YYYYMM -> monthly indicators of that
    month, YYYYMMDD -> daily indicators of that day), optionally only some provinces, as dicts
    with a ``period`` text key added."""
    if not db.exists():
        raise WarehouseError(f"warehouse {db} does not exist: build and publish it first")
    months = [period_date(p) for p in periods if len(p) == 6]
    days = [period_date(p) for p in periods if len(p) == 8]
    if not months and not days:
        return []
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        raise WarehouseError(f"cannot open warehouse {db} read-only: {e}") from e
    try:
        table = _qualified_table(con, db)
        where = ["region_level in (" + ", ".join("?" for _ in levels) + ")"]
        params: list[object] = list(levels)
        grain_parts = []
        if months:
            grain_parts.append(
                "(period_grain = 'month' and period_month in ("
                + ", ".join("?" for _ in months)
                + "))"
            )
            params += months
        if days:
            grain_parts.append(
                "(period_grain = 'day' and stat_date in (" + ", ".join("?" for _ in days) + "))"
            )
            params += days
        where.append("(" + " or ".join(grain_parts) + ")")
        if provinces is not None:
            where.append("prov_code in (" + ", ".join("?" for _ in provinces) + ")")
            params += provinces
        sql = (
            "select indicator_code, period_grain, period_month, stat_date, region_level, "
            "region_code, prov_code, value, numerator, denominator, unit "
            f"from {table} where " + " and ".join(where)
        )
        cur = con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            r = dict(zip(cols, row, strict=True))
            r["period"] = (
                r["stat_date"].strftime("%Y%m%d")
                if r["period_grain"] == "day"
                else r["period_month"].strftime("%Y%m")
            )
            out.append(r)
        return out
    except duckdb.Error as e:
        raise WarehouseError(f"reading {TABLE} from {db} failed: {e}") from e
    finally:
        con.close()


def latest_periods(db: Path) -> tuple[list[str], dict[str, str]]:
    """Provinces with indicator values in the warehouse, and the latest month (``YYYYMM``) and
    day (``YYYYMMDD``) they have values for (a grain with none is left out)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        table = _qualified_table(con, db)
        provs = [
            r[0]
            for r in con.execute(
                f"select distinct prov_code from {table} where region_level = 'province' order by 1"
            ).fetchall()
        ]
        month, day = con.execute(
            "select max(case when period_grain = 'month' then period_month end), "
            f"max(case when period_grain = 'day' then stat_date end) from {table}"
        ).fetchall()[0]
    finally:
        con.close()
    periods = {}
    if month:
        periods["month"] = month.strftime("%Y%m")
    if day:
        periods["day"] = day.strftime("%Y%m%d")
    return provs, periods
