"""The churn model (流失预警): training on ``features.ml_churn_features``, monthly scoring into
``ml.churn_scores`` with the top three reasons, and drift monitoring into ``ml.score_drift``.

Label (docs/ml.md "Churn label"): ``label_churn_2m`` — cancelled (拆机) or ported out
(携号转出) in either of the two months after the feature month. Training is out of time: the
latest labelled month is the test month, the month before the purge gap validates.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jingfen.config import settings
from ml import drift, lists, pipeline, reasons, warehouse
from ml.explain import Method
from ml.registry import Registry
from ml.trainer import TrainSpec

FEATURE_SCHEMA = "features"
FEATURE_TABLE = "ml_churn_features"
MODEL_NAME = "churn"
LABEL = "label_churn_2m"
HORIZON_MONTHS = 2
LABEL_DEFINITION = (
    "cancelled (拆机, status 90) or ported out (携号转出, status 91) in either of the two months "
    "after the feature month; silence (沉默) is a feature, not churn"
)

CHURN_SPEC = TrainSpec(
    label=LABEL,
    period_col="month",
    id_cols=("subs_id",),
    exclude=("city_code", "history_months", "is_opt_out", "label_churn_1m", "truth_p_churn"),
    segments=("prov_code", "pay_type"),
    valid_periods=1,
    test_periods=1,
    # The label looks two months ahead: the month before validation (and before test) is
    # purged, or the same churn events would label both sides of the boundary.
    gap_periods=HORIZON_MONTHS - 1,
)

SCORE_COLUMNS = [
    "subs_id",
    "score_month",
    "p_churn",
    "risk_decile",
    *[f"reason_{i}_{s}" for i in (1, 2, 3) for s in ("code", "zh", "en")],
    "model_version",
    "reason_method",
    "scored_at",
]


def load_features(months: list[date] | None = None) -> pd.DataFrame:
    """The feature table from the build warehouse (optionally only some months)."""
    with warehouse.connect(read_only=True) as con:
        if not warehouse.table_exists(con, FEATURE_SCHEMA, FEATURE_TABLE):
            raise LookupError(
                f"the warehouse has no {FEATURE_SCHEMA}.{FEATURE_TABLE}: build it with "
                "`jingfen build --select ml_churn_features` (models/features/)"
            )
        sql = f"select * from {FEATURE_SCHEMA}.{FEATURE_TABLE}"
        if months:
            sql += " where month in (" + ",".join(f"date '{m.isoformat()}'" for m in months) + ")"
        frame = con.execute(sql).df()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def feature_months() -> list[date]:
    with warehouse.connect(read_only=True) as con:
        rows = con.execute(
            f"select distinct month from {FEATURE_SCHEMA}.{FEATURE_TABLE} order by 1"
        ).fetchall()
    return [r[0] for r in rows]


def truth_path() -> Path:
    return settings().paths.truth / "churn_probability.parquet"


def attach_truth(
    frame: pd.DataFrame, truth: pd.DataFrame, horizon: int = HORIZON_MONTHS
) -> pd.DataFrame:
    """Add ``truth_p_churn``: the simulator's true probability for the label, as far as it is
    knowable at the feature month's end.

    The truth row of month M+1 is the hazard of churning during M+1 given the state at the end
    of M. The hazard of M+2 depends on what happens during M+1, and exists only for those who
    stayed; using it would tell the ceiling who survived M+1. So the ceiling carries the
    next-month hazard over the window, 1 - (1 - p_{M+1})^horizon. Rows without a truth row get NaN.
    """
    t = truth[["subs_id", "month", "p_churn"]].copy()
    t["month"] = pd.to_datetime(t["month"]) - pd.DateOffset(months=1)  # the feature month
    t["subs_id"] = t["subs_id"].astype("string")
    keys = frame[["subs_id", "month"]].copy()
    keys["subs_id"] = keys["subs_id"].astype("string")
    keys["month"] = pd.to_datetime(keys["month"])
    p1 = keys.merge(t, on=["subs_id", "month"], how="left")["p_churn"].to_numpy(dtype=float)
    out = frame.copy()
    out["truth_p_churn"] = 1.0 - (1.0 - p1) ** horizon
    return out


def load_truth() -> pd.DataFrame | None:
    path = truth_path()
    return pd.read_parquet(path) if path.exists() else None


def train_churn(
    margin: float = pipeline.PROMOTE_MARGIN,
    metric: str = pipeline.PROMOTE_METRIC,
    params: dict[str, Any] | None = None,
    auto_promote: bool = True,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Train a challenger on the feature table, evaluate it beside the champion on the same
    test month, register it and promote it if better by ``margin``."""
    frame = load_features()
    truth = load_truth()
    truth_col = None
    if truth is not None:
        frame = attach_truth(frame, truth)
        truth_col = "truth_p_churn"
    spec = CHURN_SPEC
    drift_frame = None
    with contextlib.suppress(LookupError):
        drift_frame = score_drift_table()
    return pipeline.fit_and_register(
        frame,
        spec,
        registry or Registry(MODEL_NAME),
        params=params,
        truth_col=truth_col,
        metric=metric,
        margin=margin,
        auto_promote=auto_promote,
        extra_meta={
            "title": "流失预警模型 churn model",
            "purpose": "rank in-service subscribers by the risk of leaving in the next two months",
            "label_definition": LABEL_DEFINITION,
            "feature_table": f"{FEATURE_SCHEMA}.{FEATURE_TABLE}",
        },
        drift=drift_frame,
    )


