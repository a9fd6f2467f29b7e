"""The one command line for every jingfen job: ``jingfen --help``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.env import quiet_env as _quiet_env
from jingfen.config import settings

app = typer.Typer(
    help="经分 jingfen — telecom business analysis: simulate, ingest, build, publish, models, dashboards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
interfaces_app = typer.Typer(help="The BSS extract interface specification.", no_args_is_help=True)
app.add_typer(interfaces_app, name="interfaces")


def _mount_subcommands() -> None:
    """Every command group, so one CLI runs every job (their modules import heavy things
    lazily)."""
    from cli.indicators import app as indicators_app
    from cli.spark import app as spark_app
    from dashboards.cli import app as dashboards_app
    from dashboards.cli import reports_app, superset_app
    from ml.cli import app as ml_app

    app.add_typer(dashboards_app, name="dashboards")
    app.add_typer(superset_app, name="superset")
    app.add_typer(reports_app, name="reports")
    app.add_typer(indicators_app, name="indicators")
    app.add_typer(ml_app, name="ml")
    app.add_typer(spark_app, name="spark")


_mount_subcommands()


def _echo_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


@app.command()
def simulate(
    subscribers: Annotated[int, typer.Option(help="Subscribers in service at the start.")] = 20_000,
    provinces: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated GB/T 2260 province codes (default: all 31, by population)."
        ),
    ] = None,
    months: Annotated[
        int, typer.Option(help="Complete months of history (13 gives year-on-year).")
    ] = 13,
    days: Annotated[int, typer.Option(help="Daily increment days after the last month.")] = 3,
    start: Annotated[
        str | None,
        typer.Option(
            help="First month, YYYY-MM (default: the history ends with last month and the "
            "increment days are this month's first days, so the data set looks like tonight's)."
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same files.")
    ] = 42,
    encoding: Annotated[str, typer.Option(help="UTF-8 or GBK.")] = "UTF-8",
    gzip: Annotated[bool, typer.Option("--gzip/--no-gzip", help="Deliver .dat.gz files.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Where to write extracts (default: landing/).")
    ] = None,
) -> None:
    """Generate realistic BSS extract files (and the ground truth, kept apart in truth/)."""
    from simulator.config import SimConfig
    from simulator.generate import simulate as run_simulation

    if encoding not in ("UTF-8", "GBK"):
        raise typer.BadParameter("encoding must be UTF-8 or GBK", param_hint="--encoding")
    paths = settings().paths.ensure()
    cfg = SimConfig(
        subscribers=subscribers,
        provinces=tuple(p.strip() for p in provinces.split(",")) if provinces else None,
        months=months,
        days=days,
        start=start,
        seed=seed,
        encoding=encoding,
        gzip=gzip,
    )
    summary = run_simulation(cfg, out or paths.landing, paths.truth, progress=typer.echo)
    _echo_json(summary)


@app.command()
def ingest(
    landing: Annotated[
        Path | None, typer.Option(help="Folder to load from (default: landing/).")
    ] = None,
) -> None:
    """Validate and load extract files from landing/ into the raw layer (Prefect flow)."""
    _quiet_env()
    from flows.ingest import ingest_flow

    summary = ingest_flow(landing=str(landing) if landing else None)
    _echo_json(summary)


@app.command()
def build(
    full_refresh: Annotated[
        bool, typer.Option(help="Rebuild incremental models from scratch.")
    ] = False,
    select: Annotated[str | None, typer.Option(help="dbt selection, e.g. 'staging+'.")] = None,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Build only what the files loaded since the last build can change "
            "(the nightly increment; everything when there is no previous build).",
        ),
    ] = False,
) -> None:
    """Build the warehouse with dbt (seeds, models, tests) into the working database."""
    _quiet_env()
    from flows.build import build_flow

    _echo_json(build_flow(full_refresh=full_refresh, select=select, changed_only=changed))


@app.command()
def publish() -> None:
    """Publish the working database atomically for the dashboards."""
    _quiet_env()
    from flows.publish import publish_flow

    typer.echo(f"published {publish_flow()}")


@app.command()
def run(
    full_refresh: Annotated[
        bool, typer.Option(help="Rebuild incremental models from scratch.")
    ] = False,
    hq: Annotated[
        bool, typer.Option("--hq/--no-hq", help="Also act as HQ: receive the uploaded packages.")
    ] = True,
) -> None:
    """The nightly pipeline: ingest, build, score, publish, indicators to HQ."""
    _quiet_env()
    from flows.nightly import nightly_flow

    _echo_json(nightly_flow(full_refresh=full_refresh, hq=hq))


@app.command()
def schedule(
    cron: Annotated[str, typer.Option(help="Cron expression (Asia/Shanghai).")] = "30 2 * * *",
    api_url: Annotated[
        str | None,
        typer.Option(
            help="Prefect API of a running `prefect server start --host 127.0.0.1` (default: PREFECT_API_URL)."
        ),
    ] = None,
) -> None:
    """Serve the nightly pipeline on a daily schedule (needs a real Prefect server)."""
    _quiet_env()
    if api_url:
        os.environ["PREFECT_API_URL"] = api_url
    if not os.environ.get("PREFECT_API_URL"):
        typer.echo(
            "Schedules need a real Prefect server: start one with `make prefect-server` "
            "(or `prefect server start --host 127.0.0.1`) and pass --api-url "
            "http://127.0.0.1:4200/api.",
            err=True,
        )
        raise typer.Exit(2)
    from flows.nightly import serve_nightly

    serve_nightly(cron=cron)


@app.command()
def status() -> None:
    """Where state lives, files per folder, load-audit outcomes counted by status, and the
    files waiting in landing/ for their control (or data) file."""
    cfg = settings()
    paths = cfg.paths
    typer.echo(f"JINGFEN_HOME = {paths.home}")
    for name in ("landing", "archive", "quarantine", "warehouse", "models", "superset", "truth"):
        p = getattr(paths, name)
        n = sum(1 for _ in p.rglob("*") if _.is_file()) if p.exists() else 0
        typer.echo(f"  {name + '/':<12} {n:>7} files")
    if paths.ingest_db.exists():
        from jingfen.ingest import audit
        from jingfen.ingest.model import utcnow

        rows = audit.status_counts(paths.ingest_db)
        waiting = audit.waiting_files(paths.ingest_db, paths.landing)
        typer.echo("load audit: " + ", ".join(f"{s} {n}" for s, n in rows))
        wait_seconds = cfg.ingest_wait_hours * 3600
        now = utcnow()
        still = [w for w in waiting if (paths.landing / w.file_name).exists()]
        typer.echo(f"waiting in landing/: {len(still)} files")
        for w in still:
            d = w.summary(wait_seconds)
            when = (
                f"rejected by the first load after {d['rejected_after']}"
                if now < w.expires_at(wait_seconds)
                else "waited its time: the next load rejects it"
            )
            typer.echo(f"  {d['file']} waits for {d['waiting_for']} since {d['since']} ({when})")


@app.command()
def bench(
    scale: Annotated[int, typer.Option(help="Subscribers to simulate.")] = 100_000,
    provinces: Annotated[str | None, typer.Option(help="Comma-separated province codes.")] = None,
    months: Annotated[int, typer.Option(help="Months of history.")] = 13,
    keep: Annotated[bool, typer.Option(help="Keep the benchmark's own JINGFEN_HOME.")] = False,
    superset: Annotated[
        bool, typer.Option("--superset/--no-superset", help="Measure chart-data latency.")
    ] = True,
    ml_rows: Annotated[
        int | None, typer.Option(help="Also train on / score this many synthetic rows.")
    ] = None,
    spark: Annotated[
        bool, typer.Option("--spark/--no-spark", help="Also build on the local Spark session.")
    ] = True,
) -> None:
    """Benchmark the pipeline at a scale: per-step wall time, peak memory, rows/s (JSON)."""
    from cli.bench import run_benchmark

    run_benchmark(scale, provinces, months, keep, superset, ml_rows, spark)


@app.command()
def docs() -> None:
    """Generate the dbt docs (one static HTML file under JINGFEN_HOME/dbt/target)."""
    _quiet_env()
    from jingfen.dbt import run_dbt

    run_dbt(["docs", "generate", "--static"])
    typer.echo(f"dbt docs: {settings().paths.dbt / 'target' / 'static_index.html'}")


@interfaces_app.command("doc")
def interfaces_doc() -> None:
    """Print the column tables of docs/interfaces.md, generated from jingfen/interfaces.py."""
    from jingfen.interfaces_doc import render_tables

    typer.echo(render_tables())


def main() -> None:  # pragma: no cover - console entry point
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
