"""Compare the Spark build with the DuckDB build, table by table: same rows, same values.

Each table the Spark build exported (``JINGFEN_HOME/spark/export/<schema>/<table>/``) is read
with pyarrow and compared with the table of the same name in the DuckDB build database. Rows
are matched as multisets, so order does not matter: on their exact columns (text, dates,
booleans, whole numbers), then, among rows sharing those, in order of their fractional numbers,
which must agree within a relative and absolute tolerance (the engines add floating point in
different orders, and decimal division keeps different scales). Timestamps are compared in UTC. Column
names are compared case-insensitively (Spark's metastore lower-cases them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Spark's default schema for models without a custom schema is the profile's `schema`
# (jingfen); DuckDB's is `main`.
SPARK_DEFAULT_SCHEMA = "jingfen"
DUCKDB_DEFAULT_SCHEMA = "main"

REL_TOL = 1e-6
ABS_TOL = 1e-6


@dataclass
class TableComparison:
    """The outcome for one table: ``ok`` when rows and values agree."""

    table: str  # schema.name as built on Spark
    duckdb_table: str | None
    rows_spark: int = 0
    rows_duckdb: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = f"{self.table}: {self.rows_spark} rows on Spark, {self.rows_duckdb} on DuckDB"
        if self.ok:
            return head + " — identical"
        return head + "\n" + "\n".join(f"    - {p}" for p in self.problems[:12])


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def normalise(table: pa.Table) -> pa.Table:
    """Lower-case column names; numbers as float64; timestamps as UTC without a zone."""
    cols, names = [], []
    for name, col in zip(table.column_names, table.columns, strict=True):
        t = col.type
        if _is_numeric(t):
            col = pc.cast(col, pa.float64())
        elif pa.types.is_timestamp(t):
            col = pc.cast(col, pa.timestamp("us", tz="UTC" if t.tz else None))
            if t.tz:
                col = pc.cast(col, pa.timestamp("us"))
        elif pa.types.is_large_string(t) or pa.types.is_string_view(t):
            col = pc.cast(col, pa.string())
        elif pa.types.is_date(t):
            col = pc.cast(col, pa.date32())
        cols.append(col)
        names.append(name.lower())
    return pa.Table.from_arrays(cols, names=names)


def _is_exact(col: pa.ChunkedArray) -> bool:
    """A column compared exactly: not floating point, or floating point holding whole numbers."""
    if not pa.types.is_floating(col.type):
        return True
    return all(v is None or (not math.isnan(v) and float(v).is_integer()) for v in col.to_pylist())


def _grouped(
    table: pa.Table, exact: list[str], fuzzy: list[str]
) -> dict[tuple[Any, ...], list[tuple[Any, ...]]]:
    """{exact key: [fuzzy values of each row with that key, sorted]}."""
    keys = zip(*(table.column(c).to_pylist() for c in exact), strict=True) if exact else None
    vals = zip(*(table.column(c).to_pylist() for c in fuzzy), strict=True) if fuzzy else None
    out: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for _ in range(table.num_rows):
        k = tuple(next(keys)) if keys is not None else ()
        v = tuple(next(vals)) if vals is not None else ()
        out.setdefault(k, []).append(v)
    for rows in out.values():
        rows.sort(key=lambda row: tuple((x is None, 0.0 if x is None else x) for x in row))
    return out


def _row_str(columns: list[str], row: tuple[Any, ...], limit: int = 6) -> str:
    pairs = list(zip(columns, row, strict=True))[:limit]
    more = ", ..." if len(columns) > limit else ""
    return "{" + ", ".join(f"{c}={v!r}" for c, v in pairs) + more + "}"


def _values_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def compare_tables(spark: pa.Table, duck: pa.Table, name: str, duck_name: str) -> TableComparison:
    """Compare two Arrow tables as multisets of rows (pure: no I/O)."""
    res = TableComparison(name, duck_name, spark.num_rows, duck.num_rows)
    spark, duck = normalise(spark), normalise(duck)
    s_cols, d_cols = set(spark.column_names), set(duck.column_names)
    if s_cols != d_cols:
        if s_cols - d_cols:
            res.problems.append(f"columns only on Spark: {sorted(s_cols - d_cols)}")
        if d_cols - s_cols:
            res.problems.append(f"columns only on DuckDB: {sorted(d_cols - s_cols)}")
    common = sorted(s_cols & d_cols)
    for c in common:
        st, dt = spark.schema.field(c).type, duck.schema.field(c).type
        if st != dt:
            res.problems.append(f"column {c}: type {st} on Spark, {dt} on DuckDB")
    if spark.num_rows != duck.num_rows:
        res.problems.append(
            f"row count differs: {spark.num_rows} on Spark, {duck.num_rows} on DuckDB"
        )
    if res.problems:
        return res
    # Rows are matched on their exact columns (text, dates, flags, whole numbers); rows sharing
    # an exact key are paired in order of their fractional numbers, which must then agree
    # within the tolerance. No rounding, so no value sits on a rounding edge.
    exact = [c for c in common if _is_exact(spark.column(c)) and _is_exact(duck.column(c))]
    fuzzy = [c for c in common if c not in exact]
    s_groups = _grouped(spark, exact, fuzzy)
    d_groups = _grouped(duck, exact, fuzzy)
    only_s = sum(max(0, len(v) - len(d_groups.get(k, []))) for k, v in s_groups.items())
    only_d = sum(max(0, len(v) - len(s_groups.get(k, []))) for k, v in d_groups.items())
    if only_s or only_d:
        res.problems.append(
            f"{only_s} rows only on Spark and {only_d} only on DuckDB (matching on {exact})"
        )
        for side, mine, other in (("Spark", s_groups, d_groups), ("DuckDB", d_groups, s_groups)):
            missing = [k for k in mine if len(mine[k]) > len(other.get(k, []))][:3]
            res.problems += [f"e.g. only on {side}: {_row_str(exact, k)}" for k in missing]
        return res
    bad_cells: dict[str, int] = {}
    examples: list[str] = []
    for key, s_vals in s_groups.items():
        for a_row, b_row in zip(s_vals, d_groups[key], strict=True):
            for c, a, b in zip(fuzzy, a_row, b_row, strict=True):
                if not _values_equal(a, b):
                    bad_cells[c] = bad_cells.get(c, 0) + 1
                    if len(examples) < 5:
                        examples.append(
                            f"{c}: {a!r} on Spark vs {b!r} on DuckDB where {_row_str(exact, key)}"
                        )
    if bad_cells:
        res.problems.append(
            "values differ beyond the tolerance: "
            + ", ".join(f"{c} ({n} rows)" for c, n in sorted(bad_cells.items()))
        )
    res.problems += [f"e.g. {e}" for e in examples]
    return res


def duckdb_relations(db: Path) -> dict[str, list[str]]:
    """{table name: [schemas that have it]} in the DuckDB build database."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        catalog = con.execute("select current_database()").fetchall()[0][0]
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = ?",
            [catalog],
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[str]] = {}
    for schema, name in rows:
        out.setdefault(name, []).append(schema)
    return out


