"""Build state (建模状态): what the next build must cover.

The nightly build (``jingfen build --changed``) builds only what the new data can change: the
models downstream of the raw interfaces that received files since the last successful build
(``source:raw.<if>+``) and of the load audit (``source:ingest+``). The state — the load-audit
watermark and a fingerprint of the parsed project — is kept next to the working database in
``build-state.json``; with no state, a changed project or a missing database the build is a full
one.

The month facts are as of the month close (月末时点, the last day of the latest month of the
subscriber-month chain). Models tagged ``month_close`` read daily data only up to it, so when
every new daily record is dated after the close (the usual night: a new day of an open month),
the walk down from those interfaces stops at them and the month chain is kept as it is. A daily
file with an earlier record (a late or back-dated delivery), a corrected re-delivery or any
monthly interface rebuilds everything downstream.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from jingfen.config import Paths
from jingfen.ingest import audit
from jingfen.interfaces import INTERFACES


class RawLayerIncomplete(RuntimeError):
    """An interface has never been loaded: its staging model has nothing to read."""


def missing_raw_interfaces(paths: Paths) -> list[str]:
    """Interfaces with no Parquet file in the raw layer (staging reads raw/<if>/*.parquet and
    DuckDB's read_parquet fails on a pattern that matches nothing)."""
    return [code for code in INTERFACES if not any((paths.raw / code.lower()).glob("*.parquet"))]


def check_raw_layer(paths: Paths, select: str | None, logger: Any) -> None:
    """Every interface must have been loaded once before a whole build (RawLayerIncomplete
    otherwise); a build of a selection only warns."""
    missing = missing_raw_interfaces(paths)
    if not missing:
        return
    msg = (
        f"the raw layer has no files for {', '.join(missing)}: every interface must have been "
        "loaded at least once (run the ingest flow on a full delivery) before the build"
    )
    if select is None:
        raise RawLayerIncomplete(msg)
    logger.warning(msg)


def keeps_state(select: str | None, changed_only: bool) -> bool:
    """Whether a build records its state: a whole build and a changed-only build account for
    every file loaded before they started; a build of a given selection may have skipped new
    files and leaves the state alone."""
    return not select or changed_only


# Always rebuilt: the load-audit models (every run of the ingest flow changes the audit).
ALWAYS = "source:ingest+"


def state_path(paths: Paths) -> Path:
    return paths.build_db.parent / "build-state.json"


def project_fingerprint(manifest: Any) -> str:
    """A hash of every model, seed, test and macro of the parsed project: when the code changes,
    the next changed-only build is a full one."""
    h = hashlib.sha256()
    for uid in sorted(manifest.nodes):
        node = manifest.nodes[uid]
        h.update(uid.encode())
        h.update(str(getattr(getattr(node, "checksum", None), "checksum", "")).encode())
    for uid in sorted(manifest.macros):
        h.update(uid.encode())
        h.update(manifest.macros[uid].macro_sql.encode())
    return h.hexdigest()


def audit_watermark(paths: Paths) -> str | None:
    """The newest finish time of a file that changed the raw layer (None before any load)."""
    newest = audit.raw_watermark(paths.ingest_db)
    return newest.isoformat() if newest else None


def changed_files(paths: Paths, since: str | None) -> dict[str, list[tuple[str, str]]]:
    """Per interface, the (status, raw Parquet path) of each file loaded after ``since``."""
    out: dict[str, list[tuple[str, str]]] = {}
    for interface, status, raw in audit.raw_changes_since(paths.ingest_db, since):
        if interface:
            out.setdefault(interface, []).append((status, raw))
    return out


# Models that read daily data only up to the month close (see the module docstring).
MONTH_CLOSE_TAG = "month_close"
# The model whose latest month is the month close of the built warehouse.
MONTH_CHAIN = "model.jingfen.int_subscriber_months_assembled"


def month_close(paths: Paths, manifest: Any) -> date | None:
    """The last day of the latest month of the built subscriber-month chain (None when the
    chain is not built)."""
    node = manifest.nodes.get(MONTH_CHAIN)
    if node is None or not paths.build_db.exists():
        return None
    con = duckdb.connect(str(paths.build_db), read_only=True)
    try:
        [(last,)] = con.execute(
            f'select max(month_start) from "{node.schema}"."{node.alias}"'
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if last is None:
        return None
    return date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])


def earliest_record(paths: Paths, interface: str, raw_paths: Iterable[str]) -> date | None:
    """The earliest date of a record in these raw files (None when the interface has no date
    column or the files hold no dated row)."""
    column = INTERFACES[interface].date_column
    files = [str(paths.home / p) for p in raw_paths]
    if column is None or not files:
        return None
    con = duckdb.connect()
    try:
        [(first,)] = con.execute(
            f"select min(cast({column} as date)) from read_parquet(?)", [files]
        ).fetchall()
    finally:
        con.close()
    return first


def after_close(
    paths: Paths, files: dict[str, list[tuple[str, str]]], close: date | None
) -> set[str]:
    """Interfaces whose new files hold no record dated on or before the month close: new loads
    (not corrected re-deliveries) of a dated interface; an empty file changes nothing."""
    if close is None:
        return set()
    out = set()
    for interface, loaded in files.items():
        if INTERFACES[interface].date_column is None:
            continue
        if any(status != "loaded" for status, _ in loaded):
            continue
        first = earliest_record(paths, interface, [raw for _, raw in loaded if raw])
        if first is None or first > close:
            out.add(interface)
    return out


def downstream_models(
    manifest: Any, starts: Iterable[str], stop_tag: str | None = None
) -> set[str]:
    """Models downstream of the ``starts`` nodes; with ``stop_tag`` the walk does not enter
    (or pass through) a model carrying that tag."""
    children: dict[str, list[str]] = {}
    for uid, node in manifest.nodes.items():
        if node.resource_type == "model":
            for parent in node.depends_on.nodes:
                children.setdefault(parent, []).append(uid)
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        for child in children.get(todo.pop(), []):
            if child in seen or (stop_tag and stop_tag in manifest.nodes[child].tags):
                continue
            seen.add(child)
            todo.append(child)
    return seen


def changed_selection(paths: Paths, fingerprint: str, manifest: Any) -> tuple[str | None, str]:
    """The dbt selection of a changed-only build, and why: None means build everything."""
    path = state_path(paths)
    if not path.exists() or not paths.build_db.exists():
        return None, "no previous build: building everything"
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("fingerprint") != fingerprint:
        return None, "the dbt project changed since the last build: building everything"
    files = changed_files(paths, state.get("audit_watermark"))
    if not files:
        return ALWAYS, "no new files since the last build: refreshing the load-audit models only"
    close = month_close(paths, manifest)
    open_days = after_close(paths, files, close)
    whole = sorted(set(files) - open_days)
    parts = [f"source:raw.{code.lower()}+" for code in whole]
    why = f"new files for {', '.join(sorted(files))} since the last build"
    if open_days:
        sources = [f"source.jingfen.raw.{code.lower()}" for code in open_days]
        models = downstream_models(manifest, sources, stop_tag=MONTH_CLOSE_TAG)
        parts += sorted(manifest.nodes[m].name for m in models)  # dbt unions the selectors
        why += (
            f"; {', '.join(sorted(open_days))} hold only days after the month close "
            f"({close.isoformat()}), so the month facts (tag {MONTH_CLOSE_TAG}) are kept"
        )
    return " ".join(parts + [ALWAYS]), why


def write_state(paths: Paths, fingerprint: str, watermark: str | None) -> None:
    path = state_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "fingerprint": fingerprint,
        "audit_watermark": watermark,
        "built_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    tmp.replace(path)
