"""The generic trainer: any feature table, any binary label, an out-of-time split or k folds.

A data scientist brings a frame with one row per entity per period, names the label column and
the period column, and gets a calibrated LightGBM classifier plus the same evaluation report the
churn model gets. Nothing here knows about telecoms.

With a period column the split is by time (never a random split across periods): the last
``test_periods`` periods are the test set, the ``valid_periods`` before them are the validation
set (early stopping and probability calibration), and everything earlier trains the model. A
label that looks ``gap_periods`` into the future would leak the validation months' outcomes into
training rows near the boundary, so those training periods are dropped (purged).

A cross-sectional table (``period_col=None``: one row per entity, no time) is trained with
stratified k-fold cross-validation: each of the ``cv_folds`` folds is the test set once, the
next fold validates (early stopping, calibration), the rest trains. The AUC of every fold, their
mean and spread go into ``info["cv"]``; the model kept is the one whose test set is the last fold.

Numeric-looking text (a CSV column read as strings because some cells are blank) is read as
numbers with the blanks missing, not as a category: see ``numeric_text``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ml import explain

DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 31,
    "max_depth": 6,
    "min_child_samples": 100,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "n_estimators": 400,
    "max_bin": 127,
    # Two cores on the target machine; deterministic so a retrain on the same data is the same model.
    "n_jobs": 2,
    "random_state": 42,
    "deterministic": True,
    "force_col_wise": True,
    "verbose": -1,
}
EARLY_STOPPING_ROUNDS = 30


@dataclass(frozen=True)
class TrainSpec:
    """What to learn from a feature table.

    ``features`` defaults to every column that is not the label, the period, an id, a segment-only
    column or a column starting with ``label_``/``truth_``; ``categorical`` defaults to the string
    and category columns among the features.
    """

    label: str
    period_col: str | None = "month"  # None: a cross-sectional table, k-fold cross-validation
    id_cols: tuple[str, ...] = ()
    features: tuple[str, ...] | None = None
    categorical: tuple[str, ...] | None = None
    segments: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    valid_periods: int = 1
    test_periods: int = 1
    gap_periods: int = 0
    calibration: str = "isotonic"  # or "sigmoid" (Platt)
    cv_folds: int = 5  # with period_col=None
    cv_seed: int = 42

    def resolve(self, frame: pd.DataFrame) -> tuple[list[str], list[str]]:
        """(features, categorical) for this frame, checked."""
        missing = [
            c
            for c in (self.label, self.period_col, *self.id_cols, *self.segments)
            if c is not None and c not in frame.columns
        ]
        if missing:
            raise ValueError(
                f"the feature table has no column(s) {missing}; it has {list(frame.columns)[:40]}"
            )
        skip = {self.label, self.period_col, *self.id_cols, *self.exclude}
        if self.features is None:
            feats = [
                c
                for c in frame.columns
                if c not in skip and not c.startswith(("label_", "truth_", "is_label"))
            ]
        else:
            absent = [c for c in self.features if c not in frame.columns]
            if absent:
                raise ValueError(
                    f"features {absent} named in the spec are not in the feature table"
                )
            feats = list(self.features)
        if self.categorical is None:
            cats = [
                c
                for c in feats
                if isinstance(frame[c].dtype, pd.CategoricalDtype)
                or (
                    (pd.api.types.is_string_dtype(frame[c].dtype) or frame[c].dtype == object)
                    and not numeric_text(frame[c])
                )
            ]
        else:
            cats = list(self.categorical)
        if not feats:
            raise ValueError("no feature columns left after removing label, period and ids")
        return feats, cats


_NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"


def numeric_text(values: pd.Series) -> bool:
    """Whether a text column holds numbers: every non-blank cell parses as a number, and the
    column is not a code list. Codes (province 44, pay type 1, "0101") are digit strings without
    blanks and stay categories; a blank cell (``""`` or spaces) or a sign, decimal point or
    exponent in some cell makes it numeric. ``TrainSpec.categorical`` overrides this."""
    if isinstance(values.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_string_dtype(values.dtype) or values.dtype == object
    ):
        return False
    text = values.dropna().astype(str).str.strip()
    blank = text == ""
    filled = text[~blank]
    if filled.empty or not filled.str.fullmatch(_NUMBER).all():
        return False
    return bool(blank.any() or not filled.str.fullmatch(r"\d+").all())


def _as_number(values: pd.Series) -> pd.Series:
    """A column as float32; text is stripped and blank cells become missing."""
    if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        text = values.astype("string").str.strip()
        values = text.mask(text == "")
    return pd.to_numeric(values, errors="coerce").astype("float32")


@dataclass(frozen=True)
class Split:
    train_periods: tuple[str, ...]
    valid_periods: tuple[str, ...]
    test_periods: tuple[str, ...]
    purged_periods: tuple[str, ...] = ()
    method: str = "out of time"

    def as_dict(self) -> dict[str, Any]:
        return {k: v if isinstance(v, str) else list(v) for k, v in asdict(self).items()}


def _period_key(values: pd.Series) -> pd.Series:
    """Periods as sortable strings (dates as YYYY-MM-DD)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime("%Y-%m-%d")
    return values.astype(str)


