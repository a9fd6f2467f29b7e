"""The build flow (建模): dbt seeds the reference tables, then builds and tests the warehouse.

Steps:
1. parse  — read the project once (the next two steps reuse the manifest);
2. seed   — load the reference seeds (regions, packages, code lists, holidays, ...);
3. build  — staging -> intermediate -> star schema -> subject marts, each model followed by its
   tests (``dbt build``).

``changed_only`` (the nightly run, ``jingfen build --changed``) builds only what the new data
can change: the models downstream of the raw interfaces that received files since the last
successful build (``source:raw.<if>+``) and of the load audit (``source:ingest+``). The build
state (the load-audit watermark and a fingerprint of the project) is kept next to the working
database in ``build-state.json``; with no state, a changed project or a missing database the
build is a full one. The daily models are incremental by day, so a day's files cost a day.

A failed model or test fails the flow (jingfen.dbt.run_dbt raises with the failed nodes), so a
broken warehouse is never published.  dbt runs in-process; its progress goes to the run log.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from jingfen.config import Paths, settings
from jingfen.dbt import parse_manifest, run_dbt
from jingfen.interfaces import INTERFACES


class RawLayerIncomplete(RuntimeError):
    """An interface has never been loaded: its staging model has nothing to read."""


def missing_raw_interfaces(paths: Paths) -> list[str]:
    """Interfaces with no Parquet file in the raw layer (staging reads raw/<if>/*.parquet and
    DuckDB's read_parquet fails on a pattern that matches nothing)."""
    return [code for code in INTERFACES if not any((paths.raw / code.lower()).glob("*.parquet"))]


# Audit statuses that change the raw layer (a new file, or a corrected re-delivery).
RAW_CHANGING = ("loaded", "reloaded")
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


def _audit_rows(paths: Paths, sql: str, params: list[Any] | None = None) -> list[tuple]:
    """Rows of a read-only query on the load audit (none before the first load)."""
    if not paths.ingest_db.exists():
        return []
    con = duckdb.connect(str(paths.ingest_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


_RAW_CHANGED = f"status in {RAW_CHANGING}"


def audit_watermark(paths: Paths) -> str | None:
    """The newest finish time of a file that changed the raw layer (None before any load)."""
    rows = _audit_rows(paths, f"select max(finished_at) from load_audit where {_RAW_CHANGED}")
    return rows[0][0].isoformat() if rows and rows[0][0] else None


def changed_interfaces(paths: Paths, since: str | None) -> list[str]:
    """Interfaces with a file loaded (or re-delivered) after ``since``."""
    rows = _audit_rows(
        paths,
        "select distinct interface from load_audit "
        f"where {_RAW_CHANGED} and finished_at > cast(? as timestamp) order by 1",
        [since or "1900-01-01"],
    )
    return [r[0] for r in rows if r[0]]


def changed_selection(paths: Paths, fingerprint: str) -> tuple[str | None, str]:
    """The dbt selection of a changed-only build, and why: None means build everything."""
    path = state_path(paths)
    if not path.exists() or not paths.build_db.exists():
        return None, "no previous build: building everything"
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("fingerprint") != fingerprint:
        return None, "the dbt project changed since the last build: building everything"
    changed = changed_interfaces(paths, state.get("audit_watermark"))
    parts = [f"source:raw.{code.lower()}+" for code in changed] + [ALWAYS]
    why = (
        f"new files for {', '.join(changed)} since the last build"
        if changed
        else "no new files since the last build: refreshing the load-audit models only"
    )
    return " ".join(parts), why


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


def _summarise(result: Any) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for r in getattr(result, "results", None) or []:
        statuses[str(getattr(r.status, "value", r.status))] += 1
        kinds[str(getattr(r.node, "resource_type", "?")).split(".")[-1].lower()] += 1
    return {"nodes": sum(statuses.values()), "by_status": dict(statuses), "by_type": dict(kinds)}


# dbt failures are deterministic (a failing test fails again): no retries.
@task(name="dbt-parse", retries=0, cache_policy=NO_CACHE)
def parse() -> Any:
    """Parse the project once; seed and build reuse the manifest (saves a parse each)."""
    log = get_run_logger()
    t0 = time.perf_counter()
    manifest = parse_manifest(logger=log)
    log.info("project parsed in %.1f s", time.perf_counter() - t0)
    return manifest


@task(name="dbt-seed", retries=0, cache_policy=NO_CACHE)
def seed(full_refresh: bool, manifest: Any) -> dict[str, Any]:
    log = get_run_logger()
    t0 = time.perf_counter()
    args = ["seed"] + (["--full-refresh"] if full_refresh else [])
    res = run_dbt(args, logger=log, manifest=manifest)
    out = _summarise(res.result) | {"seconds": round(time.perf_counter() - t0, 1)}
    log.info("seeds loaded: %d in %.1f s", out["nodes"], out["seconds"])
    return out


@task(name="dbt-build", retries=0, cache_policy=NO_CACHE)
def build(full_refresh: bool, select: str | None, manifest: Any) -> dict[str, Any]:
    log = get_run_logger()
    t0 = time.perf_counter()
    # Seeds were loaded by the seed step; their tests still run here.
    args = ["build", "--exclude", "resource_type:seed"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        # cautious: a test runs only if all the models it reads were selected
        args += ["--select", select, "--indirect-selection", "cautious"]
    res = run_dbt(args, logger=log, manifest=manifest)
    out = _summarise(res.result) | {"seconds": round(time.perf_counter() - t0, 1)}
    log.info("dbt build: %d nodes %s in %.1f s", out["nodes"], out["by_status"], out["seconds"])
    return out


@flow(name="build", log_prints=False)
def build_flow(
    full_refresh: bool = False, select: str | None = None, changed_only: bool = False
) -> dict[str, Any]:
    """Seed and build the warehouse in JINGFEN_HOME/warehouse/build/jingfen.duckdb.

    ``select`` builds a dbt selection; ``changed_only`` builds what the files loaded since the
    last successful build can change (everything when there is no usable build state).
    """
    log = get_run_logger()
    t0 = time.perf_counter()
    paths = settings().paths
    if select and changed_only:
        raise ValueError("give either a selection or changed_only, not both")
    # the watermark is read before building: files loaded during the build count next time
    watermark = audit_watermark(paths)

    missing = missing_raw_interfaces(paths)
    if missing:
        msg = (
            f"the raw layer has no files for {', '.join(missing)}: every interface must have been "
            "loaded at least once (run the ingest flow on a full delivery) before the build"
        )
        if select is None:
            raise RawLayerIncomplete(msg)
        log.warning(msg)

    log.info("step 1/3: dbt parse")
    manifest = parse()
    fingerprint = project_fingerprint(manifest)
    why = None
    if changed_only and not full_refresh:
        select, why = changed_selection(paths, fingerprint)
        log.info("changed-only build: %s", why)

    log.info("step 2/3: dbt seed")
    # quote(): Prefect would otherwise walk the whole manifest looking for futures (seconds).
    seeded = seed(full_refresh, quote(manifest))

    log.info("step 3/3: dbt build%s", f" --select {select}" if select else "")
    built = build(full_refresh, select, quote(manifest))

    # A partial build from a selection leaves the state alone (it may have skipped new files);
    # a full build and a changed-only build account for every file loaded before they started.
    if not select or changed_only:
        write_state(paths, fingerprint, watermark)

    summary = {
        "seed": seeded,
        "build": built,
        "select": select,
        "nodes": seeded["nodes"] + built["nodes"],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    if why:
        summary["why"] = why
    log.info("build finished: %d nodes in %.1f s", summary["nodes"], summary["seconds"])
    return summary
