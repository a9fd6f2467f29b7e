"""The churn model against a small warehouse: train from features.ml_churn_features, score into
ml.churn_scores, drift, retention candidates, and the CLI — on real DuckDB files, no dbt."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from jingfen.config import settings
from ml import churn, retention
from ml.cli import app
from ml.synthetic import churn_frame


@pytest.fixture
def warehouse_home(jingfen_home):
    f = churn_frame(n_subscribers=3000, n_months=8, seed=7).rename(
        columns={"label_churn": "label_churn_2m"}
    )
    f["label_churn_2m"] = f["label_churn_2m"].astype("boolean")
    f.loc[f.month >= "2025-07-01", "label_churn_2m"] = (
        pd.NA
    )  # the last two months have no outcome yet
    f["is_opt_out"] = f.subs_id.str.endswith("7")
    truth = f[["subs_id", "month", "truth_p_churn"]].rename(columns={"truth_p_churn": "p_churn"})
    truth["month"] = truth["month"] + pd.DateOffset(months=1)  # truth is by the month of the churn
    feats = f.drop(columns=["truth_p_churn"])
    last = feats[feats.month == feats.month.max()]
    fct = pd.DataFrame(
        {
            "subs_id": last.subs_id,
            "month_start": last.month.dt.date,
            "subscriber_sk": last.subs_id,
            "prov_code": last.prov_code,
            "city_code": last.prov_code + "01",
            "pay_type": last.pay_type,
            "net_type": "4G",
            "package_code": last.package_code,
            "arpu_band": "A03",
            "revenue_yuan": last.arpu_yuan,
            "is_in_service": ~last.subs_id.str.endswith("3"),
            "is_opt_out": last.is_opt_out,
        }
    )
    dim = pd.DataFrame(
        {"subscriber_sk": last.subs_id, "msisdn_masked": "186****" + last.subs_id.str[-4:]}
    )
    paths = settings().paths
    paths.build_db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(paths.build_db))
    con.execute("create schema features")
    con.register("f", feats)
    con.execute(
        "create table features.ml_churn_features as select * exclude (month), cast(month as date) as month from f"
    )
    con.register("fct", fct)
    con.execute("create table main.fct_subscriber_month as select * from fct")
    con.register("dim", dim)
    con.execute("create table main.dim_subscriber as select * from dim")
    con.close()
    paths.truth.mkdir(parents=True, exist_ok=True)
    truth.to_parquet(paths.truth / "churn_probability.parquet")
    return jingfen_home


def test_train_score_drift_and_retention(warehouse_home) -> None:
    summary = churn.train_churn()
    assert summary["promoted"] and summary["version"] == "v0001"
    # two-month label: the month before validation and before test is purged
    assert summary["split"]["test_periods"] == ["2025-06-01"]
    assert summary["split"]["valid_periods"] == ["2025-04-01"]
    assert summary["oracle"]["roc_auc"] > 0.6 and summary["share_of_ceiling"]["roc_auc"] > 0.7

    first = churn.score(pd.Timestamp("2025-07-01").date())
    out = churn.score()
    assert out["month"] == "2025-08-01" and out["rows"] == 3000 and out["reason_method"] == "shap"
    assert first["drift"] == [] or all(r["variable"] != "p_churn" for r in first["drift"])
    assert any(r["variable"] == "p_churn" for r in out["drift"])
    con = duckdb.connect(str(settings().paths.build_db), read_only=True)
    scores = con.execute("select * from ml.churn_scores where score_month = date '2025-08-01'").df()
    months = con.execute("select distinct score_month from ml.churn_scores order by 1").fetchall()
    con.close()
    assert list(scores.columns) == churn.SCORE_COLUMNS
    assert len(months) == 2 and scores.p_churn.between(0, 1).all()
    assert scores.risk_decile.value_counts().sort_index().tolist() == [300] * 10
    top = scores.sort_values("p_churn").iloc[-1]
    assert top.risk_decile == 1 and isinstance(top.reason_1_zh, str)

    # re-scoring a month replaces it rather than adding to it
    churn.score()
    con = duckdb.connect(str(settings().paths.build_db), read_only=True)
    assert con.execute("select count(*) from ml.churn_scores").fetchall()[0][0] == 6000
    con.close()

    cand = retention.candidates()
    assert not cand.is_opt_out.any() and cand.is_in_service_now.all()
    assert not cand.subs_id.str.endswith("3").any() and not cand.subs_id.str.endswith("7").any()


def test_cli_train_list_score_retention_promote_rollback(warehouse_home) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["train"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["version"] == "v0001"
    r = runner.invoke(app, ["train", "--margin", "0.5"])
    assert r.exit_code == 0 and json.loads(r.output)["promoted"] is False
    r = runner.invoke(app, ["list"])
    assert "* v0001" in r.output and "v0002" in r.output
    assert runner.invoke(app, ["promote", "v0002"]).exit_code == 0
    r = runner.invoke(app, ["rollback"])
    assert r.exit_code == 0 and "v0001" in r.output
    r = runner.invoke(app, ["score", "--method", "path"])
    assert r.exit_code == 0 and json.loads(r.output)["reason_method"] == "path"
    r = runner.invoke(app, ["retention-list", "--top", "25", "--prov", "44"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    lst = pd.read_csv(out["csv"], encoding="utf-8-sig", dtype={"省份编码": str})
    assert len(lst) == int(out["rows"]) > 0 and set(lst["省份编码"]) == {"44"}
    assert set(lst["省份"]) == {"广东省"} and set(lst["地市"]) == {"广州市"}
    assert lst["流失概率"].is_monotonic_decreasing and lst["建议维系动作"].notna().all()
    assert not lst["原因一"].str.contains("省份|付费类型").any()
    r = runner.invoke(app, ["report"])
    assert r.exit_code == 0 and json.loads(r.output)["version"] == "v0001"


def test_generic_train_from_a_file(jingfen_home, tmp_path) -> None:
    data = tmp_path / "shop.parquet"
    churn_frame(2000, 6, seed=2).to_parquet(data)
    r = CliRunner().invoke(
        app,
        [
            "train",
            "--data",
            str(data),
            "--label",
            "label_churn",
            "--ids",
            "subs_id",
            "--truth",
            "truth_p_churn",
            "--segments",
            "pay_type",
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["version"] == "v0001" and out["report"].endswith("shop/v0001/report.html")
    assert out["share_of_ceiling"]["roc_auc"] > 0.5


def test_generic_train_of_a_csv_without_time_by_k_fold(jingfen_home, tmp_path) -> None:
    from ml.registry import Registry
    from ml.synthetic import cross_sectional_frame

    data = tmp_path / "survey.csv"
    survey = cross_sectional_frame(4000, seed=5)
    survey["mou_chg_3m"] = survey["mou_chg_3m"].replace("", " ")  # blank cells holding a space
    survey.to_csv(data, index=False)
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(data)["mou_chg_3m"])  # read as text
    args = ["train", "--data", str(data), "--label", "label_churn", "--ids", "subs_id"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code != 0 and "--period none" in r.output  # no month column: said so
    r = CliRunner().invoke(
        app, [*args, "--period", "none", "--folds", "3", "--truth", "truth_p_churn"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["cross_validation"]["folds"] == 3 and out["split"]["test_periods"] == ["fold 3"]
    assert 0.5 < out["cross_validation"]["roc_auc_mean"] < 1
    meta = Registry("survey").meta("v0001")
    assert "mou_chg_3m" in meta["features"] and "mou_chg_3m" not in meta["categorical"]


def test_retrain_flow_trains_promotes_and_rescores(warehouse_home, prefect_harness) -> None:
    from flows.ml import retrain_flow

    out = retrain_flow()
    assert out["train"]["promoted"] and out["score"]["model_version"] == out["train"]["version"]
    again = retrain_flow(margin=1.0)  # nothing can beat the champion by 1.0 AUC
    assert not again["train"]["promoted"] and "score" not in again
