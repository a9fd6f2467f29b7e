"""The daily reports flow (日报): send the report schedules marked ``after_nightly`` in
config/reports.yaml once the nightly run has published, rather than at a fixed hour (a late
night would mail yesterday's numbers, an early one would wait for nothing).

Runs as the last step of flows.nightly. On an install without Superset running under this
JINGFEN_HOME (no dashboards to render) it sends nothing and says so; with Superset running, a
report that fails fails the flow (its mail did not go out; `jingfen reports log` shows why).
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from dashboards import reports, server


# No retries: a failed report has its own log entry and error; a second attempt would mail twice
# the recipients who received the first.
@task(name="send-daily-reports", retries=0, cache_policy=NO_CACHE)
def send_task(timeout: float) -> dict[str, str]:
    return reports.send_after_nightly(server.SupersetClient.as_admin(), timeout)


@flow(name="daily-reports", log_prints=False)
def daily_reports_flow(timeout: float = 600) -> dict[str, str]:
    """Run every unpaused after-nightly schedule now and wait for each; schedule name -> state."""
    log = get_run_logger()
    if server.server_info() is None:
        log.warning("Superset is not running for this JINGFEN_HOME: no daily report was sent.")
        return {}
    if server.celery_info() is None:
        raise server.SupersetError(
            "Superset runs but its Celery worker does not, so no report can be rendered: "
            "start it with `jingfen superset start` (JINGFEN_SUPERSET_REPORTS must not be false)."
        )
    states = send_task(timeout)
    for name, state in states.items():
        log.info("%s: %s", name, state)
    return states
