"""The environment every command that runs flows or dbt sets first."""

from __future__ import annotations

import os

from jingfen.config import settings


def quiet_env() -> None:
    """Telemetry off and Prefect state under JINGFEN_HOME, before Prefect is imported."""
    paths = settings().paths.ensure()
    os.environ["JINGFEN_HOME"] = str(paths.home)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("PREFECT_HOME", str(paths.prefect))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
