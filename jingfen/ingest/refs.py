"""Reference code sets from the seeds, as small DuckDB tables the row checks join against.

An interface column's ``ref`` is ``seed.column``: ``regions.county_code`` means a value of that
column of ``seeds/regions.csv``; ``code_values.pay_type`` means the ``code`` of a row of
``seeds/code_values.csv`` whose ``code_set`` is ``pay_type``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


class ReferenceDataError(RuntimeError):
    """The seeds cannot answer a reference check: a configuration fault, not a bad file."""


def ref_table_name(ref: str) -> str:
    seed, col = ref.split(".", 1)
    return f"ref__{seed}__{col}"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def register_ref(con: duckdb.DuckDBPyConnection, seeds_dir: Path, ref: str) -> str:
    """Create (once per connection) a one-column table ``code`` for ``ref``; return its name."""
    name = ref_table_name(ref)
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = ? and temporary", [name]
    ).fetchall()[0][0]
    if exists:
        return name
    seed, col = ref.split(".", 1)
    path = seeds_dir / f"{seed}.csv"
    if not path.is_file():
        raise ReferenceDataError(
            f"the reference seed {path} does not exist, so codes of {ref} cannot be checked"
        )
    src = f"read_csv({_sql_str(str(path))}, header=true, all_varchar=true, auto_detect=true)"
    header = [r[0] for r in con.execute(f"describe select * from {src}").fetchall()]
    if seed == "code_values":
        if not {"code_set", "code"} <= set(header):
            raise ReferenceDataError(f"{path} must have columns code_set and code; it has {header}")
        query = (
            f"select distinct code from {src} where code_set = {_sql_str(col)} and code is not null"
        )
    else:
        if col not in header:
            raise ReferenceDataError(
                f"{path} has no column {col!r} (columns: {', '.join(header)}), "
                f"so codes of {ref} cannot be checked"
            )
        query = f'select distinct "{col}" as code from {src} where "{col}" is not null'
    con.execute(f"create temp table {name} as {query}")
    n = con.execute(f"select count(*) from {name}").fetchall()[0][0]
    if n == 0:
        con.execute(f"drop table {name}")
        where = f"with code_set = '{col}'" if seed == "code_values" else f"in column {col}"
        raise ReferenceDataError(
            f"{path} has no codes {where}, so codes of {ref} cannot be checked"
        )
    return name
