"""客户标签库 (mart_customer_tags_month): every tag re-derived in pandas from the star schema by
the rule docs/warehouse.md "Customer tags (客户标签库)" states, on the standard warehouse."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from testkit.warehouse import StandardWarehouse

TAGS = (
    "value_tier",
    "behaviour_tag",
    "lifecycle_stage",
    "contract_tag",
    "terminal_tag",
    "network_tag",
    "payment_tag",
    "complaint_tag",
)


def _months_between(a: pd.Series, b: pd.Series) -> pd.Series:
    """Whole calendar months from the month of a to the month of b (NaN when either is missing)."""
    a, b = pd.to_datetime(a), pd.to_datetime(b)
    return (b.dt.year - a.dt.year) * 12 + (b.dt.month - a.dt.month)


@pytest.fixture(scope="module")
def frames(standard_warehouse: StandardWarehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(standard_warehouse.db), read_only=True) as con:
        return _read(con)


def _read(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    tags = con.execute("select * from mart_customer_tags_month").df()
    facts = con.execute(
        """
        select f.subs_id, f.month_start as period_month, f.revenue_yuan, f.mou, f.dou_mb,
               f.sms_cnt, f.tenure_months, f.net_type, f.arrears_yuan, f.late_payment,
               f.complaint_cnt, f.is_in_service, f.is_churned, f.is_5g_terminal,
               d.contract_end_date, d.terminal_date, d.terminal_brand, d.terminal_model
        from fct_subscriber_month as f
        left join dim_subscriber as d on f.subscriber_sk = d.subscriber_sk
        """
    ).df()
    return tags, facts


def expected_tags(facts: pd.DataFrame) -> pd.DataFrame:
    """The documented rules, written again from the star schema."""
    f = facts.sort_values(["subs_id", "period_month"]).reset_index(drop=True)
    rev = f["revenue_yuan"].astype(float)
    f["avg3"] = rev.groupby(f["subs_id"]).transform(lambda s: s.rolling(3, min_periods=1).mean())
    f["avg3_before"] = f.groupby("subs_id")["avg3"].shift(3)
    f = f[f["is_in_service"].astype(bool) | f["is_churned"].astype(bool)].copy()
    avg3, before = f["avg3"], f["avg3_before"]
    f["value_tier"] = np.select(
        [avg3 >= 100, avg3 >= 50, avg3 > 0], ["high", "medium", "low"], "zero"
    )
    mou, dou, sms = (f[c].fillna(0) for c in ("mou", "dou_mb", "sms_cnt"))
    f["behaviour_tag"] = np.select(
        [
            (mou == 0) & (dou == 0) & (sms == 0),
            (dou >= 10240) & (mou >= 300),
            dou >= 10240,
            mou >= 300,
        ],
        ["silent", "heavy_all", "data_centric", "voice_centric"],
        "light",
    )
    tenure = f["tenure_months"]
    f["lifecycle_stage"] = np.select(
        [
            f["is_churned"].astype(bool),
            tenure < 3,
            (before > 0) & (avg3 < 0.7 * before),
            tenure < 12,
        ],
        ["churned", "new", "declining", "growing"],
        "mature",
    )
    left = _months_between(f["period_month"], f["contract_end_date"])
    f["contract_tag"] = np.select(
        [left.isna(), left < 0, left <= 3], ["none", "expired", "ending"], "in_contract"
    )
    age = _months_between(f["terminal_date"], f["period_month"])
    five_g = f["is_5g_terminal"].fillna(False).astype(bool)
    f["terminal_tag"] = np.select(
        [f["terminal_brand"].isna() & f["terminal_model"].isna(), five_g, age >= 24],
        ["unknown", "5g", "old_4g"],
        "4g",
    )
    net = f["net_type"]
    f["network_tag"] = np.select(
        [net == "5G", (net == "4G") & five_g, net == "4G"],
        ["5g_package", "5g_ready", "4g_package"],
        "other",
    )
    f["payment_tag"] = np.select(
        [f["arrears_yuan"].fillna(0) > 0, f["late_payment"].fillna(False).astype(bool)],
        ["arrears", "late"],
        "on_time",
    )
    f["complaint_tag"] = np.where(f["complaint_cnt"].fillna(0) > 0, "complained", "none")
    return f[["subs_id", "period_month", *TAGS]]


def test_every_tag_follows_its_documented_rule(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tags, facts = frames
    expected = expected_tags(facts)
    assert len(tags) == len(expected), (
        "the tag table should have one row per subscriber-month in service or churning"
    )
    both = tags.merge(expected, on=["subs_id", "period_month"], suffixes=("", "_expected"))
    assert len(both) == len(tags)
    for tag in TAGS:
        wrong = both[both[tag] != both[f"{tag}_expected"]]
        assert wrong.empty, (
            f"{len(wrong)} rows break the rule of {tag}, e.g. "
            f"{wrong[['subs_id', 'period_month', tag, f'{tag}_expected']].head(3).to_dict('records')}"
        )
        # a rule whose every row lands in one value tags nothing
        assert tags[tag].nunique() >= 2, f"{tag} gives every subscriber the same tag"


def test_each_code_has_one_chinese_name(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    tags, _ = frames
    for tag in TAGS:
        pairs = tags[[tag, f"{tag}_zh"]].drop_duplicates()
        assert pairs[tag].is_unique and pairs[f"{tag}_zh"].is_unique, pairs
        assert pairs[f"{tag}_zh"].str.contains(r"[\u4e00-\u9fff]").all(), pairs


def test_no_personal_data_in_the_tag_table(marts_db: duckdb.DuckDBPyConnection) -> None:
    cols = {
        r[0]
        for r in marts_db.execute(
            "select column_name from information_schema.columns "
            "where table_name = 'mart_customer_tags_month'"
        ).fetchall()
    }
    assert not cols & {"msisdn", "cert_no", "cust_name", "name", "address", "imei", "phone"}
    sample = marts_db.execute("select subs_id from mart_customer_tags_month limit 200").fetchall()
    # a phone number in clear would be 11 digits starting with 1
    assert not any(
        len(str(s)) == 11 and str(s).startswith("1") and str(s).isdigit() for (s,) in sample
    )
