"""The nightly pipeline (夜间批处理): one flow that reads as its list of steps.

1. ingest     — validate and load whatever the BSS delivered into landing/
2. build      — dbt: staging, star schema, subject marts, indicator catalogue, with tests; only
                what the night's files can change (flows.build, changed_only)
3. score      — the champion churn model scores the latest month; channels are rated; then the
                score-dependent marts are rebuilt (the very first night trains the first model)
4. publish    — swap the new warehouse in for the dashboards
5. indicators — each province's indicator package for the latest month and day goes to HQ's
                inbox; HQ receives, checks and consolidates them; HQ marts rebuilt and published
6. reports    — the 日报 (reports marked after_nightly in config/reports.yaml) are e-mailed
                now that the night's numbers are published (flows.reports)

Each step is its own flow (run here as a subflow), so each can also be run alone from the CLI.
A failed dbt test fails the build step and so the whole run: nothing half-built is published.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, get_run_logger, task

from flows.build import build_flow
from flows.indicators import receive_flow, upload_flow
from flows.ingest import ingest_flow
from flows.ml import score_flow
from flows.publish import publish_flow
from flows.reports import daily_reports_flow
from indicators.warehouse import latest_periods as indicator_periods
from jingfen.config import settings
from jingfen.dbt import run_dbt

NIGHTLY_DEPLOYMENT = "nightly"
DEFAULT_CRON = "30 2 * * *"
TIMEZONE = "Asia/Shanghai"
# Marts that read the ml.* score tables (rebuilt after scoring) and HQ's receipt marts.
SCORE_MARTS = "path:marts/scores+"
HQ_MARTS = "path:models/staging/hq+"


@task(retries=0)
def ensure_champion() -> str:
    """The first night has no model yet: train one (it becomes champion)."""
    from ml.churn import ensure_champion

    return ensure_champion(get_run_logger())


@task(retries=0)
def rebuild(select: str) -> None:
    run_dbt(["build", "--select", *select.split()], logger=get_run_logger())


@task
def latest_periods() -> tuple[list[str], dict[str, str]]:
    """Provinces with data, and the latest month and day of the published indicator values."""
    return indicator_periods(settings().paths.published_db)


@flow(name="nightly", log_prints=False)
def nightly_flow(
    full_refresh: bool = False, hq: bool = True, reports: bool = True
) -> dict[str, Any]:
    log = get_run_logger()
    summary: dict[str, Any] = {}
    t0 = time.perf_counter()

    log.info("step 1/6: ingest")
    summary["ingest"] = ingest_flow()

    log.info("step 2/6: build")
    summary["build"] = build_flow(full_refresh=full_refresh, changed_only=True)

    log.info("step 3/6: score")
    summary["champion"] = ensure_champion()
    summary["score"] = score_flow()
    rebuild(SCORE_MARTS)

    log.info("step 4/6: publish")
    summary["publish"] = str(publish_flow())

    log.info("step 5/6: indicators to HQ")
    provs, periods = latest_periods()
    summary["upload"] = {
        grain: upload_flow(period, provinces=provs)["period"] for grain, period in periods.items()
    }
    if hq:
        summary["receive"] = receive_flow()
        rebuild(HQ_MARTS)
        publish_flow()

    if reports:
        log.info("step 6/6: daily reports")
        summary["reports"] = daily_reports_flow()

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
        description="Nightly: ingest -> build -> score -> publish -> indicators -> reports",
    )
