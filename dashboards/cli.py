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
    reports: Annotated[
        bool, typer.Option(help="Also apply config/reports.yaml (needs --access).")
    ] = True,
    reports_config: Annotated[
        Path | None, typer.Option(help="Reports config (default config/reports.yaml).")
    ] = None,
) -> None:
    """Import dashboards/assets/ into the running Superset (overwrite), then provision access
    and the scheduled reports."""
    from dashboards import reports as scheduled
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
            if reports:
                changes = scheduled.provision_reports(
                    reports_config or scheduled.DEFAULT_CONFIG, client
                )
                typer.echo(f"reports: {len(changes)} change(s)")
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
            from dashboards.reports import provision_reports

            client = SupersetClient.as_admin()
            run_deploy(client)
            provision_access(DEFAULT_CONFIG, client)
            provision_reports(client=client)
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


# ---- `jingfen reports ...`: the scheduled 日报/月报 and KPI alerts ---------------------------
reports_app = typer.Typer(
    help="Scheduled reports and KPI alerts (config/reports.yaml): list, run now, pause, log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _local(value: str | None) -> str:
    return (value or "-").replace("T", " ")[:19]


@reports_app.command("list")
def reports_list() -> None:
    """Every schedule made from config/reports.yaml: state, crontab, last run."""
    from dashboards.reports import is_after_nightly, is_paused, schedules
    from dashboards.server import SupersetClient, SupersetError

    try:
        rows = schedules(SupersetClient.as_admin())
    except SupersetError as exc:
        raise _fail(exc) from exc
    for r in rows:
        state = "已暂停" if is_paused(r) else "启用"
        when = "夜间发布后" if is_after_nightly(r) else r["crontab"]
        typer.echo(
            f"{r['id']:>4}  {r['name']:<28} {r['type']:<6} {state:<4} {when:<12} "
            f"last: {_local(r.get('last_eval_dttm'))} {r.get('last_state') or '-'}"
        )
    if not rows:
        typer.echo("no scheduled reports: deploy them with `jingfen dashboards deploy`")


@reports_app.command("deploy")
def reports_deploy(
    config: Annotated[
        Path | None, typer.Option(help="Reports config (default config/reports.yaml).")
    ] = None,
) -> None:
    """Apply config/reports.yaml alone (the dashboards and access must be deployed)."""
    from dashboards.reports import DEFAULT_CONFIG, provision_reports
    from dashboards.server import SupersetError

    try:
        changes = provision_reports(config or DEFAULT_CONFIG)
    except SupersetError as exc:
        raise _fail(exc) from exc
    typer.echo(f"{len(changes)} change(s)")
    for line in changes:
        typer.echo(f"  {line}")


@reports_app.command("run")
def reports_run(
    name: Annotated[
        str, typer.Argument(help="A schedule's name, or a config key (all audiences).")
    ],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each run.")] = 300,
) -> None:
    """Run a schedule now on the Celery worker and wait for its result."""
    from dashboards.reports import find, run_now
    from dashboards.server import SupersetClient, SupersetError

    failed = False
    try:
        client = SupersetClient.as_admin()
        for r in find(client, name):
            entry = run_now(client, r["id"], timeout)
            failed |= entry["state"] == "Error"
            error = f": {entry['error_message']}" if entry.get("error_message") else ""
            typer.echo(f"{r['name']}: {entry['state']}{error}")
    except SupersetError as exc:
        raise _fail(exc) from exc
    if failed:
        raise typer.Exit(1)


ScheduleName = Annotated[
    str, typer.Argument(help="A schedule's name, or a config key (all audiences).")
]


def _set_active(name: str, active: bool) -> None:
    from dashboards.reports import set_active
    from dashboards.server import SupersetClient, SupersetError

    try:
        for done in set_active(SupersetClient.as_admin(), name, active):
            typer.echo(f"{'resumed' if active else 'paused'} {done}")
    except SupersetError as exc:
        raise _fail(exc) from exc


@reports_app.command("pause")
def reports_pause(name: ScheduleName) -> None:
    """Pause a schedule (it stays paused across deploys until `resume`)."""
    _set_active(name, False)


@reports_app.command("resume")
def reports_resume(name: ScheduleName) -> None:
    """Start a paused schedule again."""
    _set_active(name, True)


@reports_app.command("log")
def reports_log(
    name: Annotated[
        str | None, typer.Argument(help="A schedule's name or config key (default: all).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Runs shown per schedule.")] = 5,
) -> None:
    """The delivery log (送达记录): the latest runs of each schedule, with errors."""
    from dashboards.reports import delivery_log, find, schedules
    from dashboards.server import SupersetClient, SupersetError

    try:
        client = SupersetClient.as_admin()
        rows = find(client, name) if name else schedules(client)
        for r in rows:
            typer.echo(r["name"])
            entries = delivery_log(client, r["id"], limit)
            for e in entries:
                error = f"  {e['error_message']}" if e.get("error_message") else ""
                typer.echo(
                    f"  {_local(e.get('scheduled_dttm'))}  {e['state']:<13} "
                    f"end {_local(e.get('end_dttm'))}{error}"
                )
            if not entries:
                typer.echo("  (never ran)")
    except SupersetError as exc:
        raise _fail(exc) from exc


@reports_app.command("sla")
def reports_sla(
    month: Annotated[
        str | None, typer.Option(help="Month, YYYYMM (default: the newest complete month).")
    ] = None,
    province: Annotated[
        str | None, typer.Option(help="One province's accounts, e.g. 44 (default: all).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the workbooks (default JINGFEN_HOME/exports/sla/<YYYYMM>)."),
    ] = None,
) -> None:
    """集团客户 SLA 月报: one Excel workbook per key account (汇总 + 电路明细) and a list of them."""
    from dashboards.sla_reports import write_sla_reports

    try:
        done = write_sla_reports(month, province, out)
    except (ValueError, FileNotFoundError) as exc:
        raise _fail(exc) from exc
    typer.echo(
        f"{done.month}: {len(done.files)} account report(s) in {done.out_dir} "
        f"({done.breached_accounts} with an SLA breach); list: {done.index.name}"
    )
