"""The ingest flow (入库): validate extract files in landing/, load the good ones into the Parquet
raw layer, quarantine the bad ones, and audit every outcome.

Steps:
1. open the load (or resume one a killed run left unfinished) and find what landed;
   hold back data files whose control file has not arrived yet (and the reverse): they wait;
2. one task per interface batch, in a fixed order, each looping over its files (a task per file
   would cost more than loading a small file);
3. badly named files and stray control files;
4. close the load and return the summary.

A bad file is an outcome (rejected and quarantined), not a failure; a fault of the flow itself
(disk, missing reference seeds, a bug) fails it.  The core is ``jingfen.ingest``.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from jingfen.config import settings
from jingfen.ingest import (
    AuditStore,
    Discovery,
    FileOutcome,
    LoadContext,
    RowValidator,
    Waiting,
    begin_load,
    discover,
    end_load,
    hold_waiting,
    ingest_files,
    ingest_stray_controls,
    load_lock,
    summarise,
)

# I/O tasks retry with back-off; results are not cached (a load must look at landing/ afresh).
RETRY_DELAYS: list[float] = [2, 10, 30]


@task(name="open-load", retries=3, retry_delay_seconds=RETRY_DELAYS, cache_policy=NO_CACHE)
def open_load(ctx: LoadContext) -> tuple[LoadContext, bool]:
    ctx, resumed = begin_load(ctx)
    log = get_run_logger()
    if resumed:
        log.warning("resuming load %s, which an earlier run left unfinished", ctx.load_id)
    else:
        log.info("load %s started; landing is %s", ctx.load_id, ctx.landing)
    return ctx, resumed


@task(name="discover-landing", retries=3, retry_delay_seconds=RETRY_DELAYS, cache_policy=NO_CACHE)
def discover_landing(ctx: LoadContext) -> Discovery:
    found = discover(ctx.landing)
    get_run_logger().info(
        "%d data files in %d interfaces, %d badly named, %d stray control files, %d ignored",
        len(found.deliveries),
        len(found.by_interface()),
        len(found.bad_names),
        len(found.stray_controls),
        len(found.ignored),
    )
    return found


@task(name="hold-waiting", retries=3, retry_delay_seconds=RETRY_DELAYS, cache_policy=NO_CACHE)
def hold_waiting_files(found: Discovery, ctx: LoadContext) -> tuple[Discovery, list[Waiting]]:
    """Data files whose control file has not arrived (and the reverse) stay in landing/."""
    history = AuditStore(ctx.paths.ingest_db).history(ctx.load_id)
    found, waiting = hold_waiting(found, ctx, history)
    log = get_run_logger()
    for w in waiting:
        said = w.summary(ctx.wait_seconds)
        log.info(
            "%s waits for %s (rejected if none by %s)",
            said["file"],
            said["waiting_for"],
            said["rejected_after"],
        )
    return found, waiting


@task(
    name="ingest-interface",
    task_run_name="ingest-{interface}",
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    cache_policy=NO_CACHE,
)
def ingest_interface(
    interface: str, files: list[str], ctx: LoadContext, start: int, total: int
) -> list[FileOutcome]:
    """Load one interface's files in order.  A retry starts from what the audit committed:
    finished files are gone from landing/, half-finished ones are completed."""
    from pathlib import Path

    log = get_run_logger()
    t0 = time.perf_counter()
    history = AuditStore(ctx.paths.ingest_db).history(ctx.load_id)
    remaining = [Path(f) for f in files if Path(f).exists()]
    with RowValidator(ctx.seeds_dir, ctx.paths.tmp / "duckdb") as validator:
        outcomes = ingest_files(
            remaining, ctx, history, validator=validator, logger=log, start=start, total=total
        )
    rows = sum(o.records_loaded for o in outcomes)
    secs = time.perf_counter() - t0
    log.info(
        "%s: %d files, %s rows loaded in %.1f s (%s rows/s)",
        interface,
        len(outcomes),
        f"{rows:,}",
        secs,
        f"{rows / secs:,.0f}" if secs > 0 else "-",
    )
    return outcomes


@task(name="ingest-strays", retries=3, retry_delay_seconds=RETRY_DELAYS, cache_policy=NO_CACHE)
def ingest_strays(found: Discovery, ctx: LoadContext, start: int) -> list[FileOutcome]:
    """Badly named data files and control files without a data file: rejected, quarantined."""
    log = get_run_logger()
    history = AuditStore(ctx.paths.ingest_db).history(ctx.load_id)
    bad = [p for p in found.bad_names if p.exists()]
    outcomes = ingest_files(bad, ctx, history, logger=log, start=start, total=found.files)
    strays = [p for p in found.stray_controls if p.exists()]
    return outcomes + ingest_stray_controls(strays, ctx, history, log)


@task(name="close-load", retries=3, retry_delay_seconds=RETRY_DELAYS, cache_policy=NO_CACHE)
def close_load(
    ctx: LoadContext,
    outcomes: list[FileOutcome],
    resumed: bool,
    seconds: float,
    waiting: list[Waiting],
) -> dict[str, Any]:
    summary = summarise(ctx, outcomes, resumed, seconds, waiting)
    end_load(ctx, summary)
    get_run_logger().info(
        "load %s: %d files — %d loaded, %d reloaded, %d duplicate, %d rejected, %d waiting; "
        "%s rows loaded (%s rows/s)",
        ctx.load_id,
        summary["files"],
        summary["loaded"],
        summary["reloaded"],
        summary["duplicate"],
        summary["rejected"],
        summary["waiting"],
        f"{summary['rows_loaded']:,}",
        summary["rows_per_second"],
    )
    return summary


@flow(name="ingest", log_prints=False)
def ingest_flow(landing: str | None = None) -> dict[str, Any]:
    """Validate and load everything in ``landing`` (default JINGFEN_HOME/landing); return counts
    per outcome and the load_id."""
    t0 = time.perf_counter()
    ctx = LoadContext.from_settings(landing=landing, s=settings())
    with load_lock(ctx):
        ctx, resumed = open_load(ctx)
        found, waiting = hold_waiting_files(discover_landing(ctx), ctx)
        outcomes: list[FileOutcome] = []
        n = 0
        for interface, batch in found.by_interface():
            files = [str(d.path) for d in batch]
            outcomes += ingest_interface(interface, files, ctx, n, found.files)
            n += len(files)
        if found.bad_names or found.stray_controls:
            outcomes += ingest_strays(found, ctx, n)
        return close_load(ctx, outcomes, resumed, time.perf_counter() - t0, waiting)
