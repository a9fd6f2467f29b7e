"""``python -m jingfen.spark``: build JINGFEN_HOME's warehouse on Spark, compare with DuckDB.

    python -m jingfen.spark build [--compare] [--increment] [--no-export] [--cores N]
    python -m jingfen.spark compare

``build`` needs the Spark environment (``make spark-env``) and a loaded raw layer; ``--compare``
(and ``compare``) also need the DuckDB build (``jingfen build``). Exit status 1 when the build
fails or any table differs.
"""

from __future__ import annotations

import argparse
import json
import sys

from jingfen.config import settings
from jingfen.spark import SparkBuildError, SparkPaths, build_on_spark
from jingfen.spark.compare import compare_builds, report


def _compare() -> bool:
    paths = settings().paths
    sp = SparkPaths.of(paths)
    if not paths.build_db.exists():
        print(f"no DuckDB build at {paths.build_db}: run `jingfen build` first", file=sys.stderr)
        return False
    if not sp.export.exists():
        print(
            f"no Spark export at {sp.export}: run `python -m jingfen.spark build`", file=sys.stderr
        )
        return False
    results = compare_builds(paths.build_db, sp.export)
    print(report(results))
    return all(r.ok for r in results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m jingfen.spark", description=__doc__.splitlines()[0]
    )
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the dbt project on a local Spark session")
    b.add_argument("--compare", action="store_true", help="then compare every table with DuckDB")
    b.add_argument(
        "--increment",
        action="store_true",
        help="keep the Spark metastore and build incrementally (no --full-refresh)",
    )
    b.add_argument("--no-export", action="store_true", help="skip the Parquet export of tables")
    b.add_argument("--cores", type=int, default=None, help="local[N] (default: all cores)")
    b.add_argument("--select", default=None, help="dbt --select for the build step")
    sub.add_parser("compare", help="compare the last Spark export with the DuckDB build")
    a = ap.parse_args(argv)

    if a.command == "compare":
        return 0 if _compare() else 1
    try:
        result = build_on_spark(
            full_refresh=not a.increment,
            fresh=not a.increment,
            export=not a.no_export or a.compare,
            select=a.select,
            cores=a.cores,
        )
    except SparkBuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    nodes = result.steps.get("dbt_build", {}).get("nodes", [])
    print(
        json.dumps(
            {
                "seconds": result.seconds,
                "steps": result.step_seconds(),
                "nodes": len(nodes),
                "input_rows": sum(result.inputs.values()),
            }
        )
    )
    if a.compare:
        return 0 if _compare() else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
