"""The ingest flow (入库): validate extract files in landing/, load the good ones into the Parquet
raw layer, quarantine the bad ones, and audit every outcome.

Steps (each a Prefect task over the core step of the same name in ``jingfen.ingest.load``,
run in order by ``jingfen.ingest.run_load``):
1. open-load        — open the load, or resume one a killed run left unfinished;
2. discover-landing — find what landed;
3. hold-waiting     — data files whose control file has not arrived yet (and the reverse) wait;
4. ingest-<if>      — one task per interface batch, in a fixed order, each looping over its files;
5. ingest-strays    — badly named files and stray control files;
6. close-load       — close the load and return the summary.

A bad file is an outcome (rejected and quarantined), not a failure; a fault of the flow itself
(disk, missing reference seeds, a bug) fails it.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from flows import IO_TASK
from jingfen.config import settings
from jingfen.ingest import Discovery, FileOutcome, LoadContext, LoadSteps, Waiting, load, run_load


@task(name="open-load", **IO_TASK)
def open_load(ctx: LoadContext) -> tuple[LoadContext, bool]:
    return load.open_load(ctx, get_run_logger())


@task(name="discover-landing", **IO_TASK)
def discover_landing(ctx: LoadContext) -> Discovery:
    return load.discover_landing(ctx, get_run_logger())


@task(name="hold-waiting", **IO_TASK)
def hold_waiting_files(found: Discovery, ctx: LoadContext) -> tuple[Discovery, list[Waiting]]:
    return load.hold_waiting_files(found, ctx, get_run_logger())


@task(name="ingest-interface", task_run_name="ingest-{interface}", **IO_TASK)
def ingest_interface(
    interface: str, files: list[str], ctx: LoadContext, start: int, total: int
) -> list[FileOutcome]:
    return load.ingest_interface(interface, files, ctx, start, total, get_run_logger())


@task(name="ingest-strays", **IO_TASK)
def ingest_strays(found: Discovery, ctx: LoadContext, start: int) -> list[FileOutcome]:
    return load.ingest_strays(found, ctx, start, get_run_logger())


@task(name="close-load", **IO_TASK)
def close_load(
    ctx: LoadContext,
    outcomes: list[FileOutcome],
    resumed: bool,
    seconds: float,
    waiting: list[Waiting],
) -> dict[str, Any]:
    return load.close_load(ctx, outcomes, resumed, seconds, waiting, get_run_logger())


STEPS = LoadSteps(
    open_load, discover_landing, hold_waiting_files, ingest_interface, ingest_strays, close_load
)


@flow(name="ingest", log_prints=False)
def ingest_flow(landing: str | None = None) -> dict[str, Any]:
    """Validate and load everything in ``landing`` (default JINGFEN_HOME/landing); return counts
    per outcome and the load_id."""
    return run_load(LoadContext.from_settings(landing=landing, s=settings()), steps=STEPS)
