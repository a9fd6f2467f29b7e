"""``make bench``: run the pipeline at a given scale and record wall time, peak memory and
throughput per step as JSON (and a short table) under ``JINGFEN_HOME/bench/``.

Each step runs as its own ``jingfen`` process against a private JINGFEN_HOME, so its peak memory
is the peak resident size of that process tree (sampled every 100 ms), not of this driver.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from jingfen.config import settings
from jingfen.extracts import NAME_RE


@dataclass
class StepResult:
    step: str
    seconds: float
    peak_rss_mb: float
    rows: int | None = None
    rows_per_second: float | None = None
    detail: dict = field(default_factory=dict)


def _run_measured(step: str, argv: list[str], env: dict[str, str]) -> tuple[StepResult, str]:
    """Run a command, sampling the RSS of its whole process tree; raise if it fails."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            try:
                rss = root.memory_info().rss + sum(
                    c.memory_info().rss for c in root.children(recursive=True)
                )
                peak = max(peak, rss)
            except psutil.Error:
                pass
            stop.wait(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    stop.set()
    t.join()
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join(out.splitlines()[-40:])
        raise RuntimeError(f"benchmark step {step!r} failed (exit {proc.returncode}):\n{tail}")
    return StepResult(step, round(secs, 2), round(peak / 2**20, 1)), out


def _landing_rows(landing: Path) -> int:
    """Data lines delivered, from the control files."""
    n = 0
    for chk in landing.glob("*.chk"):
        for line in chk.read_text().splitlines():
            if line.startswith("records="):
                n += int(line.split("=", 1)[1])
    return n


def run_benchmark(
    scale: int,
    provinces: str | None,
    months: int,
    keep: bool,
    superset: bool = True,
    ml_rows: int | None = None,
    spark: bool = True,
) -> dict:
    base = settings().paths
    work = base.home / "bench" / f"run-{scale}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    env = dict(os.environ, JINGFEN_HOME=str(work), PREFECT_HOME=str(work / "prefect"))
    jf = [sys.executable, "-m", "jingfen"]
    landing = work / "landing"
    held = work / "increment-held"
    results: list[StepResult] = []

    def step(name: str, *args: str, rows: int | None = None, module: str | None = None) -> str:
        print(f"[bench] {name} ...", flush=True)
        argv = [sys.executable, "-m", module, *args] if module else [*jf, *args]
        r, out = _run_measured(name, argv, env)
        for line in out.splitlines():
            if line.startswith("BENCH_RESULT "):
                r.detail = json.loads(line.removeprefix("BENCH_RESULT "))
        if args[:1] == ("build",) and not module:
            r.detail = _build_detail(out)
        if rows:
            r.rows, r.rows_per_second = rows, round(rows / r.seconds, 1)
        results.append(r)
        print(f"[bench] {name}: {r.seconds:.1f} s, peak {r.peak_rss_mb:.0f} MB", flush=True)
        return out

    # The same dbt project on a local Spark session (jingfen/spark, .venv-spark), when installed.
    spark_skipped = "--no-spark given" if not spark else _spark_unavailable()

    def spark_step(name: str, *args: str, rows: int | None = None) -> None:
        if spark_skipped:
            print(f"[bench] {name} skipped: {spark_skipped}", flush=True)
            return
        step(name, *args, rows=rows, module="jingfen.spark")

    sim = ["simulate", "--subscribers", str(scale), "--months", str(months), "--days", "1"]
    if provinces:
        sim += ["--provinces", provinces]
    step("simulate", *sim)
    # Hold back the increment day so it can be loaded and built as a nightly increment.
    held.mkdir()
    periods = sorted({m["period"] for p in landing.iterdir() if (m := NAME_RE.match(p.name))})
    last_day = max(p for p in periods if len(p) == 8)
    for p in landing.iterdir():
        if f"_{last_day}_" in p.name:
            p.rename(held / p.name)
    history_rows = _landing_rows(landing)
    results[-1].rows = history_rows + _landing_rows(held)
    results[-1].rows_per_second = round(results[-1].rows / results[-1].seconds, 1)

    # The engine alone on the same files (plain .dat only: the default data set), then the ingest
    step(
        "ingest_bare_engine",
        "bare_ingest",
        str(landing),
        str(work / "bare"),
        rows=history_rows,
        module="cli.bench_steps",
    )
    shutil.rmtree(work / "bare", ignore_errors=True)
    step("ingest_history", "ingest", rows=history_rows)
    step("dbt_full_build", "build", "--full-refresh", rows=history_rows)
    spark_step("dbt_full_build_spark", "build", "--no-export", rows=history_rows)
    step("ml_train", "ml", "train")
    step("ml_score", "ml", "score")
    step("publish", "publish")
    for p in held.iterdir():
        p.rename(landing / p.name)
    inc_rows = _landing_rows(landing)
    step("ingest_increment", "ingest", rows=inc_rows)
    step("dbt_increment_build", "build", "--changed", rows=inc_rows)
    # Spark builds the same selection as the DuckDB increment (what the day's files can change)
    selection = results[-1].detail.get("select")
    spark_sel = ("--select", selection) if selection else ()
    spark_step(
        "dbt_increment_build_spark",
        "build",
        "--increment",
        "--no-export",
        *spark_sel,
        rows=inc_rows,
    )
    step("publish_increment", "publish")
    if superset:
        step("superset_chart_latency", "superset_latency", module="cli.bench_steps")
    if ml_rows:
        step("ml_train_score_synthetic", "ml_at_scale", str(ml_rows), module="cli.bench_steps")

    db = work / "warehouse" / "build" / "jingfen.duckdb"
    report = {
        "scale_subscribers": scale,
        "months": months,
        "provinces": provinces or "all 31",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "warehouse_mb": round(db.stat().st_size / 2**20, 1) if db.exists() else None,
        "increment_day": last_day,
        "steps": [asdict(r) for r in results],
        "spark": spark_skipped or "measured (local session, same machine)",
    }
    report["comparisons"] = comparisons(report, history_rows, inc_rows)
    out_dir = base.home / "bench"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"bench-{scale}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out_dir / f"bench-{scale}-latest.json").write_text(path.read_text())
    print(render_table(report))
    print(f"[bench] results written to {path}")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _build_detail(out: str) -> dict:
    """From `jingfen build`'s JSON summary (printed last): the flow's own seconds (without the
    process start and Prefect's start-up), dbt's build seconds and nodes, and what was built."""
    start = out.rfind("\n{\n")
    try:
        # log lines (Prefect's shutdown) may follow the JSON: decode the object, ignore the rest
        summary, _ = json.JSONDecoder().raw_decode(out[start + 1 :] if start >= 0 else out)
    except ValueError:
        return {}
    build = summary.get("build", {})
    detail = {
        "flow_seconds": summary.get("seconds"),
        "dbt_build_seconds": build.get("seconds"),
        "nodes": build.get("nodes"),
    }
    for key in ("select", "why"):
        if summary.get(key):
            detail[key] = summary[key]
    return detail


def _spark_unavailable() -> str | None:
    """Why the Spark steps cannot run here, or None when they can."""
    from jingfen.spark import SparkBuildError, spark_python

    try:
        spark_python()
    except SparkBuildError as exc:
        return str(exc)
    return None


# Throughput per core is reported for these (the steps that grow with the data).
HEAVY_STEPS = ("ingest_history", "dbt_full_build", "dbt_full_build_spark")


def comparisons(
    report: dict,
    history_rows: int,
    inc_rows: int,
    *,
    province_subscribers: int = 40_000_000,
    window_hours: float = 4.0,
) -> dict:
    """Ratios that survive a shared machine's drift, and a paper sizing for a big province.

    - ``spark_vs_duckdb_full_build``: Spark seconds / DuckDB seconds for the same full build;
    - ``ingest_vs_bare_engine``: the ingest's seconds / DuckDB's bare read-and-write of the
      same files (aim <= 3);
    - ``increment_vs_full``: the nightly increment's seconds / the full build's, beside the
      increment's rows / the history's rows (cost should follow the day's data, not history);
    - ``rows_per_second_per_core`` for the heavy steps (rows read from the extracts);
    - ``sizing``: cores for a ``province_subscribers`` province in a ``window_hours`` nightly
      window, scaling rows linearly with subscribers and throughput linearly with cores
      (optimistic for one DuckDB machine, roughly right for Spark executors).
    """
    steps = {s["step"]: s for s in report["steps"]}
    cores = report["machine"]["cpus"] or 1
    out: dict = {}
    full, full_spark = steps.get("dbt_full_build"), steps.get("dbt_full_build_spark")
    if full and full_spark:
        out["spark_vs_duckdb_full_build"] = round(full_spark["seconds"] / full["seconds"], 2)
    ingest, bare = steps.get("ingest_history"), steps.get("ingest_bare_engine")
    if ingest and bare:
        # wall times of both processes (the ingest's includes its Prefect start-up)
        out["ingest_vs_bare_engine"] = round(ingest["seconds"] / bare["seconds"], 2)
    inc, inc_spark = steps.get("dbt_increment_build"), steps.get("dbt_increment_build_spark")
    if inc and inc_spark:
        out["spark_vs_duckdb_increment_build"] = round(inc_spark["seconds"] / inc["seconds"], 2)
    if full and inc:
        out["increment_vs_full"] = {
            "seconds_ratio": round(inc["seconds"] / full["seconds"], 3),
            "rows_ratio": round(inc_rows / history_rows, 4) if history_rows else None,
        }
    per_core = {
        name: round(steps[name]["rows_per_second"] / cores, 1)
        for name in HEAVY_STEPS
        if name in steps and steps[name].get("rows_per_second")
    }
    out["rows_per_second_per_core"] = per_core
    scale = report["scale_subscribers"]
    window = window_hours * 3600
    rows_full = history_rows / scale * province_subscribers
    rows_day = inc_rows / scale * province_subscribers
    sizing: dict = {
        "province_subscribers": province_subscribers,
        "window_hours": window_hours,
        "history_rows": round(rows_full),
        "day_rows": round(rows_day),
    }
    for name, rate in per_core.items():
        sizing[f"cores_full_{name}"] = round(rows_full / rate / window, 1)
    if inc and inc_rows:
        sizing["cores_nightly_dbt_increment_build"] = round(
            rows_day / (inc_rows / inc["seconds"] / cores) / window, 1
        )
    out["sizing"] = sizing
    return out


def render_table(report: dict) -> str:
    lines = [
        f"scale {report['scale_subscribers']:,} subscribers x {report['months']} months "
        f"({report['provinces']}), {report['machine']['cpus']} cores, {report['date']}",
        "| step | seconds | peak MB | rows | rows/s | rows/s/core |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    cores = report["machine"]["cpus"] or 1
    for s in report["steps"]:
        rows = f"{s['rows']:,}" if s["rows"] else ""
        rps = f"{s['rows_per_second']:,.0f}" if s["rows_per_second"] else ""
        rpc = f"{s['rows_per_second'] / cores:,.0f}" if s["rows_per_second"] else ""
        lines.append(
            f"| {s['step']} | {s['seconds']:.1f} | {s['peak_rss_mb']:.0f} | {rows} | {rps} | {rpc} |"
        )
    for s in report["steps"]:
        if s.get("detail"):
            lines.append(f"{s['step']}: " + json.dumps(s["detail"], ensure_ascii=False))
    c = report.get("comparisons") or {}
    if "ingest_vs_bare_engine" in c:
        lines.append(f"ingest / bare DuckDB read-and-write: {c['ingest_vs_bare_engine']}x (aim 3)")
    if "spark_vs_duckdb_full_build" in c:
        lines.append(f"Spark / DuckDB full build: {c['spark_vs_duckdb_full_build']}x")
    elif report.get("spark"):
        lines.append(f"Spark: {report['spark']}")
    if "increment_vs_full" in c:
        i = c["increment_vs_full"]
        lines.append(
            f"increment / full build: {i['seconds_ratio']} of the time for {i['rows_ratio']} of the rows"
        )
    if c.get("sizing"):
        z = c["sizing"]
        cores_txt = ", ".join(f"{k[6:]} {v}" for k, v in z.items() if k.startswith("cores_"))
        lines.append(
            f"sizing for {z['province_subscribers']:,} subscribers in {z['window_hours']} h: cores {cores_txt}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="jingfen-bench", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=100_000, help="subscribers (default 100000)")
    ap.add_argument(
        "--provinces", default=None, help="comma-separated province codes (default all)"
    )
    ap.add_argument("--months", type=int, default=13)
    ap.add_argument("--keep", action="store_true", help="keep the benchmark's JINGFEN_HOME")
    ap.add_argument("--no-superset", action="store_true", help="skip the chart-latency step")
    ap.add_argument("--no-spark", action="store_true", help="skip the Spark build steps")
    ap.add_argument(
        "--ml-rows",
        type=int,
        default=None,
        help="also train on / score this many synthetic rows (e.g. 1000000)",
    )
    a = ap.parse_args(argv)
    run_benchmark(
        a.scale, a.provinces, a.months, a.keep, not a.no_superset, a.ml_rows, not a.no_spark
    )


if __name__ == "__main__":
    main()
