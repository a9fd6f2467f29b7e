"""One test per kind of bad file, each run beside good files that must load fully; plus the
good paths (few bad rows, GBK, gzip), duplicates and corrected re-deliveries."""

from __future__ import annotations

from dataclasses import replace

import duckdb
from testkit.ingest import (
    assert_good_loaded,
    audit,
    audit_rows,
    raw_count,
    reason_text,
    rejects,
    rows,
    write_extract,
)

from jingfen.extracts import write_control
from jingfen.ingest import LoadContext, run_load
from jingfen.interfaces import INTERFACES

BAD = "SUBS_11_202601_001.dat"


def _rejected(ctx: LoadContext, name: str, rule: str) -> tuple[dict, str]:
    a = audit(ctx)[name]
    assert a["status"] == "rejected" and a["reason_code"] == rule, a
    assert a["records_loaded"] == 0
    assert a["destination"].startswith(f"quarantine/{a['load_id']}/")
    assert (ctx.paths.home / a["destination"]).is_file()
    assert not (ctx.paths.raw / "subs" / name.replace(".dat", ".parquet")).exists()
    text = reason_text(ctx, name)
    assert f"{name}, rule {rule}:" in a["reason"] and f"{name}, rule {rule}:" in text
    return a, text


def test_missing_control_file(ctx, good_files) -> None:
    """With no wait configured (JINGFEN_INGEST_WAIT_HOURS=0) an orphan is rejected at once;
    the wait itself is tested in test_ingest_transfers."""
    ctx = replace(ctx, wait_seconds=0)
    write_extract(ctx.landing, BAD, rows("SUBS", 5), control=False)
    summary = run_load(ctx)
    _, text = _rejected(ctx, BAD, "missing_control")
    assert "the control file SUBS_11_202601_001.chk is missing" in text
    assert summary["rejected"] == 1 and summary["loaded"] == 2 and summary["waiting"] == 0
    assert_good_loaded(ctx, good_files)


def test_truncated_file(ctx, good_files) -> None:
    path = write_extract(ctx.landing, BAD, rows("SUBS", 50))
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 400) + 1])  # lose the tail
    run_load(ctx)
    a, text = _rejected(ctx, BAD, "bytes_mismatch")
    assert "rule checksum_mismatch" in text
    assert (
        f"rule record_count_mismatch: the control file declares records=50 but "
        f"{a['records_read']} lines were read (truncated or incomplete file)" in text
    )
    assert a["records_declared"] == 50 and a["records_read"] < 50
    assert_good_loaded(ctx, good_files)


def test_checksum_mismatch(ctx, good_files) -> None:
    path = write_extract(ctx.landing, BAD, rows("SUBS", 5))
    path.write_bytes(path.read_bytes().replace(b"subs3|", b"subs9|"))  # same size, new bytes
    run_load(ctx)
    a, text = _rejected(ctx, BAD, "checksum_mismatch")
    assert "bytes_mismatch" not in text
    assert f"but the file's md5 is {a['md5']}" in text
    assert_good_loaded(ctx, good_files)


def test_wrong_column_count(ctx, good_files) -> None:
    write_extract(ctx.landing, BAD, [r + ["extra"] for r in rows("SUBS", 40)])
    run_load(ctx)
    _, text = _rejected(ctx, BAD, "field_count")
    assert (
        "40 of 40 lines have the wrong number of fields (most have 20; interface SUBS version "
        "1.0 has 19), first at line 1"
    ) in text
    assert_good_loaded(ctx, good_files)


def test_misdeclared_encoding(ctx, good_files) -> None:
    lines = rows("CUST", 10)
    for ln in lines:
        ln[1] = "Zhang San"  # ASCII names ...
    lines[6][1] = "张三"  # ... except line 7
    path = write_extract(ctx.landing, "CUST_11_202601_001.dat", lines, encoding="GBK")
    write_control(path, 10, "UTF-8", "202601")  # declares UTF-8 for GBK bytes
    run_load(ctx)
    _, text = _rejected(ctx, "CUST_11_202601_001.dat", "encoding_error")
    assert "rule encoding_error: line 7 is not valid UTF-8: byte(s) d5 cannot be decoded" in text
    assert_good_loaded(ctx, good_files)


