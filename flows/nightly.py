"""The nightly pipeline (夜间批处理): one flow that reads as its list of steps.

1. ingest   — validate and load whatever the BSS delivered into landing/
2. build    — dbt: staging, star schema, subject marts, indicator catalogue, with tests
3. publish  — swap the new warehouse in for the dashboards

Each step is its own flow (run here as a subflow), so each can also be run alone from the CLI.
A failed dbt test fails the build step and so the whole run: nothing half-built is published.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, get_run_logger

from flows.build import build_flow
from flows.ingest import ingest_flow
from flows.publish import publish_flow

NIGHTLY_DEPLOYMENT = "nightly"
DEFAULT_CRON = "30 2 * * *"
TIMEZONE = "Asia/Shanghai"


@flow(name="nightly", log_prints=False)
def nightly_flow(full_refresh: bool = False) -> dict[str, Any]:
    log = get_run_logger()
    summary: dict[str, Any] = {}
    t0 = time.perf_counter()

    log.info("step 1/3: ingest")
    summary["ingest"] = ingest_flow()

    log.info("step 2/3: build")
    summary["build"] = build_flow(full_refresh=full_refresh)

    log.info("step 3/3: publish")
    summary["publish"] = str(publish_flow())

    summary["seconds"] = round(time.perf_counter() - t0, 1)
    log.info("nightly run finished in %.1f s", summary["seconds"])
    return summary


def serve_nightly(cron: str = DEFAULT_CRON) -> None:
    """Register the nightly deployment with a daily schedule and serve it (blocks).

    Needs a real Prefect server (``prefect server start --host 127.0.0.1``): on the ephemeral
    server Prefect refuses to schedule flows.
    """
    from prefect.schedules import Cron

    nightly_flow.serve(
        name=NIGHTLY_DEPLOYMENT,
        schedules=[Cron(cron, timezone=TIMEZONE)],
        description="Nightly: ingest -> build -> publish",
    )
