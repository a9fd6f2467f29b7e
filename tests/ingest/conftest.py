from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingest_helpers import rows, write_extract, write_seeds

from jingfen.ingest import LoadContext


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return write_seeds(tmp_path / "seeds")


@pytest.fixture
def ctx(jingfen_home: Path, seeds: Path) -> LoadContext:
    return LoadContext.from_settings(seeds_dir=seeds)


GOOD = {"SUBS_44_202601_001.dat": ("SUBS", 30), "BILL_44_202601_001.dat": ("BILL", 25)}


@pytest.fixture
def good_files(ctx: LoadContext) -> dict[str, int]:
    """Two good files delivered beside each bad one: they must load fully whatever happens."""
    for name, (code, n) in GOOD.items():
        write_extract(ctx.landing, name, rows(code, n))
    return {name: n for name, (_, n) in GOOD.items()}


def audit(ctx: LoadContext) -> dict[str, dict]:
    """The latest load_audit row per file name."""
    with duckdb.connect(str(ctx.paths.ingest_db), read_only=True) as con:
        cur = con.execute("select * from load_audit order by started_at, finished_at")
        cols = [d[0] for d in cur.description]
        return {r[1]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def audit_rows(ctx: LoadContext) -> list[dict]:
    with duckdb.connect(str(ctx.paths.ingest_db), read_only=True) as con:
        cur = con.execute("select * from load_audit order by file_name, started_at")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def rejects(ctx: LoadContext) -> list[dict]:
    with duckdb.connect(str(ctx.paths.ingest_db), read_only=True) as con:
        cur = con.execute("select * from load_rejects order by file_name, line_no, column_name")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def raw_count(ctx: LoadContext, stem: str) -> int:
    path = ctx.paths.raw / stem[:4].lower() / f"{stem}.parquet"
    return duckdb.sql(f"select count(*) from '{path}'").fetchall()[0][0]


def assert_good_loaded(ctx: LoadContext, good: dict[str, int]) -> None:
    a = audit(ctx)
    for name, n in good.items():
        assert a[name]["status"] == "loaded", a[name]
        assert a[name]["records_loaded"] == n
        assert raw_count(ctx, name.removesuffix(".dat")) == n
        assert (ctx.paths.home / a[name]["destination"]).is_file()
    assert not any(ctx.landing.iterdir()), list(ctx.landing.iterdir())


def reason_text(ctx: LoadContext, name: str) -> str:
    (path,) = ctx.paths.quarantine.glob(f"*/{name}.reason.txt")
    return path.read_text(encoding="utf-8")
