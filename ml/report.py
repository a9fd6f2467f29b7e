"""The evaluation report (one self-contained HTML file with embedded PNG plots) and model card."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _sample(y: np.ndarray, *ps: np.ndarray, limit: int = 200_000) -> tuple[np.ndarray, ...]:
    """Plots do not need a million points: a fixed random sample keeps them fast."""
    if len(y) <= limit:
        return (y, *ps)
    idx = np.random.default_rng(0).choice(len(y), limit, replace=False)
    return (y[idx], *(p[idx] for p in ps))


def plots(
    y: np.ndarray,
    p: np.ndarray,
    importance: pd.DataFrame,
    p_true: np.ndarray | None = None,
    p_champion: np.ndarray | None = None,
) -> dict[str, str]:
    """Base64 PNGs: roc, pr, lift, calibration, importance."""
    curves = {"model": p}
    if p_champion is not None:
        curves["champion"] = p_champion
    if p_true is not None:
        curves["true probability (ceiling)"] = p_true
    names = list(curves)
    y_s, *ps = _sample(np.asarray(y), *(np.asarray(curves[n]) for n in names))
    out: dict[str, str] = {}

    fig, ax = plt.subplots(figsize=(4.5, 4))
    for name, pv in zip(names, ps, strict=True):
        fpr, tpr, _ = roc_curve(y_s, pv)
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    ax.legend(fontsize=7)
    out["roc"] = _png(fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    for name, pv in zip(names, ps, strict=True):
        prec, rec, _ = precision_recall_curve(y_s, pv)
        ax.plot(rec, prec, label=name)
    ax.axhline(y_s.mean(), color="k", ls=":", lw=0.8)
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall")
    ax.legend(fontsize=7)
    out["pr"] = _png(fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    base = y_s.mean()
    for name, pv in zip(names, ps, strict=True):
        order = np.argsort(-pv, kind="stable")
        deciles = np.array_split(y_s[order], 10)
        ax.plot(
            range(1, 11),
            [d.mean() / base if base else np.nan for d in deciles],
            marker="o",
            label=name,
        )
    ax.axhline(1, color="k", ls=":", lw=0.8)
    ax.set(xlabel="risk decile (1 = highest)", ylabel="lift", title="Lift by decile")
    ax.legend(fontsize=7)
    out["lift"] = _png(fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    for name, pv in zip(names, ps, strict=True):
        order = np.argsort(pv, kind="stable")
        chunks = np.array_split(order, 10)
        ax.plot(
            [pv[c].mean() for c in chunks], [y_s[c].mean() for c in chunks], marker="o", label=name
        )
    hi = float(max(pv.max() for pv in ps))
    ax.plot([0, hi], [0, hi], "k:", lw=0.8)
    ax.set(xlabel="mean predicted probability", ylabel="observed rate", title="Reliability")
    ax.legend(fontsize=7)
    out["calibration"] = _png(fig)

    top = importance.head(20).iloc[::-1]
    fig, ax = plt.subplots(figsize=(5.5, max(2.5, 0.28 * len(top))))
    ax.barh(top["feature"], top["gain"])
    ax.set(xlabel="total gain", title="Feature importance")
    out["importance"] = _png(fig)
    return out


def _table(rows: list[dict[str, Any]] | pd.DataFrame, digits: int = 4) -> str:
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    if frame.empty:
        return "<p>(none)</p>"
    return frame.to_html(
        index=False, float_format=lambda x: f"{x:.{digits}f}", border=0, classes="t"
    )


def render_html(
    title: str,
    meta: dict[str, Any],
    evaluation: dict[str, Any],
    images: dict[str, str],
    comparison: dict[str, Any] | None = None,
    drift: pd.DataFrame | None = None,
) -> str:
    """The report page. ``{version}`` is filled in by the registry when the model is saved."""
    esc = html.escape
    overall = evaluation["overall"]
    parts = [
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
        "table.t{border-collapse:collapse;font-size:13px}table.t td,table.t th{border:1px solid #ccc;padding:3px 8px}"
        "img{margin:4px;border:1px solid #eee}.good{color:#070}.bad{color:#a00}</style></head><body>",
        f"<h1>{esc(title)} — {{version}}</h1>",
        f"<p>Label <code>{esc(meta['label'])}</code>; train {esc(', '.join(meta['split']['train_periods']))}; "
        f"validation {esc(', '.join(meta['split']['valid_periods']))}; test "
        f"{esc(', '.join(meta['split']['test_periods']))} ({esc(meta['split'].get('method', 'out of time'))}). "
        f"Code {esc(str(meta.get('code_version')))}.</p>",
        *_cv_section(meta.get("cross_validation")),
        "<h2>Test "
        + ("fold" if meta.get("cross_validation") else "months (out of time)")
        + "</h2>",
        _table(
            [{"who": "model", **overall}]
            + (
                [{"who": "true probability (ceiling)", **evaluation["oracle"]}]
                if "oracle" in evaluation
                else []
            )
        ),
    ]
    if "share_of_ceiling" in evaluation:
        s = evaluation["share_of_ceiling"]
        parts.append(
            "<p><b>Share of the ceiling</b> (simulated data: the simulator's true probabilities on the "
            f"same rows): ROC AUC gain over chance {s['roc_auc']:.1%}, PR AUC gain over base rate "
            f"{s['pr_auc']:.1%}, top-decile lift gain {s['top_decile_lift']:.1%}, Brier "
            f"(ceiling/model) {s['brier']:.1%}.</p>"
        )
    if comparison:
        verdict = "promoted" if comparison.get("promoted") else "not promoted"
        cls = "good" if comparison.get("promoted") else "bad"
        parts.append(
            f"<h2>Challenger vs champion</h2><p class='{cls}'><b>{esc(verdict)}</b>: {esc(comparison.get('reason', ''))}</p>"
        )
        if comparison.get("champion_metrics"):
            parts.append(
                _table(
                    [
                        {"who": "challenger", **overall},
                        {
                            "who": f"champion {comparison.get('champion')}",
                            **comparison["champion_metrics"],
                        },
                    ]
                )
            )
    parts.append("<h2>Plots</h2>")
    for key in ("roc", "pr", "lift", "calibration", "importance"):
        if key in images:
            parts.append(f"<img alt='{key}' src='data:image/png;base64,{images[key]}'>")
    parts.append("<h2>Reliability (ten equal-count bins)</h2>" + _table(evaluation["reliability"]))
    for col, rows in evaluation.get("segments", {}).items():
        parts.append(f"<h2>By {esc(col)}</h2>" + _table(rows))
    if drift is not None and not drift.empty:
        parts.append("<h2>Score and feature drift (PSI between months)</h2>" + _table(drift))
    parts.append("<h2>Parameters</h2><pre>" + esc(str(meta.get("params"))) + "</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _cv_section(cv: dict[str, Any] | None) -> list[str]:
    """The k-fold results: AUC mean and spread over the folds, and each fold."""
    if not cv:
        return []
    return [
        f"<h2>Cross-validation ({cv['folds']} folds)</h2>",
        f"<p>ROC AUC {cv['roc_auc_mean']:.4f} ± {cv['roc_auc_std']:.4f} (mean ± standard deviation "
        f"over the folds; range {cv['roc_auc_min']:.4f}–{cv['roc_auc_max']:.4f}). Each fold is the "
        "test set once; the model kept is the one tested on the last fold.</p>",
        _table(cv["per_fold"]),
    ]


def model_card(meta: dict[str, Any], evaluation: dict[str, Any]) -> str:
    """A short Markdown model card (version filled in by the registry)."""
    o = evaluation["overall"]
    lines = [
        f"# Model card: {meta.get('name', 'model')} {{version}}",
        "",
        f"- **Purpose**: {meta.get('purpose', 'binary classifier trained with the jingfen generic trainer')}",
        f"- **Label**: `{meta['label']}` — {meta.get('label_definition', 'as supplied by the data set')}",
        f"- **Data**: train periods {', '.join(meta['split']['train_periods'])}; validation "
        f"{', '.join(meta['split']['valid_periods'])}; test {', '.join(meta['split']['test_periods'])}"
        + (
            f"; purged {', '.join(meta['split']['purged_periods'])}"
            if meta["split"].get("purged_periods")
            else ""
        ),
        f"- **Split**: {meta['split'].get('method', 'out of time')}"
        + (
            f"; ROC AUC over the folds {meta['cross_validation']['roc_auc_mean']:.4f} "
            f"± {meta['cross_validation']['roc_auc_std']:.4f}"
            if meta.get("cross_validation")
            else ""
        ),
        f"- **Rows**: {meta.get('rows')}",
        f"- **Features** ({len(meta['features'])}): {', '.join(meta['features'])}",
        f"- **Categorical**: {', '.join(meta['categorical']) or 'none'}",
        f"- **Algorithm**: LightGBM {meta.get('lightgbm_version')} (early stopping on the validation months, "
        f"best iteration {meta.get('best_iteration')}), {meta.get('calibration')} calibration on the validation months",
        f"- **Code version**: {meta.get('code_version')}",
        "",
        "## Test-month performance",
        "",
        f"ROC AUC {o['roc_auc']:.4f}; PR AUC {o['pr_auc']:.4f}; top-decile lift {o['top_decile_lift']:.2f}; "
        f"Brier {o['brier']:.5f}; base rate {o['base_rate']:.4f} over {o['rows']} rows.",
    ]
    if "share_of_ceiling" in evaluation:
        s = evaluation["share_of_ceiling"]
        lines += [
            "",
            f"Against the simulator's true probabilities: {s['roc_auc']:.1%} of the ROC AUC gain over chance, "
            f"{s['pr_auc']:.1%} of the PR AUC gain over the base rate.",
        ]
    lines += [
        "",
        "## Use and limits",
        "",
        "- Scores rank subscribers for retention contact; a probability is calibrated on the validation "
        "months and drifts as behaviour changes: watch the PSI table in the report.",
        "- Reasons are per-feature contributions, not causes: a contract ending raises the risk, it does "
        "not prove why a subscriber leaves.",
        "- Trained on data of the stated period only; retrain monthly (`jingfen ml train`).",
    ]
    return "\n".join(lines) + "\n"
