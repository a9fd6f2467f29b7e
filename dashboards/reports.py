"""Scheduled reports and KPI alerts (Superset Alerts & Reports) from config/reports.yaml.

Each report of the config becomes one Superset report schedule per audience (总部 ``hq`` and
every province with recipients): the dashboard (PNG/PDF screenshot) or chart (CSV) e-mailed to
that audience's recipients on the report's crontab. A schedule is owned by its audience's
executor user (``report_hq``, ``report_<GB code>``, see dashboards.access), and Superset runs it
as its owner, so a province's 日报 is rendered under that province's row-level security.

Each alert checks one KPI of ``mart_daily_kpi`` on its latest day against a threshold, per
audience (a province's alert reads only its own province rows), and e-mails the alert list when
the KPI breaches it.

A report marked ``after_nightly`` (the 日报) is sent when the nightly run has published
(:func:`send_after_nightly`, the last step of flows.nightly), not by Superset's beat: its
schedule is inactive to the beat, and a pause is kept in its ``extra``.

Reconciled like the access config: running :func:`provision_reports` twice changes nothing the
second time; schedules this module made that the config no longer lists are deleted. A paused
schedule stays paused across deploys (``jingfen reports resume`` starts it again).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dashboards.access import PROVINCES_SEED, reconcile_executors
from dashboards.catalogue import DASHBOARDS
from dashboards.generate import DATABASE_NAME, stable_uuid
from dashboards.server import CELERY_APP, SupersetClient, SupersetError, _bin, superset_env
from jingfen.config import REPO_ROOT

DEFAULT_CONFIG = REPO_ROOT / "config" / "reports.yaml"
HQ = "hq"
MARKER = "经分 reports.yaml"  # starts the description of every schedule this module made
FORMATS = ("PNG", "PDF", "CSV")
OPERATORS = ("<", "<=", ">", ">=", "==", "!=")
KPI_LEVELS = ("national", "province", "city")
FINISHED = ("Success", "Error", "Not triggered", "On Grace")
# ends the description of a schedule sent after the nightly run (jingfen reports after-nightly)
AFTER_NIGHTLY = " · 夜间发布后发送"
PAUSED_KEY = "jingfen_paused"  # in a schedule's extra: a paused after-nightly schedule


@dataclass(frozen=True)
class ReportSpec:
    key: str
    name: str
    crontab: str
    report_format: str
    dashboard: str | None = None  # slug
    chart: str | None = None  # catalogue chart key
    audiences: tuple[str, ...] = ()
    after_nightly: bool = False  # sent when the nightly run has published, not on the crontab


@dataclass(frozen=True)
class AlertSpec:
    key: str
    name: str
    crontab: str
    kpi: str
    op: str
    threshold: float
    level: str
    chart: str
    grace_hours: float
    audiences: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportsConfig:
    timezone: str
    recipients: dict[str, tuple[str, ...]]  # audience -> e-mail addresses
    reports: tuple[ReportSpec, ...]
    alerts: tuple[AlertSpec, ...]

    @property
    def audiences(self) -> tuple[str, ...]:
        used = {a for r in (*self.reports, *self.alerts) for a in r.audiences}
        return tuple(a for a in self.recipients if a in used)


def province_names() -> dict[str, str]:
    with PROVINCES_SEED.open(encoding="utf-8") as fh:
        return {row["prov_code"]: row["prov_name_short"] for row in csv.DictReader(fh)}


def audience_name(audience: str) -> str:
    """总部, or the province's short name (广东)."""
    return "总部" if audience == HQ else province_names().get(audience, audience)


def _audiences(raw: Any, recipients: dict[str, tuple[str, ...]], where: str) -> tuple[str, ...]:
    if raw in (None, "all"):
        return tuple(recipients)
    if not isinstance(raw, list):
        raise SupersetError(f"{where}: 'audiences' must be \"all\" or a list, got {raw!r}.")
    out = tuple(str(a) for a in raw)
    unknown = [a for a in out if a not in recipients]
    if unknown:
        raise SupersetError(f"{where}: audiences {unknown} have no recipients in 'recipients'.")
    return out


