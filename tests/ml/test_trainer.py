from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml import evaluate
from ml.synthetic import cross_sectional_frame
from ml.trainer import TrainSpec, assign_folds, numeric_text, split_out_of_time, train


def months(n: int) -> pd.Series:
    return pd.Series(pd.date_range("2025-01-01", periods=n, freq="MS"))


def test_split_is_by_time_and_purges_the_gap() -> None:
    s = split_out_of_time(months(10), valid_periods=1, test_periods=1, gap_periods=1)
    assert s.test_periods == ("2025-10-01",)
    assert s.valid_periods == ("2025-08-01",)  # 2025-09 purged before test
    assert s.purged_periods == ("2025-07-01",)
    assert max(s.train_periods) == "2025-06-01"
    assert set(s.train_periods).isdisjoint(s.valid_periods + s.test_periods)


def test_split_pins_test_periods_and_explains_too_little_data() -> None:
    s = split_out_of_time(months(8), test=("2025-06-01",))
    assert s.test_periods == ("2025-06-01",) and s.valid_periods == ("2025-05-01",)
    assert "2025-07-01" not in s.train_periods  # nothing after the test month trains
    with pytest.raises(ValueError, match="at least 4 labelled periods"):
        split_out_of_time(months(3), gap_periods=1)


def test_training_is_out_of_time_calibrated_and_near_the_ceiling(trained, spec) -> None:
    model, parts = trained
    assert (
        parts["train"]["month"].max() < parts["valid"]["month"].min() < parts["test"]["month"].min()
    )
    test = parts["test"]
    p = model.predict_proba(test)
    ev = evaluate.evaluate(
        test[spec.label].to_numpy(), p, test[list(spec.segments)], test["truth_p_churn"].to_numpy()
    )
    assert ev["overall"]["roc_auc"] > 0.72
    assert ev["share_of_ceiling"]["roc_auc"] > 0.85
    # calibrated on the validation month: the mean prediction is near the observed rate
    assert abs(ev["overall"]["mean_predicted"] - ev["overall"]["base_rate"]) < 0.015
    assert {r["prov_code"] for r in ev["segments"]["prov_code"]} >= {"11", "65"}
    assert model.best_iteration < model.params["n_estimators"]  # early stopping stopped it


def test_training_is_deterministic(frame, spec) -> None:
    a, parts = train(frame, spec)
    b, _ = train(frame, spec)
    np.testing.assert_array_equal(a.predict_proba(parts["test"]), b.predict_proba(parts["test"]))


