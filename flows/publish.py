"""The publish flow (发布): swap the freshly built warehouse in for the dashboards, then empty
Superset's chart-data cache so every dashboard shows the new numbers at the next view.

Steps (jingfen/publish.py): copy the closed build database to a new version file, check it,
point warehouse/jingfen.duckdb at it atomically and remove the versions it replaced; then
(dashboards/cache.py) clear the chart cache.
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from dashboards.cache import clear_chart_cache
from jingfen.config import settings
from jingfen.publish import publish


# No retries: every failure here (missing build, a build running, a bad copy) needs a person or
# a new build, not the same attempt again.
@task(name="publish-warehouse", retries=0, cache_policy=NO_CACHE)
def publish_task() -> tuple[Path, dict[str, int]]:
    return publish(settings().paths)


@flow(name="publish", log_prints=False)
def publish_flow() -> Path:
    """Publish warehouse/build/jingfen.duckdb as the version warehouse/jingfen.duckdb links to
    (atomic swap)."""
    log = get_run_logger()
    t0 = time.perf_counter()
    path, counts = publish_task()
    cleared = clear_chart_cache(settings().paths)
    size_mb = path.stat().st_size / 1e6
    log.info(
        "published %s -> %s (%.1f MB, %d tables, %d views) in %.1f s; "
        "%d cached chart results cleared",
        path,
        path.resolve().name,
        size_mb,
        counts["tables"],
        counts["views"],
        time.perf_counter() - t0,
        cleared,
    )
    return path
