"""The build flow (建模): dbt seeds the reference tables, then builds and tests the warehouse.

Steps:
1. seed   — load the reference seeds (regions, packages, code lists, holidays, ...);
2. build  — staging -> intermediate -> star schema -> subject marts, each model followed by its
   tests (``dbt build``).

A failed model or test fails the flow (jingfen.dbt.run_dbt raises with the failed nodes), so a
broken warehouse is never published.  dbt runs in-process; its progress goes to the run log.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from jingfen.dbt import run_dbt

# dbt failures are deterministic (a failing test fails again): no retries.
DBT_TASK = {"retries": 0, "cache_policy": NO_CACHE}


def _summarise(result: Any) -> dict[str, Any]:
    statuses: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for r in getattr(result, "results", None) or []:
        statuses[str(getattr(r.status, "value", r.status))] += 1
        kinds[str(getattr(r.node, "resource_type", "?")).split(".")[-1].lower()] += 1
    return {"nodes": sum(statuses.values()), "by_status": dict(statuses), "by_type": dict(kinds)}


@task(name="dbt-seed", **DBT_TASK)
def seed(full_refresh: bool) -> dict[str, Any]:
    log = get_run_logger()
    t0 = time.perf_counter()
    args = ["seed"] + (["--full-refresh"] if full_refresh else [])
    res = run_dbt(args, logger=log)
    out = _summarise(res.result) | {"seconds": round(time.perf_counter() - t0, 1)}
    log.info("seeds loaded: %d in %.1f s", out["nodes"], out["seconds"])
    return out


@task(name="dbt-build", **DBT_TASK)
def build(full_refresh: bool, select: str | None) -> dict[str, Any]:
    log = get_run_logger()
    t0 = time.perf_counter()
    # Seeds were loaded by the seed step; their tests still run here.
    args = ["build", "--exclude", "resource_type:seed"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        # cautious: a test runs only if all the models it reads were selected
        args += ["--select", select, "--indirect-selection", "cautious"]
    res = run_dbt(args, logger=log)
    out = _summarise(res.result) | {"seconds": round(time.perf_counter() - t0, 1)}
    log.info("dbt build: %d nodes %s in %.1f s", out["nodes"], out["by_status"], out["seconds"])
    return out


@flow(name="build", log_prints=False)
def build_flow(full_refresh: bool = False, select: str | None = None) -> dict[str, Any]:
    """Seed and build the warehouse in JINGFEN_HOME/warehouse/build/jingfen.duckdb."""
    log = get_run_logger()
    t0 = time.perf_counter()

    log.info("step 1/2: dbt seed")
    seeded = seed(full_refresh)

    log.info("step 2/2: dbt build%s", f" --select {select}" if select else "")
    built = build(full_refresh, select)

    summary = {
        "seed": seeded,
        "build": built,
        "nodes": seeded["nodes"] + built["nodes"],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    log.info("build finished: %d nodes in %.1f s", summary["nodes"], summary["seconds"])
    return summary