def _duckdb_schema(spark_schema: str, candidates: list[str]) -> str | None:
    wanted = DUCKDB_DEFAULT_SCHEMA if spark_schema == SPARK_DEFAULT_SCHEMA else spark_schema
    if wanted in candidates:
        return wanted
    return candidates[0] if len(candidates) == 1 else None


def compare_builds(
    duckdb_path: Path, export_dir: Path, tables: Iterable[dict[str, str]] | None = None
) -> list[TableComparison]:
    """Compare every exported Spark table with the DuckDB build's table of the same name."""
    import duckdb

    if tables is None:
        tables = [
            {"schema": s.name, "name": t.name}
            for s in sorted(export_dir.iterdir())
            if s.is_dir()
            for t in sorted(s.iterdir())
            if t.is_dir()
        ]
    relations = duckdb_relations(duckdb_path)
    out: list[TableComparison] = []
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        for t in tables:
            name = f"{t['schema']}.{t['name']}"
            folder = export_dir / t["schema"] / t["name"]
            schema = _duckdb_schema(t["schema"], relations.get(t["name"], []))
            if schema is None:
                out.append(
                    TableComparison(name, None, problems=[f"no table {t['name']} in {duckdb_path}"])
                )
                continue
            spark_table = pq.read_table(folder)
            duck_table = con.sql(f'select * from "{schema}"."{t["name"]}"').to_arrow_table()
            out.append(compare_tables(spark_table, duck_table, name, f"{schema}.{t['name']}"))
    finally:
        con.close()
    return out


def report(results: list[TableComparison]) -> str:
    same = sum(r.ok for r in results)
    lines = [f"{same} of {len(results)} tables identical on Spark and DuckDB"]
    lines += [str(r) for r in results if not r.ok]
    return "\n".join(lines)
