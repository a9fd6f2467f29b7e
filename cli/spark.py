"""``jingfen spark``: the same dbt project built on a local Spark session, compared with DuckDB
(needs ``make spark-env``; the work itself is jingfen/spark/)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Build the warehouse on Spark (the distributed path) and compare it with DuckDB.",
    no_args_is_help=True,
)


@app.command()
def build(
    compare: Annotated[
        bool, typer.Option("--compare", help="Then compare every table with the DuckDB build.")
    ] = False,
    increment: Annotated[
        bool,
        typer.Option("--increment", help="Keep Spark's tables and build incrementally."),
    ] = False,
    no_export: Annotated[
        bool, typer.Option("--no-export", help="Skip the Parquet export of the tables.")
    ] = False,
    cores: Annotated[int | None, typer.Option(help="local[N] (default: all cores).")] = None,
    select: Annotated[str | None, typer.Option(help="dbt --select for the build step.")] = None,
) -> None:
    """Build JINGFEN_HOME's raw layer on a local Spark session (exit 1 if it fails or differs)."""
    from jingfen.spark.__main__ import main

    argv = ["build"]
    argv += ["--compare"] if compare else []
    argv += ["--increment"] if increment else []
    argv += ["--no-export"] if no_export else []
    argv += ["--cores", str(cores)] if cores else []
    argv += ["--select", select] if select else []
    raise typer.Exit(main(argv))


@app.command("compare")
def compare_builds() -> None:
    """Compare the last Spark export with the DuckDB build, table by table."""
    from jingfen.spark.__main__ import main

    raise typer.Exit(main(["compare"]))
