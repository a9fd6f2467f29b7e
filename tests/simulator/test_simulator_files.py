"""The simulator's extracts follow the interface contract exactly (names, control files, field
counts, types, codes in the seeds) and are deterministic for a seed."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jingfen.extracts import ExtractName, file_digest, parse_control
from jingfen.interfaces import INTERFACES
from simulator.config import SimConfig
from simulator.generate import simulate
from simulator.identity import UNICOM_SEGMENTS, valid_resident_id
from simulator.reference import load_reference

TYPE_RE = {
    "int": re.compile(r"^-?[0-9]+$"),
    "dec": re.compile(r"^-?[0-9]+(\.[0-9]+)?$"),
    "date": re.compile(r"^(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$"),
    "month": re.compile(r"^20[0-9]{2}(0[1-9]|1[0-2])$"),
    "ts": re.compile(
        r"^20[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$"
    ),
    "flag": re.compile(r"^[01]$"),
}


def test_small_run_is_fast(small_run):
    assert small_run.seconds < 20, f"2k subscribers x 13 months took {small_run.seconds:.1f}s"


def test_every_file_has_a_matching_control_file(small_run):
    dats = sorted(small_run.out.glob("*.dat"))
    assert len(dats) == small_run.summary["files"]
    assert not list(small_run.out.glob("*.tmp")), "temporary files left behind"
    for dat in dats:
        name = ExtractName.parse(dat.name)
        chk = parse_control((small_run.out / name.control_name).read_text(encoding="ascii"))
        nbytes, md5 = file_digest(dat)
        lines = dat.read_bytes().count(b"\n")
        assert chk["file"] == dat.name
        assert (int(chk["records"]), int(chk["bytes"]), chk["md5"]) == (lines, nbytes, md5), (
            dat.name
        )
        assert chk["period"] == name.period and chk["encoding"] == "UTF-8"


def test_one_file_per_interface_province_and_period(small_run):
    names = [ExtractName.parse(p.name) for p in small_run.out.glob("*.dat")]
    months = {n.period for n in names if n.interface == "SUBS"}
    assert len(months) == 13 and min(months) == "202510" and max(months) == "202610"
    for iface, spec in INTERFACES.items():
        got = {(n.prov, n.period) for n in names if n.interface == iface}
        if spec.period == "monthly":
            assert got == {(p, m) for p in ("11", "44", "51") for m in months}, iface
        elif spec.period == "both":
            daily = {(p, d) for p, d in got if len(d) == 8}
            assert {d for _, d in daily} == {"20261101", "20261102", "20261103"}, iface
            assert {(p, m) for p, m in got if len(m) == 6} == {
                (p, m) for p in ("11", "44", "51") for m in months
            }
        else:  # USGD: the last 14 days of October plus the 3 increment days
            days = {d for _, d in got}
            assert len(days) == 17 and min(days) == "20261018" and max(days) == "20261103", iface


@pytest.mark.parametrize("iface", sorted(INTERFACES))
def test_fields_types_and_codes(small_run, iface):
    spec = INTERFACES[iface]
    ref = load_reference()
    seeds = {
        "regions": ref.regions,
        "packages": ref.packages,
        "channel_types": ref.channel_types,
        "complaint_categories": ref.complaint_categories,
    }
    for path in small_run.out.glob(f"{iface}_*.dat"):
        text = path.read_text(encoding="utf-8")
        assert "\r" not in text and (text == "" or text.endswith("\n")), path.name
        for i, line in enumerate(text.split("\n")[:-1], start=1):
            assert line.count("|") == len(spec.columns) - 1, (
                f"{path.name} line {i}: wrong field count"
            )
    df = small_run.frame(iface)
    assert len(df) > 0
    for col in spec.columns:
        values = df[col.name]
        filled = values[values != ""]
        if col.mandatory:
            assert len(filled) == len(values), (
                f"{iface}.{col.name} is mandatory but has empty values"
            )
        if col.type in TYPE_RE:
            bad = filled[~filled.str.match(TYPE_RE[col.type])]
            assert bad.empty, (
                f"{iface}.{col.name} ({col.type}) has bad values: {bad.head().tolist()}"
            )
        if col.maxlen:
            assert filled.str.len().max() <= col.maxlen, (
                f"{iface}.{col.name} longer than {col.maxlen}"
            )
        if col.ref:
            table, column = col.ref.split(".")
            allowed = set(ref.codes(column) if table == "code_values" else seeds[table][column])
            unknown = set(filled) - allowed
            assert not unknown, (
                f"{iface}.{col.name}: codes not in seeds/{table}.csv: {sorted(unknown)[:5]}"
            )


def test_keys_are_unique(small_run):
    for iface, spec in INTERFACES.items():
        df = small_run.frame(iface)
        key = list(spec.key) + (["_period"] if spec.snapshot else [])
        assert not df.duplicated(key).any(), f"{iface}: duplicate key {key}"


def test_personal_data_looks_real(small_run):
    cust = small_run.frame("CUST")
    ids = cust[cust["cert_type"] == "01"].drop_duplicates("cust_id")
    assert len(ids) > 1000
    assert all(valid_resident_id(s) for s in ids["cert_no"]), "GB 11643 check digit wrong"
    assert (ids["cert_no"].str[:6] == ids["county_code"]).all()
    assert (ids["cert_no"].str[6:14] == ids["birth_date"]).all()
    odd = ids["cert_no"].str[16].astype(int) % 2 == 1
    assert ((ids["gender"] == "1") == odd).all(), "the 17th digit must be odd for men"
    assert cust["cust_name"].str.match(r"^[\u4e00-\u9fff]{2,}").all()
    subs = small_run.frame("SUBS")
    mobile = subs[subs["net_type"] != "FBB"]["msisdn"]
    assert mobile.str.match(r"^1[0-9]{10}$").all()
    assert set(mobile.str[:3].astype(int)) <= set(UNICOM_SEGMENTS.tolist())


def test_everything_refers_to_a_known_subscriber(small_run):
    subs = small_run.frame("SUBS")
    known = set(zip(subs["_period"], subs["subs_id"], strict=True))
    final = set(subs.loc[subs["_period"] == "202610", "subs_id"])
    for iface in ("BILL", "USGM", "EVNT", "PAYM", "CMPL"):
        df = small_run.frame(iface)
        monthly = df[df["_period"].str.len() == 6]
        missing = set(zip(monthly["_period"], monthly["subs_id"], strict=True)) - known
        assert not missing, f"{iface}: subscribers not in that month's SUBS: {list(missing)[:3]}"
        daily = df[df["_period"].str.len() == 8]
        assert set(daily["subs_id"]) <= final, (
            f"{iface}: daily rows for subscribers unknown at month end"
        )
    usgd = small_run.frame("USGD")
    assert set(usgd["subs_id"]) <= final
    chnl = small_run.frame("CHNL")
    assert set(subs["channel_id"]) <= set(chnl["channel_id"])
    cust = small_run.frame("CUST")
    assert set(zip(subs["_period"], subs["cust_id"], strict=True)) <= set(
        zip(cust["_period"], cust["cust_id"], strict=True)
    )
    cell = small_run.frame("CELL")
    assert set(small_run.frame("USGM")["main_cell_id"]) - {""} <= set(cell["cell_id"])


def test_bill_total_is_items_minus_discount(small_run):
    bill = small_run.frame("BILL")
    items = [
        "package_fee_fen",
        "voice_fee_fen",
        "data_fee_fen",
        "sms_fee_fen",
        "vas_fee_fen",
        "roaming_fee_fen",
        "other_fee_fen",
    ]
    total = sum(bill[c].astype(int) for c in items) - bill["discount_fen"].astype(int)
    assert (total == bill["total_due_fen"].astype(int)).all()
    arpu = bill["total_due_fen"].astype(int) / 100
    assert 35 < arpu.mean() < 110 and arpu.quantile(0.99) > 3 * arpu.median(), (
        "ARPU should be heavy-tailed"
    )


def test_churned_subscribers_leave_for_good(small_run):
    subs = small_run.frame("SUBS")
    gone = subs[subs["status"].isin(["90", "91"])]
    assert len(gone) > 0
    last_seen = subs.groupby("subs_id")["_period"].max()
    assert (last_seen[gone["subs_id"]].to_numpy() == gone["_period"].to_numpy()).all()
    assert not gone.duplicated("subs_id").any()


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir())}


def test_same_seed_same_bytes(tmp_path):
    cfg = SimConfig(
        subscribers=400,
        provinces=("11", "31"),
        months=4,
        days=2,
        usage_days=5,
        seed=3,
        start="2025-10",
    )
    simulate(cfg, tmp_path / "a", tmp_path / "ta")
    simulate(cfg, tmp_path / "b", tmp_path / "tb")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert pd.read_parquet(tmp_path / "ta" / "churn_probability.parquet").equals(
        pd.read_parquet(tmp_path / "tb" / "churn_probability.parquet")
    )
    simulate(
        SimConfig(
            subscribers=400,
            provinces=("11", "31"),
            months=4,
            days=2,
            usage_days=5,
            seed=4,
            start="2025-10",
        ),
        tmp_path / "c",
        tmp_path / "tc",
    )
    c = _files(tmp_path / "c")
    first = cfg.start.replace("-", "")  # the default calendar ends with last month
    assert a[f"SUBS_11_{first}_001.dat"] != c[f"SUBS_11_{first}_001.dat"]


def test_gbk_and_gzip(tmp_path):
    cfg = SimConfig(
        subscribers=300,
        provinces=("44",),
        months=2,
        days=1,
        usage_days=2,
        encoding="GBK",
        gzip=True,
        start="2025-10",  # the file names below (the default start follows today's date)
    )
    lines: list[str] = []
    simulate(cfg, tmp_path / "out", tmp_path / "truth", progress=lines.append)
    assert sum(line.startswith("month ") for line in lines) == 2, "one progress line per month"
    first = cfg.start.replace("-", "")
    cust = tmp_path / "out" / f"CUST_44_{first}_001.dat.gz"
    raw = gzip.decompress(cust.read_bytes())
    text = raw.decode("gbk")
    assert "广东省" in text
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    chk = parse_control((tmp_path / "out" / f"CUST_44_{first}_001.chk").read_text())
    assert chk["encoding"] == "GBK" and chk["file"] == cust.name
    assert int(chk["records"]) == text.count("\n")
    assert not list((tmp_path / "out").glob("*.dat")), "with gzip every data file is .dat.gz"


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="YYYY-MM"):
        SimConfig(start="2025/10")
    with pytest.raises(ValueError, match="unknown province"):
        simulate(
            SimConfig(provinces=("99",), subscribers=100),
            Path("/nonexistent/x"),
            Path("/nonexistent/y"),
        )


def test_prefixes_identify_provinces(small_run):
    for iface in ("SUBS", "EVNT", "PAYM", "CMPL"):
        df = small_run.frame(iface)
        assert (df["subs_id"].str[:2] == df["prov_code"]).all()
    subs = small_run.frame("SUBS")
    assert (subs["county_code"].str[:4] == subs["city_code"]).all()
    assert (subs["city_code"].str[:2] == subs["prov_code"]).all()
    assert np.isin(subs["prov_code"].unique(), ["11", "44", "51"]).all()
