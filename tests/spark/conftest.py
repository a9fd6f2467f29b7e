"""One small warehouse built twice — on DuckDB and on a local Spark session — from the same
loaded extracts, shared by the Spark tests.

Its own build, not the session's standard warehouse: Spark adds its state to the home, and a
smaller set (1,500 subscribers, 2 provinces, 13 months, 2 increment days) keeps the Spark build
short. It is simulated and ingested once (``testkit.warehouse.simulate_and_ingest``);
``flows.build.build_flow`` builds it on DuckDB, then ``jingfen.spark`` builds the same dbt
project on Spark from the same raw-layer Parquet files and exports every table.
Skipped (with the reason) only when the Spark environment is missing: `make test-spark`
creates it first, so there it always runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from testkit.warehouse import simulate_and_ingest

SIM = {"subscribers": 1500, "provinces": ("44", "11"), "months": 13, "days": 2, "start": "2025-10"}


@dataclass
class TwoBuilds:
    home: Path
    duckdb: Path
    spark: object  # jingfen.spark.SparkBuildResult
    seconds: dict[str, float]


@pytest.fixture(scope="session")
def two_builds(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Iterator[TwoBuilds]:
    from jingfen.spark import SparkBuildError, build_on_spark, spark_python

    try:
        spark_python()
    except SparkBuildError as exc:
        pytest.skip(f"Spark environment missing: {exc}")

    from flows.build import build_flow
    from jingfen.config import settings

    home = tmp_path_factory.mktemp("spark") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGFEN_HOME", str(home))
        mp.setenv("PREFECT_LOGGING_LEVEL", os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"))
        paths = settings().paths.ensure()
        seconds: dict[str, float] = {}
        t0 = time.perf_counter()
        simulate_and_ingest(home, **SIM)
        seconds["simulate_ingest"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_flow(full_refresh=True)
        seconds["duckdb_build"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = build_on_spark(paths)
        seconds["spark_build"] = time.perf_counter() - t0
        yield TwoBuilds(home=home, duckdb=paths.build_db, spark=result, seconds=seconds)
