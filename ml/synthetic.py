"""Synthetic subscriber-month frames with a known churn probability, for tests and the benchmark.

The columns follow the churn feature table (``ml_churn_features``) so the same code paths run on
them; ``truth_p_churn`` is the probability the label was drawn from (the best any model can do).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PROVINCES = ("11", "31", "44", "51", "65")
PACKAGES = ("P4G008", "P4G019", "P4G039", "P5G129", "P5G199")


def churn_frame(n_subscribers: int = 5000, n_months: int = 8, seed: int = 0) -> pd.DataFrame:
    """``n_subscribers * n_months`` rows: one per subscriber per month, label drawn from a known
    logistic model of the features (contract ending, falling usage, complaints and arrears raise
    the risk; tenure and postpaid lower it)."""
    rng = np.random.default_rng(seed)
    n = n_subscribers * n_months
    subs = np.repeat(np.arange(n_subscribers), n_months)
    month_idx = np.tile(np.arange(n_months), n_subscribers)
    months = pd.date_range("2025-01-01", periods=n_months, freq="MS")
    base_tenure = rng.integers(0, 120, n_subscribers)
    pay_type = rng.choice(["1", "2"], n_subscribers, p=[0.6, 0.4])
    prov = rng.choice(PROVINCES, n_subscribers)
    package = rng.choice(PACKAGES, n_subscribers)
    base_arpu = rng.gamma(3.0, 20.0, n_subscribers)

    tenure = base_tenure[subs] + month_idx
    mou_chg_3m = np.clip(rng.normal(0.0, 0.35, n), -1, 3)
    dou_chg_3m = np.clip(rng.normal(0.0, 0.35, n), -1, 3)
    arpu = base_arpu[subs] * np.exp(rng.normal(0, 0.1, n))
    arpu_chg_3m = rng.normal(0, 0.15, n)
    complaints = rng.poisson(0.15, n)
    network_complaints = rng.binomial(complaints, 0.5)
    arrears = np.where(rng.random(n) < 0.08, rng.gamma(2.0, 30.0, n), 0.0)
    late = rng.binomial(6, 0.05, n)
    has_contract = rng.random(n_subscribers) < 0.35
    contract_left = np.where(
        has_contract[subs],
        np.maximum(0, rng.integers(0, 24, n_subscribers)[subs] - month_idx),
        np.nan,
    )
    cell_drop = rng.gamma(2.0, 0.4, n)
    is_prepaid = pay_type[subs] == "1"

    logit = (
        -3.6
        - 0.012 * np.minimum(tenure, 60)
        - 2.2 * np.minimum(mou_chg_3m, 0.5)
        - 1.2 * np.minimum(dou_chg_3m, 0.5)
        + 0.45 * complaints
        + 0.5 * network_complaints
        + 0.012 * np.minimum(arrears, 150)
        + 0.35 * late
        + np.where(contract_left <= 1, 1.4, 0.0)
        + 0.25 * cell_drop
        + 0.6 * is_prepaid
        - 1.5 * arpu_chg_3m
        + np.where(prov[subs] == "65", 0.4, 0.0)
    )
    p = 1.0 / (1.0 + np.exp(-logit))
    label = rng.random(n) < p
    return pd.DataFrame(
        {
            "subs_id": pd.array([f"S{i:08d}" for i in subs], dtype="string"),
            "month": months[month_idx],
            "prov_code": pd.array(prov[subs], dtype="string"),
            "pay_type": pd.array(pay_type[subs], dtype="string"),
            "package_code": pd.array(package[subs], dtype="string"),
            "tenure_months": tenure.astype("int64"),
            "arpu_yuan": arpu.round(2),
            "arpu_chg_3m": arpu_chg_3m,
            "mou_chg_3m": mou_chg_3m,
            "dou_chg_3m": dou_chg_3m,
            "complaint_cnt_3m": complaints.astype("int64"),
            "network_complaint_cnt_3m": network_complaints.astype("int64"),
            "arrears_yuan": arrears.round(2),
            "late_payment_cnt_6m": late.astype("int64"),
            "contract_months_left": contract_left,
            "main_cell_drop_rate": cell_drop,
            "noise_1": rng.normal(size=n),
            "label_churn": label,
            "truth_p_churn": p,
        }
    )


def cross_sectional_frame(
    n_subscribers: int = 8000, seed: int = 0, blank_share: float = 0.1
) -> pd.DataFrame:
    """One row per subscriber and no time column (a cross-sectional table), with two numeric
    columns as a CSV read as text would give them: ``mou_chg_3m`` with ``blank_share`` of its
    cells blank, ``contract_months_left`` blank where there is no contract. The label and
    ``truth_p_churn`` are those of ``churn_frame`` (drawn from the values before blanking)."""
    rng = np.random.default_rng(seed + 1)
    frame = churn_frame(n_subscribers, n_months=1, seed=seed).drop(columns=["month"])

    def as_text(values: pd.Series, blank: np.ndarray) -> pd.Series:
        text = values.map(lambda v: "" if pd.isna(v) else f"{v:.3f}").astype(object)
        text[blank] = ""
        return text

    frame["mou_chg_3m"] = as_text(frame["mou_chg_3m"], rng.random(len(frame)) < blank_share)
    frame["contract_months_left"] = as_text(
        frame["contract_months_left"], np.zeros(len(frame), dtype=bool)
    )
    return frame
