"""The scale-out path: the same dbt project built on Spark, and checked against the DuckDB build.

Spark runs in its own environment (``.venv-spark``: dbt-spark's ``session`` method, pyspark 4,
Java 17; ``make spark-env``), so the main environment drives it as a subprocess:

1. :func:`export_inputs` (main env) writes the inputs Spark cannot read from DuckDB files to
   Parquet under ``JINGFEN_HOME/spark/input/``: the ingest audit (``ingest.duckdb``) and the ML
   score tables (schema ``ml`` of the build database) if there are any. The raw layer itself is
   already Parquet and is read where it lies, so both builds start from identical inputs.
2. :func:`build_on_spark` runs ``jingfen/spark/driver.py`` with ``.venv-spark/bin/python``: one
   local Spark session registers those files as tables, runs ``dbt seed`` and ``dbt build`` on
   the ``spark`` target and exports every built table to ``JINGFEN_HOME/spark/export/``.
3. :func:`jingfen.spark.compare.compare_builds` (main env) compares each exported table with the
   DuckDB build's table of the same name: same rows, same values (numbers within a tolerance).

All Spark state (metastore, warehouse, derby.log, dbt target and logs) lives under
``JINGFEN_HOME/spark``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jingfen.config import REPO_ROOT, Paths, pii_salt, settings
from jingfen.interfaces import INTERFACES

DRIVER = Path(__file__).with_name("driver.py")
SPARK_VENV = REPO_ROOT / ".venv-spark"
# Tables of ingest.duckdb the `ingest` source reads.
INGEST_TABLES = ("load_audit", "load_rejects")


class SparkBuildError(RuntimeError):
    """The Spark build (or its environment) failed; the message says which step and why."""


@dataclass(frozen=True)
class SparkPaths:
    """Where the Spark build keeps its state, under JINGFEN_HOME/spark."""

    home: Path

    @classmethod
    def of(cls, paths: Paths) -> SparkPaths:
        return cls(paths.home / "spark")

    @property
    def input(self) -> Path:  # Parquet exports of inputs that live in DuckDB files
        return self.home / "input"

    @property
    def export(self) -> Path:  # every table the Spark build made, as Parquet
        return self.home / "export"

    @property
    def dbt(self) -> Path:  # dbt's target/ and logs/ for the spark target
        return self.home / "dbt"

    @property
    def state(self) -> tuple[Path, ...]:  # the metastore and warehouse (a fresh build drops them)
        return (self.home / "metastore_db", self.home / "warehouse", self.home / "derby.log")


@dataclass
class SparkBuildResult:
    seconds: float
    steps: dict[str, Any]
    inputs: dict[str, int]
    tables: list[dict[str, str]] = field(default_factory=list)
    exported: dict[str, int] = field(default_factory=dict)

    def step_seconds(self) -> dict[str, float]:
        return {k: float(v["seconds"]) for k, v in self.steps.items()}


def spark_python() -> Path:
    """The interpreter of the Spark environment (JINGFEN_SPARK_PYTHON overrides)."""
    py = settings().spark_python or SPARK_VENV / "bin" / "python"
    if not py.exists():
        raise SparkBuildError(
            f"{py} does not exist: the Spark environment is not installed; run `make spark-env` "
            "(it creates .venv-spark with dbt-spark[session] and pyspark from requirements/spark.txt)"
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkBuildError("java is not on PATH and JAVA_HOME is not set: Spark needs Java 17")
    return py


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop the driver and every process it started (SIGTERM, then SIGKILL)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def _duckdb_tables_to_parquet(
    db: Path, schema: str, out_dir: Path, only: tuple[str, ...] = ()
) -> dict[str, str]:
    """Copy the tables of ``schema`` in DuckDB file ``db`` to ``out_dir/<table>/data.parquet``."""
    import duckdb

    folders: dict[str, str] = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        catalog = con.execute("select current_database()").fetchall()[0][0]
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = ? order by 1",
                [catalog, schema],
            ).fetchall()
        ]
        for name in names:
            if only and name not in only:
                continue
            folder = out_dir / name
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            target = str(folder / "data.parquet").replace("'", "''")
            con.execute(f'copy "{schema}"."{name}" to \'{target}\' (format parquet)')
            folders[name] = str(folder)
    finally:
        con.close()
    return folders


def export_inputs(paths: Paths | None = None) -> dict[str, dict[str, str]]:
    """Write the inputs that live in DuckDB files to Parquet for Spark; returns
    ``{schema: {table: folder}}`` for the driver to register."""
    paths = paths or settings().paths
    sp = SparkPaths.of(paths)
    if not paths.ingest_db.exists():
        raise SparkBuildError(
            f"{paths.ingest_db} does not exist: run the ingest flow (`jingfen ingest`) first; "
            "the Spark build starts from the same loaded extracts as the DuckDB build"
        )
    inputs = {
        "ingest": _duckdb_tables_to_parquet(
            paths.ingest_db, "main", sp.input / "ingest", INGEST_TABLES
        )
    }
    missing = set(INGEST_TABLES) - set(inputs["ingest"])
    if missing:
        raise SparkBuildError(f"{paths.ingest_db} has no table(s) {sorted(missing)}")
    # Score tables ml/ wrote into the build database: marts join them when they exist.
    if paths.build_db.exists():
        ml = _duckdb_tables_to_parquet(paths.build_db, "ml", sp.input / "ml")
        if ml:
            inputs["ml"] = ml
    return inputs


def build_on_spark(
    paths: Paths | None = None,
    *,
    full_refresh: bool = True,
    fresh: bool = True,
    export: bool = True,
    select: str | None = None,
    cores: int | None = None,
    shuffle_partitions: int = 4,
    timeout: float = 3600,
) -> SparkBuildResult:
    """Build the dbt project on a local Spark session from JINGFEN_HOME's raw layer.

    ``fresh`` drops the Spark metastore and warehouse first (a clean full build); with
    ``fresh=False, full_refresh=False`` incremental models add only the new days.
    Raises SparkBuildError naming the failed nodes.
    """
    paths = (paths or settings().paths).ensure()
    sp = SparkPaths.of(paths)
    py = spark_python()
    if fresh:
        for p in (*sp.state, sp.export):
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    sp.home.mkdir(parents=True, exist_ok=True)
    extra_inputs = export_inputs(paths)
    result_path = sp.home / "result.json"
    dbt_env = {
        "JINGFEN_HOME": str(paths.home),
        "DBT_PROJECT_DIR": str(REPO_ROOT),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_TARGET_PATH": str(sp.dbt / "target"),
        "DBT_LOG_PATH": str(sp.dbt / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
        "DBT_USE_COLORS": "False",
    }
    job: dict[str, Any] = {
        "spark_home": str(sp.home),
        "raw_dir": str(paths.raw),
        "raw_tables": [code.lower() for code in INTERFACES],
        "extra_inputs": extra_inputs,
        "full_refresh": full_refresh,
        "select": select,
        "cores": cores,
        "shuffle_partitions": shuffle_partitions,
        "export_dir": str(sp.export) if export else None,
        "result_path": str(result_path),
        # Same salt as the DuckDB build, so hashed ids agree.
        "vars": {"pii_salt": pii_salt()},
        "env": dbt_env,
    }
    job_path = sp.home / "job.json"
    job_path.write_text(json.dumps(job, indent=2))
    result_path.unlink(missing_ok=True)
    env = dict(os.environ, **dbt_env, PYSPARK_PYTHON=str(py), PYSPARK_DRIVER_PYTHON=str(py))
    env.pop("VIRTUAL_ENV", None)
    log_path = sp.home / "driver.log"
    t0 = time.perf_counter()
    with log_path.open("w") as log:
        # Its own process group: on a timeout (or Ctrl-C) the Spark JVM the driver started goes
        # too, not only the Python process (an orphaned JVM would keep the metastore locked).
        proc = subprocess.Popen(
            [str(py), str(DRIVER), str(job_path)],
            cwd=sp.home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
        except BaseException:
            _kill_group(proc)
            raise
    seconds = round(time.perf_counter() - t0, 2)
    result = json.loads(result_path.read_text()) if result_path.exists() else {}
    if proc.returncode != 0 or not result.get("ok"):
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
        raise SparkBuildError(
            f"the Spark build failed (exit {proc.returncode}): "
            f"{result.get('error') or 'no result written'}\n"
            f"(driver log: {log_path}; dbt log: {sp.dbt / 'logs' / 'dbt.log'})\n{tail}"
        )
    return SparkBuildResult(
        seconds=seconds,
        steps=result["steps"],
        inputs=result.get("inputs", {}),
        tables=result.get("tables", []),
        exported=result.get("exported", {}),
    )