def test_generic_trainer_takes_any_table() -> None:
    rng = np.random.default_rng(3)
    n = 6000
    quarter = np.repeat(["2024Q1", "2024Q2", "2024Q3", "2024Q4"], n // 4)
    x = rng.normal(size=n)
    shop = rng.choice(["north", "south"], n)
    y = rng.random(n) < 1 / (1 + np.exp(-(2 * x + (shop == "north") - 1)))
    data = pd.DataFrame(
        {"customer": np.arange(n), "quarter": quarter, "x": x, "shop": shop, "bought": y}
    )
    model, parts = train(
        data, TrainSpec(label="bought", period_col="quarter", id_cols=("customer",))
    )
    assert model.features == ["x", "shop"] and model.categorical == ["shop"]
    assert set(parts["test"]["quarter"]) == {"2024Q4"}
    assert (
        evaluate.metrics(parts["test"]["bought"], model.predict_proba(parts["test"]))["roc_auc"]
        > 0.75
    )


def test_unknown_categories_at_scoring_do_not_fail(trained) -> None:
    model, parts = trained
    x = parts["test"].head(50).copy()
    x["package_code"] = "NEW_PACKAGE"
    p = model.predict_proba(x)
    assert np.isfinite(p).all()


def test_spec_names_missing_columns(frame) -> None:
    with pytest.raises(ValueError, match="no column"):
        train(frame, TrainSpec(label="not_there"))


@pytest.fixture(scope="module")
def cross_sectional() -> pd.DataFrame:
    return cross_sectional_frame(6000, seed=4, blank_share=0.15)


CROSS_SPEC = TrainSpec(
    label="label_churn",
    period_col=None,
    id_cols=("subs_id",),
    exclude=("truth_p_churn",),
    cv_folds=4,
)


@pytest.fixture(scope="module")
def cross_trained(cross_sectional):
    return train(cross_sectional, CROSS_SPEC)


def test_folds_are_stratified_and_cover_every_row_once() -> None:
    y = np.r_[np.ones(103), np.zeros(897)].astype(int)
    fold = assign_folds(y, 5, seed=1)
    assert sorted(np.unique(fold)) == [0, 1, 2, 3, 4]
    positives = np.bincount(fold, weights=y)
    assert positives.max() - positives.min() <= 1  # 103 positives spread 20/21 per fold
    with pytest.raises(ValueError, match="at least 3 folds"):
        assign_folds(y, 2, seed=1)
    with pytest.raises(ValueError, match="at least 5 rows of each label value"):
        assign_folds(np.r_[np.ones(4), np.zeros(50)].astype(int), 5, seed=1)


def test_a_table_without_time_is_trained_by_k_fold(cross_trained, cross_sectional) -> None:
    model, parts = cross_trained
    cv = model.info["cv"]
    assert cv["folds"] == 4 and len(cv["per_fold"]) == 4
    assert sum(f["rows"] for f in cv["per_fold"]) == len(cross_sectional)  # each row tested once
    aucs = [f["roc_auc"] for f in cv["per_fold"]]
    assert cv["roc_auc_mean"] == pytest.approx(np.mean(aucs))
    assert cv["roc_auc_std"] == pytest.approx(np.std(aucs, ddof=1)) and cv["roc_auc_std"] > 0
    assert cv["roc_auc_min"] <= cv["roc_auc_mean"] <= cv["roc_auc_max"]
    # the kept model was tested on the last fold, which it never trained or validated on
    ids = {k: set(v["subs_id"]) for k, v in parts.items()}
    assert ids["test"].isdisjoint(ids["train"] | ids["valid"]) and ids["train"].isdisjoint(
        ids["valid"]
    )
    assert model.split.test_periods == ("fold 4",) and "4-fold" in model.split.method
    test = parts["test"]
    ev = evaluate.evaluate(
        test["label_churn"].to_numpy(), model.predict_proba(test), None, test["truth_p_churn"]
    )
    assert ev["overall"]["roc_auc"] == pytest.approx(cv["per_fold"][-1]["roc_auc"])
    assert cv["roc_auc_mean"] > 0.8 * ev["oracle"]["roc_auc"]  # most of the achievable AUC


def test_blank_strings_in_a_numeric_column_are_missing_numbers(
    cross_trained, cross_sectional
) -> None:
    col = cross_sectional["mou_chg_3m"]
    blank = (col == "").to_numpy()
    # text with blanks: the rule before this change (any text column) made it a category
    assert col.dtype == object and 0.1 < blank.mean() < 0.2
    assert (cross_sectional["contract_months_left"] == "").any()
    model, _ = cross_trained
    assert "mou_chg_3m" in model.features and "contract_months_left" in model.features
    assert "mou_chg_3m" not in model.categorical
    assert "contract_months_left" not in model.categorical
    assert set(model.categorical) == {"prov_code", "pay_type", "package_code"}  # codes stay
    x = model.design(cross_sectional)
    assert x["mou_chg_3m"].dtype == "float32"
    assert np.isnan(x["mou_chg_3m"].to_numpy()[blank]).all()
    assert not np.isnan(x["mou_chg_3m"].to_numpy()[~blank]).any()
    np.testing.assert_allclose(
        x["mou_chg_3m"].to_numpy()[~blank], col[~blank].astype(float), atol=1e-6
    )
    # read as a number it carries the signal it was drawn with: a top-three feature
    top = model.feature_importance()["feature"].head(3).tolist()
    assert "mou_chg_3m" in top


def test_numeric_text_tells_numbers_from_codes() -> None:
    assert numeric_text(pd.Series(["1.5", "", " 2", "-0.3"], dtype=object))
    assert numeric_text(pd.Series(["3", "", "5"], dtype="string"))  # a blank makes it numeric
    assert not numeric_text(pd.Series(["44", "11", "65"], dtype="string"))  # province codes
    assert not numeric_text(pd.Series(["0101", "0102"], dtype=object))
    assert not numeric_text(pd.Series(["a", "", "1"], dtype=object))
    assert not numeric_text(pd.Series([1.0, np.nan]))  # already numeric: nothing to read


def test_pipeline_reports_the_folds(jingfen_home, cross_sectional) -> None:
    import json

    from ml.pipeline import fit_and_register
    from ml.registry import Registry

    reg = Registry("cross")
    out = fit_and_register(cross_sectional, CROSS_SPEC, reg, truth_col="truth_p_churn")
    assert out["promoted"] and out["cross_validation"]["folds"] == 4
    meta = json.loads((reg.dir / out["version"] / "meta.json").read_text())
    assert len(meta["cross_validation"]["per_fold"]) == 4
    assert meta["split"]["method"].startswith("stratified 4-fold")
    html = (reg.dir / out["version"] / "report.html").read_text()
    assert "Cross-validation (4 folds)" in html and "fold 4" in html
    model, _ = reg.load()
    assert model.spec.period_col is None
