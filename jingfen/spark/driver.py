"""Build the dbt project on Spark: runs INSIDE .venv-spark (pyspark + dbt-spark), not the main env.

One Python process, one local Spark session for every step (dbt-spark's ``session`` method calls
``SparkSession.builder.getOrCreate()``, which returns the session made here, so the ~15 s JVM
start is paid once, and the session's settings — warehouse and metastore under
JINGFEN_HOME/spark, UTC, shuffle partitions — are the ones set here):

1. register the inputs as Spark tables over Parquet: ``raw.<interface>`` (every interface of
   the spec, listed in the job) over the raw layer folders (the very files the DuckDB build
   reads), ``ingest.load_audit`` / ``ingest.load_rejects`` and any ``ml.*`` score tables over
   the Parquet export the main environment wrote;
2. ``dbt seed`` and ``dbt build`` on the ``spark`` target (``--full-refresh`` unless asked for
   an increment);
3. export every table dbt built to Parquet (``export/<schema>/<table>/``) for the comparison,
   which runs in the main environment.

Standalone on purpose (standard library, pyspark and dbt only): the main package's
dependencies are not installed here. The job is a JSON file (see ``jingfen.spark.SparkJob``);
the result is written as JSON next to it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def spark_session(job: dict[str, Any]) -> Any:
    """The one local Spark session, with all its state under ``job['spark_home']``."""
    from pyspark.sql import SparkSession

    home = Path(job["spark_home"])
    metastore = home / "metastore_db"
    builder = (
        SparkSession.builder.appName("jingfen-dbt")
        .master(f"local[{job.get('cores') or '*'}]")
        .enableHiveSupport()
        .config("spark.sql.warehouse.dir", str(home / "warehouse"))
        # The embedded Derby metastore and its log, out of the working directory.
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={metastore};create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={home}")
        .config("spark.driver.memory", job.get("driver_memory", "3g"))
        # The raw layer's timestamps are UTC; DuckDB shows them as UTC too.
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(job.get("shuffle_partitions", 4)))
        # Exported timestamps as plain int64 microseconds (not INT96), which pyarrow reads as such.
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def register_inputs(spark: Any, job: dict[str, Any]) -> dict[str, int]:
    """Create the source tables as external Parquet tables (dropping one drops no data)."""
    counts: dict[str, int] = {}
    raw = Path(job["raw_dir"])
    # the `raw` source's tables: one per interface of the spec (jingfen/interfaces.py), named by
    # its lowercase code; the main environment lists them in the job
    tables: list[tuple[str, str, Path]] = [("raw", t, raw / t) for t in job["raw_tables"]]
    for schema, folders in job.get("extra_inputs", {}).items():
        tables += [(schema, name, Path(path)) for name, path in folders.items()]
    for schema in sorted({s for s, _, _ in tables}):
        spark.sql(f"create database if not exists {schema}")
    for schema, name, folder in tables:
        if not any(folder.glob("*.parquet")):
            raise FileNotFoundError(
                f"{folder}: no Parquet files for source table {schema}.{name}; every interface "
                "must have been loaded at least once (the DuckDB build needs it too)"
            )
        spark.sql(f"drop table if exists {schema}.{name}")
        # mergeSchema: the DuckDB build reads with union_by_name, so files may differ in columns.
        spark.sql(
            f"create table {schema}.{name} using parquet "
            f"options (path '{folder}', mergeSchema 'true')"
        )
        counts[f"{schema}.{name}"] = spark.table(f"{schema}.{name}").count()
    return counts


def run_dbt(args: list[str], job: dict[str, Any]) -> dict[str, Any]:
    """``dbt <args>`` on the spark target; raises naming the failed nodes."""
    from dbt.cli.main import dbtRunner

    argv = [*args, "--target", "spark", "--vars", json.dumps(job["vars"])]
    t0 = time.perf_counter()
    res = dbtRunner().invoke(argv)
    seconds = round(time.perf_counter() - t0, 2)
    nodes = []
    for r in getattr(res.result, "results", None) or []:
        nodes.append(
            {
                "unique_id": r.node.unique_id,
                "status": str(getattr(r.status, "value", r.status)),
                "seconds": round(r.execution_time or 0.0, 2),
                "message": (r.message or "").strip()[:2000],
            }
        )
    failed = [n for n in nodes if n["status"] in {"error", "fail", "runtime error"}]
    if not res.success:
        detail = f"{type(res.exception).__name__}: {res.exception}" if res.exception else ""
        lines = [f"dbt {args[0]} on Spark failed: {len(failed)} node(s) failed"]
        lines += [f"  - {n['unique_id']}: {n['status']} — {n['message'][:600]}" for n in failed]
        if detail:
            lines.append(detail)
        raise RuntimeError("\n".join(lines))
    return {"seconds": seconds, "nodes": nodes}


def built_tables(target_dir: Path) -> list[dict[str, str]]:
    """Tables and incremental models dbt built (from its manifest), with their relations."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    out = []
    for node in manifest["nodes"].values():
        if node["resource_type"] not in {"model", "seed"} or not node["config"].get("enabled"):
            continue
        if node["config"].get("materialized") in {"ephemeral"}:
            continue
        out.append(
            {
                "name": node["alias"] or node["name"],
                "schema": node["schema"],
                "resource_type": node["resource_type"],
                "path": node["original_file_path"],
            }
        )
    return sorted(out, key=lambda t: (t["schema"], t["name"]))


def export_tables(spark: Any, tables: list[dict[str, str]], export_dir: Path) -> dict[str, int]:
    """Write each built relation to ``export_dir/<schema>/<name>/`` as Parquet."""
    counts = {}
    for t in tables:
        df = spark.table(f"{t['schema']}.{t['name']}")
        df.coalesce(1).write.mode("overwrite").parquet(str(export_dir / t["schema"] / t["name"]))
        counts[f"{t['schema']}.{t['name']}"] = df.count()
    return counts


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text())
    spark_home = Path(job["spark_home"])
    spark_home.mkdir(parents=True, exist_ok=True)
    os.chdir(spark_home)  # anything Spark or Hive still writes to the cwd lands here
    os.environ.update(job["env"])
    result: dict[str, Any] = {"ok": False, "steps": {}}
    result_path = Path(job["result_path"])
    t_all = time.perf_counter()
    try:
        t0 = time.perf_counter()
        spark = spark_session(job)
        result["steps"]["session_start"] = {"seconds": round(time.perf_counter() - t0, 2)}
        t0 = time.perf_counter()
        result["inputs"] = register_inputs(spark, job)
        result["steps"]["register_inputs"] = {"seconds": round(time.perf_counter() - t0, 2)}
        refresh = ["--full-refresh"] if job.get("full_refresh", True) else []
        result["steps"]["dbt_seed"] = run_dbt(["seed", *refresh], job)
        build = ["build", "--exclude", "resource_type:seed", *refresh]
        if job.get("select"):
            build += ["--select", job["select"]]
        result["steps"]["dbt_build"] = run_dbt(build, job)
        if job.get("export_dir"):
            t0 = time.perf_counter()
            tables = built_tables(Path(job["env"]["DBT_TARGET_PATH"]))
            result["exported"] = export_tables(spark, tables, Path(job["export_dir"]))
            result["tables"] = tables
            result["steps"]["export"] = {"seconds": round(time.perf_counter() - t0, 2)}
        result["ok"] = True
    except Exception as exc:  # reported to the main environment through the result file
        result["error"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        result["seconds"] = round(time.perf_counter() - t_all, 2)
        result_path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