def test_invalid_dates_and_numbers_above_threshold_reject_the_file(ctx, good_files) -> None:
    lines = rows("SUBS", 40)
    for ln in lines[:15]:  # 15 bad rows > max(10, 1% of 40)
        ln[INTERFACES["SUBS"].names.index("open_date")] = "20260230"
    lines[20][INTERFACES["SUBS"].names.index("is_opt_out")] = "yes"
    write_extract(ctx.landing, BAD, lines)
    run_load(ctx)
    a, text = _rejected(ctx, BAD, "too_many_bad_rows")
    assert (
        "16 of 40 lines break row rules (format_date 15, format_flag 1), more than the 10 "
        "allowed (1.00% of the lines, at least 10)" in text
    )
    assert (
        f"{BAD}, line 1, rule format_date: column open_date value '20260230' is not a "
        "valid date YYYYMMDD." in text
    )
    assert f"{BAD}, line 21, rule format_flag: column is_opt_out value 'yes' is not a flag" in text
    assert a["records_rejected"] == 40
    assert_good_loaded(ctx, good_files)


def test_few_bad_rows_are_rejected_and_the_rest_loaded(ctx, good_files) -> None:
    lines = rows("BILL", 30)
    names = INTERFACES["BILL"].names
    lines[4][names.index("due_date")] = "20260230"
    lines[9][names.index("voice_fee_fen")] = "12.5"
    lines[14][names.index("package_code")] = "P9X999"
    write_extract(ctx.landing, "BILL_11_202601_001.dat", lines)
    run_load(ctx)
    a = audit(ctx)["BILL_11_202601_001.dat"]
    assert (a["status"], a["records_loaded"], a["records_rejected"]) == ("loaded", 27, 3)
    assert a["reason_code"] == "row_rejects"
    rj = [r for r in rejects(ctx) if r["file_name"] == "BILL_11_202601_001.dat"]
    assert [(r["line_no"], r["rule"], r["column_name"], r["value"]) for r in rj] == [
        (5, "format_date", "due_date", "20260230"),
        (10, "format_int", "voice_fee_fen", "12.5"),
        (15, "unknown_code", "package_code", "P9X999"),
    ]
    assert all(r["load_id"] == a["load_id"] and r["md5"] == a["md5"] for r in rj)
    raw = ctx.paths.raw / "bill" / "BILL_11_202601_001.parquet"
    lines_loaded = [r[0] for r in duckdb.sql(f"select _line from '{raw}' order by 1").fetchall()]
    assert lines_loaded == [n for n in range(1, 31) if n not in (5, 10, 15)]
    assert_good_loaded(ctx, good_files)


def test_unknown_code(ctx, good_files) -> None:
    lines = rows("SUBS", 12)
    lines[7][INTERFACES["SUBS"].names.index("pay_type")] = "9"
    write_extract(ctx.landing, BAD, lines)
    run_load(ctx)
    a = audit(ctx)[BAD]
    assert (a["status"], a["records_loaded"], a["records_rejected"]) == ("loaded", 11, 1)
    (r,) = [r for r in rejects(ctx) if r["file_name"] == BAD]
    assert (r["line_no"], r["rule"], r["column_name"]) == (8, "unknown_code", "pay_type")
    assert r["message"] == "column pay_type value '9' is not a code of code_values.pay_type"
    assert_good_loaded(ctx, good_files)


def test_pii_never_stored_in_clear(ctx, good_files) -> None:
    lines = rows("SUBS", 20)
    for ln in lines[2:]:  # and push the file over the threshold so a reason file is written
        ln[INTERFACES["SUBS"].names.index("msisdn")] = "1381234567899999999999"
    write_extract(ctx.landing, BAD, lines)
    run_load(ctx)
    _, text = _rejected(ctx, BAD, "too_many_bad_rows")
    dump = str(rejects(ctx)) + text
    assert "1381234567899999999999" not in dump
    assert "138*****************99" in dump
    assert_good_loaded(ctx, good_files)


