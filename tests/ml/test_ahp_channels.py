from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml import ahp, channels


def test_consistent_matrix_gives_its_weights() -> None:
    # a perfectly consistent matrix built from weights 0.5, 0.3, 0.2
    w = np.array([0.5, 0.3, 0.2])
    m = (w[:, None] / w[None, :]).tolist()
    r = ahp.weights(m)
    np.testing.assert_allclose(r.weights, w, atol=1e-9)
    assert r.cr < 1e-9


def test_inconsistent_and_malformed_matrices_are_refused() -> None:
    with pytest.raises(ahp.AHPError, match="consistency ratio"):
        ahp.weights([[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]])
    with pytest.raises(ahp.AHPError, match="reciprocals"):
        ahp.weights([[1, 3], [3, 1]])
    with pytest.raises(ahp.AHPError, match="row 1 column 2"):
        ahp.weights([[1, "x"], [1, 1]])


def test_the_shipped_scorecard_is_consistent() -> None:
    cfg = channels.load_config()
    assert cfg.cr < 0.1 and abs(cfg.weights.sum() - 1) < 1e-9
    assert len(cfg.weights) == len(cfg.indicators) == 8


def synthetic_lines(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """40 honest channels in two provinces and one card farm in province 44."""
    rng = np.random.default_rng(seed)
    rows = []
    months = pd.date_range("2025-01-01", periods=9, freq="MS")
    for c in range(41):
        fraud = c == 40
        quality = rng.uniform(0.6, 0.98)
        for cm in months:
            for _ in range(int(rng.integers(3, 12)) if not fraud else 25):
                row = {"subs_id": f"S{len(rows)}", "channel_id": f"C{c:03d}", "cohort_month": cm}
                alive = True
                for k in range(7):
                    alive = alive and (
                        rng.random() < (0.6 if fraud and k >= 2 else quality ** (1 / 6))
                    )
                    row[f"in_service_{k}"] = float(alive)
                    row[f"mou_{k}"] = rng.uniform(0, 2) if fraud else rng.gamma(3, 60)
                    row[f"dou_{k}"] = rng.uniform(0, 10) if fraud else rng.gamma(3, 1500)
                    row[f"revenue_{k}"] = 8.0 if fraud else rng.gamma(3, 20)
                    row[f"complaints_{k}"] = rng.poisson(0.05)
                rows.append(row)
    lines = pd.DataFrame(rows)
    comm = pd.DataFrame(
        {
            "channel_id": [f"C{c:03d}" for c in range(41)],
            "month_start": months[0],
            "commission_yuan": 100.0,
        }
    )
    comm["month_start"] = pd.to_datetime(comm["month_start"])
    prov = pd.Series({f"C{c:03d}": ("44" if c % 2 == 0 else "65") for c in range(41)})
    return lines, comm, prov


def test_scorecard_grades_and_flags_the_card_farm() -> None:
    cfg = channels.load_config()
    lines, comm, prov = synthetic_lines()
    ind = channels.indicators_for_month(lines, comm, pd.Timestamp("2025-09-01"), cfg)
    assert ind.set_index("channel_id").loc["C040", "zero_usage_rate"] == 1.0
    scored = channels.score_month(ind, cfg)
    counts = scored.grade.value_counts()
    assert counts["A"] == round(0.2 * scored.is_rated.sum()) and set(counts.index) == {
        "A",
        "B",
        "C",
        "D",
    }
    assert scored.set_index("channel_id").loc["C040", "grade"] == "D"
    assert scored.cluster.notna().all()
    flags = channels.fraud_flags(ind, prov, cfg)
    assert list(flags.channel_id) == ["C040"]
    assert "几乎零使用" in flags.loc[0, "reason_zh"]
    rec = channels.fraud_recall(
        flags.assign(period_month=pd.Timestamp("2025-09-01").date()),
        pd.DataFrame({"channel_id": ["C040"], "prov_code": ["44"], "start_month": ["2025-01"]}),
    )
    assert rec["recall"] == 1.0 and rec["false_flags"] == 0
