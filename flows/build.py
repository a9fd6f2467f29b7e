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
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from indicators.store import ensure_receipt_db
from jingfen import dbt
from jingfen.build_state import (
    RawLayerIncomplete,
    audit_watermark,
    changed_selection,
    check_raw_layer,
    keeps_state,
    project_fingerprint,
    write_state,
)
from jingfen.config import settings

__all__ = ["RawLayerIncomplete", "build_flow"]


# dbt failures are deterministic (a failing test fails again): no retries.
@task(name="dbt-parse", retries=0, cache_policy=NO_CACHE)
def parse() -> Any:
    """Parse the project once; seed and build reuse the manifest (saves a parse each)."""
    log = get_run_logger()
    t0 = time.perf_counter()
    manifest = dbt.parse_manifest(logger=log)
    log.info("project parsed in %.1f s", time.perf_counter() - t0)
    return manifest


@task(name="dbt-seed", retries=0, cache_policy=NO_CACHE)
def seed(full_refresh: bool, manifest: Any) -> dict[str, Any]:
    return dbt.seed(full_refresh, manifest, get_run_logger())


@task(name="dbt-build", retries=0, cache_policy=NO_CACHE)
def build(full_refresh: bool, select: str | None, manifest: Any) -> dict[str, Any]:
    return dbt.build(full_refresh, select, manifest, get_run_logger())


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
    check_raw_layer(paths, select, log)
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
    if keeps_state(select, changed_only):
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