def load_config(path: Path = DEFAULT_CONFIG) -> ReportsConfig:
    """Read and check reports.yaml; errors name the file and the offending entry."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    provinces = province_names()
    recipients: dict[str, tuple[str, ...]] = {}
    for audience, emails in (raw.get("recipients") or {}).items():
        audience = str(audience)
        if audience != HQ and audience not in provinces:
            raise SupersetError(
                f"{path}: recipients of {audience!r}: neither hq nor a province code of "
                f"{PROVINCES_SEED.name}."
            )
        emails = tuple(str(e) for e in (emails or []))
        bad = [e for e in emails if not re.fullmatch(r"[^@\s,]+@[^@\s,]+", e)]
        if bad or not emails:
            raise SupersetError(
                f"{path}: recipients of {audience!r} must be a list of e-mail addresses"
                + (f" ({bad} are not)." if bad else ".")
            )
        recipients[audience] = emails
    slugs = {d.slug for d in DASHBOARDS}
    charts = {c.key for d in DASHBOARDS for c in d.charts}
    keys: set[str] = set()

    def common(i: int, entry: dict[str, Any], kind: str) -> tuple[str, str, str, tuple[str, ...]]:
        where = f"{path}: {kind} entry {i}"
        missing = [k for k in ("key", "name", "crontab") if not entry.get(k)]
        if missing:
            raise SupersetError(f"{where} lacks {', '.join(missing)}.")
        key = str(entry["key"])
        if key in keys:
            raise SupersetError(f"{where}: the key {key!r} is used twice.")
        keys.add(key)
        if len(str(entry["crontab"]).split()) != 5:
            raise SupersetError(f"{where} ({key}): crontab {entry['crontab']!r} needs 5 fields.")
        audiences = _audiences(entry.get("audiences"), recipients, f"{where} ({key})")
        return key, str(entry["name"]), str(entry["crontab"]), audiences

    reports: list[ReportSpec] = []
    for i, entry in enumerate(raw.get("reports") or [], start=1):
        key, name, cron, audiences = common(i, entry, "reports")
        where = f"{path}: reports entry {i} ({key})"
        fmt = str(entry.get("format", "PNG")).upper()
        dashboard, chart = entry.get("dashboard"), entry.get("chart")
        if (dashboard is None) == (chart is None):
            raise SupersetError(f"{where} must name either a dashboard or a chart.")
        if dashboard is not None and dashboard not in slugs:
            raise SupersetError(f"{where}: no dashboard has the slug {dashboard!r}.")
        if chart is not None and chart not in charts:
            raise SupersetError(f"{where}: no chart of the catalogue has the key {chart!r}.")
        if fmt not in FORMATS or (dashboard is not None and fmt == "CSV"):
            raise SupersetError(
                f"{where}: format {fmt!r} must be PNG or PDF for a dashboard, "
                "PNG, PDF or CSV for a chart."
            )
        after_nightly = entry.get("after_nightly", False)
        if not isinstance(after_nightly, bool):
            raise SupersetError(f"{where}: 'after_nightly' must be true or false.")
        reports.append(ReportSpec(key, name, cron, fmt, dashboard, chart, audiences, after_nightly))
    alerts: list[AlertSpec] = []
    for i, entry in enumerate(raw.get("alerts") or [], start=1):
        key, name, cron, audiences = common(i, entry, "alerts")
        where = f"{path}: alerts entry {i} ({key})"
        if not re.fullmatch(r"[a-z0-9_]+", str(entry.get("kpi", ""))):
            raise SupersetError(f"{where}: 'kpi' must be a kpi_code of mart_daily_kpi.")
        if entry.get("condition") not in OPERATORS:
            raise SupersetError(f"{where}: 'condition' must be one of {', '.join(OPERATORS)}.")
        level = str(entry.get("level", "province"))
        if level not in KPI_LEVELS:
            raise SupersetError(f"{where}: 'level' must be one of {', '.join(KPI_LEVELS)}.")
        chart = str(entry.get("chart", "alert_list"))
        if chart not in charts:
            raise SupersetError(f"{where}: no chart of the catalogue has the key {chart!r}.")
        try:
            threshold = float(entry["threshold"])
        except (KeyError, TypeError, ValueError) as exc:
            raise SupersetError(f"{where}: 'threshold' must be a number.") from exc
        alerts.append(
            AlertSpec(
                key,
                name,
                cron,
                str(entry["kpi"]),
                str(entry["condition"]),
                threshold,
                level,
                chart,
                float(entry.get("grace_hours", 4)),
                audiences,
            )  # fmt: skip
        )
    return ReportsConfig(
        timezone=str(raw.get("timezone", "Asia/Shanghai")),
        recipients=recipients,
        reports=tuple(reports),
        alerts=tuple(alerts),
    )


def alert_sql(alert: AlertSpec, audience: str) -> str:
    """The alert's query: the worst value of the KPI on the latest day (one number), over the
    audience's own rows (a province reads only its province's)."""
    worst = "min" if alert.op in ("<", "<=") else "max"
    where = [f"kpi_code = '{alert.kpi}'", f"region_level = '{alert.level}'"]
    if audience != HQ:
        where.append(f"prov_code = '{audience}'")
    where_sql = " and ".join(where)
    return (
        f"select {worst}(kpi_value) as kpi_value from main.mart_daily_kpi where {where_sql} "
        f"and stat_date = (select max(stat_date) from main.mart_daily_kpi where {where_sql})"
    )


def schedule_name(spec: ReportSpec | AlertSpec, audience: str) -> str:
    return f"{spec.name}（{audience_name(audience)}）"


def _ids(client: SupersetClient) -> tuple[dict[str, int], dict[str, int], int]:
    dashboards = {d["slug"]: d["id"] for d in client.get_all("dashboard")}
    charts = {str(c["uuid"]): c["id"] for c in client.get_all("chart")}
    database = next(
        (d["id"] for d in client.get_all("database") if d["database_name"] == DATABASE_NAME), None
    )
    if database is None:
        raise SupersetError(f"Superset has no database named {DATABASE_NAME!r}: deploy first.")
    return dashboards, charts, database


def wanted_schedules(
    cfg: ReportsConfig, client: SupersetClient, owners: dict[str, int]
) -> dict[str, dict[str, Any]]:
    """name -> the body of every report schedule the config asks for."""
    dashboards, charts, database = _ids(client)

    def chart_id(key: str) -> int:
        cid = charts.get(stable_uuid("chart", key))
        if cid is None:
            raise SupersetError(f"The chart {key!r} is not in Superset: deploy the dashboards.")
        return cid

    out: dict[str, dict[str, Any]] = {}
    for spec in (*cfg.reports, *cfg.alerts):
        for audience in spec.audiences:
            body: dict[str, Any] = {
                "name": schedule_name(spec, audience),
                "crontab": spec.crontab,
                "timezone": cfg.timezone,
                "owners": [owners[audience]],
                "recipients": [
                    {
                        "type": "Email",
                        "recipient_config_json": {"target": ",".join(cfg.recipients[audience])},
                    }
                ],
                "working_timeout": 900,
                "log_retention": 90,
            }
            if isinstance(spec, ReportSpec):
                body["type"] = "Report"
                body["report_format"] = spec.report_format
                if spec.dashboard is not None:
                    if spec.dashboard not in dashboards:
                        raise SupersetError(
                            f"The dashboard {spec.dashboard!r} is not in Superset: deploy first."
                        )
                    body["dashboard"] = dashboards[spec.dashboard]
                else:
                    body["chart"] = chart_id(str(spec.chart))
            else:
                body |= {
                    "type": "Alert",
                    "report_format": "CSV",
                    "chart": chart_id(spec.chart),
                    "database": database,
                    "sql": alert_sql(spec, audience),
                    "validator_type": "operator",
                    "validator_config_json": {"op": spec.op, "threshold": spec.threshold},
                    "grace_period": max(1, int(spec.grace_hours * 3600)),
                }
            after = isinstance(spec, ReportSpec) and spec.after_nightly
            digest = hashlib.sha256(json.dumps([body, after], sort_keys=True).encode()).hexdigest()[
                :12
            ]
            body["description"] = f"{MARKER}: {spec.key} / {audience} ({digest})" + (
                AFTER_NIGHTLY if after else ""
            )
            out[body["name"]] = body
    return out


def provision_reports(
    config_path: Path = DEFAULT_CONFIG, client: SupersetClient | None = None
) -> list[str]:
    """Bring Superset's report schedules and their executor users in line with the config.

    Run after the dashboards are deployed and access provisioned (the roles must exist).
    Returns the changes made.
    """
    cfg = load_config(config_path)
    client = client or SupersetClient.as_admin()
    changes, owners = reconcile_executors(client, cfg.audiences)
    wanted = wanted_schedules(cfg, client, owners)
    current = {r["name"]: r for r in client.get_all("report")}
    for name, body in wanted.items():
        have = current.get(name)
        after = body["description"].endswith(AFTER_NIGHTLY)
        if have is None:
            # alerts_reports: several schedules may show one chart or dashboard; a schedule
            # sent after the nightly run is inactive to Superset's beat (the pipeline runs it)
            client.post(
                "/api/v1/report/",
                {**body, "active": not after, "creation_method": "alerts_reports"},
            )
            changes.append(f"created report schedule {name}")
        elif have.get("description") != body["description"]:
            # keeps a pause: "active" of a crontab schedule, extra of an after-nightly one
            if after:
                body = {**body, "active": False}
            elif is_after_nightly(have):
                body = {**body, "active": not is_paused(have)}
            client.put(f"/api/v1/report/{have['id']}", body)
            changes.append(f"updated report schedule {name}")
    for name, have in current.items():
        if name not in wanted and str(have.get("description") or "").startswith(MARKER):
            client.delete(f"/api/v1/report/{have['id']}")
            changes.append(f"deleted report schedule {name}")
    return changes


# ---- list, run now, pause, delivery log ------------------------------------------------------
def schedules(client: SupersetClient) -> list[dict[str, Any]]:
    """The report schedules made from the config, by name."""
    rows = [
        r for r in client.get_all("report") if str(r.get("description") or "").startswith(MARKER)
    ]
    return sorted(rows, key=lambda r: r["name"])


def find(client: SupersetClient, name: str) -> list[dict[str, Any]]:
    """Schedules whose name or config key matches ``name`` (a key matches every audience)."""
    rows = schedules(client)
    exact = [r for r in rows if r["name"] == name]
    if exact:
        return exact
    found = [
        r for r in rows if str(r.get("description", "")).split(": ", 1)[-1].split(" / ")[0] == name
    ]
    if not found:
        raise SupersetError(
            f"No report schedule is named {name!r} or made from the config key {name!r}; "
            "`jingfen reports list` shows them."
        )
    return found


def is_after_nightly(row: dict[str, Any]) -> bool:
    return str(row.get("description") or "").endswith(AFTER_NIGHTLY)


def _extra(row: dict[str, Any]) -> dict[str, Any]:
    extra = row.get("extra") or {}
    return json.loads(extra) if isinstance(extra, str) else dict(extra)


def is_paused(row: dict[str, Any]) -> bool:
    """A crontab schedule is paused when inactive; an after-nightly one (always inactive to
    Superset's beat) when its extra says so."""
    if is_after_nightly(row):
        return bool(_extra(row).get(PAUSED_KEY))
    return not row["active"]


def set_active(client: SupersetClient, name: str, active: bool) -> list[str]:
    out = []
    for r in find(client, name):
        if is_after_nightly(r):
            body = {"extra": {**_extra(r), PAUSED_KEY: not active}}
        else:
            body = {"active": active}
        client.put(f"/api/v1/report/{r['id']}", body)
        out.append(r["name"])
    return out


def send_after_nightly(client: SupersetClient, timeout: float = 600) -> dict[str, str]:
    """Run every schedule marked ``after_nightly`` that is not paused, one after another, and
    wait for each; returns name -> state. Raises when one fails (its mail did not go out)."""
    states: dict[str, str] = {}
    for r in schedules(client):
        if is_after_nightly(r) and not is_paused(r):
            entry = run_now(client, r["id"], timeout)
            states[r["name"]] = entry["state"]
    failed = {n: s for n, s in states.items() if s == "Error"}
    if failed:
        raise SupersetError(
            f"{len(failed)} of the reports sent after the nightly run failed: "
            f"{', '.join(failed)}; `jingfen reports log` shows why."
        )
    return states


def delivery_log(client: SupersetClient, report_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs of one schedule (Superset's report execution log), newest first."""
    body = client.get(
        f"/api/v1/report/{report_id}/log/",
        q={"order_column": "start_dttm", "order_direction": "desc", "page": 0, "page_size": limit},
    )
    return list(body["result"])


def run_now(client: SupersetClient, report_id: int, timeout: float = 300) -> dict[str, Any]:
    """Queue one run of a schedule on the Celery worker now and wait until it has finished;
    returns its log entry (state Success, Error, Not triggered (an alert that did not fire) or
    On Grace). The worker must run (it starts with Superset)."""
    before = {str(e["uuid"]) for e in delivery_log(client, report_id, 100)}
    eta = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    proc = subprocess.run(
        [str(_bin("celery")), "--app", CELERY_APP, "call", "reports.execute",
         "--args", json.dumps([report_id]), "--eta", eta],
        env=superset_env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SupersetError(
            f"Queueing report schedule {report_id} failed (exit {proc.returncode}): "
            f"{(proc.stderr or proc.stdout).strip()[-500:]}"
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in delivery_log(client, report_id, 10):
            if str(entry["uuid"]) not in before and entry["state"] in FINISHED:
                return entry
        time.sleep(1)
    raise SupersetError(
        f"Report schedule {report_id} did not finish within {timeout:.0f} s; is the Celery "
        "worker running (JINGFEN_HOME/superset/logs/celery-worker.log)?"
    )
