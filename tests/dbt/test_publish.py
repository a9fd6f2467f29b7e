"""Publishing swaps the build database in atomically; readers never see a half-written file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from jingfen.config import Paths
from jingfen.publish import PublishError, publish, verify_copy, versions_dir


def _make_build_db(paths: Paths, marker: str, n_rows: int) -> None:
    paths.ensure()
    paths.build_db.unlink(missing_ok=True)
    con = duckdb.connect(str(paths.build_db))
    try:
        con.execute(
            "create table main.fct_marker as select ? as marker, range as i from range(?)",
            [marker, n_rows],
        )
        con.execute(
            "create view main.v_marker as select marker, count(*) as n from main.fct_marker group by marker"
        )
    finally:
        con.close()


_READER = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
for line in sys.stdin:  # one query per line of input, answered on stdout
    print(con.execute("select * from main.v_marker").fetchall(), flush=True)
"""


def test_publish_swaps_while_a_reader_holds_the_old_file(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "home")
    _make_build_db(paths, "v1", 10)
    published, counts = publish(paths)
    assert published == paths.published_db and counts == {"tables": 1, "views": 1}
    first_version = published.resolve()

    # a dashboard process holding a read-only connection open across the swap
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None

    def ask() -> str:
        reader.stdin.write("?\n")
        reader.stdin.flush()
        return reader.stdout.readline().strip()

    try:
        assert ask() == "[('v1', 10)]"
        _make_build_db(paths, "v2", 20)
        publish(paths)  # does not wait for, or disturb, the reader
        # the open reader still reads the old file, consistently ...
        assert ask() == "[('v1', 10)]"
        # ... and a fresh connection (Superset makes one per query) sees the new warehouse
        fresh = duckdb.connect(str(published), read_only=True)
        try:
            assert fresh.execute("select * from main.v_marker").fetchall() == [("v2", 20)]
        finally:
            fresh.close()
    finally:
        reader.communicate("", timeout=30)
    assert reader.returncode == 0
    # no temporary files left beside the published one
    assert sorted(p.name for p in published.parent.iterdir() if p.is_file()) == ["jingfen.duckdb"]
    # the published path links to the one version left: a new file for every publish, so a
    # process that keeps a version open never mistakes it for the new one
    versions = list(versions_dir(paths).iterdir())
    assert published.is_symlink() and versions == [published.resolve()]
    assert versions[0].name.startswith("jingfen-") and versions[0] != first_version


def test_publish_refuses_while_a_build_holds_the_database(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "home")
    _make_build_db(paths, "v1", 5)
    publish(paths)
    before = paths.published_db.read_bytes()
    # another process holds the build database open for writing (a build in progress)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(paths.build_db)!r})
                con.execute("insert into main.fct_marker values ('half', 99)")
                print("locked", flush=True)
                sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(PublishError, match="open for writing"):
            publish(paths)
    finally:
        holder.communicate("", timeout=30)
    assert paths.published_db.read_bytes() == before  # the published file is untouched


def test_publish_refuses_views_that_read_files(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "home")
    paths.ensure()
    (tmp_path / "x.parquet").parent.mkdir(exist_ok=True)
    con = duckdb.connect(str(paths.build_db))
    try:
        con.execute(f"copy (select 1 as a) to '{tmp_path / 'x.parquet'}' (format parquet)")
        con.execute("create table main.t as select 1 as a")
        con.execute(
            f"create view main.stg_x as select * from read_parquet('{tmp_path / 'x.parquet'}')"
        )
    finally:
        con.close()
    with pytest.raises(PublishError, match=r"main\.stg_x"):
        publish(paths)
    assert not paths.published_db.exists()
    assert [p for p in paths.published_db.parent.iterdir() if p.suffix == ".publishing"] == []
    assert list(versions_dir(paths).iterdir()) == []


def test_publish_without_a_build_says_so(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="run the build flow first"):
        publish(Paths(tmp_path / "home"))


def test_verify_counts_tables_of_the_built_warehouse(built_home: Path) -> None:
    counts = verify_copy(built_home / "warehouse/build/jingfen.duckdb")
    assert counts["tables"] >= 13 + 8  # staging + seeds
