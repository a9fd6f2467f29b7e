from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml import evaluate
from ml.trainer import TrainSpec, split_out_of_time, train


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
