"""Scheduled reports and KPI alerts, end to end: the session's Superset, a real Celery worker and
beat, Debian's chromium/chromedriver, and a local SMTP sink (aiosmtpd) that receives the mail.

A few runs only (a screenshot takes 12-15 s on 2 cores): a province's 日报 as PNG, 总部's 月报
as PDF, the indicator table as CSV for 总部 and for a province (numbers checked against the
warehouse, the province's under its row-level security), and two alerts (one breaches its
threshold and mails, one does not).
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from testkit.superset import normalise, query, reference_sql

from dashboards import reports, server
from dashboards.catalogue import DASHBOARDS, names

pytestmark = pytest.mark.superset

PROV = "44"
NEVER = "0 3 1 1 *"  # the tests run schedules now; beat must not fire them meanwhile
HQ_TO = "hq-test@jingfen.local"
GD_TO = "gd-test@jingfen.local"
CSV_CHART = next(c for d in DASHBOARDS for c in d.charts if c.key == "indicator_values_table")


@dataclass
class Sink:
    """An SMTP server on 127.0.0.1 keeping every message it receives."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str, subject_part: str) -> list[EmailMessage]:
        return [
            m
            for m in self.messages
            if address in m["X-Envelope-To"] and subject_part in str(m["Subject"])
        ]


def _attachments(msg: EmailMessage) -> dict[str, bytes]:
    """filename -> content of a message's attachments (images inline in the body included)."""
    out: dict[str, bytes] = {}
    for i, part in enumerate(msg.walk()):
        ctype = part.get_content_type()
        if part.get_filename() or ctype in ("image/png", "application/pdf", "text/csv"):
            payload = part.get_payload(decode=True)
            if payload:
                out[part.get_filename() or f"part{i}.{ctype.split('/')[1]}"] = payload
    return out


def _kpi_value(db: Path, kpi: str, worst: str) -> float:
    where = f"kpi_code = '{kpi}' and region_level = 'province'"
    sql = (
        f"select {worst}(kpi_value) from main.mart_daily_kpi where {where} and stat_date = "
        f"(select max(stat_date) from main.mart_daily_kpi where {where})"
    )
    value = query(db, sql)[0][0]
    assert value is not None, f"the warehouse has no {kpi} on its latest day"
    return float(value)


def reports_test_config(db: Path) -> tuple[dict[str, Any], float]:
    """Reports for a few runs, and two alerts around the latest day's worst cell availability
    (one threshold just above it: a breach; one just below: none). Returns (config, value)."""
    availability = _kpi_value(db, "cell_availability_pct", "min")
    config = {
        "timezone": "Asia/Shanghai",
        "recipients": {"hq": [HQ_TO], PROV: [GD_TO]},
        "reports": [
            {"key": "t_overview", "name": "测试日报·经营概览", "dashboard": "executive-overview",
             "format": "PNG", "crontab": NEVER, "audiences": [PROV]},
            {"key": "t_monthly", "name": "测试月报·月度经营盘点", "dashboard": "monthly-review",
             "format": "PDF", "crontab": NEVER, "audiences": ["hq"]},
            {"key": "t_indicators", "name": "测试日报·指标明细", "chart": CSV_CHART.key,
             "format": "CSV", "crontab": NEVER, "audiences": ["hq", PROV]},
            {"key": "t_nightly", "name": "测试日报·夜间指标", "chart": CSV_CHART.key,
             "format": "CSV", "crontab": NEVER, "audiences": [PROV], "after_nightly": True},
        ],
        "alerts": [
            {"key": "t_alert_fires", "name": "测试告警·可用率", "kpi": "cell_availability_pct",
             "condition": "<", "threshold": availability + 0.01, "crontab": NEVER,
             "audiences": ["hq"]},
            {"key": "t_alert_quiet", "name": "测试告警·可用率安静", "kpi": "cell_availability_pct",
             "condition": "<", "threshold": availability - 0.01, "crontab": NEVER,
             "audiences": ["hq"]},
        ],
    }  # fmt: skip
    return config, availability