def split_out_of_time(
    periods: pd.Series,
    valid_periods: int = 1,
    test_periods: int = 1,
    gap_periods: int = 0,
    test: tuple[str, ...] | None = None,
) -> Split:
    """Out-of-time split of the labelled periods: earliest train, then valid, then test.

    ``test`` pins the test periods (a challenger is evaluated on the champion's months). The
    ``gap_periods`` training periods just before the validation periods are purged because their
    labels look into the validation months.
    """
    keys = sorted(set(_period_key(periods)))
    if test is not None:
        test_set = [p for p in keys if p in set(test)]
        if not test_set:
            raise ValueError(f"none of the pinned test periods {list(test)} are in the data")
        before = [p for p in keys if p < min(test_set)]
    else:
        if len(keys) < valid_periods + test_periods + gap_periods + 1:
            raise ValueError(
                f"an out-of-time split needs at least {valid_periods + test_periods + gap_periods + 1} "
                f"labelled periods (train, gap {gap_periods}, valid {valid_periods}, test "
                f"{test_periods}); the data has {len(keys)}: {keys}"
            )
        test_set = keys[len(keys) - test_periods :]
        before = keys[: len(keys) - test_periods]
    # The validation labels must not look into the test months either.
    before = before[: len(before) - gap_periods] if gap_periods else before
    valid = before[len(before) - valid_periods :]
    rest = before[: len(before) - valid_periods]
    purged = rest[len(rest) - gap_periods :] if gap_periods else []
    train = rest[: len(rest) - gap_periods] if gap_periods else rest
    if not train or not valid:
        raise ValueError(
            f"not enough periods before the test months {test_set} for training and validation: {keys}"
        )
    return Split(tuple(train), tuple(valid), tuple(test_set), tuple(purged))


