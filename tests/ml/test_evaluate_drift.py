from __future__ import annotations

import numpy as np
import pandas as pd

from ml import drift, evaluate


def test_lift_reliability_and_ceiling() -> None:
    y = np.array([1] * 10 + [0] * 90)
    perfect = np.linspace(1, 0, 100)
    assert evaluate.top_decile_lift(y, perfect) == 10.0
    m = evaluate.metrics(y, perfect)
    assert m["roc_auc"] == 1.0 and abs(m["pr_auc"] - 1.0) < 1e-12
    rel = evaluate.reliability_curve(y, perfect)
    assert len(rel) == 10 and rel["rows"].sum() == 100
    share = evaluate.ceiling_share(m, m)
    assert abs(share["roc_auc"] - 1.0) < 1e-12 and share["brier"] == 1.0
    random = evaluate.metrics(y, np.full(100, 0.1))
    assert evaluate.ceiling_share(random, m)["roc_auc"] == 0.0


def test_psi_flags_a_shift_and_not_noise() -> None:
    rng = np.random.default_rng(0)
    a = pd.Series(rng.normal(size=20000))
    assert drift.psi(a, pd.Series(rng.normal(size=20000))) < 0.01
    assert drift.status(drift.psi(a, pd.Series(rng.normal(1.0, 1, 20000)))) == "shifted"
    cats = pd.Series(["a"] * 50 + ["b"] * 50)
    assert drift.psi(cats, pd.Series(["a"] * 90 + ["b"] * 10)) > 0.25
    table = drift.drift_table(
        pd.DataFrame({"m": [1] * 100 + [2] * 100, "x": list(range(100)) * 2}), "m", ["x"]
    )
    assert table.loc[0, "status"] == "stable" and table.loc[0, "reference_period"] == 1
