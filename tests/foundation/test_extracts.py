from datetime import date

import pytest

from jingfen.extracts import (
    CONTROL_KEYS,
    ExtractName,
    ExtractNameError,
    file_digest,
    format_control,
    parse_control,
    write_control,
)


def test_parse_monthly_and_daily_names():
    m = ExtractName.parse("SUBS_44_202610_001.dat")
    assert (m.interface, m.prov, m.period, m.seq, m.gz) == ("SUBS", "44", "202610", "001", False)
    assert m.control_name == "SUBS_44_202610_001.chk"
    assert m.period_start() == date(2026, 10, 1)
    d = ExtractName.parse("CELL_11_20261102_002.dat.gz")
    assert d.gz and d.is_daily and d.period_start() == date(2026, 11, 2)
    assert d.control_name == "CELL_11_20261102_002.chk"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("subs_44_202610_001.dat", "does not follow the rule"),
        ("SUBS_44_202610_1.dat", "does not follow the rule"),
        ("SUBS_44_202610_001.csv", "does not follow the rule"),
        ("XXXX_44_202610_001.dat", "unknown interface 'XXXX'"),
        ("SUBS_44_20261001_001.dat", "delivered monthly"),
        ("USGD_44_202610_001.dat", "delivered daily"),
        ("CELL_44_20261301_001.dat", "not a valid date"),
    ],
)
def test_bad_names_say_which_rule(name, fragment):
    with pytest.raises(ExtractNameError, match=fragment):
        ExtractName.parse(name)


def test_control_round_trip(tmp_path):
    data = tmp_path / "PAYM_44_20261101_001.dat"
    data.write_bytes(b"P1|S1|C1|44|4401|20261101083000|5000|03||\n")
    chk = write_control(data, records=1, encoding="UTF-8", period="20261101")
    kv = parse_control(chk.read_text())
    assert list(kv) == list(CONTROL_KEYS)
    nbytes, md5 = file_digest(data)
    assert kv["bytes"] == str(nbytes) and kv["md5"] == md5 and kv["records"] == "1"
    assert kv["file"] == data.name


def test_control_rejects_unknown_encoding_and_bad_lines():
    with pytest.raises(ValueError, match="encoding must be one of"):
        format_control("X", 1, 1, "0" * 32, "latin-1", "202610")
    with pytest.raises(ValueError, match="line 2 of the control file is not key=value"):
        parse_control("file=a.dat\nrecords 12\n")
