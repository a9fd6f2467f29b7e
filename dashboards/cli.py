"""``python -m dashboards``: bootstrap, start/stop, generate, deploy, export, provision."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Superset for jingfen: 看板 as code, two-level access (两级互访).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


@app.command()
def bootstrap(force: Annotated[bool, typer.Option(help="Run every step again.")] = False) -> None:
    """Create or upgrade Superset's metadata database, admin user and roles (idempotent)."""
    from dashboards.server import SupersetError
    from dashboards.server import bootstrap as run_bootstrap

    try:
        res = run_bootstrap(force=force)
    except SupersetError as exc:
        raise _fail(exc) from exc
    state = "bootstrapped" if res.changed else "already bootstrapped"
    typer.echo(
        f"Superset {state} in {res.seconds:.1f} s (admin password: {res.admin_password_file})"
    )


@app.command()
def start(
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default 8088).")] = None,
    if_stopped: Annotated[bool, typer.Option(help="Do nothing if it is already running.")] = False,
) -> None:
    """Start Superset (gunicorn) in the background and print where and how to log in."""
    from dashboards.server import (
        ADMIN_USERNAME,
        SupersetError,
        admin_password,
        server_info,
    )
    from dashboards.server import start as run_start

    try:
        info = server_info()
        if info is None or not if_stopped:
            t0 = time.perf_counter()
            proc = run_start(port)
            info = server_info() or {"pid": proc.pid, "url": "?"}
            typer.echo(f"Superset started in {time.perf_counter() - t0:.1f} s (pid {info['pid']})")
        typer.echo(f"  {info['url']}/  user: {ADMIN_USERNAME}  password: {admin_password()}")
    except SupersetError as exc:
        raise _fail(exc) from exc


@app.command()
def stop() -> None:
    """Stop the Superset server of this JINGFEN_HOME."""
    from dashboards.server import stop as run_stop

    typer.echo("Superset stopped" if run_stop() else "Superset was not running")


@app.command()
def generate(
    check: Annotated[
        bool, typer.Option(help="Fail if dashboards/assets/ differs from the catalogue.")
    ] = False,
) -> None:
    """Render dashboards/catalogue.py into dashboards/assets/ (Superset's export layout)."""
    from dashboards.catalogue import DASHBOARDS, REPORTS
    from dashboards.deploy import ASSETS_DIR
    from dashboards.dictionary import seeds_differ, write_seeds
    from dashboards.generate import assets_differ, write_assets

    if check:
        diff = assets_differ(DASHBOARDS, ASSETS_DIR) + seeds_differ(REPORTS)
        if diff:
            typer.echo(
                "dashboards/assets/ is out of date with dashboards/catalogue.py "
                f"({', '.join(diff)}): run `make dashboards-generate`.",
                err=True,
            )
            raise typer.Exit(1)
        typer.echo("dashboards/assets/ matches the catalogue")
        return
    written = write_assets(DASHBOARDS, ASSETS_DIR)
    seeds = write_seeds(REPORTS)
    typer.echo(
        f"wrote {len(written)} files under {ASSETS_DIR} and {', '.join(p.name for p in seeds)} "
        "(the indicator dictionary's seeds)"
    )


@app.command()
def deploy(
    access: Annotated[bool, typer.Option(help="Also apply config/access.yaml.")] = True,
    config: Annotated[
        Path | None, typer.Option(help="Access config (default config/access.yaml).")
    ] = None,
) -> None:
    """Import dashboards/assets/ into the running Superset (overwrite), then provision access."""
    from dashboards.access import DEFAULT_CONFIG, provision_access
    from dashboards.deploy import deploy as run_deploy
    from dashboards.server import SupersetClient, SupersetError

    try:
        client = SupersetClient.as_admin()
        typer.echo(json.dumps(run_deploy(client), ensure_ascii=False))
        if access:
            changes = provision_access(config or DEFAULT_CONFIG, client)
            typer.echo(f"access: {len(changes)} change(s)")
            for line in changes:
                typer.echo(f"  {line}")
    except SupersetError as exc:
        raise _fail(exc) from exc


@app.command()
def provision(
    config: Annotated[
        Path | None, typer.Option(help="Access config (default config/access.yaml).")
    ] = None,
) -> None:
    """Apply config/access.yaml: roles, grants, row-level security, users (idempotent)."""
    from dashboards.access import DEFAULT_CONFIG, provision_access
    from dashboards.server import SupersetError

    try:
        changes = provision_access(config or DEFAULT_CONFIG)
    except SupersetError as exc:
        raise _fail(exc) from exc
    typer.echo(f"{len(changes)} change(s)")
    for line in changes:
        typer.echo(f"  {line}")


@app.command()
def export() -> None:
    """Pull every dashboard from Superset into dashboards/exported/ for review."""
    from dashboards.deploy import EXPORTED_DIR
    from dashboards.deploy import export as run_export
    from dashboards.server import SupersetClient, SupersetError

    try:
        written = run_export(SupersetClient.as_admin())
    except SupersetError as exc:
        raise _fail(exc) from exc
    typer.echo(f"wrote {len(written)} files under {EXPORTED_DIR}")


# ---- `jingfen superset ...`: the server alone, for people who just want to look --------------
superset_app = typer.Typer(
    help="Run Superset for this JINGFEN_HOME: start prints the URL and how to log in.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@superset_app.command("start")
def superset_start(
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default 8088).")] = None,
    deploy_assets: Annotated[
        bool, typer.Option("--deploy/--no-deploy", help="Import the dashboards and access.")
    ] = True,
) -> None:
    """Bootstrap if needed, start (unless running), deploy; print URL, users and passwords."""
    from dashboards.access import DEFAULT_CONFIG, load_config, provision_access, user_password
    from dashboards.deploy import deploy as run_deploy
    from dashboards.server import (
        ADMIN_USERNAME,
        SupersetClient,
        SupersetError,
        admin_password,
        server_info,
    )
    from dashboards.server import bootstrap as run_bootstrap
    from dashboards.server import start as run_start

    try:
        run_bootstrap()
        info = server_info()
        if info is None:
            run_start(port)
            info = server_info()
        assert info is not None
        if deploy_assets:
            client = SupersetClient.as_admin()
            run_deploy(client)
            provision_access(DEFAULT_CONFIG, client)
        typer.echo(f"Superset: {info['url']}/superset/dashboard/catalogue/  (报表目录)")
        typer.echo(f"  {ADMIN_USERNAME:<12} {admin_password()}")
        for user in load_config(DEFAULT_CONFIG).users:
            typer.echo(f"  {user.username:<12} {user_password(user.username)[0]}  ({user.role})")
    except SupersetError as exc:
        raise _fail(exc) from exc


@superset_app.command("stop")
def superset_stop() -> None:
    """Stop the Superset server of this JINGFEN_HOME."""
    stop()


@superset_app.command("status")
def superset_status() -> None:
    """Whether Superset runs for this JINGFEN_HOME, and where."""
    from dashboards.server import server_info

    info = server_info()
    typer.echo(f"running: {info['url']} (pid {info['pid']})" if info else "not running")
