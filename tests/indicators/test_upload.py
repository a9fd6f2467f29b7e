"""Province export -> delivery -> HQ receipt, and each way a package can go wrong."""

from __future__ import annotations

import math
from datetime import date, datetime

from testkit.hq import DAY, MONTH, arrive_at, query, resign

from indicators.catalogue import load_catalogue, parse_linear_formula
from indicators.export import export_package
from indicators.receive import receive_all
from indicators.settings import due_at, hq_paths, load_keys, provinces
from indicators.transport import deliver

ON_TIME = datetime(2026, 11, 3, 10, 0)  # before 202610's due time (2026-11-06 23:59:59)
LATE = datetime(2026, 11, 9, 9, 0)


def ship(prov: str, period: str = MONTH, when: datetime = ON_TIME, **kw):
    res = export_package(prov, period, **kw)
    deliver(res.package)
    arrive_at(res.package.name.stem, when)
    return res.package


def notice_text(prov: str, stem: str, status: str) -> str:
    return (hq_paths().notices(prov) / f"{stem}.{status}.txt").read_text(encoding="utf-8")


# ---- rules that need no files ------------------------------------------------------------------


def test_catalogue_rules_from_the_real_seed(catalogue):
    assert catalogue.version.startswith("sha256:") and len(catalogue.version) == 23
    mand = {i.code for i in catalogue.mandatory("month")}
    assert {"REV_TOTAL", "NET_ADDS", "CHURN_RATE"} <= mand
    assert all(i.level in ("L0", "L1", "L2") for i in catalogue.mandatory("month"))
    assert all(i.mandatory for i in catalogue.for_grain("day"))
    assert any(
        r.target == "NET_ADDS"
        and r.describe()
        == "NET_ADDS = NEW_SUBS - CHURNED_SUBS + MIGRATION_IN_SUBS - MIGRATION_OUT_SUBS"
        for r in catalogue.rules
    )
    assert parse_linear_formula("A - b + C", {"A", "B", "C"}) == ((1, "A"), (-1, "B"), (1, "C"))
    assert parse_linear_formula("A / B", {"A", "B"}) is None
    assert parse_linear_formula("期末在网-期初在网", {"A"}) is None


def test_due_dates_count_working_days_and_holidays():
    # November 2026: Sun 1, then Mon 2 .. Fri 6 are the first five working days.
    assert due_at("202610").replace(tzinfo=None) == datetime(2026, 11, 6, 23, 59, 59)
    # October 2026: National Day 1-7 off, Sat 10 an adjusted working day -> 8, 9, 10, 12, 13.
    assert due_at("202609").date() == date(2026, 10, 13)
    assert due_at(DAY).replace(tzinfo=None) == datetime(2026, 11, 2, 12, 0)


def test_keys_are_generated_once_owner_only(jingfen_home, monkeypatch):
    monkeypatch.delenv("JINGFEN_INDICATOR_KEYS", raising=False)
    keys = load_keys()
    assert sorted(keys) == sorted(provinces()) and len(keys) == 31
    path = hq_paths().keys_file
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_keys() == keys


# ---- round trips --------------------------------------------------------------------------------


