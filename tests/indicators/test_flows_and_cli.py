"""The Prefect flows (upload after the build, receive on a schedule) and the CLI group."""

from __future__ import annotations

import json
from datetime import date

from testkit.hq import MONTH, query
from typer.testing import CliRunner

from cli.indicators import app
from indicators.settings import hq_paths

runner = CliRunner()


def test_upload_periods_for_a_nightly_run():
    from indicators.upload import upload_periods

    assert upload_periods(date(2026, 11, 2)) == {"day": "20261101", "month": "202610"}
    assert upload_periods(date(2027, 1, 1)) == {"day": "20261231", "month": "202612"}


def test_upload_then_receive_flows(hq_home, prefect_harness):
    from flows.indicators import receive_flow, upload_flow

    out = upload_flow(MONTH, provinces=["11", "44"])
    assert {p: r["package"] for p, r in out["packages"].items()} == {
        "11": "IND_11_202610_001",
        "44": "IND_44_202610_001",
    }
    assert all(r["delivered"] for r in out["packages"].values())
    again = upload_flow(MONTH, provinces=["11", "44"])  # nightly re-run: unchanged, not re-sent
    assert all(r["reused"] and r["delivered"] is None for r in again["packages"].values())

    summary = receive_flow()
    assert sorted(summary["accepted"]) == ["IND_11_202610_001", "IND_44_202610_001"]
    assert query("select count(*) from submissions") == [(2,)]


def test_cli_export_upload_status(hq_home):
    res = runner.invoke(app, ["export", "--province", "44,11", "--period", MONTH])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["44"]["package"] == "IND_44_202610_001"

    res = runner.invoke(app, ["upload", "--province", "44", "--period", MONTH])
    assert res.exit_code == 0, res.output
    assert (hq_paths().inbox / "IND_44_202610_001.sig").exists()

    from indicators.receive import receive_all

    receive_all()
    res = runner.invoke(app, ["status", "--period", MONTH, "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["prov_code"]: r["status"] for r in json.loads(res.output)}
    assert len(rows) == 31 and rows["44"] in ("on_time", "late") and rows["11"] != rows["44"]


def test_cli_errors_are_sentences(hq_home):
    res = runner.invoke(app, ["export", "--province", "99", "--period", MONTH])
    assert res.exit_code == 2 and "unknown province code(s): 99" in res.output
    res = runner.invoke(app, ["export", "--province", "44", "--period", "202613"])
    assert res.exit_code == 2 and "must be YYYYMM" in res.output
    res = runner.invoke(app, ["upload", "--province", "44", "--period", MONTH])
    assert res.exit_code == 1 and "no exported package" in res.output