def test_empty_file(ctx, good_files) -> None:
    ctx = replace(ctx, wait_seconds=0)
    write_extract(ctx.landing, BAD, [], records=12)  # the content was lost on the way
    write_extract(ctx.landing, "SUBS_11_202601_002.dat", [], control=False)
    run_load(ctx)
    _, text = _rejected(ctx, BAD, "empty_file")
    assert "the data file is empty (no records) but the control file declares records=12" in text
    assert "rule record_count_mismatch" not in text
    assert "rule missing_control" in reason_text(ctx, "SUBS_11_202601_002.dat")
    assert_good_loaded(ctx, good_files)


def test_declared_empty_delivery_loads_zero_rows(ctx, good_files) -> None:
    """A control file declaring records=0 makes an empty file a complete delivery (a day with
    no complaints in a province), not a lost one."""
    write_extract(ctx.landing, "CMPL_11_20260105_001.dat", [])
    summary = run_load(ctx)
    a = audit(ctx)["CMPL_11_20260105_001.dat"]
    assert (a["status"], a["records_read"], a["records_loaded"]) == ("loaded", 0, 0)
    assert raw_count(ctx, "CMPL_11_20260105_001") == 0
    assert summary["rejected"] == 0
    assert_good_loaded(ctx, good_files)


def test_bad_file_name(ctx, good_files) -> None:
    (ctx.landing / "subs_44_202601_001.dat").write_text("x|y\n")
    (ctx.landing / "subs_44_202601_001.chk").write_text("file=subs_44_202601_001.dat\n")
    (ctx.landing / "SUBS_44_202613_001.dat").write_text("x|y\n")
    summary = run_load(ctx)
    assert summary["rejected"] == 2
    a = audit(ctx)["subs_44_202601_001.dat"]
    assert a["status"] == "rejected" and a["reason_code"] == "bad_name"
    text = reason_text(ctx, "subs_44_202601_001.dat")
    assert "does not follow the rule {IF}_{PROV}_{PERIOD}_{SEQ}.dat[.gz]" in text
    qdir = ctx.paths.quarantine / a["load_id"]
    assert (qdir / "subs_44_202601_001.chk").is_file()  # its control file went with it
    assert "PERIOD '202613' is not a valid date" in reason_text(ctx, "SUBS_44_202613_001.dat")
    assert_good_loaded(ctx, good_files)


def test_period_mismatch(ctx, good_files) -> None:
    write_extract(ctx.landing, BAD, rows("SUBS", 5), period="202602")
    run_load(ctx)
    _, text = _rejected(ctx, BAD, "period_mismatch")
    assert "the control file says period=202602 but the file name's PERIOD is 202601" in text
    assert_good_loaded(ctx, good_files)


def test_stray_control_file(ctx, good_files) -> None:
    ctx = replace(ctx, wait_seconds=0)
    (ctx.landing / "USGD_44_20260105_001.chk").write_text("file=USGD_44_20260105_001.dat\n")
    run_load(ctx)
    a = audit(ctx)["USGD_44_20260105_001.chk"]
    assert a["status"] == "rejected" and a["reason_code"] == "missing_data_file"
    assert a["interface"] == "USGD" and a["period"] == "20260105"
    assert "has no data file USGD_44_20260105_001.dat" in reason_text(
        ctx, "USGD_44_20260105_001.chk"
    )
    assert_good_loaded(ctx, good_files)


def test_gbk_and_gzip_files_load(ctx, good_files) -> None:
    lines = rows("CUST", 20)
    lines[0][1] = "欧阳娜娜"
    write_extract(ctx.landing, "CUST_44_202601_001.dat", lines, encoding="GBK")
    write_extract(ctx.landing, "CUST_11_202601_001.dat.gz", rows("CUST", 7))
    summary = run_load(ctx)
    assert summary["loaded"] == 4 and summary["rejected"] == 0
    a = audit(ctx)
    assert a["CUST_44_202601_001.dat"]["encoding"] == "GBK"
    raw = ctx.paths.raw / "cust" / "CUST_44_202601_001.parquet"
    assert duckdb.sql(f"select cust_name from '{raw}' where _line = 1").fetchall() == [
        ("欧阳娜娜",)
    ]
    assert raw_count(ctx, "CUST_11_202601_001") == 7
    assert_good_loaded(ctx, good_files)