def test_round_trip_all_31_provinces(hq_home, warehouse_rows, catalogue):
    for prov in provinces():
        ship(prov)
    summary = receive_all(as_of=datetime(2026, 11, 10))
    assert len(summary["accepted"]) == 31 and summary["rejected"] == {}
    assert summary["status"] == {"on_time": 31}
    assert not list(hq_paths().inbox.iterdir())

    # every figure of the warehouse arrived unchanged (exact doubles)
    central = {
        (r["indicator_code"], r["region_level"], r["region_code"]): r["value"]
        for r in warehouse_rows
        if r["period_grain"] == "month" and r["region_level"] != "national"
    }
    loaded = {
        (c, lvl, reg): v
        for c, lvl, reg, v in query(
            "select indicator_code, region_level, region_code, value from submission_values"
        )
    }
    assert all(loaded[k] == v or (v is None and loaded[k] is None) for k, v in central.items())
    # cities the warehouse had no row for were filled explicitly (0 or an empty ratio)
    filled = set(loaded) - set(central)
    assert filled and all(lvl == "city" for _, lvl, _ in filled)

    # national consolidated from the accepted uploads equals the sum of provinces and the
    # centrally computed national figure, for every additive indicator
    nat = {
        r["indicator_code"]: r
        for r in warehouse_rows
        if r["region_level"] == "national" and r["period_grain"] == "month"
    }
    sums = dict(
        query(
            "select indicator_code, sum(value) from submission_values s join submissions u using (submission_id) "
            "where u.is_current and region_level = 'province' group by 1"
        )
    )
    for ind in catalogue.for_grain("month"):
        if ind.additive and ind.aggregation == "sum":
            assert math.isclose(
                sums[ind.code], nat[ind.code]["value"], rel_tol=1e-12, abs_tol=1e-6
            ), ind.code


def test_daily_round_trip(hq_home):
    for prov in ("11", "44", "65"):
        ship(prov, DAY, when=datetime(2026, 11, 2, 8, 0))
    summary = receive_all(as_of=datetime(2026, 11, 2, 13, 0))
    assert len(summary["accepted"]) == 3
    assert summary["status"]["on_time"] == 3 and summary["status"]["missing"] == 28
    (grain,) = query("select distinct period_grain from submission_values")[0]
    assert grain == "day"


def test_export_is_idempotent_and_force_makes_a_new_version(hq_home):
    a = export_package("44", MONTH)
    b = export_package("44", MONTH)
    assert not a.reused and b.reused and b.package.name.seq == 1
    c = export_package("44", MONTH, force=True)
    assert c.package.name.seq == 2 and not c.reused


# ---- what goes wrong, each with its own clear outcome, nothing else lost -------------------------


def _reasons(summary: dict, stem: str) -> list[str]:
    return summary["rejected"][stem]


def test_tampered_value_fails_the_signature(hq_home):
    good = ship("11")
    bad = ship("44")
    dat = hq_paths().inbox / bad.name.data_name
    city = provinces()["44"].cities[0]
    lines = dat.read_text().splitlines()
    for i, ln in enumerate(lines):  # +1000 on a city and its province: every sum still adds up
        f = ln.split("|")
        if f[0] == "REV_VAS" and f[3] in (city, "44"):
            f[4] = str(float(f[4]) + 1000)
            lines[i] = "|".join(f)
    dat.write_text("".join(line + "\n" for line in lines))
    # a careful tamperer also fixes the checksum and size in the control file
    import hashlib

    chk = hq_paths().inbox / bad.name.control_name
    data = dat.read_bytes()
    text = chk.read_text()
    text = (
        "\n".join(
            f"md5={hashlib.md5(data).hexdigest()}"
            if ln.startswith("md5=")
            else f"bytes={len(data)}"
            if ln.startswith("bytes=")
            else ln
            for ln in text.splitlines()
        )
        + "\n"
    )
    chk.write_text(text)
    arrive_at(bad.name.stem, ON_TIME)

    summary = receive_all()
    assert summary["accepted"] == [good.name.stem]
    reasons = _reasons(summary, bad.name.stem)
    assert [r.split("]")[0] for r in reasons] == ["[signature"], reasons
    assert "signature does not match" in notice_text("44", bad.name.stem, "rejected")
    assert query("select count(*) from submission_values where prov_code = '44'") == [(0,)]
    assert (hq_paths().rejected / "44").exists()