@pytest.fixture(scope="module")
def reporting(superset_instance: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The session's Superset with a Celery worker and beat mailing to a local SMTP sink, and a
    test config of reports to deploy."""
    from testkit.superset import jingfen_home

    sink = Sink()
    port = server.free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    config, availability = reports_test_config(superset_instance.warehouse)
    path = tmp_path_factory.mktemp("reports") / "reports.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with jingfen_home(superset_instance.home), pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGFEN_SMTP_HOST", "127.0.0.1")
        mp.setenv("JINGFEN_SMTP_PORT", str(port))
        server.stop_celery()
        server.start_celery(superset_instance.url)
        try:
            yield superset_instance, sink, path, availability
        finally:
            server.stop_celery()
            controller.stop()


def test_reports_deploy_is_idempotent_and_owned_by_each_audiences_executor(reporting: Any) -> None:
    inst, _sink, path, _ = reporting
    changes = reports.provision_reports(path, inst.admin)
    assert sum("created report schedule" in c for c in changes) == 7, changes
    assert reports.provision_reports(path, inst.admin) == []
    by_name = {r["name"]: r for r in reports.schedules(inst.admin)}
    gd = inst.admin.get(f"/api/v1/report/{by_name['测试日报·指标明细（广东）']['id']}")["result"]
    hq = inst.admin.get(f"/api/v1/report/{by_name['测试日报·指标明细（总部）']['id']}")["result"]
    assert [o["id"] for o in gd["owners"]] != [o["id"] for o in hq["owners"]]
    users = {u["id"]: u for u in inst.admin.get_all("security/users")}
    assert {r["name"] for r in users[gd["owners"][0]["id"]]["roles"]} == {f"province_{PROV}"}
    assert {r["name"] for r in users[hq["owners"][0]["id"]]["roles"]} == {"hq"}


def _run(inst: Any, name: str) -> dict[str, Any]:
    (row,) = reports.find(inst.admin, name)
    return reports.run_now(inst.admin, row["id"], timeout=420)


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _cell(value: Any) -> Any:
    """A CSV cell and a warehouse value made comparable: numbers rounded, dates as ISO days."""
    text = "" if value is None else str(value)
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "|", "%"):
        text = text[1:]  # Superset's CSV escapes a text cell starting like a formula
    try:
        return normalise([float(text)])[0]
    except ValueError:
        return text[:10] if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" else text


def _comparable(rows: Any) -> set[tuple[Any, ...]]:
    return {tuple(_cell(v) for v in row) for row in rows}


def test_csv_report_numbers_equal_the_warehouse_under_each_audiences_rls(reporting: Any) -> None:
    inst, sink, path, _ = reporting
    reports.provision_reports(path, inst.admin)
    for audience, to in (("总部", HQ_TO), ("广东", GD_TO)):
        entry = _run(inst, f"测试日报·指标明细（{audience}）")
        assert entry["state"] == "Success", entry
        (msg,) = sink.to(to, f"测试日报·指标明细（{audience}）")
        (content,) = [v for k, v in _attachments(msg).items() if k.endswith(".csv")]
        rows = _csv_rows(content)
        assert rows, "the CSV report has no rows"
        prov = None if audience == "总部" else PROV
        want = query(inst.warehouse, reference_sql(CSV_CHART, prov))
        assert len(rows) == len(want) < CSV_CHART.row_limit
        got, expected = _comparable(r.values() for r in rows), _comparable(want)
        assert got == expected, (sorted(got - expected)[:3], sorted(expected - got)[:3])
        prov_names = {names("province")[p]: p for p in ("11", "44")}  # the CSV shows names
        provinces = {prov_names[r] for row in rows for r in row.values() if r in prov_names}
        assert provinces == ({"11", "44"} if prov is None else {PROV})


@pytest.mark.browser
def test_hq_sees_the_delivery_log_page_and_a_province_does_not(reporting: Any, pages: Any) -> None:
    """hq_analyst opens 告警和报告 and a schedule's execution log in the browser and sees each
    schedule and its delivery's state (read only); gd_analyst is refused (HTTP 403) and its
    page lists no schedule. Runs after the CSV test, which delivered 广东's indicator CSV."""
    inst, _sink, path, _ = reporting
    reports.provision_reports(path, inst.admin)
    name = "测试日报·指标明细（广东）"
    (row,) = reports.find(inst.admin, name)
    if not any(e["state"] == "Success" for e in reports.delivery_log(inst.admin, row["id"])):
        assert _run(inst, name)["state"] == "Success"
    hq = inst.login("hq_analyst")
    listed = {r["name"] for r in hq.get_all("report")}
    assert {r["name"] for r in reports.schedules(inst.admin)} <= listed
    log = hq.get(f"/api/v1/report/{row['id']}/log/")["result"]
    assert "Success" in {e["state"] for e in log}
    denied = hq.request("PUT", f"/api/v1/report/{row['id']}", json={"active": False},
                        expect=(200, 403, 404))  # fmt: skip
    assert denied.status_code in (403, 404), "总部 reads the log; schedules are changed as code"

    page, outside = pages("hq_analyst")
    page.goto(f"{inst.url}/report/list/")
    page.wait_for_selector(f"text={name}")
    answers: list[dict[str, Any]] = []

    def on_response(resp: Any) -> None:
        if f"/api/v1/report/{row['id']}/log/" in resp.url and resp.status == 200:
            answers.append(resp.json())

    page.on("response", on_response)
    try:
        page.goto(f"{inst.url}/report/{row['id']}/log/")
        page.wait_for_selector(f"text={name}")
        rows = page.locator("table tbody tr:not(.ant-table-measure-row)")
        rows.first.wait_for()
        cells = rows.all_inner_texts()
    finally:
        page.remove_listener("response", on_response)
    assert answers and any(e["state"] == "Success" for a in answers for e in a["result"])
    shown = len([a for a in answers[-1]["result"]])
    assert len(cells) == shown > 0, cells
    assert not outside, outside

    gd = inst.login("gd_analyst")
    assert gd.request("GET", "/api/v1/report/", expect=(200, 403)).status_code == 403
    gd_page, _ = pages("gd_analyst")
    gd_page.goto(f"{inst.url}/report/list/")
    gd_page.wait_for_load_state("networkidle")
    assert gd_page.locator(f"text={name}").count() == 0


def test_a_publish_then_the_nightly_reports_step_mails_the_daily_report(reporting: Any) -> None:
    """The nightly run's last two steps: publish, then flows.reports sends the schedules marked
    after_nightly (Superset's beat never runs them: inactive), under the audience's row-level
    security; a paused one is not sent, and a deploy keeps the pause."""
    from flows.publish import publish_flow
    from flows.reports import daily_reports_flow

    inst, sink, path, _ = reporting
    reports.provision_reports(path, inst.admin)
    name = "测试日报·夜间指标（广东）"
    (row,) = reports.find(inst.admin, "t_nightly")
    assert reports.is_after_nightly(row) and not row["active"] and not reports.is_paused(row)
    assert not sink.to(GD_TO, name)
    publish_flow()
    assert daily_reports_flow(timeout=420) == {name: "Success"}
    (msg,) = sink.to(GD_TO, name)
    (content,) = [v for k, v in _attachments(msg).items() if k.endswith(".csv")]
    want = query(inst.warehouse, reference_sql(CSV_CHART, PROV))
    assert _comparable(r.values() for r in _csv_rows(content)) == _comparable(want)

    assert reports.set_active(inst.admin, "t_nightly", False) == [name]
    reports.provision_reports(path, inst.admin)
    (row,) = reports.find(inst.admin, "t_nightly")
    assert reports.is_paused(row) and not row["active"]
    assert daily_reports_flow(timeout=420) == {}
    assert len(sink.to(GD_TO, name)) == 1
    reports.set_active(inst.admin, "t_nightly", True)
    (row,) = reports.find(inst.admin, "t_nightly")
    assert not reports.is_paused(row) and not row["active"]  # still left to the nightly run


def _png_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after decoding every image byte (fails on a broken file)."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(content):
        (length,) = struct.unpack(">I", content[pos : pos + 4])
        kind, data = content[pos + 4 : pos + 8], content[pos + 8 : pos + 8 + length]
        crc = struct.unpack(">I", content[pos + 8 + length : pos + 12 + length])[0]
        assert zlib.crc32(kind + data) == crc, f"bad CRC in the {kind!r} chunk"
        header = data if kind == b"IHDR" else header
        idat += data if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    assert len(zlib.decompress(idat)) == height * (1 + width * channels * depth // 8)
    return width, height


def test_province_daily_png_and_hq_monthly_pdf_are_mailed(reporting: Any) -> None:
    inst, sink, path, _ = reporting
    reports.provision_reports(path, inst.admin)
    entry = _run(inst, "测试日报·经营概览（广东）")
    assert entry["state"] == "Success", entry
    (msg,) = sink.to(GD_TO, "测试日报·经营概览（广东）")
    pngs = [v for v in _attachments(msg).values() if v[:4] == b"\x89PNG"]
    assert pngs, "the 日报 mail carries no PNG"
    width, height = _png_size(pngs[0])
    # the dashboard element of a 1600 px wide window (WEBDRIVER_WINDOW), less the scroll bar
    assert 1400 <= width <= 1600 and height > 600, (width, height)

    entry = _run(inst, "测试月报·月度经营盘点（总部）")
    assert entry["state"] == "Success", entry
    (msg,) = sink.to(HQ_TO, "测试月报·月度经营盘点（总部）")
    (pdf,) = [v for v in _attachments(msg).values() if v[:5] == b"%PDF-"]
    assert b"/Image" in pdf and len(pdf) > 20_000


def test_alert_mails_only_when_the_kpi_breaches_its_threshold(reporting: Any) -> None:
    inst, sink, path, availability = reporting
    reports.provision_reports(path, inst.admin)
    fired = _run(inst, "测试告警·可用率（总部）")
    quiet = _run(inst, "测试告警·可用率安静（总部）")
    assert fired["state"] == "Success", fired
    assert quiet["state"] == "Not triggered", quiet
    assert round(float(fired["value"]), 4) == round(availability, 4)
    (msg,) = sink.to(HQ_TO, "测试告警·可用率（总部）")
    assert any(k.endswith(".csv") for k in _attachments(msg))
    assert not sink.to(HQ_TO, "测试告警·可用率安静")


def test_reports_commands_list_pause_and_log(reporting: Any) -> None:
    from typer.testing import CliRunner

    from cli.app import app

    inst, _sink, path, _ = reporting
    reports.provision_reports(path, inst.admin)
    runner = CliRunner()
    listed = runner.invoke(app, ["reports", "list"])
    assert listed.exit_code == 0, listed.output
    assert "测试日报·经营概览（广东）" in listed.output
    paused = runner.invoke(app, ["reports", "pause", "t_indicators"])
    assert paused.exit_code == 0, paused.output
    assert not any(r["active"] for r in reports.find(inst.admin, "t_indicators"))
    reports.provision_reports(path, inst.admin)  # a deploy keeps the pause
    assert not any(r["active"] for r in reports.find(inst.admin, "t_indicators"))
    assert runner.invoke(app, ["reports", "resume", "t_indicators"]).exit_code == 0
    assert all(r["active"] for r in reports.find(inst.admin, "t_indicators"))
    log = runner.invoke(app, ["reports", "log", "t_indicators"])
    assert log.exit_code == 0, log.output
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert "Success" in log.output and today in log.output, log.output


def test_default_reports_config_loads() -> None:
    cfg = reports.load_config()
    assert {"hq", "44", "11"} <= set(cfg.audiences)
    assert {r.report_format for r in cfg.reports} == {"PNG", "PDF", "CSV"}
    assert all(a.op in reports.OPERATORS for a in cfg.alerts)
