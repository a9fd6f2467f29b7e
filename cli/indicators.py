"""``jingfen indicators ...``: export and upload a province's package; receive and follow up at HQ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="总部指标上报 — indicator packages from the provinces to HQ (docs/indicators-upload.md).",
    no_args_is_help=True,
)

ProvOpt = Annotated[
    str | None,
    typer.Option("--province", help="Comma-separated province codes, e.g. 44 (default: all 31)."),
]
PeriodOpt = Annotated[
    str, typer.Option(help="YYYYMM for the monthly package, YYYYMMDD for a daily one.")
]


def _echo(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _provinces(arg: str | None) -> list[str]:
    from indicators.settings import provinces

    known = provinces()
    if not arg:
        return sorted(known)
    out = [p.strip() for p in arg.split(",") if p.strip()]
    bad = [p for p in out if p not in known]
    if bad:
        raise typer.BadParameter(
            f"unknown province code(s): {', '.join(bad)}", param_hint="--province"
        )
    return out


def _env() -> None:
    from cli.env import quiet_env

    quiet_env()


def _period(period: str) -> str:
    from indicators.package import check_period

    try:
        return check_period(period)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--period") from None


@app.command()
def export(
    period: PeriodOpt,
    province: ProvOpt = None,
    warehouse: Annotated[
        Path | None, typer.Option(help="Warehouse file to read (default: the published warehouse).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Write a new version even if the figures are unchanged.")
    ] = False,
) -> None:
    """Write the upload package (data, control, signature) to hq/outbox/<prov>/."""
    from indicators.export import export_package

    period = _period(period)
    out = {}
    for prov in _provinces(province):
        out[prov] = export_package(prov, period, warehouse=warehouse, force=force).as_dict()
    _echo(out)


@app.command()
def upload(
    period: PeriodOpt,
    province: ProvOpt = None,
    target: Annotated[
        str | None,
        typer.Option(
            help="HQ inbox: a directory or sftp://user@host[:port]/dir (default: hq/inbox)."
        ),
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="SSH private key for SFTP (or JINGFEN_HQ_SFTP_KEY).")
    ] = None,
    known_hosts: Annotated[
        str | None, typer.Option(help="known_hosts file for SFTP (or JINGFEN_HQ_SFTP_KNOWN_HOSTS).")
    ] = None,
) -> None:
    """Deliver the newest exported package of each province for the period to HQ's inbox."""
    from indicators.export import latest_package
    from indicators.transport import DeliveryError, deliver

    period = _period(period)
    out: dict[str, str] = {}
    for prov in _provinces(province):
        pkg = latest_package(prov, period)
        if pkg is None:
            if province:
                typer.echo(
                    f"province {prov} has no exported package for {period}: run `jingfen indicators export` first",
                    err=True,
                )
                raise typer.Exit(1)
            continue
        try:
            out[pkg.name.stem] = deliver(pkg, target, key, known_hosts)
        except DeliveryError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(1) from None
    _echo(out)


@app.command()
def receive(
    inbox: Annotated[Path | None, typer.Option(help="Inbox folder (default: hq/inbox).")] = None,
    cron: Annotated[
        str | None,
        typer.Option(
            help="Serve on this schedule instead of running once (needs PREFECT_API_URL)."
        ),
    ] = None,
) -> None:
    """HQ: check, load or reject every package in the inbox (Prefect flow indicators-receive)."""
    import os

    _env()
    if cron:
        if not os.environ.get("PREFECT_API_URL"):
            typer.echo("Schedules need a real Prefect server: set PREFECT_API_URL.", err=True)
            raise typer.Exit(2)
        from flows.indicators import serve_receive

        serve_receive(cron)
        return
    from flows.indicators import receive_flow

    summary = receive_flow(inbox=str(inbox) if inbox else None)
    _echo(summary)


@app.command()
def status(
    period: Annotated[str | None, typer.Option(help="Only this period.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows.")] = False,
) -> None:
    """Submission status per province and period (on_time, late, rejected, missing, pending)."""
    from indicators import store
    from indicators.settings import hq_paths

    db = hq_paths().db
    if not db.exists():
        typer.echo(f"nothing received yet ({db} does not exist)")
        return
    con = store.connect(db, read_only=True)
    try:
        sql = (
            "select period, prov_code, status, current_package, versions, rejected_versions, "
            "superseded_versions, last_reasons from period_status"
        )
        params: list[str] = []
        if period:
            sql += " where period = ?"
            params.append(period)
        cur = con.execute(sql + " order by period, prov_code", params)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    if as_json:
        _echo(rows)
        return
    for r in rows:
        line = f"{r['period']}  {r['prov_code']}  {r['status']:<9} {r['current_package'] or '-':<20} v{r['versions']}"
        if r["last_reasons"]:
            line += "  " + r["last_reasons"].split("\n")[0]
        typer.echo(line)
