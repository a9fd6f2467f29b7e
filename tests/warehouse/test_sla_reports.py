"""集团客户 SLA 月报 (dashboards/sla_reports.py, `jingfen reports sla`): one workbook per key
account, checked against a plain-Python reading of the raw circuit days (CIRC) and the
simulator's planted breaches (truth/sla_breaches.csv)."""

from __future__ import annotations

import calendar
import re
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

CODE = re.compile(r"^[0-9A-Z_]+$")


def _raw_circuit_days(home: Path) -> pd.DataFrame:
    files = sorted((home / "warehouse" / "raw" / "circ").glob("*.parquet"))
    days = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    days["stat_date"] = pd.to_datetime(days["stat_date"])
    days["month"] = days["stat_date"].dt.strftime("%Y%m")
    return days


def _expected(days: pd.DataFrame, month: str) -> dict[str, dict]:
    """Per account: circuits, breached circuits, availability over all circuits (口径: 100 x
    (1 - outage minutes / circuit-days x 1440); a circuit breaches when its month's availability
    is below the contract or a fault took longer than the contracted restoration time)."""
    out: dict[str, dict] = {}
    month_days = days[days["month"] == month]
    for account, rows in month_days.groupby("group_cust_id"):
        breached = 0
        for _, c in rows.groupby("circuit_id"):
            avail = 100 * (1 - c["outage_minutes"].sum() / (len(c) * 1440))
            restore = c["max_restore_minutes"].max()
            late = pd.notna(restore) and restore > c["sla_restore_minutes"].max()
            breached += int(avail < c["sla_availability"].max() or late)
        out[str(account)] = {
            "circuits": rows["circuit_id"].nunique(),
            "breached": breached,
            "availability": 100 * (1 - rows["outage_minutes"].sum() / (len(rows) * 1440)),
        }
    return out


def test_one_workbook_per_account_agrees_with_the_raw_circuit_days(
    warehouse_home, tmp_path: Path
) -> None:
    from dashboards.sla_reports import write_sla_reports

    days = _raw_circuit_days(warehouse_home.home)
    # the newest complete month by default: every day of it delivered
    complete = sorted(
        m
        for m, g in days.groupby("month")
        if g["stat_date"].dt.day.nunique() == calendar.monthrange(int(m[:4]), int(m[4:]))[1]
    )
    done = write_sla_reports(db=warehouse_home.db, out_dir=tmp_path)
    assert done.month == complete[-1]

    truth = pd.read_csv(warehouse_home.truth / "sla_breaches.csv", dtype=str)
    breach_months = truth["month"].str[:7].str.replace("-", "")
    month = breach_months.value_counts().index[0]  # a month with planted breaches
    done = write_sla_reports(month=month, db=warehouse_home.db, out_dir=tmp_path / month)
    expected = _expected(days, month)
    assert len(done.files) == len(expected) > 0
    index = pd.read_csv(done.index, dtype={"集团客户编号": str})
    assert set(index["集团客户编号"]) == set(expected)
    assert done.breached_accounts == sum(1 for e in expected.values() if e["breached"])

    planted = set(truth.loc[breach_months == month, "group_cust_id"])
    for path in done.files:
        book = pd.read_excel(path, sheet_name=None, dtype={"集团客户编号": str, "电路编号": str})
        assert list(book) == ["汇总", "电路明细"]
        head, circuits = book["汇总"].iloc[0], book["电路明细"]
        e = expected[head["集团客户编号"]]
        assert head["电路数"] == e["circuits"] == len(circuits)
        assert head["违约电路数"] == e["breached"]
        assert head["整体可用率（%）"] == pytest.approx(e["availability"], abs=1e-9)
        assert (circuits["SLA违约"] == "是").sum() == e["breached"]
        if head["集团客户编号"] in planted:
            assert e["breached"] > 0, f"planted breach of {head['集团客户编号']} not reported"
        # names, not codes; the account's name masked
        for col in ("电路类型", "地市"):
            assert not circuits[col].astype(str).str.fullmatch(CODE).any(), (col, circuits[col])
        assert not CODE.fullmatch(str(head["省份"]))
        assert "*" in str(head["集团客户名称"])
        assert set(circuits["SLA违约"]) <= {"是", "否"}


def test_unknown_month_reads_like_a_sentence(warehouse_home, tmp_path: Path) -> None:
    from dashboards.sla_reports import write_sla_reports

    with pytest.raises(ValueError, match=r"no key-account circuit data for 199901; months with"):
        write_sla_reports(month="199901", db=warehouse_home.db, out_dir=tmp_path)
    with pytest.raises(ValueError, match="month must be YYYYMM"):
        write_sla_reports(month="2026-10", db=warehouse_home.db, out_dir=tmp_path)