def test_truncated_file(hq_home):
    pkg = ship("44")
    dat = hq_paths().inbox / pkg.name.data_name
    data = dat.read_bytes()
    dat.write_bytes(data[: len(data) // 2])
    arrive_at(pkg.name.stem, ON_TIME)
    reasons = _reasons(receive_all(), pkg.name.stem)
    rules = {r.split("]")[0][1:] for r in reasons}
    assert {"signature", "checksum", "count", "format"} <= rules
    assert any("truncated" in r for r in reasons)


def test_wrong_catalogue_version(hq_home):
    pkg = export_package("44", MONTH).package
    old = resign(pkg, lambda lines: lines, seq=2, catalogue_version="sha256:0000000000000000")
    deliver(old)
    arrive_at(old.name.stem, ON_TIME)
    reasons = _reasons(receive_all(), old.name.stem)
    assert len(reasons) == 1 and reasons[0].startswith("[catalogue_version]")
    assert "sha256:0000000000000000" in reasons[0] and load_catalogue().version in reasons[0]


def test_missing_indicator(hq_home):
    pkg = export_package("44", MONTH).package
    bad = resign(pkg, lambda lines: [ln for ln in lines if not ln.startswith("CHURN_RATE|")], seq=2)
    deliver(bad)
    arrive_at(bad.name.stem, ON_TIME)
    reasons = _reasons(receive_all(), bad.name.stem)
    assert len(reasons) == 1 and reasons[0].startswith("[completeness]")
    assert "CHURN_RATE" in reasons[0] and f"{len(provinces()['44'].cities) + 1} of" in reasons[0]


def test_inconsistent_net_adds(hq_home):
    pkg = export_package("44", MONTH).package
    city = provinces()["44"].cities[0]

    def bump(lines):  # city and province both +5: the roll-up still holds, the formula does not
        out = []
        for ln in lines:
            f = ln.split("|")
            if f[0] == "NET_ADDS" and f[3] in (city, "44"):
                f[4] = str(int(float(f[4])) + 5)
            out.append("|".join(f))
        return out

    bad = resign(pkg, bump, seq=2)
    deliver(bad)
    arrive_at(bad.name.stem, ON_TIME)
    reasons = _reasons(receive_all(), bad.name.stem)
    assert len(reasons) == 2 and all(r.startswith("[consistency]") for r in reasons), reasons
    assert all("NET_ADDS = NEW_SUBS - CHURNED_SUBS" in r for r in reasons)


def test_city_sum_must_equal_province(hq_home):
    pkg = export_package("44", MONTH).package
    city = provinces()["44"].cities[0]

    def bump(lines):
        out = []
        for ln in lines:
            f = ln.split("|")
            if f[0] == "REV_TOTAL" and f[3] == city:
                f[4] = str(float(f[4]) + 100)
            out.append("|".join(f))
        return out

    bad = resign(pkg, bump, seq=2)
    deliver(bad)
    arrive_at(bad.name.stem, ON_TIME)
    reasons = _reasons(receive_all(), bad.name.stem)
    assert len(reasons) == 1 and reasons[0].startswith("[rollup]") and "REV_TOTAL" in reasons[0]


def test_duplicate_and_superseding_submissions(hq_home):
    first = ship("44")
    receive_all()
    deliver(first)  # the same package again
    arrive_at(first.name.stem, ON_TIME)
    s = receive_all()
    assert s["duplicates"] == [first.name.stem] and s["accepted"] == []

    second = ship("44", force=True)  # a resubmission: next SEQ, newer generated_at
    s = receive_all()
    assert s["accepted"] == [second.name.stem]
    rows = query(
        "select package, status, is_current, superseded_by, duplicate_of from submissions order by submission_id"
    )
    assert rows == [
        (first.name.stem, "superseded", False, 3, None),
        (first.name.stem, "duplicate", False, None, 1),
        (second.name.stem, "accepted", True, None, None),
    ]
    # all versions stay queryable; the current one is what consolidation uses
    assert query("select count(distinct submission_id) from submission_values") == [(2,)]
    # an old version arriving after a newer one does not take over
    stale = resign(
        export_package("44", MONTH).package,
        lambda x: x,
        seq=3,
        generated_at=datetime(2026, 11, 1, 0, 0),
    )
    deliver(stale)
    arrive_at(stale.name.stem, ON_TIME)
    s = receive_all(as_of=datetime(2026, 11, 10))
    assert s["superseded_on_arrival"] == [stale.name.stem]
    assert query("select package from submissions where is_current") == [(second.name.stem,)]
    status = query(
        "select status, versions, superseded_versions, duplicate_deliveries from period_status where prov_code = '44'"
    )
    assert status == [("on_time", 3, 2, 1)]


def test_late_missing_pending_rejected_status(hq_home):
    ship("11", when=ON_TIME)
    ship("44", when=LATE)
    bad = export_package("65", MONTH).package
    bad = resign(bad, lambda lines: lines[1:], seq=2)  # drops a line: completeness
    deliver(bad)
    arrive_at(bad.name.stem, ON_TIME)
    s = receive_all(as_of=datetime(2026, 11, 5))  # before the due time: the others are pending
    assert s["late"] == ["IND_44_202610_001"]
    st = dict(query("select prov_code, status from period_status"))
    assert (
        st["11"] == "on_time"
        and st["44"] == "late"
        and st["65"] == "rejected"
        and st["12"] == "pending"
    )
    (reasons,) = query("select last_reasons from period_status where prov_code = '65'")[0]
    assert "[completeness]" in reasons

    s = receive_all(as_of=datetime(2026, 11, 7))  # after the due time
    assert s["status"] == {"on_time": 1, "late": 1, "rejected": 1, "missing": 28}
    # the province fixes it: resubmitted late, accepted
    ship("65", when=LATE, force=True)
    s = receive_all(as_of=datetime(2026, 11, 10))
    assert dict(query("select prov_code, status from period_status"))["65"] == "late"


def test_incomplete_package_waits_in_the_inbox(hq_home):
    pkg = export_package("44", MONTH).package
    inbox = hq_paths().inbox
    inbox.mkdir(parents=True, exist_ok=True)
    for f in pkg.files[:2]:  # data and control, no signature yet
        (inbox / f.name).write_bytes(f.read_bytes())
    s = receive_all()
    assert s["received"] == 0 and sorted(s["waiting"]) == [
        pkg.name.control_name,
        pkg.name.data_name,
    ]
    assert (inbox / pkg.name.data_name).exists()


def test_deviation_source_holds_central_values(hq_home, warehouse_rows):
    ship("44")
    s = receive_all()
    assert s["central"].startswith(
        str(
            sum(
                1 for r in warehouse_rows if r["period_grain"] == "month" and r["prov_code"] == "44"
            )
            + sum(
                1
                for r in warehouse_rows
                if r["period_grain"] == "month" and r["region_level"] == "national"
            )
        )
    )
    assert query("select count(distinct prov_code) from central_values") == [
        (2,)
    ]  # 44 and national 00


def test_unknown_province_key_is_a_clear_rejection(hq_home, tmp_path, monkeypatch):
    pkg = ship("44")
    keys = tmp_path / "keys.yaml"
    keys.write_text('keys:\n  "11": "abc"\n')
    monkeypatch.setenv("JINGFEN_INDICATOR_KEYS", str(keys))
    reasons = _reasons(receive_all(), pkg.name.stem)
    assert reasons == [
        f"[signature] {pkg.name.sig_name}: HQ has no key for province 44, so the signature cannot be checked"
    ]


def test_notice_for_accepted_package(hq_home):
    pkg = ship("44", when=ON_TIME)
    receive_all()
    text = notice_text("44", pkg.name.stem, "accepted")
    assert "late=no" in text and "package=IND_44_202610_001" in text


def test_commissions_may_be_negative_but_counts_and_rates_may_not(catalogue) -> None:
    """Commissions are paid net of clawbacks (扣罚), so a province's commission-to-revenue ratio
    can be below zero and HQ must accept it; a negative churn rate or count is still refused."""
    inds = catalogue.indicators
    assert not inds["CMSN_REV_RATIO"].never_negative
    assert not inds["CMSN_TOTAL"].never_negative
    assert inds["CHURN_RATE"].never_negative and inds["SUBS_TOTAL"].never_negative
