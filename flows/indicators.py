"""Indicator upload to HQ (总部指标上报) as Prefect flows.

* ``indicators-upload`` — province side, a step of the pipeline after the build: export each
  province's package for a period from the warehouse and deliver it to HQ's inbox
  (indicators/upload.py). Re-running is
  harmless: unchanged figures reuse the existing package and an already delivered package is not
  sent again.
* ``indicators-receive`` — HQ side, on a schedule: check every package in the inbox, load or
  reject it, refresh submission status and the 口径 comparison.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task

from indicators import upload
from indicators.package import check_period
from indicators.receive import receive_all
from indicators.settings import provinces as all_provinces

RECEIVE_DEPLOYMENT = "indicators-receive"
RECEIVE_CRON = "*/30 * * * *"
TIMEZONE = "Asia/Shanghai"


@task(retries=3, retry_delay_seconds=[2, 10, 30])
def export_and_deliver(prov: str, period: str, target: str | None) -> dict[str, Any]:
    return upload.export_and_deliver(prov, period, target)


@flow(name="indicators-upload", log_prints=False)
def upload_flow(period: str, provinces: list[str] | None = None, target: str | None = None) -> dict:
    log = get_run_logger()
    check_period(period)
    provs = provinces or sorted(all_provinces())
    results: dict[str, Any] = {}
    for prov in provs:
        r = export_and_deliver(prov, period, target)
        for w in r["warnings"]:
            log.warning("%s %s: %s", prov, period, w)
        log.info(
            "%s: %s%s",
            prov,
            r["package"],
            f" delivered to {r['delivered']}"
            if r["delivered"]
            else " (already delivered, unchanged)",
        )
        results[prov] = r
    return {"period": period, "packages": results}


@task
def receive_task(inbox: str | None, as_of: str | None) -> dict:
    from datetime import datetime
    from pathlib import Path

    return receive_all(
        Path(inbox) if inbox else None,
        datetime.fromisoformat(as_of) if as_of else None,
        log=get_run_logger(),
    )


@flow(name="indicators-receive", log_prints=False)
def receive_flow(inbox: str | None = None, as_of: str | None = None) -> dict:
    """Receive everything in HQ's inbox. ``as_of`` (ISO time, Beijing) decides missing vs pending
    (default: now)."""
    log = get_run_logger()
    summary = receive_task(inbox, as_of)
    log.info(
        "received %d: %d accepted, %d rejected, %d duplicate; status %s",
        summary["received"],
        len(summary["accepted"]),
        len(summary["rejected"]),
        len(summary["duplicates"]),
        summary["status"],
    )
    return summary


def serve_receive(cron: str = RECEIVE_CRON) -> None:
    """Serve the receive flow on a schedule (blocks; needs a real Prefect server)."""
    from prefect.schedules import Cron

    receive_flow.serve(
        name=RECEIVE_DEPLOYMENT,
        schedules=[Cron(cron, timezone=TIMEZONE)],
        description="HQ: receive, check and consolidate provincial indicator packages",
    )