@dataclass
class TrainedModel:
    """A fitted LightGBM classifier, its calibrator and everything needed to score new rows."""

    spec: TrainSpec
    features: list[str]
    categorical: list[str]
    categories: dict[str, list[str]]
    classifier: lgb.LGBMClassifier
    calibrated: CalibratedClassifierCV
    params: dict[str, Any]
    split: Split
    best_iteration: int
    train_seconds: float
    info: dict[str, Any] = field(default_factory=dict)

    def design(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The model's input matrix for a frame: its features, categories fixed at training."""
        return design_matrix(frame, self.features, self.categories)

    def predict_raw(self, frame: pd.DataFrame) -> np.ndarray:
        """Uncalibrated probabilities."""
        return self.classifier.predict_proba(self.design(frame))[:, 1]

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities of the positive class."""
        return self.calibrated.predict_proba(self.design(frame))[:, 1]

    def calibrate(self, raw_score: np.ndarray) -> np.ndarray:
        """Apply the fitted calibrator to raw scores (log-odds): what ``predict_proba`` does
        after the booster, without walking the trees twice. sklearn calibrates the
        ``decision_function`` (log-odds) when the estimator has one, else the probability."""
        (member,) = self.calibrated.calibrated_classifiers_
        (calibrator,) = member.calibrators
        response = (
            raw_score
            if hasattr(member.estimator, "decision_function")
            else 1.0 / (1.0 + np.exp(-raw_score))
        )
        return np.clip(np.asarray(calibrator.predict(response), dtype=float), 0.0, 1.0)

    def contributions(
        self, frame: pd.DataFrame, method: explain.Method = "auto"
    ) -> tuple[np.ndarray, str]:
        """Per-feature contributions (log-odds): one column per feature in ``self.features``
        plus the expected value last, and the method used (see ml/explain.py)."""
        return explain.contributions(self.classifier, self.design(frame), method)

    def score(
        self, frame: pd.DataFrame, method: explain.Method = "auto"
    ) -> tuple[np.ndarray, np.ndarray, str]:
        """Calibrated probabilities and contributions in one pass: the raw score is the sum of
        the contributions, so the booster is walked once."""
        contrib, used = self.contributions(frame, method)
        return self.calibrate(contrib.sum(axis=1)), contrib, used

    def feature_importance(self) -> pd.DataFrame:
        booster = self.classifier.booster_
        return (
            pd.DataFrame(
                {
                    "feature": booster.feature_name(),
                    "gain": booster.feature_importance("gain"),
                    "splits": booster.feature_importance("split"),
                }
            )
            .sort_values("gain", ascending=False)
            .reset_index(drop=True)
        )


def design_matrix(
    frame: pd.DataFrame, features: list[str], categories: dict[str, list[str]]
) -> pd.DataFrame:
    """Select the features; categorical columns get the training categories (unseen -> NaN)."""
    out = {}
    for c in features:
        col = frame[c]
        if c in categories:
            out[c] = pd.Categorical(col.astype("string").astype(object), categories=categories[c])
        elif pd.api.types.is_bool_dtype(col.dtype):
            out[c] = col.astype("float32")
        else:
            out[c] = _as_number(col)
    return pd.DataFrame(out, index=frame.index)


def _learn_categories(frame: pd.DataFrame, categorical: list[str]) -> dict[str, list[str]]:
    cats: dict[str, list[str]] = {}
    for c in categorical:
        values = frame[c].dropna().astype(str)
        cats[c] = sorted(values.unique().tolist())
    return cats


def labelled(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Rows whose label is known (the most recent periods have no outcome yet)."""
    return frame[frame[label].notna()]


def _fit(
    parts: dict[str, pd.DataFrame],
    spec: TrainSpec,
    feats: list[str],
    cats: list[str],
    params: dict[str, Any],
    names: dict[str, str],
) -> tuple[lgb.LGBMClassifier, CalibratedClassifierCV, dict[str, list[str]], dict[str, np.ndarray]]:
    """Fit the booster on ``train`` (early stopping on ``valid``) and calibrate it on ``valid``."""
    y = {k: v[spec.label].astype(int).to_numpy() for k, v in parts.items()}
    for k in ("train", "valid"):
        if len(np.unique(y[k])) < 2:
            raise ValueError(
                f"the {k} rows ({names[k]}) have only one label value; "
                "a classifier needs both outcomes"
            )
    categories = _learn_categories(parts["train"], cats)
    x_train = design_matrix(parts["train"], feats, categories)
    x_valid = design_matrix(parts["valid"], feats, categories)
    clf = lgb.LGBMClassifier(**params)
    clf.fit(
        x_train,
        y["train"],
        eval_X=(x_valid,),
        eval_y=(y["valid"],),
        eval_metric="binary_logloss",
        categorical_feature=cats or "auto",
        callbacks=[lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)],
    )
    # Calibrate on the validation rows with the fitted booster frozen (sklearn >= 1.6 API;
    # cv="prefit" is gone in 1.8).
    calibrated = CalibratedClassifierCV(FrozenEstimator(clf), method=spec.calibration)
    calibrated.fit(x_valid, y["valid"])
    return clf, calibrated, categories, y