def ensure_champion(logger: Any | None = None) -> str:
    """The champion's version; the first run has no model yet and trains one (it becomes
    champion)."""
    champion = Registry(MODEL_NAME).champion()
    if champion:
        return champion
    if logger is not None:
        logger.info("no churn model yet: training the first one (it becomes champion)")
    return str(train_churn()["version"])


def risk_deciles(p: np.ndarray) -> np.ndarray:
    """1 = the 10% highest probabilities, 10 = the lowest (ties broken by order)."""
    n = len(p)
    if n == 0:
        return np.zeros(0, dtype=np.int16)
    order = np.argsort(-p, kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return (ranks * 10 // n + 1).astype(np.int16)


def score_frame(
    frame: pd.DataFrame,
    model: Any,
    version: str,
    method: Method = "auto",
    names: lists.Names | None = None,
) -> pd.DataFrame:
    """Scores, deciles and reasons for the rows of one month. The reasons are only those a
    caller can act on (ml/reasons.py ``ACTIONABLE``), packages worded by name (``names``,
    default: from the seeds)."""
    p, contrib, used = model.score(frame, method)
    top = reasons.top_reasons(
        contrib,
        model.features,
        frame[model.features],
        actionable_only=True,
        labels=(names or lists.load_names()).reason_labels(),
    )
    out = pd.DataFrame(
        {
            "subs_id": frame["subs_id"].astype("string").to_numpy(),
            "score_month": pd.to_datetime(frame["month"]).dt.date.to_numpy(),
            "p_churn": p.round(6),
            "risk_decile": risk_deciles(p),
        }
    )
    out = pd.concat([out, top], axis=1)
    out["model_version"] = version
    out["reason_method"] = used
    out["scored_at"] = datetime.now(UTC).replace(tzinfo=None)
    return out[SCORE_COLUMNS]


def score(
    month: date | None = None, method: Method = "auto", version: str | None = None
) -> dict[str, Any]:
    """Score every in-service subscriber of ``month`` (default: the latest feature month) with
    the champion and write ``ml.churn_scores`` (that month replaced) and ``ml.score_drift``."""
    t0 = time.perf_counter()
    registry = Registry(MODEL_NAME)
    model, meta = registry.load(version)
    months = feature_months()
    if not months:
        raise LookupError(f"{FEATURE_SCHEMA}.{FEATURE_TABLE} is empty: nothing to score")
    month = month or months[-1]
    if month not in months:
        raise ValueError(
            f"no features for {month:%Y-%m}; the feature table has {months[0]:%Y-%m} to {months[-1]:%Y-%m}"
        )
    frame = load_features([month])
    with warehouse.connect(read_only=True) as con:
        names = lists.load_names(con)
    t_read = time.perf_counter() - t0
    scores = score_frame(frame, model, meta["version"], method, names)
    t_score = time.perf_counter() - t0 - t_read
    with warehouse.connect() as con:
        warehouse.replace_partition(con, "churn_scores", scores, key="score_month")
    drift_rows = write_drift(month, model)
    return {
        "month": month.isoformat(),
        "model_version": meta["version"],
        "rows": len(scores),
        "reason_method": str(scores["reason_method"].iloc[0]) if len(scores) else None,
        "mean_p_churn": float(scores["p_churn"].mean()) if len(scores) else None,
        "drift": drift_rows,
        "seconds": {
            "read": round(t_read, 2),
            "score": round(t_score, 2),
            "total": round(time.perf_counter() - t0, 2),
        },
    }


def write_drift(month: date, model: Any, top_features: int = 5) -> list[dict[str, Any]]:
    """PSI of the score (against the previous scored month) and of the model's top features
    (against the previous feature month), written to ``ml.score_drift`` for ``month``."""
    months = [m for m in feature_months() if m <= month]
    rows: list[dict[str, Any]] = []
    with warehouse.connect(read_only=True) as con:
        prev_scores = con.execute(
            "select max(score_month) from ml.churn_scores where score_month < ?", [month]
        ).fetchall()[0][0]
        if prev_scores is not None:
            s = con.execute(
                "select score_month, p_churn from ml.churn_scores where score_month in (?, ?)",
                [prev_scores, month],
            ).df()
            value = drift.psi(
                s.loc[s.score_month == prev_scores, "p_churn"],
                s.loc[s.score_month == month, "p_churn"],
            )
            rows.append({"variable": "p_churn", "reference_month": prev_scores, "psi": value})
    if len(months) >= 2:
        feats = model.feature_importance()["feature"].head(top_features).tolist()
        f = load_features([months[-2], month])
        ref = f[f["month"] == pd.Timestamp(months[-2])]
        cur = f[f["month"] == pd.Timestamp(month)]
        for c in feats:
            rows.append(
                {"variable": c, "reference_month": months[-2], "psi": drift.psi(ref[c], cur[c])}
            )
    if not rows:
        return []
    table = pd.DataFrame(rows)
    table.insert(0, "score_month", month)
    table["psi"] = table["psi"].round(5)
    table["status"] = table["psi"].map(drift.status)
    table["computed_at"] = datetime.now(UTC).replace(tzinfo=None)
    with warehouse.connect() as con:
        warehouse.replace_partition(con, "score_drift", table, key="score_month")
    return (
        table.assign(score_month=str(month), reference_month=table["reference_month"].astype(str))
        .drop(columns=["computed_at"])
        .to_dict(orient="records")
    )


def score_drift_table() -> pd.DataFrame:
    with warehouse.connect(read_only=True) as con:
        return warehouse.read_table(
            con, warehouse.SCHEMA, "score_drift", "score a month first (`jingfen ml score`)"
        ).drop(columns=["computed_at"], errors="ignore")
