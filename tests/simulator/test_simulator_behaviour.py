"""The simulated business behaves as planted: churn truth matches the extracts and stays out of
them, pre-churn behaviour is visible, and every planted incident shows in the data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from jingfen.interfaces import INTERFACES


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", np.nan))


def test_churn_truth_matches_the_extracts(small_run):
    truth = pd.read_parquet(small_run.truth / "churn_probability.parquet")
    assert list(truth.columns) == ["subs_id", "month", "p_churn", "churned", "churn_kind"]
    assert truth["p_churn"].between(0, 1).all()
    assert not truth.duplicated(["subs_id", "month"]).any()
    subs = small_run.frame("SUBS")
    gone = subs[subs["status"].isin(["90", "91"])]
    churned = truth[truth["churned"]]
    got = set(
        zip(churned["subs_id"], pd.to_datetime(churned["month"]).dt.strftime("%Y%m"), strict=True)
    )
    assert got == set(zip(gone["subs_id"], gone["_period"], strict=True))
    kinds = churned.set_index("subs_id")["churn_kind"]
    status = gone.set_index("subs_id")["status"]
    assert (kinds[status.index].map({"cancel": "90", "port_out": "91"}) == status).all()
    # every subscriber-month of SUBS has a truth row
    months = pd.to_datetime(truth["month"]).dt.strftime("%Y%m")
    assert set(zip(subs["subs_id"], subs["_period"], strict=True)) == set(
        zip(truth["subs_id"], months, strict=True)
    )
    rate = truth.groupby("month")["churned"].mean()
    assert rate.between(0.008, 0.045).all(), rate.to_dict()
    # the true probability is informative
    assert (
        truth.loc[truth["churned"], "p_churn"].mean()
        > 3 * truth.loc[~truth["churned"], "p_churn"].mean()
    )


def test_truth_never_leaks_into_extracts(small_run):
    names = {c for i in INTERFACES.values() for c in i.names}
    assert not names & {"p_churn", "churned", "churn_kind"}
    assert not list(small_run.out.glob("*.parquet")) and not list(small_run.out.glob("*.csv"))
    manifest = json.loads((small_run.truth / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["config"]["subscribers"] == 2000


def test_usage_declines_and_complaints_rise_before_churn(small_run):
    truth = pd.read_parquet(small_run.truth / "churn_probability.parquet")
    truth["period"] = pd.to_datetime(truth["month"]).dt.strftime("%Y%m")
    usgm = small_run.frame("USGM")
    usgm["data_mb"] = _num(usgm["data_mb"])
    wide = usgm.pivot_table(index="subs_id", columns="_period", values="data_mb")
    periods = list(wide.columns)
    churn = truth[truth["churned"] & (truth["period"] >= periods[4])]
    ratio_churn, ratio_stay = [], []
    for per, grp in churn.groupby("period"):
        k = periods.index(per)
        before, early = periods[k - 1], periods[k - 4]
        ids = grp["subs_id"]
        r = (wide.loc[ids, before] + 50) / (wide.loc[ids, early] + 50)
        ratio_churn.append(r.median())
        stay = truth[(truth["period"] == per) & ~truth["churned"]]["subs_id"]
        rs = (wide.loc[stay, before] + 50) / (wide.loc[stay, early] + 50)
        ratio_stay.append(rs.median())
    assert np.mean(ratio_churn) < np.mean(ratio_stay) - 0.05, (ratio_churn, ratio_stay)
    # complaints in the 3 months before churn are more frequent than in an average 3 months
    fraud = set(pd.read_csv(small_run.truth / "fraud_dealers.csv", dtype=str)["channel_id"])
    subs = small_run.frame("SUBS")
    honest = set(subs.loc[~subs["channel_id"].isin(fraud), "subs_id"])
    cmpl = small_run.frame("CMPL")
    cmpl = cmpl[cmpl["_period"].str.len() == 6]
    per_month = cmpl.groupby(["subs_id", "_period"]).size()
    counts = per_month.unstack(fill_value=0).reindex(columns=periods, fill_value=0)
    before, overall = [], []
    for per, grp in churn[churn["subs_id"].isin(honest)].groupby("period"):
        k = periods.index(per)
        window = periods[k - 3 : k]
        ids = grp["subs_id"]
        before.append(counts.reindex(ids, fill_value=0)[window].sum(axis=1).mean())
        stay = truth[(truth["period"] == per) & ~truth["churned"] & truth["subs_id"].isin(honest)][
            "subs_id"
        ]
        overall.append(counts.reindex(stay, fill_value=0)[window].sum(axis=1).mean())
    assert np.mean(before) > 1.5 * np.mean(overall), (before, overall)


def test_arrears_show_before_churn(small_run):
    truth = pd.read_parquet(small_run.truth / "churn_probability.parquet")
    truth["prev"] = (pd.to_datetime(truth["month"]) - pd.DateOffset(months=1)).dt.strftime("%Y%m")
    subs = small_run.frame("SUBS")
    arrears = set(
        zip(
            subs.loc[subs["status"] == "21", "subs_id"],
            subs.loc[subs["status"] == "21", "_period"],
            strict=True,
        )
    )
    truth["arrears_prev"] = [
        k in arrears for k in zip(truth["subs_id"], truth["prev"], strict=True)
    ]
    rates = truth.groupby("arrears_prev")["churned"].mean()
    assert rates[True] > 3 * rates[False]


def _incidents(run) -> pd.DataFrame:
    return pd.read_csv(run.truth / "incidents.csv", dtype=str, keep_default_na=False)


def test_outages_visible_in_cell_kpis_usage_and_complaints(small_run):
    inc = _incidents(small_run)
    out = inc[inc["kind"] == "cell_outage"]
    assert len(out) >= 5
    cell = small_run.frame("CELL")
    cell["availability"] = _num(cell["availability"])
    cell["drop_rate"] = _num(cell["drop_rate"])
    cmpl = small_run.frame("CMPL")
    recent = 0
    outage_complaints = 0
    for o in out.itertuples():
        days = pd.date_range(o.start_date, o.end_date).strftime("%Y%m%d")
        k = cell[cell["cell_id"] == o.cell_id]
        down = k[k["stat_date"].isin(days)]
        up = k[~k["stat_date"].isin(days)]
        assert len(down) >= 2 and down["availability"].max() < 80, o
        assert down["drop_rate"].mean() > 3 * up["drop_rate"].mean()
        assert up["availability"].min() > 99
        c = cmpl[(cmpl["cell_id"] == o.cell_id) & cmpl["accept_time"].str[:8].isin(days)]
        outage_complaints += len(c)
        recent += (
            bool(set(days) & {"20261101", "20261102", "20261103"}) or o.start_date >= "2026-10-18"
        )
    assert recent >= 2, "at least two outages fall in the daily-monitoring window"
    assert outage_complaints >= len(out)
    # daily usage of subscribers on a recent outage cell drops on the outage days
    usgd = small_run.frame("USGD")
    usgd["data_mb"] = _num(usgd["data_mb"])
    o = out[out["start_date"] >= "2026-10-18"].iloc[0]
    days = set(pd.date_range(o.start_date, o.end_date).strftime("%Y%m%d"))
    u = usgd[usgd["main_cell_id"] == o.cell_id]
    per_day = u.groupby("usage_date")["data_mb"].sum()
    on = per_day[per_day.index.isin(days)].mean()
    off = per_day[~per_day.index.isin(days)].mean()
    assert on < 0.6 * off, (on, off)


def test_billing_error_over_bills_and_brings_complaints(small_run):
    b = _incidents(small_run).query("kind == 'billing_error'").iloc[0]
    period = b.start_date[:7].replace("-", "")
    bill = small_run.frame("BILL")
    sel = bill[(bill["prov_code"] == b.prov_code) & (bill["package_code"] == b.package_code)]
    fee = sel.assign(f=_num(sel["package_fee_fen"])).groupby("_period")["f"].median()
    assert fee[period] >= 1.9 * fee.drop(period).median()
    cmpl = small_run.frame("CMPL")
    billing = cmpl[
        (cmpl["prov_code"] == b.prov_code)
        & cmpl["category_code"].str.startswith("02")
        & (cmpl["_period"].str.len() == 6)
    ]
    per_month = billing.groupby("_period").size()
    assert per_month[period] > 2.5 * per_month.drop(period).median()
    paym = small_run.frame("PAYM")
    refunds = paym[(_num(paym["amount_fen"]) < 0) & (paym["bill_month"] == period)]
    assert len(refunds) > 0


def test_fraud_dealers_subscribers_barely_use_and_leave(small_run):
    fraud = pd.read_csv(small_run.truth / "fraud_dealers.csv", dtype=str)
    assert len(fraud) >= 1
    subs = small_run.frame("SUBS")
    chnl = small_run.frame("CHNL").drop_duplicates("channel_id").set_index("channel_id")
    assert chnl.loc[fraud["channel_id"], "channel_type_code"].str.startswith("20").all()
    fs = subs[subs["channel_id"].isin(fraud["channel_id"]) & (subs["open_date"] >= "20251001")]
    ids = set(fs["subs_id"])
    assert len(ids) >= 20
    usgm = small_run.frame("USGM")
    u = usgm[usgm["subs_id"].isin(ids)]
    assert _num(u["mou"]).median() <= 2 and _num(u["data_mb"]).median() < 30
    normal = usgm[~usgm["subs_id"].isin(ids)]
    assert _num(normal["data_mb"]).median() > 1000
    gone = fs[fs["status"].isin(["90", "91"])]
    opened = fs.groupby("subs_id")["open_date"].first().str[:6]
    ages = [
        (int(p[:4]) * 12 + int(p[4:])) - (int(opened[s][:4]) * 12 + int(opened[s][4:]))
        for s, p in zip(gone["subs_id"], gone["_period"], strict=True)
    ]
    assert len(gone) >= 0.5 * len(ids)
    assert np.median(ages) in (2, 3, 4)
    cmsn = small_run.frame("CMSN")
    acq = cmsn[(cmsn["cmsn_type"] == "01") & cmsn["subs_id"].isin(ids)]
    assert len(acq) >= 0.8 * len(ids)


def test_commission_rules(small_run):
    cmsn = small_run.frame("CMSN")
    cmsn["amount"] = _num(cmsn["amount_fen"])
    assert set(cmsn["cmsn_type"]) >= {"01", "02", "04"}
    assert (cmsn.loc[cmsn["cmsn_type"] == "04", "amount"] < 0).all()
    assert (cmsn.loc[cmsn["cmsn_type"] != "04", "amount"] > 0).all()
    assert (cmsn.loc[cmsn["cmsn_type"].isin(["02", "03"]), "subs_id"] == "").all()
    # a clawback only for subscribers who left within 3 months of opening and had been paid
    subs = small_run.frame("SUBS")
    claw = cmsn[cmsn["cmsn_type"] == "04"]
    paid = set(cmsn.loc[cmsn["cmsn_type"] == "01", "subs_id"])
    assert set(claw["subs_id"]) <= paid
    gone = subs[subs["status"].isin(["90", "91"])].set_index("subs_id")
    for r in claw.itertuples():
        opened = gone.loc[r.subs_id, "open_date"][:6]
        left = gone.loc[r.subs_id, "_period"]
        months = (int(left[:4]) * 12 + int(left[4:])) - (int(opened[:4]) * 12 + int(opened[4:]))
        assert months < 3
    chnl = small_run.frame("CHNL").drop_duplicates("channel_id").set_index("channel_id")
    assert chnl.loc[cmsn["channel_id"], "channel_type_code"].str[:2].isin(["20", "40"]).all()


def test_revenue_dip_in_one_province(small_run):
    d = _incidents(small_run).query("kind == 'revenue_dip'").iloc[0]
    period = d.start_date[:7].replace("-", "")
    bill = small_run.frame("BILL")
    rev = (
        bill[bill["prov_code"] == d.prov_code]
        .assign(t=_num(bill["total_due_fen"]))
        .groupby("_period")["t"]
        .sum()
    )
    k = list(rev.index).index(period)
    around = rev.iloc[max(0, k - 2) : k + 3].drop(period).mean()
    assert rev[period] < 0.93 * around


def test_seasonality_spring_festival_and_weekends(small_run):
    cell = small_run.frame("CELL")
    cell = cell[cell["_period"].str.len() == 6]
    cell["voice"] = _num(cell["voice_traffic_erl"])
    daily = cell.groupby("stat_date")["voice"].sum()
    assert daily["20260216"] > 1.25 * daily["20260210"]  # 除夕 vs an ordinary Tuesday
    dow = pd.to_datetime(daily.index).dayofweek
    assert daily[dow == 6].mean() < 0.9 * daily[dow < 5].mean()


def test_5g_share_grows(small_run):
    subs = small_run.frame("SUBS")
    mobile = subs[subs["net_type"] != "FBB"]
    share = mobile.groupby("_period")["net_type"].apply(lambda s: (s == "5G").mean())
    assert share.iloc[-1] > share.iloc[0] + 0.08, share.to_dict()
