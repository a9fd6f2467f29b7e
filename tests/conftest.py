"""Test-wide set-up: telemetry off and every byte written under a temporary JINGFEN_HOME."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports Prefect or dbt: no telemetry, generous ephemeral-server start-up (90 s timed out with the 2 cores under a load of 15).
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="jingfen-test-"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "240"
os.environ["PREFECT_HOME"] = str(_SESSION_HOME / "prefect")
os.environ["JINGFEN_HOME"] = str(_SESSION_HOME / "home")
os.environ.setdefault("JINGFEN_PII_SALT", "test-salt-not-secret")
# LightGBM's OpenMP threads spin while waiting; with servers and dbt sharing 2 cores, let them sleep.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=240):
        yield


@pytest.fixture
def jingfen_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty JINGFEN_HOME for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("JINGFEN_HOME", str(home))
    from jingfen.config import settings

    settings().paths.ensure()
    return home
