"""A second, independent implementation of the L0 and L1 indicators (issue #12).

Written from the 口径 in docs/warehouse.md ("Definitions (口径)" and "口径 used by the marts") and the
formula column of seeds/indicators.csv, over the raw layer the ingest writes
(``warehouse/raw/<interface>/*.parquet``, columns as in jingfen/interfaces.py plus ``_period``
and ``_loaded_at``) — not over staging or the marts, and not from the dbt SQL. DuckDB only reads
the Parquet; the definitions are pandas below, one small function per measure.

Regions are provinces (GB/T 2260 code of the record) and the nation (``00``); the national figure
of every measure is computed over all records (a distinct count over the whole country, a ratio
from the national numerator and denominator), never by adding or averaging provincial results.
Every region x snapshot month has every measure: a count with nothing to count is 0.

Rules taken from the documents where they are easy to get wrong:

* the months of the history are the months with a SUBS snapshot; a comparison (环比, 同比, 累计同比,
  上年同期) whose base period is not wholly in the history is NULL, never a number, and so is a
  year-to-date figure whose year began before the history;
* month facts are as of the month close: payments after the last day of the latest bill month
  are left out (they settle bills when the next month closes);
* subscriber waterfall: opening (期初) = in service at the end of the previous month, in the
  region of that month; closing (期末) = in service at month end (status not 90/91); 新增 = not
  in the opening and in the closing, or opened and left within the month; 离网 = in the opening
  and not in the closing, or opened and left within the month;
* ARPU, MOU, DOU divide by the average subscribers (期初 + 期末) / 2 with 期初 = in the month's
  snapshot and not new (the subscriber base definition).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

NATIONAL = "00"
LEFT_STATUSES = ("90", "91")  # 拆机, 携号转出
POSTPAID = "2"
GROUP_CUSTOMER = "02"
HIGH_VALUE_ARPU_YUAN = 100.0  # dbt var high_value_arpu_yuan (docs: 3-month average bill >= 100 元)
MB_PER_GB = 1024.0

# Interface columns read, and the key a record is identified by (a later load of the same key
# wins; snapshots are keyed within their month).
RAW_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "subs": (
        (
            "subs_id",
            "cust_id",
            "prov_code",
            "package_code",
            "pay_type",
            "net_type",
            "open_date",
            "channel_id",
            "status",
            "status_date",
        ),
        ("_period", "subs_id"),
    ),
    "bill": (
        ("bill_month", "subs_id", "prov_code", "package_code", "total_due_fen", "due_date"),
        ("bill_month", "subs_id"),
    ),
    "paym": (("pay_id", "subs_id", "pay_time", "amount_fen", "bill_month"), ("pay_id",)),
    "usgm": (("usage_month", "subs_id", "mou", "data_mb"), ("usage_month", "subs_id")),
    "cmsn": (("cmsn_id", "settle_month", "amount_fen", "prov_code"), ("cmsn_id",)),
    "cmpl": (("ticket_id", "accept_time", "prov_code", "is_escalated"), ("ticket_id",)),
    "hotl": (
        ("call_id", "arrive_time", "prov_code", "is_to_agent", "is_answered", "queue_seconds"),
        ("call_id",),
    ),
    "work": (
        (
            "order_id",
            "create_time",
            "subs_id",
            "prov_code",
            "order_type",
            "limit_hours",
            "close_time",
            "satisfaction",
        ),
        ("order_id",),
    ),
    "appl": (("appeal_id", "accept_time", "prov_code"), ("appeal_id",)),
}
HOTLINE_ANSWER_SECONDS = 15  # dbt var hotline_answer_seconds (15秒接通率)
REPEAT_COMPLAINT_DAYS = 30  # dbt var repeat_complaint_days (重复投诉: within 30 days before)
COMPLAINT_ORDER = "1"  # WORK order_type 1 投诉


def read_raw(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """The raw records of the interfaces the L0/L1 indicators need, one row per key."""
    out: dict[str, pd.DataFrame] = {}
    con = duckdb.connect()
    try:
        for name, (cols, key) in RAW_COLUMNS.items():
            files = sorted((raw_dir / name).glob("*.parquet"))
            if not files:
                raise FileNotFoundError(f"the raw layer has no {name.upper()} files in {raw_dir}")
            wanted = sorted(set(cols) | set(key) | {"_period", "_loaded_at"})
            glob = str(raw_dir / name / "*.parquet")
            frame = con.sql(
                f"select {', '.join(wanted)} from read_parquet('{glob}')"  # noqa: S608
            ).df()
            frame = frame.sort_values("_loaded_at", kind="stable")
            out[name] = frame.drop_duplicates(list(key), keep="last").reset_index(drop=True)
    finally:
        con.close()
    return out


def month_index(values: pd.Series) -> pd.Series:
    """Calendar months as consecutive integers (year * 12 + month - 1), so m - 1 and m - 12 are
    last month and the same month last year."""
    ts = pd.to_datetime(values)
    return (ts.dt.year * 12 + ts.dt.month - 1).astype("int64")


def month_start(m: int) -> date:
    return date(m // 12, m % 12 + 1, 1)


def period_index(period: pd.Series) -> pd.Series:
    """``YYYYMM`` (a monthly file's PERIOD) as a month index."""
    p = period.astype(str).str[:6].astype("int64")
    return (p // 100) * 12 + p % 100 - 1


# ---- subscriber-months -------------------------------------------------------------------------


def subscriber_months(raw: dict[str, pd.DataFrame], packages: pd.DataFrame) -> pd.DataFrame:
    """One row per subscriber per month: in the month's SUBS snapshot, or billed that month
    without being in it. Adds the bill, the monthly usage and the flags of the 口径."""
    subs = raw["subs"].copy()
    subs["month"] = period_index(subs["_period"])
    subs["in_snapshot"] = True
    bill = raw["bill"].copy()
    bill["month"] = month_index(bill["bill_month"])
    bill["revenue_yuan"] = bill["total_due_fen"] / 100.0

    sm = subs.merge(bill[["month", "subs_id", "revenue_yuan"]], on=["month", "subs_id"], how="left")
    billed_only = bill.merge(
        subs[["month", "subs_id"]], on=["month", "subs_id"], how="left", indicator=True
    )
    billed_only = billed_only[billed_only["_merge"] == "left_only"]
    billed_only = billed_only[["month", "subs_id", "prov_code", "package_code", "revenue_yuan"]]
    billed_only = billed_only.assign(in_snapshot=False)
    sm = pd.concat([sm, billed_only], ignore_index=True)
    sm["revenue_yuan"] = sm["revenue_yuan"].fillna(0.0)  # an unbilled subscriber-month is 0
    sm["in_snapshot"] = sm["in_snapshot"].astype(bool)

    net = packages.set_index("package_code")["net_type"]
    sm["package_net_type"] = sm["package_code"].map(net)
    status = sm["status"].astype("string")
    left = status.isin(LEFT_STATUSES).fillna(False).astype(bool)
    open_month = month_index(sm["open_date"].fillna(pd.Timestamp("1900-01-01")))
    status_month = month_index(sm["status_date"].fillna(pd.Timestamp("1900-01-01")))
    sm["is_new"] = sm["in_snapshot"] & (open_month == sm["month"])
    sm["in_service"] = sm["in_snapshot"] & ~left  # 在网 at month end
    sm["is_churned_flag"] = sm["in_snapshot"] & left & (status_month == sm["month"])
    sm["is_opening"] = sm["in_snapshot"] & ~sm["is_new"]  # in service on the 1st
    sm["is_5g"] = sm["package_net_type"] == "5G"
    sm["is_fbb"] = sm["package_net_type"] == "FBB"

    usage = raw["usgm"].copy()
    usage["month"] = month_index(usage["usage_month"])
    sm = sm.merge(
        usage[["month", "subs_id", "mou", "data_mb"]], on=["month", "subs_id"], how="left"
    )
    sm[["mou", "data_mb"]] = sm[["mou", "data_mb"]].fillna(0.0)

    # the waterfall's opening: in service at the end of the previous month (and where)
    prev = sm.loc[sm["in_service"], ["month", "subs_id", "prov_code"]]
    prev = prev.assign(month=prev["month"] + 1).rename(columns={"prov_code": "prev_prov_code"})
    sm = sm.merge(prev, on=["month", "subs_id"], how="left")
    sm["in_prev_closing"] = sm["prev_prov_code"].notna()
    return sm


def high_value_last_month(sm: pd.DataFrame) -> pd.DataFrame:
    """(month, subs_id) pairs whose subscriber was high value at the end of the previous month:
    in service then with an average bill over the 3 months to then >= 100 元."""
    bills = sm[["month", "subs_id", "revenue_yuan"]]
    windows = pd.concat(
        [bills.assign(month=bills["month"] + k) for k in range(3)], ignore_index=True
    )  # row of month b counts in the windows ending at b, b+1, b+2
    avg = windows.groupby(["month", "subs_id"], as_index=False)["revenue_yuan"].mean()
    hv = avg[avg["revenue_yuan"] >= HIGH_VALUE_ARPU_YUAN][["month", "subs_id"]]
    in_service = sm.loc[sm["in_service"], ["month", "subs_id", "prov_code"]]
    hv = hv.merge(in_service, on=["month", "subs_id"])
    return hv.assign(month=hv["month"] + 1).rename(columns={"prov_code": "hv_prov_code"})


# ---- region x month measures -------------------------------------------------------------------


def with_nation(frame: pd.DataFrame, region: str = "prov_code") -> pd.DataFrame:
    """The rows once under their province and once under the nation."""
    return pd.concat([frame, frame.assign(**{region: NATIONAL})], ignore_index=True)


def count_by(frame: pd.DataFrame, mask: pd.Series, region: str = "prov_code") -> pd.Series:
    rows = with_nation(frame.loc[mask, ["month", region]], region)
    return rows.groupby([region, "month"]).size().rename_axis(["region_code", "month"])


def sum_by(
    frame: pd.DataFrame,
    column: str,
    mask: pd.Series | None = None,
    region: str = "prov_code",
    month: str = "month",
) -> pd.Series:
    rows = frame if mask is None else frame.loc[mask]
    rows = with_nation(rows[[month, region, column]], region)
    return rows.groupby([region, month])[column].sum().rename_axis(["region_code", "month"])


def distinct_by(frame: pd.DataFrame, column: str, mask: pd.Series) -> pd.Series:
    rows = with_nation(frame.loc[mask, ["month", "prov_code", column]])
    return (
        rows.groupby(["prov_code", "month"])[column].nunique().rename_axis(["region_code", "month"])
    )


@dataclass
class Measures:
    """Additive and distinct measures on a dense region x month grid (0 where nothing
    happened), plus the months of the history."""

    table: pd.DataFrame  # index (region_code, month)
    history: frozenset[int]
    latest: int

    def at(self, column: str, months_back: int = 0) -> pd.Series:
        """``column`` of the same region ``months_back`` months earlier; NaN where that month is
        not in the history."""
        col = self.table[column]
        if months_back == 0:
            return col.astype(float)
        idx = self.table.index
        src = pd.MultiIndex.from_arrays(
            [idx.get_level_values(0), idx.get_level_values(1) - months_back]
        )
        vals = col.reindex(src).to_numpy(dtype=float)
        in_history = np.isin(idx.get_level_values(1) - months_back, list(self.history))
        return pd.Series(np.where(in_history, vals, np.nan), index=idx)

    def year_to_date(self, column: str, months_back: int = 0) -> pd.Series:
        """Sum from January to the month (``months_back`` earlier); NaN unless every month of
        that range is in the history."""
        idx = self.table.index
        col = self.table[column]
        out = []
        for region, m in idx:
            end = m - months_back
            months = range(end - end % 12, end + 1)
            if all(x in self.history for x in months):
                out.append(float(sum(col.get((region, x), 0.0) for x in months)))
            else:
                out.append(math.nan)
        return pd.Series(out, index=idx)


def measures(raw: dict[str, pd.DataFrame], packages: pd.DataFrame) -> Measures:
    sm = subscriber_months(raw, packages)
    history = frozenset(int(m) for m in sm.loc[sm["in_snapshot"], "month"].unique())
    regions = sorted(set(sm["prov_code"].dropna()) | {NATIONAL})
    grid = pd.MultiIndex.from_product([regions, sorted(history)], names=["region_code", "month"])
    cols: dict[str, pd.Series] = {}

    # subscriber base (ARPU/MOU/DOU denominators)
    cols["closing"] = count_by(sm, sm["in_service"])
    cols["opening_base"] = count_by(sm, sm["is_opening"])
    cols["closing_5g"] = count_by(sm, sm["in_service"] & sm["is_5g"])
    cols["opening_base_5g"] = count_by(sm, sm["is_opening"] & sm["is_5g"])
    cols["closing_fbb"] = count_by(sm, sm["in_service"] & sm["is_fbb"])

    # waterfall: 新增 belongs to this month's region, 离网 to last month's (the opening is last
    # month's closing, Measures.at("closing", 1))
    opened_and_left = sm["in_snapshot"] & sm["is_new"] & ~sm["in_service"] & ~sm["in_prev_closing"]
    cols["new"] = count_by(sm, (sm["in_service"] & ~sm["in_prev_closing"]) | opened_and_left)
    prev = sm[sm["in_prev_closing"]]
    left_from_opening = count_by(prev, ~prev["in_service"], region="prev_prov_code")
    # in last month's closing with no subscriber-month this month: left as well
    last = sm.loc[sm["in_service"], ["month", "subs_id", "prov_code"]]
    last = last.assign(month=last["month"] + 1)
    vanished = last.merge(
        sm[["month", "subs_id"]], on=["month", "subs_id"], how="left", indicator=True
    )
    vanished = vanished[vanished["_merge"] == "left_only"]
    cols["churned"] = left_from_opening.add(
        count_by(vanished, vanished["month"].notna()), fill_value=0
    ).add(count_by(sm, opened_and_left), fill_value=0)

    # revenue and usage
    cols["revenue"] = sum_by(sm, "revenue_yuan")
    cols["revenue_5g"] = sum_by(sm, "revenue_yuan", sm["is_5g"])
    cols["mou"] = sum_by(sm, "mou")
    cols["data_mb"] = sum_by(sm, "data_mb")
    cols["acquired_revenue"] = sum_by(sm, "revenue_yuan", sm["channel_id"].notna())

    # customers with a subscriber in service
    cols["customers"] = distinct_by(sm, "cust_id", sm["in_service"])

    # high value: last month's segment, last month's region
    hv = high_value_last_month(sm)
    hv = hv.merge(sm[["month", "subs_id", "in_service"]], on=["month", "subs_id"], how="left")
    hv["in_service"] = hv["in_service"].fillna(False).astype(bool)
    cols["hv_opening"] = count_by(hv, hv["month"].notna(), region="hv_prov_code")
    cols["hv_churned"] = count_by(hv, ~hv["in_service"], region="hv_prov_code")

    # payments as of the month close
    bill = raw["bill"].copy()
    bill["month"] = month_index(bill["bill_month"])
    bill["due_yuan"] = bill["total_due_fen"] / 100.0
    pay_type = sm.loc[sm["in_snapshot"], ["month", "subs_id", "pay_type"]]
    bill = bill.merge(pay_type, on=["month", "subs_id"], how="left")
    post = bill[bill["pay_type"] == POSTPAID].copy()
    close_month = int(bill["month"].max())  # the cut-off: the last day of the latest bill month
    paym = raw["paym"].copy()
    paym = paym[paym["bill_month"].notna()].copy()
    paym["month"] = month_index(paym["bill_month"])
    paym["paid_month"] = month_index(paym["pay_time"])
    paym = paym[paym["paid_month"] <= close_month]
    paid = paym.groupby(["month", "subs_id"])["amount_fen"].sum().div(100.0).rename("paid_yuan")
    post = post.merge(paid.reset_index(), on=["month", "subs_id"], how="left")
    post["paid_yuan"] = post["paid_yuan"].fillna(0.0)
    post["collected_yuan"] = post["paid_yuan"].clip(lower=0.0).clip(upper=post["due_yuan"])
    cols["due"] = sum_by(post, "due_yuan")
    cols["collected"] = sum_by(post, "collected_yuan")
    cols["arrears"] = _arrears_at_month_ends(post, paym, sorted(history))

    # commissions settled in the month
    cmsn = raw["cmsn"].copy()
    cmsn["month"] = month_index(cmsn["settle_month"])
    cmsn["commission_yuan"] = cmsn["amount_fen"] / 100.0
    cols["commissions"] = sum_by(cmsn, "commission_yuan")

    # complaint tickets accepted in the month
    cmpl = raw["cmpl"].copy()
    cmpl["month"] = month_index(cmpl["accept_time"])
    cmpl["escalated"] = cmpl["is_escalated"].fillna(False).astype(bool).astype(int)
    cmpl["one"] = 1
    cols["tickets"] = sum_by(cmpl, "one")
    cols["escalated"] = sum_by(cmpl, "escalated")

    cols.update(_service_measures(raw))

    table = pd.DataFrame({k: v.reindex(grid) for k, v in cols.items()}).fillna(0.0)
    first = min(history)
    for col in ("new", "churned", "hv_opening", "hv_churned"):
        # no previous month in the history: the waterfall (新增, 离网) and last month's segment
        # are unknown
        table.loc[table.index.get_level_values(1) == first, col] = math.nan
    return Measures(table, history, max(history))


def _service_measures(raw: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """The hotline (by the month a call arrived), work orders (by the month an order was
    created) and appeals (by the month accepted), docs/warehouse.md "Customer service"."""
    cols: dict[str, pd.Series] = {}
    hotl = raw["hotl"].copy()
    hotl["month"] = month_index(hotl["arrive_time"])
    offered = hotl["is_to_agent"].astype(bool)
    answered = hotl["is_answered"].astype(bool)
    in_time = answered & (hotl["queue_seconds"] <= HOTLINE_ANSWER_SECONDS)
    hotl["one"] = 1
    cols["offered_calls"] = sum_by(hotl, "one", offered)
    cols["answered_calls"] = sum_by(hotl, "one", answered)
    cols["answered_15s_calls"] = sum_by(hotl, "one", in_time)

    work = raw["work"].copy()
    work["month"] = month_index(work["create_time"])
    work["one"] = 1
    closed = work["close_time"].notna()
    deadline = work["create_time"] + pd.to_timedelta(work["limit_hours"], unit="h")
    cols["closed_orders"] = sum_by(work, "one", closed)
    cols["within_limit_orders"] = sum_by(work, "one", closed & (work["close_time"] <= deadline))
    complaint = work["order_type"] == COMPLAINT_ORDER
    cols["complaint_orders"] = sum_by(work, "one", complaint)
    # a complaint order with another complaint order of the subscriber in the 30 days before
    c = work.loc[complaint, ["order_id", "subs_id", "create_time"]]
    pairs = c.merge(c, on="subs_id", suffixes=("", "_before"))
    earlier = (
        (pairs["order_id"] != pairs["order_id_before"])
        & (pairs["create_time_before"] < pairs["create_time"])
        & (
            pairs["create_time_before"]
            >= pairs["create_time"] - pd.Timedelta(days=REPEAT_COMPLAINT_DAYS)
        )
    )
    repeat = work["order_id"].isin(set(pairs.loc[earlier, "order_id"]))
    cols["repeat_complaint_orders"] = sum_by(work, "one", repeat)
    rated = work["satisfaction"].notna()
    cols["callbacks"] = sum_by(work, "one", rated)
    cols["satisfied_callbacks"] = sum_by(work, "one", work["satisfaction"].isin(["4", "5"]))

    appl = raw["appl"].copy()
    appl["month"] = month_index(appl["accept_time"])
    appl["one"] = 1
    cols["appeals"] = sum_by(appl, "one")
    return cols


def _arrears_at_month_ends(post: pd.DataFrame, paym: pd.DataFrame, months: list[int]) -> pd.Series:
    """Postpaid arrears at the end of each month m: bills of months up to m whose due date is
    before the end of m, less what was paid against them by then (between 0 and the bill)."""
    pay = paym[["month", "subs_id", "paid_month", "amount_fen"]]
    due_month = month_index(post["due_date"])
    parts = []
    for m in months:
        bills = post[(post["month"] <= m) & (due_month <= m)]
        paid = (
            pay[pay["paid_month"] <= m].groupby(["month", "subs_id"])["amount_fen"].sum() / 100.0
        ).rename("paid_by_then")
        b = bills.merge(paid.reset_index(), on=["month", "subs_id"], how="left")
        b["unpaid"] = (b["due_yuan"] - b["paid_by_then"].fillna(0.0)).clip(lower=0.0)
        b["unpaid"] = b["unpaid"].clip(upper=b["due_yuan"].clip(lower=0.0))
        b["month"] = m
        parts.append(b[["month", "prov_code", "unpaid"]])
    return sum_by(pd.concat(parts, ignore_index=True), "unpaid")


# ---- indicators --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: pd.Series
    numerator: pd.Series | None = None
    denominator: pd.Series | None = None


def _safe_div(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return (num / den.where(den != 0)).astype(float)


def ratio(num: pd.Series, den: pd.Series, scale: float = 1.0) -> Figure:
    return Figure(scale * _safe_div(num, den), num, den)


def change(current: pd.Series, base: pd.Series, scale: float = 100.0) -> Figure:
    """100 x (current - base) / |base|; NULL where the base is NULL (incomplete) or 0."""
    return Figure(scale * _safe_div(current - base, base.abs()), current, base)


def _avg(m: Measures, suffix: str = "", back: int = 0) -> pd.Series:
    return (m.at(f"opening_base{suffix}", back) + m.at(f"closing{suffix}", back)) / 2.0


def _arpu(m: Measures, back: int = 0) -> pd.Series:
    return _safe_div(m.at("revenue", back), _avg(m, back=back))


def _rev_volume_effect(m: Measures) -> Figure:
    return Figure((_avg(m) - _avg(m, back=1)) * _arpu(m, 1))


def _rev_price_effect(m: Measures) -> Figure:
    return Figure((_arpu(m) - _arpu(m, 1)) * _avg(m))


# indicator code -> how it is computed from the measures (docs/warehouse.md, the seed's formula)
INDICATORS: dict[str, Callable[[Measures], Figure]] = {
    # revenue: the bill's total due of the bill month
    "REV_TOTAL": lambda m: Figure(m.at("revenue")),
    "REV_MOM": lambda m: change(m.at("revenue"), m.at("revenue", 1)),
    "REV_YOY": lambda m: change(m.at("revenue"), m.at("revenue", 12)),
    "REV_SPLY": lambda m: Figure(m.at("revenue", 12)),
    "REV_YTD": lambda m: Figure(m.year_to_date("revenue")),
    "REV_YTD_YOY": lambda m: change(m.year_to_date("revenue"), m.year_to_date("revenue", 12)),
    "REV_5G": lambda m: Figure(m.at("revenue_5g")),
    "ARPU": lambda m: ratio(m.at("revenue"), _avg(m)),
    "ARPU_YOY": lambda m: change(_arpu(m), _arpu(m, 12)),
    "ARPU_5G": lambda m: ratio(m.at("revenue_5g"), _avg(m, "_5g")),
    # payments, as of the month close
    "COLLECTION_RATE": lambda m: ratio(m.at("collected"), m.at("due"), 100.0),
    "ARREARS": lambda m: Figure(m.at("arrears")),
    # development: the waterfall
    "SUBS_TOTAL": lambda m: Figure(m.at("closing")),
    "NEW_SUBS": lambda m: Figure(m.at("new")),
    "CHURNED_SUBS": lambda m: Figure(m.at("churned")),
    "NET_ADDS": lambda m: Figure(m.at("closing") - m.at("closing", 1)),
    "CHURN_RATE": lambda m: ratio(m.at("churned"), m.at("closing", 1), 100.0),
    "SUBS_YOY": lambda m: change(m.at("closing"), m.at("closing", 12)),
    "SUBS_5G": lambda m: Figure(m.at("closing_5g")),
    "NET_ADDS_5G": lambda m: Figure(m.at("closing_5g") - m.at("closing_5g", 1)),
    "SUBS_FBB": lambda m: Figure(m.at("closing_fbb")),
    # usage
    "PEN_5G": lambda m: ratio(m.at("closing_5g"), m.at("closing"), 100.0),
    "MOU": lambda m: ratio(m.at("mou"), _avg(m)),
    "DOU": lambda m: ratio(m.at("data_mb"), _avg(m), 1.0 / MB_PER_GB),
    # customers
    "CUSTOMERS": lambda m: Figure(m.at("customers")),
    "HV_CHURN_RATE": lambda m: ratio(m.at("hv_churned"), m.at("hv_opening"), 100.0),
    # channels
    "CMSN_TOTAL": lambda m: Figure(m.at("commissions")),
    "CMSN_REV_RATIO": lambda m: ratio(m.at("commissions"), m.at("acquired_revenue"), 100.0),
    # complaints
    "COMPLAINTS": lambda m: Figure(m.at("tickets")),
    "COMPLAINTS_PER_10K": lambda m: ratio(m.at("tickets"), m.at("closing"), 10000.0),
    "ESCALATION_RATE": lambda m: ratio(m.at("escalated"), m.at("tickets"), 100.0),
    # business review: the revenue bridge
    "HOTLINE_ANSWERED_PCT": lambda m: ratio(m.at("answered_calls"), m.at("offered_calls"), 100.0),
    "HOTLINE_ANSWER_15S_PCT": lambda m: ratio(
        m.at("answered_15s_calls"), m.at("offered_calls"), 100.0
    ),
    "WO_WITHIN_LIMIT_PCT": lambda m: ratio(
        m.at("within_limit_orders"), m.at("closed_orders"), 100.0
    ),
    "REPEAT_COMPLAINT_PCT": lambda m: ratio(
        m.at("repeat_complaint_orders"), m.at("complaint_orders"), 100.0
    ),
    "WO_SATISFACTION_PCT": lambda m: ratio(m.at("satisfied_callbacks"), m.at("callbacks"), 100.0),
    "APPEALS_PER_MILLION": lambda m: ratio(m.at("appeals"), m.at("closing"), 1_000_000.0),
    "REV_CHANGE": lambda m: Figure(m.at("revenue") - m.at("revenue", 1)),
    "REV_VOLUME_EFFECT": _rev_volume_effect,
    "REV_PRICE_EFFECT": _rev_price_effect,
}


def indicator_values(home: Path, months: int = 3, repo_seeds: Path | None = None) -> pd.DataFrame:
    """Every implemented indicator for every province and the nation in the latest ``months``
    snapshot months, from ``home``'s raw layer: columns indicator_code, region_code,
    period_month (date), value, numerator, denominator (NaN = NULL)."""
    from jingfen.config import REPO_ROOT

    seeds = repo_seeds or REPO_ROOT / "seeds"
    packages = pd.read_csv(seeds / "packages.csv", dtype=str)
    m = measures(read_raw(home / "warehouse" / "raw"), packages)
    wanted = sorted(m.history)[-months:]
    frames = []
    for code, fn in INDICATORS.items():
        fig = fn(m)
        out = pd.DataFrame(
            {
                "indicator_code": code,
                "value": fig.value,
                "numerator": fig.numerator if fig.numerator is not None else math.nan,
                "denominator": fig.denominator if fig.denominator is not None else math.nan,
            },
            index=m.table.index,
        ).reset_index()
        frames.append(out[out["month"].isin(wanted)])
    res = pd.concat(frames, ignore_index=True)
    res["period_month"] = res.pop("month").map(month_start)
    return res[
        ["indicator_code", "region_code", "period_month", "value", "numerator", "denominator"]
    ]
