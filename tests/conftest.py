"""Test-wide set-up: telemetry off, every byte written under a temporary JINGFEN_HOME, and the
one standard warehouse shared by every test that reads a built warehouse.

Helpers live in the importable package tests/testkit (``from testkit.warehouse import ...``);
fixtures live in the conftest.py of the folder that uses them, and here when several do.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from testkit.warehouse import StandardWarehouse, build_standard_warehouse

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


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
_STANDARD: list[StandardWarehouse] = []  # the session's build, for the terminal summary


@pytest.fixture(scope="session")
def standard_warehouse(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> StandardWarehouse:
    """The standard warehouse (testkit.warehouse: 3,000 subscribers in 3 provinces, the whole
    pipeline), built once per session on first use. Read-only: open its databases with
    ``read_only=True``; a test that changes a home copies it (``testkit.warehouse.copy_home``).
    A failing step fails every test that needs the warehouse, with the step's own error."""
    home = tmp_path_factory.mktemp("standard") / "home"
    t0 = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGFEN_HOME", str(home))
        mp.setenv("PREFECT_LOGGING_LEVEL", os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"))
        built = build_standard_warehouse(home)
    built.timings["fixture_total"] = round(time.perf_counter() - t0, 1)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "standard-warehouse-timings.json").write_text(
        json.dumps(built.timings, indent=2) + "\n"
    )
    _STANDARD.append(built)
    return built


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for built in _STANDARD:
        steps = ", ".join(f"{k} {v} s" for k, v in built.timings.items())
        terminalreporter.write_line(f"standard warehouse built once: {steps}")
