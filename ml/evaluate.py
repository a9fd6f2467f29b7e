"""Evaluation of a probability model on held-out rows: the same report for any data set.

Metrics: ROC AUC, PR AUC (average precision), top-decile lift (churn rate among the 10% with
the highest scores over the overall rate), Brier score and a reliability curve (mean predicted
vs observed rate in ten equal-count bins), overall and per segment. When the true
probabilities are known (simulated data), the same metrics for them on the same rows are the
ceiling, and the report gives the model's share of it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

MIN_SEGMENT_ROWS = 200


def top_decile_lift(y: np.ndarray, p: np.ndarray, share: float = 0.1) -> float:
    """Positive rate among the top ``share`` of scores divided by the overall positive rate."""
    y = np.asarray(y, dtype=float)
    base = y.mean()
    if base == 0 or len(y) == 0:
        return float("nan")
    k = max(1, int(math.ceil(len(y) * share)))
    top = np.argsort(-np.asarray(p), kind="stable")[:k]
    return float(y[top].mean() / base)


def reliability_curve(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Equal-count bins of the predicted probability: mean predicted vs observed rate."""
    order = np.argsort(np.asarray(p), kind="stable")
    chunks = np.array_split(order, bins)
    rows = []
    for i, idx in enumerate(chunks):
        if len(idx) == 0:
            continue
        rows.append(
            {
                "bin": i + 1,
                "rows": len(idx),
                "mean_predicted": float(np.mean(np.asarray(p)[idx])),
                "observed_rate": float(np.mean(np.asarray(y, dtype=float)[idx])),
            }
        )
    return pd.DataFrame(rows)


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """The headline metrics for one set of rows (NaN when a metric is undefined)."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    both = len(np.unique(y)) == 2
    return {
        "rows": int(len(y)),
        "positives": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else float("nan"),
        "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        "top_decile_lift": top_decile_lift(y, p),
        "brier": float(brier_score_loss(y, p)) if len(y) else float("nan"),
        "mean_predicted": float(p.mean()) if len(p) else float("nan"),
    }


def ceiling_share(model: dict[str, float], oracle: dict[str, float]) -> dict[str, float]:
    """The model's share of what the true probabilities achieve on the same rows.

    For ROC AUC the share of the gain over a coin toss, (model - 0.5) / (oracle - 0.5); for PR
    AUC the share of the gain over the base rate; for lift the share of the gain over 1; for the
    Brier score the oracle's over the model's (both errors, lower is better).
    """

    def gain(m: float, o: float, floor: float) -> float:
        return float((m - floor) / (o - floor)) if o - floor > 1e-12 else float("nan")

    return {
        "roc_auc": gain(model["roc_auc"], oracle["roc_auc"], 0.5),
        "pr_auc": gain(model["pr_auc"], oracle["pr_auc"], model["base_rate"]),
        "top_decile_lift": gain(model["top_decile_lift"], oracle["top_decile_lift"], 1.0),
        "brier": float(oracle["brier"] / model["brier"]) if model["brier"] > 0 else float("nan"),
    }


def evaluate(
    y: np.ndarray,
    p: np.ndarray,
    segments: pd.DataFrame | None = None,
    p_true: np.ndarray | None = None,
) -> dict[str, Any]:
    """Overall metrics, reliability curve, per-segment metrics (one table per segment column,
    segments with fewer than MIN_SEGMENT_ROWS rows left out) and, with ``p_true``, the ceiling."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    out: dict[str, Any] = {
        "overall": metrics(y, p),
        "reliability": reliability_curve(y, p).to_dict(orient="records"),
        "segments": {},
    }
    if segments is not None:
        for col in segments.columns:
            values = segments[col].astype("string").fillna("(none)").to_numpy()
            rows = []
            for value in sorted(set(values)):
                mask = values == value
                if mask.sum() < MIN_SEGMENT_ROWS:
                    continue
                m = metrics(y[mask], p[mask])
                if p_true is not None:
                    m["oracle_roc_auc"] = metrics(y[mask], np.asarray(p_true)[mask])["roc_auc"]
                rows.append({col: value, **m})
            out["segments"][col] = rows
    if p_true is not None:
        oracle = metrics(y, np.asarray(p_true, dtype=float))
        out["oracle"] = oracle
        out["oracle_reliability"] = reliability_curve(y, np.asarray(p_true)).to_dict(
            orient="records"
        )
        out["share_of_ceiling"] = ceiling_share(out["overall"], oracle)
    return out