def test_raw_types_and_metadata(ctx, good_files) -> None:
    run_load(ctx)
    raw = ctx.paths.raw / "subs" / "SUBS_44_202601_001.parquet"
    types = dict(duckdb.sql(f"select column_name, column_type from (describe '{raw}')").fetchall())
    assert types["open_date"] == "DATE" and types["is_opt_out"] == "BOOLEAN"
    assert types["_loaded_at"] == "TIMESTAMP" and types["_line"] == "BIGINT"
    row = duckdb.sql(
        f"select _file, _md5, _load_id, _period, open_date from '{raw}' where _line = 2"
    )
    f, md5, load_id, period, open_date = row.fetchall()[0]
    a = audit(ctx)["SUBS_44_202601_001.dat"]
    assert (f, md5, load_id, period) == (a["file_name"], a["md5"], a["load_id"], "202601")
    assert str(open_date) == "2026-01-03"
    bill = ctx.paths.raw / "bill" / "BILL_44_202601_001.parquet"
    bt = dict(duckdb.sql(f"select column_name, column_type from (describe '{bill}')").fetchall())
    assert bt["bill_month"] == "DATE" and bt["total_due_fen"] == "BIGINT"


def test_duplicate_delivery(ctx, good_files) -> None:
    first = run_load(ctx)
    raw = ctx.paths.raw / "subs" / "SUBS_44_202601_001.parquet"
    before = raw.read_bytes()
    write_extract(ctx.landing, "SUBS_44_202601_001.dat", rows("SUBS", 30))  # the same bytes
    second = run_load(ctx)
    assert second["duplicate"] == 1 and second["loaded"] == 0
    dup = [r for r in audit_rows(ctx) if r["file_name"] == "SUBS_44_202601_001.dat"]
    assert [r["status"] for r in dup] == ["loaded", "duplicate"]
    assert dup[1]["md5"] == dup[0]["md5"] and dup[1]["load_id"] == second["load_id"]
    assert "was already loaded; this delivery is a duplicate" in dup[1]["reason"]
    assert (ctx.paths.archive / second["load_id"] / "SUBS_44_202601_001.dat").is_file()
    assert (ctx.paths.archive / second["load_id"] / "SUBS_44_202601_001.chk").is_file()
    assert raw.read_bytes() == before  # not loaded twice
    assert first["load_id"] != second["load_id"]


def test_corrected_redelivery_replaces_data_and_rejects(ctx, good_files) -> None:
    lines = rows("SUBS", 30)
    lines[3][INTERFACES["SUBS"].names.index("pay_type")] = "9"
    lines[4][INTERFACES["SUBS"].names.index("pay_type")] = "9"
    write_extract(ctx.landing, BAD, lines)
    run_load(ctx)
    assert len([r for r in rejects(ctx) if r["file_name"] == BAD]) == 2
    assert raw_count(ctx, "SUBS_11_202601_001") == 28

    write_extract(ctx.landing, BAD, rows("SUBS", 31))  # corrected, one more row
    second = run_load(ctx)
    assert second["reloaded"] == 1
    history = [r for r in audit_rows(ctx) if r["file_name"] == BAD]
    assert [r["status"] for r in history] == ["loaded", "reloaded"]
    assert "A corrected re-delivery" in history[1]["reason"]
    assert raw_count(ctx, "SUBS_11_202601_001") == 31
    raw = ctx.paths.raw / "subs" / "SUBS_11_202601_001.parquet"
    assert duckdb.sql(f"select distinct _md5, _load_id from '{raw}'").fetchall() == [
        (history[1]["md5"], second["load_id"])
    ]
    assert [r for r in rejects(ctx) if r["file_name"] == BAD] == []
    assert not list(raw.parent.glob(".*"))  # no temp file left


