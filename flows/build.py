"""The build flow (建模): dbt seeds the reference tables, then builds and tests the warehouse.

Steps:
1. parse  — read the project once (the next two steps reuse the manifest);
2. seed   — load the reference seeds (regions, packages, code lists, holidays, ...);
3. build  — staging -> intermediate -> star schema -> subject marts, each model followed by its
   tests (``dbt build``).

``changed_only`` (the nightly run, ``jingfen build --changed``) builds only what the new data
can change, as jingfen/build_state.py decides from the files loaded since the last successful
build; the daily models are incremental by day, so a day's files cost a day.

A failed model or test fails the flow (jingfen.dbt.run_dbt raises with the failed nodes), so a
broken warehouse is never published.  dbt runs in-process; its progress goes to the run log.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from indicators.store import ensure_receipt_db
from jingfen.build_state import (
    RawLayerIncomplete,
    audit_watermark,
    changed_selection,
    missing_raw_interfaces,
    project_fingerprint,
    write_state,
)
from jingfen.config import settings
from jingfen.dbt import parse_manifest, run_dbt

__all__ = ["RawLayerIncomplete", "build_flow"]


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

    # HQ's receipt store (empty before the first receive), so the HQ marts always build
    ensure_receipt_db(paths.hq_db)
    log.info("step 1/3: dbt parse")
    manifest = parse()
    fingerprint = project_fingerprint(manifest)
    why = None
    if changed_only and not full_refresh:
        select, why = changed_selection(paths, fingerprint, manifest)
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
