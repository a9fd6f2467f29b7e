from __future__ import annotations

import json

import pytest

from ml.pipeline import decide, fit_and_register
from ml.registry import Registry


def test_decide_uses_the_margin() -> None:
    assert decide({"roc_auc": 0.80}, None)[0]
    assert decide({"roc_auc": 0.805}, {"roc_auc": 0.80}, margin=0.002)[0]
    assert not decide({"roc_auc": 0.801}, {"roc_auc": 0.80}, margin=0.002)[0]
    assert decide({"brier": 0.05}, {"brier": 0.06}, metric="brier", margin=0.001)[0]


def test_champion_challenger_promote_and_rollback(jingfen_home, frame, spec) -> None:
    reg = Registry("demo")
    first = fit_and_register(frame, spec, reg, truth_col="truth_p_churn")
    assert first["promoted"] and reg.champion() == first["version"] == "v0001"
    vdir = reg.dir / "v0001"
    meta = json.loads((vdir / "meta.json").read_text())
    assert meta["split"]["test_periods"] == ["2025-07-01"]
    assert meta["features"] and meta["params"]["n_jobs"] == 2 and meta["code_version"]
    assert "share_of_ceiling" in meta["metrics"]
    html = (vdir / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 5 and "v0001" in html
    assert "Model card" in (vdir / "model_card.md").read_text()

    # a deliberately weak challenger (two-leaf stumps, few trees) is not promoted
    weak = fit_and_register(
        frame, spec, reg, params={"num_leaves": 2, "n_estimators": 3}, truth_col="truth_p_churn"
    )
    assert not weak["promoted"] and reg.champion() == "v0001"
    assert weak["champion_metrics"]["rows"] == weak["metrics"]["rows"]  # same test rows

    reg.promote("v0002", "testing by hand")
    assert reg.champion() == "v0002"
    assert reg.rollback() == "v0001" and reg.champion() == "v0001"
    assert [e["action"] for e in reg.history()] == ["promote", "promote", "rollback"]
    with pytest.raises(FileNotFoundError, match="no version 'v0009'"):
        reg.promote("v0009", "typo")
    model, m = reg.load()
    assert m["version"] == "v0001" and model.features == meta["features"]
    assert [r["champion"] for r in reg.listing()] == [True, False]


def test_no_champion_reads_as_a_sentence(jingfen_home) -> None:
    with pytest.raises(LookupError, match="has no champion"):
        Registry("nothing").load()
