"""Train a challenger, evaluate it beside the champion on the same test months, register it,
promote it if it is better by the margin. Generic: any feature table and label."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from ml import evaluate, report
from ml.registry import Registry, code_version
from ml.trainer import TrainSpec, train

log = logging.getLogger(__name__)

PROMOTE_METRIC = "roc_auc"
PROMOTE_MARGIN = 0.002


def _jsonable(obj: Any) -> Any:
    """Metrics dicts with NaN -> None so meta.json is valid JSON."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and np.isnan(obj):
        return None
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    return obj


def decide(
    challenger: dict[str, float],
    champion: dict[str, float] | None,
    metric: str = PROMOTE_METRIC,
    margin: float = PROMOTE_MARGIN,
) -> tuple[bool, str]:
    """Promote when there is no champion, or the challenger beats it by ``margin`` on ``metric``
    (higher is better; for ``brier`` lower is better)."""
    if champion is None:
        return True, "no champion yet: the first model becomes champion"
    c, k = challenger[metric], champion[metric]
    better = (k - c) if metric == "brier" else (c - k)
    if better >= margin:
        return (
            True,
            f"{metric} {c:.4f} vs champion {k:.4f}: better by {better:.4f} >= margin {margin}",
        )
    return False, f"{metric} {c:.4f} vs champion {k:.4f}: better by {better:.4f} < margin {margin}"


def fit_and_register(
    frame: pd.DataFrame,
    spec: TrainSpec,
    registry: Registry,
    params: dict[str, Any] | None = None,
    truth_col: str | None = None,
    metric: str = PROMOTE_METRIC,
    margin: float = PROMOTE_MARGIN,
    auto_promote: bool = True,
    extra_meta: dict[str, Any] | None = None,
    drift: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The retrain step for any data set. Returns a summary (version, metrics, promoted, paths).

    The test months are the latest labelled months of ``frame``; the champion (if it can score
    these rows) is evaluated on exactly the same rows.
    """
    model, parts = train(frame, spec, params)
    test = parts["test"]
    y = test[spec.label].astype(int).to_numpy()
    p = model.predict_proba(test)
    p_true = test[truth_col].to_numpy(dtype=float) if truth_col and truth_col in test else None
    segs = test[list(spec.segments)] if spec.segments else None
    ev = evaluate.evaluate(y, p, segs, p_true)

    champion_version = registry.champion()
    champion_metrics = None
    p_champion = None
    champion_note = ""
    if champion_version is not None:
        try:
            champ, _ = registry.load(champion_version)
            p_champion = champ.predict_proba(test)
            champion_metrics = evaluate.metrics(y, p_champion)
        except (KeyError, ValueError) as exc:
            champion_note = f" (champion {champion_version} cannot score these rows: {exc})"
    promote, reason = decide(ev["overall"], champion_metrics, metric, margin)
    if champion_version is not None and champion_metrics is None:
        promote, reason = True, "the champion cannot score the new feature table" + champion_note

    meta: dict[str, Any] = {
        "label": spec.label,
        "spec": asdict(spec),
        "split": model.split.as_dict(),
        "rows": model.info["rows"],
        "positives": model.info["positives"],
        "features": model.features,
        "categorical": model.categorical,
        "params": model.params,
        "best_iteration": model.best_iteration,
        "calibration": spec.calibration,
        "lightgbm_version": lgb.__version__,
        "train_seconds": model.train_seconds,
        "metrics": _jsonable(ev),
        "cross_validation": _jsonable(model.info.get("cv")),
        "champion_at_training": champion_version,
        "champion_metrics": _jsonable(champion_metrics),
        "code_version": code_version(),
        **(extra_meta or {}),
    }
    comparison = {
        "champion": champion_version,
        "champion_metrics": champion_metrics,
        "promoted": promote and auto_promote,
        "reason": reason if auto_promote else reason + " (auto-promotion off)",
    }
    images = report.plots(y, p, model.feature_importance(), p_true, p_champion)
    html = report.render_html(
        extra_meta.get("title", f"{registry.name} model")
        if extra_meta
        else f"{registry.name} model",
        meta,
        ev,
        images,
        comparison,
        drift,
    )
    version = registry.save(model, meta, report.model_card(meta, ev), html)
    if promote and auto_promote:
        registry.promote(version, reason)
    log.info("trained %s %s: %s", registry.name, version, comparison["reason"])
    return {
        "version": version,
        "promoted": bool(promote and auto_promote),
        "reason": comparison["reason"],
        "champion_before": champion_version,
        "metrics": _jsonable(ev["overall"]),
        "oracle": _jsonable(ev.get("oracle")),
        "share_of_ceiling": _jsonable(ev.get("share_of_ceiling")),
        "champion_metrics": _jsonable(champion_metrics),
        "report": str(registry.dir / version / "report.html"),
        "train_seconds": model.train_seconds,
        "split": model.split.as_dict(),
        "cross_validation": _jsonable(
            {k: v for k, v in model.info["cv"].items() if k != "per_fold"}
            if model.info.get("cv")
            else None
        ),
    }
