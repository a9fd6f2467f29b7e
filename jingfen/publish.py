"""Publishing (发布): swap the freshly built warehouse in for the dashboards.

Steps:
1. copy the closed build database (warehouse/build/jingfen.duckdb) to a new version file,
   warehouse/versions/jingfen-<time>-<id>.duckdb (a temporary name until it is checked);
2. open the copy read-only once and check it: it has tables, and no view reads files or the
   ingest database (the dashboards open it with external access off);
3. point warehouse/jingfen.duckdb at it: a new symbolic link renamed over the old one
   (``os.replace``), then remove the versions it replaced;
(the publish flow then empties Superset's chart-data cache, dashboards/cache.py).

DuckDB allows one writer or many readers per file.  The swap is a rename on one filesystem, so a
reader opening warehouse/jingfen.duckdb gets either the old or the new version, never half of
one; a reader holding a connection keeps the old version (removed files stay readable while
open) until it reconnects.  A version file is never changed once published, which is what lets
each Superset worker keep one DuckDB instance per version open between queries
(dashboards/superset_config.py: opening the database costs more than most chart queries) and
still switch at once: it resolves the link for every query, and a new version has a new path.
Staging is materialised as tables, so the published copy is self-contained (no Parquet paths,
no attached database, no PII salt in view definitions).
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import duckdb

from jingfen.config import Paths


class PublishError(RuntimeError):
    """The build database is missing, still open, or its copy failed the checks."""


# SQL that makes a view depend on something outside the published file.
_EXTERNAL_MARKERS = (
    "read_parquet",
    "read_csv",
    "read_json",
    "parquet_scan",
    '"ingest".',
    " ingest.",
)


def _copy_build(src: Path, dst_dir: Path) -> Path:
    if not src.exists():
        raise PublishError(f"nothing to publish: {src} does not exist (run the build flow first)")
    tmp = dst_dir / f".{src.stem}.{uuid.uuid4().hex[:8]}.publishing"
    dst_dir.mkdir(parents=True, exist_ok=True)
    # Holding a read-only connection while copying keeps a writer (a build in another process)
    # out, and fails fast with DuckDB's lock error if one is running now.
    try:
        guard = duckdb.connect(str(src), read_only=True)
    except duckdb.Error as e:
        raise PublishError(
            f"cannot publish {src}: it is open for writing (is a build running?): {e}"
        ) from e
    try:
        wal = src.with_name(src.name + ".wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise PublishError(
                f"cannot publish {src}: its write-ahead log {wal.name} was not checkpointed "
                "(the last build did not close the database cleanly); run the build again"
            )
        shutil.copyfile(src, tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
    finally:
        guard.close()
    return tmp


def verify_copy(path: Path) -> dict[str, int]:
    """Open ``path`` read-only once: count tables and views, and refuse views that read files
    or the ingest database.  Returns {"tables": n, "views": n}."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and not internal"
        ).fetchall()[0][0]
        views = con.execute(
            "select schema_name, view_name, sql from duckdb_views() "
            "where database_name = current_database() and not internal"
        ).fetchall()
    finally:
        con.close()
    if tables == 0:
        raise PublishError(f"{path.name} has no tables: the build produced nothing to publish")
    external = [
        f"{s}.{v}"
        for s, v, sql in views
        if any(m in (sql or "").lower() for m in _EXTERNAL_MARKERS)
    ]
    if external:
        raise PublishError(
            "these views read files or the ingest database, which the dashboards cannot reach "
            f"(materialise them as tables): {', '.join(sorted(external))}"
        )
    return {"tables": int(tables), "views": len(views)}


def versions_dir(paths: Paths) -> Path:
    """Where the published versions live; warehouse/jingfen.duckdb links to the current one."""
    return paths.published_db.parent / "versions"


def swap_link(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` (relative) atomically: a new link renamed over the old."""
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    tmp.symlink_to(os.path.relpath(target, link.parent))
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def publish(paths: Paths) -> tuple[Path, dict[str, int]]:
    """Copy, verify and atomically swap in the build database; the pure core of the flow."""
    versions = versions_dir(paths)
    tmp = _copy_build(paths.build_db, versions)
    try:
        counts = verify_copy(tmp)
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        version = versions / f"{paths.published_db.stem}-{stamp}-{uuid.uuid4().hex[:6]}.duckdb"
        os.replace(tmp, version)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    swap_link(paths.published_db, version)
    # Earlier versions are no longer linked: remove them (a reader that has one open keeps
    # reading it until it closes; the space is freed then).
    for old in versions.glob(f"{paths.published_db.stem}-*.duckdb"):
        if old != version:
            old.unlink(missing_ok=True)
    return paths.published_db, counts
