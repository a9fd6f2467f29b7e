"""Ordinary transfer situations (issue 18): a control file that arrives after its data file (or
the reverse), content re-sent under another name, and periods that cannot be right."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import duckdb
import pytest
from testkit.ingest import (
    assert_good_loaded,
    audit,
    audit_rows,
    raw_count,
    reason_text,
    rows,
    write_extract,
)
from typer.testing import CliRunner

from cli.app import app
from jingfen.config import Settings
from jingfen.extracts import write_control
from jingfen.ingest import LoadContext, run_load

DATA = "SUBS_11_202601_001.dat"
CHK = "SUBS_11_202601_001.chk"


def waiting_rows(ctx: LoadContext) -> list[tuple]:
    with duckdb.connect(str(ctx.paths.ingest_db), read_only=True) as con:
        return con.execute(
            "select file_name, waiting_for from load_waiting order by file_name"
        ).fetchall()


def audited_names(ctx: LoadContext) -> set[str]:
    return {r["file_name"] for r in audit_rows(ctx)}


# ---------------------------------------------------------------- waiting for the partner


def test_data_file_waits_for_its_control_file_then_loads(ctx, good_files) -> None:
    path = write_extract(ctx.landing, DATA, rows("SUBS", 5), control=False)
    first = run_load(ctx)
    assert first["waiting"] == 1 and first["rejected"] == 0 and first["loaded"] == 2
    (w,) = first["waiting_files"]
    assert (w["file"], w["waiting_for"]) == (DATA, "its control file")
    assert w["rejected_after"] > w["since"]
    assert [p.name for p in ctx.landing.iterdir()] == [DATA]  # left where it is
    assert DATA not in audited_names(ctx)  # no outcome yet
    assert waiting_rows(ctx) == [(DATA, "control")]

    write_control(path, 5, "UTF-8", "202601")  # the control file arrives last
    second = run_load(ctx)
    assert second["loaded"] == 1 and second["waiting"] == 0 and second["files"] == 1
    assert audit(ctx)[DATA]["status"] == "loaded"
    assert raw_count(ctx, "SUBS_11_202601_001") == 5
    assert waiting_rows(ctx) == []
    assert not any(ctx.landing.iterdir())


def test_control_file_waits_for_its_data_file_then_loads(ctx, good_files, tmp_path) -> None:
    path = write_extract(ctx.landing, DATA, rows("SUBS", 5))
    elsewhere = tmp_path / DATA
    path.rename(elsewhere)  # the data file is slower than its control file
    first = run_load(ctx)
    assert first["waiting"] == 1 and first["rejected"] == 0
    assert first["waiting_files"][0]["waiting_for"] == "its data file"
    assert [p.name for p in ctx.landing.iterdir()] == [CHK]
    assert waiting_rows(ctx) == [(CHK, "data")]

    elsewhere.rename(path)
    second = run_load(ctx)
    assert second["loaded"] == 1 and second["waiting"] == 0
    a = audit(ctx)[DATA]
    assert a["status"] == "loaded"
    assert (ctx.paths.home / a["destination"]).with_name(CHK).is_file()  # the pair archived
    assert not any(ctx.landing.iterdir())


def test_orphans_are_rejected_once_they_have_waited_their_time(ctx, good_files) -> None:
    ctx = replace(ctx, wait_seconds=1.0)
    write_extract(ctx.landing, DATA, rows("SUBS", 5), control=False)
    (ctx.landing / "USGD_44_20260105_001.chk").write_text("file=USGD_44_20260105_001.dat\n")
    first = run_load(ctx)
    assert first["waiting"] == 2 and first["rejected"] == 0

    time.sleep(1.1)
    second = run_load(ctx)
    assert second["waiting"] == 0 and second["rejected"] == 2
    a = audit(ctx)
    assert a[DATA]["reason_code"] == "missing_control"
    assert a["USGD_44_20260105_001.chk"]["reason_code"] == "missing_data_file"
    assert (
        "rule missing_control: the control file SUBS_11_202601_001.chk is missing; every data "
        "file needs a {IF}_{PROV}_{PERIOD}_{SEQ}.chk beside it; none arrived within 1 second "
        "of the data file first being seen." in reason_text(ctx, DATA)
    )
    assert "none arrived within 1 second of the control file first being seen" in reason_text(
        ctx, "USGD_44_20260105_001.chk"
    )
    assert waiting_rows(ctx) == []  # nothing left to wait for
    assert_good_loaded(ctx, good_files)


def test_a_file_still_being_written_restarts_its_wait(ctx) -> None:
    ctx = replace(ctx, wait_seconds=1.0)
    path = write_extract(ctx.landing, DATA, rows("SUBS", 5), control=False)
    assert run_load(ctx)["waiting"] == 1
    time.sleep(1.1)
    with path.open("a", encoding="utf-8") as fh:  # more bytes arrived since
        fh.write("|".join(rows("SUBS", 6)[5]) + "\n")
    again = run_load(ctx)
    assert again["waiting"] == 1 and again["rejected"] == 0  # its clock started again
    time.sleep(1.1)
    assert run_load(ctx)["rejected"] == 1
    assert audit(ctx)[DATA]["reason_code"] == "missing_control"


def test_wait_is_a_setting(jingfen_home, seeds, monkeypatch) -> None:
    monkeypatch.setenv("JINGFEN_INGEST_WAIT_HOURS", "0.5")
    assert LoadContext.from_settings(seeds_dir=seeds).wait_seconds == 1800
    monkeypatch.setenv("JINGFEN_INGEST_WAIT_HOURS", "0")  # no waiting: rejected at once
    ctx = LoadContext.from_settings(seeds_dir=seeds)
    write_extract(ctx.landing, DATA, rows("SUBS", 5), control=False)
    summary = run_load(ctx)
    assert summary["waiting"] == 0 and summary["rejected"] == 1
    assert LoadContext.from_settings(seeds_dir=seeds, s=Settings()).wait_seconds == 0
    monkeypatch.delenv("JINGFEN_INGEST_WAIT_HOURS")
    assert LoadContext.from_settings(seeds_dir=seeds).wait_seconds == 4 * 3600  # default


def test_status_lists_the_waiting_files(ctx, good_files) -> None:
    write_extract(ctx.landing, DATA, rows("SUBS", 5), control=False)
    run_load(ctx)
    out = CliRunner().invoke(app, ["status"])
    assert out.exit_code == 0, out.output
    assert "waiting in landing/: 1 files" in out.output
    assert f"{DATA} waits for its control file since " in out.output
    assert "(rejected by the first load after " in out.output


# ---------------------------------------------------------------- the same content again


def test_same_content_under_another_name_is_a_duplicate(ctx, good_files) -> None:
    run_load(ctx)
    raw_before = sorted(p.name for p in (ctx.paths.raw / "subs").iterdir())
    # re-sent with a new sequence number: the same bytes, so the same md5
    write_extract(ctx.landing, "SUBS_44_202601_003.dat", rows("SUBS", 30))
    # and within one load: BILL _002 is a copy of _001, both new
    write_extract(ctx.landing, "BILL_44_202602_001.dat", rows("BILL", 7))
    write_extract(ctx.landing, "BILL_44_202602_002.dat", rows("BILL", 7))
    second = run_load(ctx)
    assert second["duplicate"] == 2 and second["loaded"] == 1
    a = audit(ctx)
    dup = a["SUBS_44_202601_003.dat"]
    assert (dup["status"], dup["reason_code"]) == ("duplicate", "duplicate_content")
    assert dup["md5"] == a["SUBS_44_202601_001.dat"]["md5"]
    assert (
        f"SUBS_44_202601_003.dat has the same content (md5 {dup['md5']}) as "
        "SUBS_44_202601_001.dat, which was already loaded" in dup["reason"]
    )
    assert dup["destination"].startswith(f"archive/{second['load_id']}/")
    assert a["BILL_44_202602_001.dat"]["status"] == "loaded"
    assert a["BILL_44_202602_002.dat"]["reason_code"] == "duplicate_content"
    assert sorted(p.name for p in (ctx.paths.raw / "subs").iterdir()) == raw_before
    assert not (ctx.paths.raw / "bill" / "BILL_44_202602_002.parquet").exists()


def test_same_snapshot_rows_in_another_order_and_encoding_are_a_duplicate(ctx) -> None:
    lines = rows("CUST", 12)
    lines[0][1] = "欧阳娜娜"
    write_extract(ctx.landing, "CUST_44_202601_001.dat", lines)
    run_load(ctx)
    # the same rows, reversed, in GBK and compressed: other bytes, the same snapshot
    write_extract(ctx.landing, "CUST_44_202601_002.dat.gz", lines[::-1], encoding="GBK")
    # one row more: a different snapshot part, loads
    write_extract(ctx.landing, "CUST_44_202601_003.dat", rows("CUST", 13)[::-1])
    second = run_load(ctx)
    assert second["duplicate"] == 1 and second["loaded"] == 1
    a = audit(ctx)
    dup = a["CUST_44_202601_002.dat.gz"]
    assert (dup["status"], dup["reason_code"]) == ("duplicate", "duplicate_rows")
    assert "holds the same 12 rows as CUST_44_202601_001.dat" in dup["reason"]
    assert dup["md5"] != a["CUST_44_202601_001.dat"]["md5"]
    assert not (ctx.paths.raw / "cust" / "CUST_44_202601_002.parquet").exists()
    assert raw_count(ctx, "CUST_44_202601_003") == 13


def test_split_delivery_and_repeated_empty_or_unchanged_snapshots_load_whole(ctx) -> None:
    # a genuine split delivery: two parts with different content
    write_extract(ctx.landing, "SUBS_44_202601_001.dat", rows("SUBS", 30)[:18])
    write_extract(ctx.landing, "SUBS_44_202601_002.dat", rows("SUBS", 30)[18:])
    # complete, empty deliveries of two provinces: the same (empty) bytes, not duplicates
    write_extract(ctx.landing, "CMPL_11_20260105_001.dat", [])
    write_extract(ctx.landing, "CMPL_44_20260105_001.dat", [])
    # a channel list that did not change from one month to the next: the same bytes, loads
    write_extract(ctx.landing, "CHNL_44_202601_001.dat", rows("CHNL", 4))
    write_extract(ctx.landing, "CHNL_44_202602_001.dat", rows("CHNL", 4))
    summary = run_load(ctx)
    assert summary["loaded"] == 6 and summary["duplicate"] == 0, audit(ctx)
    assert raw_count(ctx, "SUBS_44_202601_001") + raw_count(ctx, "SUBS_44_202601_002") == 30
    assert raw_count(ctx, "CHNL_44_202602_001") == 4


# ---------------------------------------------------------------- the plausible window


def test_period_after_the_business_date_is_rejected(ctx, good_files) -> None:
    ctx = replace(ctx, business_date=date(2026, 1, 10), business_date_tolerance_days=3)
    write_extract(ctx.landing, "USGD_44_20260113_001.dat", rows("USGD", 3))  # the last day
    write_extract(ctx.landing, "USGD_44_20260114_001.dat", rows("USGD", 4))
    write_extract(ctx.landing, "USGD_44_20301105_001.dat", rows("USGD", 5))  # years ahead
    write_extract(ctx.landing, "BILL_44_202602_001.dat", rows("BILL", 3))  # month not begun
    summary = run_load(ctx)
    assert summary["rejected"] == 3 and summary["loaded"] == 3
    assert summary["business_date"] == "2026-01-10"
    a = audit(ctx)
    assert a["USGD_44_20260113_001.dat"]["status"] == "loaded"
    for name in ("USGD_44_20260114_001.dat", "USGD_44_20301105_001.dat", "BILL_44_202602_001.dat"):
        assert a[name]["reason_code"] == "period_after_business_date", a[name]
    assert (
        "USGD_44_20301105_001.dat, rule period_after_business_date: the PERIOD 20301105 (a day "
        "starting 2030-11-05) is after the load's business date 2026-01-10; a file may be "
        "dated at most 3 days after it" in reason_text(ctx, "USGD_44_20301105_001.dat")
    )
    assert (
        "the PERIOD 202602 (a month starting 2026-02-01)" in a["BILL_44_202602_001.dat"]["reason"]
    )
    assert not (ctx.paths.raw / "usgd" / "USGD_44_20301105_001.parquet").exists()
    assert_good_loaded(ctx, good_files)


def test_period_before_the_first_month_of_history_is_rejected(
    jingfen_home, seeds, monkeypatch
) -> None:
    monkeypatch.setenv("JINGFEN_HISTORY_START_MONTH", "2026-01")
    monkeypatch.setenv("JINGFEN_BUSINESS_DATE", "2026-01-20")
    ctx = LoadContext.from_settings(seeds_dir=seeds)
    assert (ctx.history_start_month, ctx.business_date) == ("202601", date(2026, 1, 20))
    write_extract(ctx.landing, "SUBS_44_202512_001.dat", rows("SUBS", 3))
    write_extract(ctx.landing, "USGD_44_20251231_001.dat", rows("USGD", 3))
    write_extract(ctx.landing, "SUBS_44_202601_001.dat", rows("SUBS", 3))
    summary = run_load(ctx)
    assert summary["rejected"] == 2 and summary["loaded"] == 1
    a = audit(ctx)
    assert a["USGD_44_20251231_001.dat"]["reason_code"] == "period_before_history"
    assert (
        "SUBS_44_202512_001.dat, rule period_before_history: the PERIOD 202512 is before "
        "2026-01, the first month of history configured for this install (setting "
        "JINGFEN_HISTORY_START_MONTH)." in reason_text(ctx, "SUBS_44_202512_001.dat")
    )


def test_history_start_month_must_be_a_month() -> None:
    with pytest.raises(ValueError, match="history_start_month must be a month"):
        Settings(history_start_month="2026-13")
