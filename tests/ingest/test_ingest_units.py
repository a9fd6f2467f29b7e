"""Unit tests of the ingest core: decoding, control files, row rules, discovery, thresholds."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from testkit.ingest import rows, write_extract

from jingfen.config import Settings, beijing_today
from jingfen.extracts import ExtractName
from jingfen.ingest import AuditStore, LoadContext, RowValidator, discover
from jingfen.ingest.decode import decode_to_utf8
from jingfen.ingest.refs import ReferenceDataError
from jingfen.ingest.validate import read_control
from jingfen.interfaces import INTERFACES

# ---------------------------------------------------------------- decoding


def test_decode_counts_lines_normalises_crlf_and_hashes_delivered_bytes(tmp_path: Path) -> None:
    raw = b"a|b\r\nc|d\r\ne|f"  # CRLF, and a last line without a newline
    src = tmp_path / "x.dat"
    src.write_bytes(raw)
    res = decode_to_utf8(src, "UTF-8", tmp_path / "x.utf8")
    assert res.decoded and res.lines == 3
    assert res.nbytes == len(raw) and res.md5 == hashlib.md5(raw).hexdigest()
    assert (tmp_path / "x.utf8").read_bytes() == b"a|b\nc|d\ne|f"


def test_decode_gbk_writes_utf8(tmp_path: Path) -> None:
    src = tmp_path / "x.dat"
    src.write_bytes("张三|广州\n李四|北京\n".encode("gbk"))
    res = decode_to_utf8(src, "GBK", tmp_path / "x.utf8")
    assert res.decoded and res.lines == 2
    assert (tmp_path / "x.utf8").read_text(encoding="utf-8") == "张三|广州\n李四|北京\n"


def test_decode_gbk_bytes_declared_utf8_names_the_line(tmp_path: Path) -> None:
    src = tmp_path / "x.dat"
    src.write_bytes(b"ok|1\nok|2\n" + "张三|3\n".encode("gbk") + b"ok|4\n")
    res = decode_to_utf8(src, "UTF-8", tmp_path / "x.utf8")
    assert not res.decoded and res.error_code == "encoding_error"
    assert res.error is not None and res.error.startswith("line 3 is not valid UTF-8")
    # md5 and size still cover the whole file, for the control-file checks
    assert res.nbytes == src.stat().st_size
    assert res.md5 == hashlib.md5(src.read_bytes()).hexdigest()


def test_decode_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jingfen.ingest.decode as dec

    monkeypatch.setattr(dec, "CHUNK", 7)  # split lines and multi-byte characters everywhere
    text = "".join(f"名字{i}|值\r\n" for i in range(50))
    src = tmp_path / "x.dat"
    src.write_bytes(text.encode("gbk"))
    res = dec.decode_to_utf8(src, "GBK", tmp_path / "x.utf8")
    assert res.decoded and res.lines == 50
    assert (tmp_path / "x.utf8").read_text(encoding="utf-8") == text.replace("\r\n", "\n")


def test_decode_gzip_hashes_compressed_bytes(tmp_path: Path) -> None:
    src = tmp_path / "x.dat.gz"
    src.write_bytes(gzip.compress(b"a|b\nc|d\n"))
    res = decode_to_utf8(src, "UTF-8", tmp_path / "x.utf8", gz=True)
    assert res.decoded and res.lines == 2
    assert res.md5 == hashlib.md5(src.read_bytes()).hexdigest()
    src.write_bytes(src.read_bytes()[:-6])  # cut the gzip trailer off
    res = decode_to_utf8(src, "UTF-8", tmp_path / "x.utf8", gz=True)
    assert not res.decoded and res.error_code == "bad_gzip"


def test_decode_notes_forbidden_control_characters(tmp_path: Path) -> None:
    src = tmp_path / "x.dat"
    src.write_bytes(b"a|b\nc\x01|d\ne|f\rg\n")
    res = decode_to_utf8(src, "UTF-8", tmp_path / "x.utf8")
    assert res.lines == 3
    assert res.bad_lines == {2: "U+0001", 3: "U+000D"}


# ---------------------------------------------------------------- control files


def _control(tmp_path: Path, text: str) -> tuple[object, list]:
    chk = tmp_path / "SUBS_44_202601_001.chk"
    chk.write_text(text)
    name = ExtractName.parse("SUBS_44_202601_001.dat")
    return read_control(chk, name.data_name, name)


GOOD_CONTROL = (
    "file=SUBS_44_202601_001.dat\nrecords=3\nbytes=10\nmd5=abc\nencoding=UTF-8\n"
    "period=202601\ninterface_version=1.0\ngenerated_at=2026-02-01T00:00:00+0000\n"
)


def test_control_good(tmp_path: Path) -> None:
    ctl, reasons = _control(tmp_path, GOOD_CONTROL)
    assert reasons == [] and ctl.encoding == "UTF-8" and ctl.int_value("records") == 3


@pytest.mark.parametrize(
    ("edit", "rule", "words"),
    [
        (("records=3\n", ""), "bad_control", "lacks the key(s) records"),
        (("records=3", "records=three"), "bad_control", "records=three is not a count"),
        (
            ("file=SUBS_44_202601_001.dat", "file=SUBS_44_202601_002.dat"),
            "control_file_mismatch",
            "names file=SUBS_44_202601_002.dat, not SUBS_44_202601_001.dat",
        ),
        (("encoding=UTF-8", "encoding=BIG5"), "unsupported_encoding", "UTF-8 or GBK"),
        (
            ("period=202601", "period=202602"),
            "period_mismatch",
            "period=202602 but the file name's PERIOD is 202601",
        ),
        (
            ("interface_version=1.0", "interface_version=2.0"),
            "unsupported_version",
            "interface_version=2.0 is not supported",
        ),
        (
            ("records=3\n", "records 3\n"),
            "bad_control",
            "line 2 of the control file is not key=value",
        ),
    ],
)
def test_control_rules(tmp_path: Path, edit: tuple[str, str], rule: str, words: str) -> None:
    _, reasons = _control(tmp_path, GOOD_CONTROL.replace(*edit))
    assert [r.rule for r in reasons] == [rule]
    assert words in reasons[0].message


def test_missing_control(tmp_path: Path) -> None:
    name = ExtractName.parse("SUBS_44_202601_001.dat")
    ctl, reasons = read_control(tmp_path / name.control_name, name.data_name, name)
    assert ctl is None and reasons[0].rule == "missing_control"
    assert "SUBS_44_202601_001.chk is missing" in reasons[0].message


# ---------------------------------------------------------------- row rules


@pytest.fixture
def validator(seeds: Path, tmp_path: Path):
    with RowValidator(seeds, tmp_path / "duck") as v:
        yield v


def _check(validator: RowValidator, tmp_path: Path, code: str, lines: list[list[str]]):
    path = tmp_path / "lines.utf8"
    path.write_text("".join("|".join(ln) + "\n" for ln in lines), encoding="utf-8")
    rc = validator.check(path, INTERFACES[code], {})
    return rc, validator.rejects(INTERFACES[code]).to_pylist()


@pytest.mark.parametrize(
    ("column", "bad", "rule", "words"),
    [
        ("open_date", "20260230", "format_date", "value '20260230' is not a valid date YYYYMMDD"),
        ("open_date", "2026023", "format_date", "is not a valid date"),
        ("open_date", "2026-02-01", "format_date", "is not a valid date"),
        ("is_opt_out", "2", "format_flag", "is not a flag (0 or 1)"),
        ("pay_type", "9", "unknown_code", "value '9' is not a code of code_values.pay_type"),
        ("county_code", "999999", "unknown_code", "is not a code of regions.county_code"),
        ("package_code", "NOPE", "unknown_code", "is not a code of packages.package_code"),
        ("subs_id", "", "mandatory", "column subs_id is mandatory but empty"),
        ("channel_id", "X" * 21, "maxlen", "is 21 characters long; the maximum is 20"),
    ],
)
def test_row_rules_subs(validator, tmp_path, column, bad, rule, words) -> None:
    lines = rows("SUBS", 5)
    idx = INTERFACES["SUBS"].names.index(column)
    lines[2][idx] = bad
    rc, rj = _check(validator, tmp_path, "SUBS", lines)
    assert rc.lines == 5 and rc.bad_lines == 1 and rc.rule_counts == {rule: 1}
    assert len(rj) == 1
    assert rj[0]["line_no"] == 3 and rj[0]["rule"] == rule and rj[0]["column_name"] == column
    assert words in rj[0]["message"]


@pytest.mark.parametrize(
    ("code", "column", "bad", "rule"),
    [
        ("BILL", "package_fee_fen", "12a", "format_int"),
        ("BILL", "package_fee_fen", "1.5", "format_int"),
        ("BILL", "package_fee_fen", "99999999999999999999", "format_int"),
        ("BILL", "bill_month", "202613", "format_month"),
        ("USGM", "data_mb", "1,5", "format_dec"),
        ("USGM", "data_mb", ".5", "format_dec"),
        ("EVNT", "event_time", "20260101250000", "format_ts"),
        ("EVNT", "event_time", "202601011200", "format_ts"),
    ],
)
def test_row_rules_types(validator, tmp_path, code, column, bad, rule) -> None:
    lines = rows(code, 4)
    lines[1][INTERFACES[code].names.index(column)] = bad
    rc, rj = _check(validator, tmp_path, code, lines)
    assert rc.rule_counts == {rule: 1}
    assert (rj[0]["line_no"], rj[0]["rule"], rj[0]["column_name"]) == (2, rule, column)


def test_optional_empty_fields_pass_and_good_values_pass(validator, tmp_path) -> None:
    lines = rows("SUBS", 3)
    for col in ("terminal_brand", "is_5g_terminal", "contract_end_date"):
        lines[0][INTERFACES["SUBS"].names.index(col)] = ""
    rc, rj = _check(validator, tmp_path, "SUBS", lines)
    assert rc.bad_lines == 0 and rj == []


def test_field_count_and_several_errors_on_one_line(validator, tmp_path) -> None:
    lines = rows("SUBS", 4)
    lines[0] = lines[0] + ["extra"]
    lines[3][INTERFACES["SUBS"].names.index("open_date")] = "x"
    lines[3][INTERFACES["SUBS"].names.index("pay_type")] = "9"
    rc, rj = _check(validator, tmp_path, "SUBS", lines)
    assert rc.bad_lines == 2 and rc.field_count_lines == 1 and rc.first_field_count_line == 1
    assert [(r["line_no"], r["rule"]) for r in rj] == [
        (1, "field_count"),
        (4, "unknown_code"),
        (4, "format_date"),
    ]
    assert rj[0]["message"] == "the line has 20 fields; interface SUBS has 19"


def test_pii_values_are_masked_in_rejects(validator, tmp_path) -> None:
    lines = rows("SUBS", 3)
    lines[1][INTERFACES["SUBS"].names.index("msisdn")] = "13812345678901234567890"  # too long
    rc, rj = _check(validator, tmp_path, "SUBS", lines)
    assert rj[0]["rule"] == "maxlen"
    assert rj[0]["value"] == "138" + "*" * 18 + "90"
    assert "13812345678901234567890" not in rj[0]["message"]


def test_missing_reference_seed_is_a_configuration_error(tmp_path) -> None:
    (tmp_path / "seeds").mkdir()
    with RowValidator(tmp_path / "seeds", tmp_path / "duck") as v:
        path = tmp_path / "l.utf8"
        path.write_text("|".join(rows("SUBS", 1)[0]) + "\n")
        with pytest.raises(ReferenceDataError, match=r"regions\.csv does not exist"):
            v.check(path, INTERFACES["SUBS"], {})


# ---------------------------------------------------------------- discovery, thresholds


def test_discovery_order_and_classes(tmp_path: Path) -> None:
    for name in (
        "SUBS_44_202602_001.dat",
        "SUBS_11_202602_001.dat",
        "SUBS_44_202601_002.dat.gz",
        "SUBS_44_202601_001.dat",
        "BILL_44_202601_001.dat",
    ):
        write_extract(tmp_path, name, rows(name[:4], 1))
    (tmp_path / "bad_name.dat").write_text("x")
    (tmp_path / "USGD_44_20260101_001.chk").write_text("x")
    (tmp_path / ".SUBS_44_202603_001.dat.part").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    found = discover(tmp_path)
    assert [d.path.name for d in found.deliveries] == [
        "BILL_44_202601_001.dat",
        "SUBS_44_202601_001.dat",
        "SUBS_44_202601_002.dat.gz",
        "SUBS_11_202602_001.dat",
        "SUBS_44_202602_001.dat",
    ]
    assert [p.name for p in found.bad_names] == ["bad_name.dat"]
    assert [p.name for p in found.stray_controls] == ["USGD_44_20260101_001.chk"]
    assert sorted(p.name for p in found.ignored) == [".SUBS_44_202603_001.dat.part", "notes.txt"]
    assert [c for c, _ in found.by_interface()] == ["BILL", "SUBS"]


def test_allowed_bad_rows(ctx: LoadContext) -> None:
    assert ctx.allowed_bad_rows(100) == 10  # the minimum always applies
    assert ctx.allowed_bad_rows(100_000) == 1_000  # 1 %


# ---------------------------------------------------------------- business date, fingerprints


def test_business_date_defaults_to_today_in_beijing(monkeypatch: pytest.MonkeyPatch) -> None:
    # 17:00 UTC on 30 November is already 1 December in Beijing (UTC+8, no daylight saving)
    assert beijing_today(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == date(2026, 11, 30)
    assert beijing_today(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == date(2026, 12, 1)
    monkeypatch.delenv("JINGFEN_BUSINESS_DATE", raising=False)
    assert Settings().load_business_date() == beijing_today()
    monkeypatch.setenv("JINGFEN_BUSINESS_DATE", "2026-11-03")
    assert LoadContext.from_settings().business_date == date(2026, 11, 3)
    assert LoadContext.from_settings().latest_period_day == date(2026, 11, 6)


def test_a_resumed_load_keeps_its_business_date(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "ingest.duckdb")
    now = datetime(2026, 12, 1, 15, 59)
    first = store.open_run(now, tmp_path, "L1", date(2026, 11, 30))
    assert first == ("L1", False, date(2026, 11, 30))
    # killed; restarted after midnight in Beijing, when today's date is another one
    assert store.open_run(now, tmp_path, "L2", date(2026, 12, 1)) == (
        "L1",
        True,
        date(2026, 11, 30),
    )
    store.close_run("L1", now, 0, "{}")
    assert store.open_run(now, tmp_path, "L2", date(2026, 12, 1)) == (
        "L2",
        False,
        date(2026, 12, 1),
    )


def test_rows_fingerprint_ignores_order_and_encoding_not_content(validator, tmp_path) -> None:
    iface = INTERFACES["CUST"]
    lines = rows("CUST", 6)

    def fingerprint(name: str, lines: list[list[str]], encoding: str = "UTF-8") -> str | None:
        path = write_extract(tmp_path, name, lines, encoding=encoding)
        out = tmp_path / f"{name}.utf8"
        decode_to_utf8(path, encoding, out, gz=name.endswith(".gz"))
        return validator.check(out, iface, {}, fingerprint=True).rows_fingerprint

    same = fingerprint("CUST_44_202601_001.dat", lines)
    assert same is not None and same.startswith(f"duckdb{duckdb.__version__}:6:")
    assert fingerprint("CUST_44_202601_002.dat.gz", lines[::-1], "GBK") == same
    changed = [list(r) for r in lines]
    changed[2][0] = changed[2][0] + "x"
    assert fingerprint("CUST_44_202601_003.dat", changed) != same
    assert fingerprint("CUST_44_202601_004.dat", lines + lines[:1]) != same  # a row twice


def test_a_batch_of_files_is_checked_and_written_as_each_file_alone(
    seeds: Path, tmp_path: Path
) -> None:
    """The batched row checks (one pass over several files) give every file the counts,
    rejects (with its own line numbers), fingerprint and Parquet rows it gets alone."""
    from jingfen.ingest.validate import ParquetItem

    iface = INTERFACES["SUBS"]
    date_col = iface.names.index("open_date")
    files: list[tuple[Path, dict[int, str]]] = []
    for n, bad_lines in enumerate([(), (2, 5), (), (1,)]):
        lines = [list(r) for r in rows("SUBS", 6 + n)]
        for i in bad_lines:
            lines[i - 1][date_col] = "20260230"
        path = tmp_path / f"f{n}.utf8"
        path.write_text("".join("|".join(ln) + "\n" for ln in lines), encoding="utf-8")
        files.append((path, {3: "U+0007"} if n == 2 else {}))
    empty = tmp_path / "empty.utf8"
    empty.write_text("")
    files.insert(1, (empty, {}))
    loaded_at = datetime(2026, 12, 1, 8, 0)

    def parquet(dest: Path) -> list[tuple]:
        return duckdb.sql(f"select * from '{dest}' order by _line").fetchall()

    alone = []
    with RowValidator(seeds, tmp_path / "duck-alone") as v:
        for n, (path, cc) in enumerate(files):
            rc = v.check(path, iface, cc, fingerprint=True)
            dest = tmp_path / f"alone{n}.parquet"
            kw = {"file_name": f"F{n}", "md5": "m", "load_id": "L", "period": "202601"}
            v.write_parquet(iface, dest, loaded_at=loaded_at, **kw)
            alone.append((rc, v.rejects(iface).to_pylist(), parquet(dest)))
    with RowValidator(seeds, tmp_path / "duck-batch") as v:
        checks = v.check_batch(files, iface, fingerprint=True)
        items = [
            ParquetItem(n, tmp_path / f"batch{n}.parquet", f"F{n}", "m", "202601")
            for n in range(len(files))
        ]
        written = v.write_parquet_batch(
            iface, items, load_id="L", loaded_at=loaded_at, work_dir=tmp_path / "parts"
        )
        batched = [
            (checks[n], v.rejects(iface, f=n).to_pylist(), parquet(items[n].dest))
            for n in range(len(files))
        ]
    assert batched == alone
    assert [rc.bad_lines for rc, _, _ in batched] == [0, 0, 2, 1, 1]
    assert [r["line_no"] for r in batched[2][1]] == [2, 5]
    assert written == [rc.lines - rc.bad_lines for rc, _, _ in batched]
    assert batched[1][0].lines == 0 and batched[1][2] == []
