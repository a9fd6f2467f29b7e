from __future__ import annotations

import numpy as np

from ml.explain import contributions


def test_both_methods_add_up_to_the_raw_score_and_mostly_agree(trained) -> None:
    model, parts = trained
    x = model.design(parts["test"].head(3000))
    raw = model.classifier.predict(x, raw_score=True)
    shap, m1 = contributions(model.classifier, x, "shap")
    path, m2 = contributions(model.classifier, x, "path")
    assert (m1, m2) == ("shap", "path")
    np.testing.assert_allclose(shap.sum(axis=1), raw, atol=1e-6)
    np.testing.assert_allclose(path.sum(axis=1), raw, atol=1e-6)
    agree = (shap[:, :-1].argmax(axis=1) == path[:, :-1].argmax(axis=1)).mean()
    assert agree > 0.7


def test_score_equals_predict_proba(trained) -> None:
    model, parts = trained
    t = parts["test"].head(2000)
    for method in ("shap", "path"):
        p, _, used = model.score(t, method)
        assert used == method
        np.testing.assert_allclose(p, model.predict_proba(t), atol=1e-9)
