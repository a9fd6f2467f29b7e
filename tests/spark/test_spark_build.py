"""The dbt project builds on Spark and every table agrees with the DuckDB build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jingfen.spark.compare import compare_builds, report

pytestmark = pytest.mark.slow


def _manifest_models(target: Path) -> set[str]:
    manifest = json.loads((target / "manifest.json").read_text())
    return {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"].get("enabled")
    }


def test_spark_build_covers_every_model_and_passes_its_tests(two_builds) -> None:
    spark = two_builds.spark
    nodes = spark.steps["dbt_build"]["nodes"]
    statuses = {n["unique_id"]: n["status"] for n in nodes}
    failed = {u: s for u, s in statuses.items() if s not in {"success", "pass", "no-op"}}
    assert not failed, f"nodes that did not succeed on Spark: {failed}"
    built = {t["name"] for t in spark.tables if t["resource_type"] == "model"}
    expected = _manifest_models(two_builds.home / "spark" / "dbt" / "target")
    assert built == expected
    assert any(n.startswith("mart_") for n in built), "no subject mart was built"
    assert any(u.startswith("test.") for u in statuses), "the data tests did not run on Spark"


def test_spark_read_the_same_inputs(two_builds) -> None:
    import duckdb

    con = duckdb.connect(str(two_builds.duckdb), read_only=True)
    try:
        raw = two_builds.home / "warehouse" / "raw"
        for table, n in two_builds.spark.inputs.items():
            schema, name = table.split(".")
            if schema == "raw":
                expected = con.execute(
                    f"select count(*) from read_parquet('{raw}/{name}/*.parquet', union_by_name = true)"
                ).fetchall()[0][0]
                assert n == expected, f"{table}: {n} rows on Spark, {expected} in the raw layer"
    finally:
        con.close()
    assert {"ingest.load_audit", "ingest.load_rejects"} <= set(two_builds.spark.inputs)


def test_every_table_matches_duckdb(two_builds) -> None:
    export = two_builds.home / "spark" / "export"
    results = compare_builds(two_builds.duckdb, export, two_builds.spark.tables)
    compared = {r.table.split(".")[1] for r in results}
    assert {t["name"] for t in two_builds.spark.tables} == compared
    assert sum(r.rows_spark for r in results) > 0
    bad = [r for r in results if not r.ok]
    assert not bad, report(results)
