"""Population stability (PSI) of the score and the top features between months.

PSI = sum over bins of (a - e) * ln(a / e), with the bins fixed on the reference month (ten
equal-count bins of the reference; categories for strings). Usual reading: < 0.1 stable,
0.1-0.25 watch, > 0.25 shifted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EPS = 1e-4
THRESHOLDS = ((0.1, "stable"), (0.25, "watch"))


def psi(reference: pd.Series, current: pd.Series, bins: int = 10) -> float:
    """PSI of ``current`` against ``reference`` (NaN/None is its own bin)."""
    if len(reference) == 0 or len(current) == 0:
        return float("nan")
    if pd.api.types.is_numeric_dtype(reference.dtype) and not pd.api.types.is_bool_dtype(
        reference.dtype
    ):
        ref = pd.to_numeric(reference, errors="coerce").astype("float64")
        cur = pd.to_numeric(current, errors="coerce").astype("float64")
        edges = (
            np.unique(np.nanquantile(ref.dropna(), np.linspace(0, 1, bins + 1)))
            if ref.notna().any()
            else np.array([0.0])
        )
        inner = edges[1:-1]

        def shares(x: pd.Series) -> np.ndarray:
            vals = x.to_numpy()
            idx = np.where(
                np.isnan(vals), len(inner) + 1, np.searchsorted(inner, vals, side="right")
            )
            counts = np.bincount(idx.astype(int), minlength=len(inner) + 2)
            return counts / counts.sum()

        e, a = shares(ref), shares(cur)
    else:
        ref_s = reference.astype("string").fillna("(null)")
        cur_s = current.astype("string").fillna("(null)")
        cats = sorted(set(ref_s.unique()) | set(cur_s.unique()))
        e = ref_s.value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
        a = cur_s.value_counts(normalize=True).reindex(cats, fill_value=0).to_numpy()
    e = np.clip(e, EPS, None)
    a = np.clip(a, EPS, None)
    return float(np.sum((a - e) * np.log(a / e)))


def status(value: float) -> str:
    if np.isnan(value):
        return "n/a"
    for limit, name in THRESHOLDS:
        if value < limit:
            return name
    return "shifted"


def drift_table(frame: pd.DataFrame, period_col: str, columns: list[str]) -> pd.DataFrame:
    """PSI of each column between each period and the one before it:
    ``period, reference_period, variable, psi, status``."""
    periods = sorted(frame[period_col].dropna().unique())
    rows = []
    for prev, cur in zip(periods[:-1], periods[1:], strict=False):
        ref = frame[frame[period_col] == prev]
        now = frame[frame[period_col] == cur]
        for col in columns:
            value = psi(ref[col], now[col])
            rows.append(
                {
                    "period": cur,
                    "reference_period": prev,
                    "variable": col,
                    "psi": round(value, 5),
                    "status": status(value),
                }
            )
    return pd.DataFrame(rows, columns=["period", "reference_period", "variable", "psi", "status"])
