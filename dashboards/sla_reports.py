"""集团客户 SLA 月报: one Excel workbook per key account and month, for its account manager to send.

Read from the published warehouse (what the dashboards show): the account's header from
``mart_key_account_sla_account_month`` and its circuits from ``mart_key_account_sla_month``
(docs/warehouse.md "Customer service"). Each workbook has two sheets, 汇总 (the account's month
against its SLA) and 电路明细 (every circuit: availability and restoration against the contract,
breaches marked 是). Names, not codes: province, city and circuit type by name; the account's
name masked as in the warehouse (never in clear). A list of the month's reports
(``SLA月报清单_<YYYYMM>.csv``) goes beside them. Every account with a circuit day in the month
gets its report, breaches or not.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from jingfen.config import settings
from jingfen.sheets import export, write_workbook

SUMMARY_COLUMNS = {
    "group_cust_id": "集团客户编号",
    "cust_name_masked": "集团客户名称",
    "prov_name": "省份",
    "month_label": "统计月份",
    "circuits": "电路数",
    "breached_circuits": "违约电路数",
    "availability_breaches": "可用率违约电路数",
    "restore_breaches": "恢复时限违约电路数",
    "availability_pct": "整体可用率（%）",
    "worst_circuit_availability_pct": "最差电路可用率（%）",
    "fault_cnt": "故障次数",
    "outage_minutes": "中断时长（分钟）",
    "max_restore_minutes": "最长故障恢复时长（分钟）",
}
CIRCUIT_COLUMNS = {
    "circuit_id": "电路编号",
    "circuit_type_name": "电路类型",
    "bandwidth_mbps": "带宽（Mbit/s）",
    "city_name": "地市",
    "days_reported": "统计天数",
    "sla_availability_pct": "合同可用率（%）",
    "availability_pct": "实际可用率（%）",
    "availability_breach": "可用率违约",
    "fault_cnt": "故障次数",
    "outage_minutes": "中断时长（分钟）",
    "sla_restore_minutes": "合同恢复时限（分钟）",
    "max_restore_minutes": "最长故障恢复时长（分钟）",
    "restore_breach": "恢复时限违约",
    "sla_breach": "SLA违约",
}
INDEX_COLUMNS = {
    "group_cust_id": "集团客户编号",
    "cust_name_masked": "集团客户名称",
    "prov_name": "省份",
    "month_label": "统计月份",
    "circuits": "电路数",
    "breached_circuits": "违约电路数",
    "availability_pct": "整体可用率（%）",
    "file_name": "报告文件",
}

_ACCOUNTS_SQL = """
select a.*, coalesce(c.cust_name_masked, '未知') as cust_name_masked,
    coalesce(r.prov_name, a.prov_code) as prov_name
from mart_key_account_sla_account_month as a
left join (select cust_id, cust_name_masked from dim_customer where is_current) as c
    on a.group_cust_id = c.cust_id
left join (select distinct prov_code, prov_name from dim_region) as r
    on a.prov_code = r.prov_code
where a.period_month = ? and (? is null or a.prov_code = ?)
order by a.prov_code, a.group_cust_id
"""
_CIRCUITS_SQL = """
select s.*, coalesce(t.name_zh, s.circuit_type) as circuit_type_name,
    coalesce(r.city_name, s.city_code) as city_name
from mart_key_account_sla_month as s
left join code_values as t
    on t.code_set = 'circuit_type' and s.circuit_type = t.code
left join (select distinct city_code, city_name from dim_region) as r
    on s.city_code = r.city_code
where s.period_month = ? and (? is null or s.prov_code = ?)
order by s.group_cust_id, s.circuit_id
"""


@dataclass(frozen=True)
class SlaReports:
    month: str  # YYYYMM
    out_dir: Path
    files: list[Path]  # one workbook per account
    index: Path  # the month's list of reports (CSV)
    breached_accounts: int


def _month(con: duckdb.DuckDBPyConnection, month: str | None) -> date:
    """The month asked for, or the newest complete one (every day of it delivered: a month still
    open gets no monthly report by default)."""
    rows = con.execute(
        "select period_month, max(days_reported) from mart_key_account_sla_month "
        "group by 1 order by 1"
    ).fetchall()
    if not rows:
        raise ValueError("the warehouse has no key-account circuit data: no SLA report to write")
    if month is None:
        complete = [m for m, days in rows if days == calendar.monthrange(m.year, m.month)[1]]
        if not complete:
            raise ValueError(
                "no month of key-account circuit data is complete yet; name one with --month"
            )
        return complete[-1]
    if not re.fullmatch(r"\d{6}", month):
        raise ValueError(f"month must be YYYYMM, like 202610; got {month!r}")
    found = [m for m, _ in rows if m.strftime("%Y%m") == month]
    if not found:
        have = ", ".join(m.strftime("%Y%m") for m, _ in rows)
        raise ValueError(f"no key-account circuit data for {month}; months with data: {have}")
    return found[0]


def _yes_no(flags: pd.Series) -> pd.Series:
    return flags.map(lambda v: "是" if bool(v) else "否")


def write_sla_reports(
    month: str | None = None,
    province: str | None = None,
    out_dir: Path | None = None,
    db: Path | None = None,
) -> SlaReports:
    """Write the SLA reports of ``month`` (YYYYMM; default the newest complete month),
    of one province or all, under ``out_dir`` (default JINGFEN_HOME/exports/sla/<YYYYMM>).
    Reads the published warehouse unless ``db`` names another database."""
    db = db or settings().paths.published_db
    if not db.exists():
        raise FileNotFoundError(f"the warehouse {db} does not exist yet: run `jingfen run` first")
    con = duckdb.connect(str(db), read_only=True)
    try:
        period = _month(con, month)
        args = [period, province, province]
        accounts = con.execute(_ACCOUNTS_SQL, args).df()
        circuits = con.execute(_CIRCUITS_SQL, args).df()
    finally:
        con.close()
    yyyymm = period.strftime("%Y%m")
    if accounts.empty:
        raise ValueError(f"no key account of province {province} has circuit data in {yyyymm}")
    out_dir = out_dir or settings().paths.home / "exports" / "sla" / yyyymm
    label = f"{period.year}年{period.month}月"
    accounts["month_label"] = label
    for flag in ("availability_breach", "restore_breach", "sla_breach"):
        circuits[flag] = _yes_no(circuits[f"is_{flag}"])
    files: list[Path] = []
    names: list[str] = []
    for account in accounts.itertuples(index=False):
        name = f"SLA月报_{account.prov_name}_{account.group_cust_id}_{yyyymm}.xlsx"
        header = accounts[accounts.group_cust_id == account.group_cust_id]
        own = circuits[circuits.group_cust_id == account.group_cust_id]
        files.append(
            write_workbook(
                out_dir / name,
                {"汇总": (header, SUMMARY_COLUMNS), "电路明细": (own, CIRCUIT_COLUMNS)},
            )
        )
        names.append(name)
    accounts["file_name"] = names
    index = export(accounts, INDEX_COLUMNS, out_dir, f"SLA月报清单_{yyyymm}", "报告清单")
    return SlaReports(
        month=yyyymm,
        out_dir=out_dir,
        files=files,
        index=Path(index["csv"]),
        breached_accounts=int((accounts.breached_circuits > 0).sum()),
    )
