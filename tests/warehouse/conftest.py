"""A small simulated warehouse built once per session and shared by the warehouse tests.

``core_home`` simulates 3 provinces x 13 months (3,000 subscribers, 2 increment days), ingests
the extracts and builds staging, intermediate and the star schema (models/) with their tests.
``warehouse_home`` adds the subject marts (marts/) on top. The two steps are separate so a
broken subject mart does not hide the star schema's own test results, and vice versa.
Both are read-only for tests: open the database with ``duckdb.connect(path, read_only=True)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SIM_SUBSCRIBERS = 3000
SIM_PROVINCES = ("44", "11", "51")
SIM_MONTHS = 13
SIM_DAYS = 2


@dataclass
class BuiltWarehouse:
    home: Path
    db: Path  # JINGFEN_HOME/warehouse/build/jingfen.duckdb
    truth: Path  # simulator ground truth (manifest.json, ...)
    marts_error: BaseException | None = None


def simulate_and_ingest(home: Path, **config: object) -> None:
    """Simulate extracts into ``home``'s landing folder and run the ingest flow on them
    (JINGFEN_HOME must already point at ``home``)."""
    from flows.ingest import ingest_flow
    from jingfen.config import settings
    from simulator.config import SimConfig
    from simulator.generate import simulate

    paths = settings().paths.ensure()
    assert paths.home == home.resolve(), f"JINGFEN_HOME is {paths.home}, expected {home}"
    config.setdefault("start", "2025-10")  # the dates the tests name
    simulate(SimConfig(**config), paths.landing, paths.truth)  # type: ignore[arg-type]
    ingest_flow()


@pytest.fixture(scope="session")
def _built(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Iterator[BuiltWarehouse]:
    from jingfen.dbt import DbtRunError, run_dbt

    home = tmp_path_factory.mktemp("warehouse") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGFEN_HOME", str(home))
        mp.setenv("PREFECT_LOGGING_LEVEL", os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"))
        simulate_and_ingest(
            home,
            subscribers=SIM_SUBSCRIBERS,
            provinces=SIM_PROVINCES,
            months=SIM_MONTHS,
            days=SIM_DAYS,
        )
        run_dbt(["seed"])
        # cautious: a test that also reads a subject mart waits for the second step
        run_dbt(
            [
                "build",
                "--exclude",
                "resource_type:seed",
                "--select",
                "path:models",
                "--indirect-selection",
                "cautious",
            ]
        )
        built = BuiltWarehouse(
            home=home, db=home / "warehouse" / "build" / "jingfen.duckdb", truth=home / "truth"
        )
        try:
            run_dbt(["build", "--exclude", "resource_type:seed", "--select", "path:marts"])
        except DbtRunError as exc:  # reported by warehouse_home, not by the core tests
            built.marts_error = exc
    yield built


@pytest.fixture(scope="session")
def core_home(_built: BuiltWarehouse) -> BuiltWarehouse:
    """Staging, intermediate and star schema built and tested (dbt build passed)."""
    return _built


@pytest.fixture(scope="session")
def warehouse_home(_built: BuiltWarehouse) -> BuiltWarehouse:
    """The whole warehouse built and tested, subject marts included."""
    if _built.marts_error is not None:
        raise _built.marts_error
    return _built


@pytest.fixture(scope="session")
def core_db(core_home: BuiltWarehouse) -> Path:
    """Path of the built DuckDB database with the star schema (open it read-only)."""
    return core_home.db