def test_rejected_redelivery_keeps_the_loaded_version(ctx, good_files) -> None:
    run_load(ctx)
    write_extract(ctx.landing, "SUBS_44_202601_001.dat", rows("SUBS", 5), period="202603")
    second = run_load(ctx)
    assert second["rejected"] == 1
    assert raw_count(ctx, "SUBS_44_202601_001") == 30


def test_the_audit_answers_its_named_queries(ctx, good_files) -> None:
    """The questions other modules ask of the load audit (build state, ``jingfen status``):
    nothing before the first load; after it, what the load's summary and audit rows say."""
    from jingfen.ingest import audit as owner

    db = ctx.paths.ingest_db
    assert not db.exists()
    assert owner.raw_watermark(db) is None and owner.status_counts(db) == []
    assert owner.raw_changes_since(db, None) == [] and owner.waiting_files(db, ctx.landing) == []

    write_extract(ctx.landing, BAD, rows("SUBS", 5), control=False)  # waits for its control file
    write_extract(ctx.landing, "SUBS_44_202602_001.dat", ["too|few|fields"] * 3)
    summary = run_load(ctx)
    rows_ = audit_rows(ctx)
    assert owner.status_counts(db) == sorted(
        (s, sum(r["status"] == s for r in rows_)) for s in {r["status"] for r in rows_}
    )
    assert dict(owner.status_counts(db))["loaded"] == summary["loaded"] == 2
    assert [w.file_name for w in owner.waiting_files(db, ctx.landing)] == [BAD]
    changed = owner.raw_changes_since(db, None)
    assert sorted(r[2] for r in changed) == sorted(
        r["raw_path"] for r in rows_ if r["status"] == "loaded"
    )
    newest = max(r["finished_at"] for r in rows_ if r["status"] == "loaded")
    assert owner.raw_watermark(db) == newest
    assert owner.raw_changes_since(db, newest.isoformat()) == []


def test_agent_session_interface_bad_rows_are_rejected_with_file_line_and_rule(
    ctx, good_files
) -> None:
    """AGNT (坐席签入记录) is checked from the spec like every interface: a few bad rows are left
    out with their file, line and rule; a file of mostly bad rows is quarantined, its reason
    naming them."""
    names = INTERFACES["AGNT"].names
    few, many = "AGNT_44_20260115_001.dat", "AGNT_11_20260115_001.dat"
    lines = rows("AGNT", 20)
    lines[3][names.index("logout_time")] = "20260115250000"  # hour 25
    lines[8][names.index("break_seconds")] = ""
    lines[11][names.index("prov_code")] = "99"
    write_extract(ctx.landing, few, lines)
    bad = rows("AGNT", 20)
    for ln in bad[:15]:
        ln[names.index("login_time")] = "2026011508"
    write_extract(ctx.landing, many, bad)
    run_load(ctx)
    a = audit(ctx)[few]
    assert (a["status"], a["records_loaded"], a["records_rejected"]) == ("loaded", 17, 3)
    rj = [r for r in rejects(ctx) if r["file_name"] == few]
    assert [(r["line_no"], r["rule"], r["column_name"]) for r in rj] == [
        (4, "format_ts", "logout_time"),
        (9, "mandatory", "break_seconds"),
        (12, "unknown_code", "prov_code"),
    ]
    raw = ctx.paths.raw / "agnt" / few.replace(".dat", ".parquet")
    assert duckdb.sql(f"select count(*) from '{raw}'").fetchall()[0][0] == 17
    q = audit(ctx)[many]
    assert q["status"] == "rejected" and q["reason_code"] == "too_many_bad_rows"
    assert q["destination"].startswith(f"quarantine/{q['load_id']}/")
    text = reason_text(ctx, many)
    assert (
        f"{many}, line 1, rule format_ts: column login_time value '2026011508' is not a valid "
        "timestamp YYYYMMDDHHMMSS" in text
    )
    assert not (ctx.paths.raw / "agnt" / many.replace(".dat", ".parquet")).exists()
    assert_good_loaded(ctx, good_files)
