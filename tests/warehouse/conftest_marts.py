"""The standard test set for the subject-mart tests: the simulator's small national sample
(3,000 subscribers in Guangdong, Beijing and Sichuan, 13 months and 2 increment days), ingested
and built once per session into its own JINGFEN_HOME.

Imported by the test modules (``from conftest_marts import marts_home``) until a shared warehouse
fixture exists in tests/warehouse/conftest.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

SIM = {
    "subscribers": 3000,
    "provinces": ("44", "11", "51"),
    "months": 13,
    "days": 2,
    "start": "2025-10",
}
TIMINGS: dict[str, float] = {}
# Each test module that imports the fixture gets its own copy of it; the home is built once and
# shared through this cache.
_BUILT: dict[str, Path] = {}


def build_standard_home(home: Path) -> Path:
    """Simulate, ingest and build the standard test set under ``home`` (JINGFEN_HOME must already
    point there). Records the seconds of each step in TIMINGS."""
    from flows.build import build_flow
    from flows.ingest import ingest_flow
    from jingfen.config import settings
    from simulator.config import SimConfig
    from simulator.generate import simulate

    paths = settings().paths.ensure()
    t0 = time.perf_counter()
    simulate(SimConfig(**SIM), paths.landing, paths.truth)
    t1 = time.perf_counter()
    ingest_flow()
    t2 = time.perf_counter()
    build_flow()
    t3 = time.perf_counter()
    TIMINGS.update(simulate=t1 - t0, ingest=t2 - t1, build=t3 - t2)
    return home


@pytest.fixture(scope="session")
def marts_home(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Path]:
    """A JINGFEN_HOME with the standard test set built (read-only for the tests)."""
    if "home" not in _BUILT:
        home = tmp_path_factory.mktemp("marts") / "home"
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("JINGFEN_HOME", str(home))
            build_standard_home(home)
        _BUILT["home"] = home
    yield _BUILT["home"]


@pytest.fixture
def marts_db(marts_home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built warehouse of the standard test set."""
    con = duckdb.connect(str(marts_home / "warehouse" / "build" / "jingfen.duckdb"), read_only=True)
    try:
        yield con
    finally:
        con.close()