def assign_folds(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold number (0 .. folds-1) of each row: stratified by the label, shuffled with ``seed``."""
    if folds < 3:
        raise ValueError(
            f"k-fold cross-validation needs at least 3 folds (train, validation, test); got {folds}"
        )
    counts = np.bincount(y.astype(int), minlength=2)
    if counts.min() < folds:
        raise ValueError(
            f"{folds}-fold cross-validation needs at least {folds} rows of each label value; "
            f"the data has {int(counts[0])} negatives and {int(counts[1])} positives"
        )
    out = np.empty(len(y), dtype=np.int64)
    for fold, (_, test_idx) in enumerate(
        StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    ):
        out[test_idx] = fold
    return out


def _train_cross_sectional(
    data: pd.DataFrame,
    spec: TrainSpec,
    feats: list[str],
    cats: list[str],
    params: dict[str, Any],
    t0: float,
) -> tuple[TrainedModel, dict[str, pd.DataFrame]]:
    y_all = data[spec.label].astype(int).to_numpy()
    k = spec.cv_folds
    fold = assign_folds(y_all, k, spec.cv_seed)
    label = [f"fold {i + 1}" for i in range(k)]
    per_fold: list[dict[str, Any]] = []
    kept = None
    for t in range(k):
        v = (t + 1) % k
        parts = {
            "train": data[(fold != t) & (fold != v)],
            "valid": data[fold == v],
            "test": data[fold == t],
        }
        names = {"train": "the other folds", "valid": label[v], "test": label[t]}
        clf, calibrated, categories, y = _fit(parts, spec, feats, cats, params, names)
        p = calibrated.predict_proba(design_matrix(parts["test"], feats, categories))[:, 1]
        auc = float(roc_auc_score(y["test"], p)) if len(np.unique(y["test"])) == 2 else float("nan")
        per_fold.append(
            {
                "fold": label[t],
                "rows": int(len(parts["test"])),
                "roc_auc": auc,
                "best_iteration": int(clf.best_iteration_ or params["n_estimators"]),
            }
        )
        kept = (parts, clf, calibrated, categories, y)
    parts, clf, calibrated, categories, y = kept  # type: ignore[misc]
    aucs = np.array([f["roc_auc"] for f in per_fold], dtype=float)
    # the kept model: test = the last fold, validation = the first, the rest trains
    split = Split(
        tuple(label[1 : k - 1]),
        (label[0],),
        (label[k - 1],),
        method=f"stratified {k}-fold cross-validation (seed {spec.cv_seed})",
    )
    model = TrainedModel(
        spec=spec,
        features=feats,
        categorical=cats,
        categories=categories,
        classifier=clf,
        calibrated=calibrated,
        params=params,
        split=split,
        best_iteration=int(clf.best_iteration_ or params["n_estimators"]),
        train_seconds=round(time.perf_counter() - t0, 2),
        info={
            "rows": {k_: int(len(v_)) for k_, v_ in parts.items()},
            "positives": {k_: int(v_.sum()) for k_, v_ in y.items()},
            "cv": {
                "folds": k,
                "seed": spec.cv_seed,
                "roc_auc_mean": float(np.nanmean(aucs)),
                "roc_auc_std": float(np.nanstd(aucs, ddof=1)) if k > 1 else 0.0,
                "roc_auc_min": float(np.nanmin(aucs)),
                "roc_auc_max": float(np.nanmax(aucs)),
                "per_fold": per_fold,
            },
        },
    )
    return model, parts


def train(
    frame: pd.DataFrame,
    spec: TrainSpec,
    params: dict[str, Any] | None = None,
    test: tuple[str, ...] | None = None,
) -> tuple[TrainedModel, dict[str, pd.DataFrame]]:
    """Fit a calibrated classifier out of time (or by k folds when ``spec.period_col`` is None).
    Returns the model and the split frames (``train``, ``valid``, ``test``) so the caller can
    evaluate on exactly those rows."""
    t0 = time.perf_counter()
    feats, cats = spec.resolve(frame)
    data = labelled(frame, spec.label)
    merged = {**DEFAULT_PARAMS, **(params or {})}
    if spec.period_col is None:
        if test is not None:
            raise ValueError("pinned test periods need a period column; this table has none")
        return _train_cross_sectional(data, spec, feats, cats, merged, t0)
    key = _period_key(data[spec.period_col])
    split = split_out_of_time(key, spec.valid_periods, spec.test_periods, spec.gap_periods, test)
    parts = {
        "train": data[key.isin(split.train_periods)],
        "valid": data[key.isin(split.valid_periods)],
        "test": data[key.isin(split.test_periods)],
    }
    names = {
        k: "periods " + ", ".join(getattr(split, k + "_periods"))
        for k in ("train", "valid", "test")
    }
    clf, calibrated, categories, y = _fit(parts, spec, feats, cats, merged, names)
    model = TrainedModel(
        spec=spec,
        features=feats,
        categorical=cats,
        categories=categories,
        classifier=clf,
        calibrated=calibrated,
        params=merged,
        split=split,
        best_iteration=int(clf.best_iteration_ or merged["n_estimators"]),
        train_seconds=round(time.perf_counter() - t0, 2),
        info={
            "rows": {k: int(len(v)) for k, v in parts.items()},
            "positives": {k: int(v.sum()) for k, v in y.items()},
        },
    )
    return model, parts
