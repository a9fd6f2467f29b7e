"""全网客户细分 — model-based segmentation of the in-service base on standardised behaviour and
value, named in business words from each segment's profile, the same segments every month.

Features (per subscriber-month, from ``main.mart_customer_tags_month``, in service at month end):
the 3-month average bill and the 3-month averages of voice minutes, data, active days, and the
tenure; money and volumes on a log scale (``log1p``), then standardised. Averaging over three
months keeps a subscriber's segment from following one month's noise.

One model for every month: the scaler and k-means are fitted once on the pooled subscriber-months
(a fixed sample, a fixed seed) and every month is assigned to the nearest centroid, so a segment
means the same thing in every month and a move between segments is a change of behaviour, not of
the model. Segments are numbered by their mean bill (1 = highest) and named by ``name_segments``
from their centroid's profile (z-scores), never from k-means' arbitrary label numbers.

Writes ``ml.customer_segments`` (one row per subscriber-month), ``ml.segment_profiles`` (one row
per segment) and ``ml.segment_stability`` (one row per pair of consecutive months); the mart
``mart_segment_migration`` (marts/scores/) reads the first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from ml import warehouse

SOURCE_TABLE = "mart_customer_tags_month"
N_SEGMENTS = 6
FIT_SAMPLE = 60_000
SEED = 0

# feature -> (column of the tags table, log scale)
FEATURES: dict[str, tuple[str, bool]] = {
    "value": ("revenue_3m_avg_yuan", True),
    "voice": ("mou", True),
    "data": ("dou_mb", True),
    "activity": ("active_days", False),
    "tenure": ("tenure_months", True),
}
SMOOTHED = ("mou", "dou_mb", "active_days")  # averaged over the month and the two before

# A profile word applies when the centroid is this many standard deviations from the mean.
HIGH, LOW = 0.5, -0.5


def load_base() -> pd.DataFrame:
    """In-service subscriber-months with the raw measures the features read."""
    cols = sorted(
        {c for c, _ in FEATURES.values()} | {"subs_id", "period_month", "prov_code", "package_code"}
    )
    with warehouse.connect(read_only=True) as con:
        if not warehouse.table_exists(con, "main", SOURCE_TABLE):
            raise LookupError(
                f"the warehouse has no main.{SOURCE_TABLE}: build the customer tags first "
                "(`jingfen build`)"
            )
        frame = con.execute(
            f"select {', '.join(cols)}, is_in_service from main.{SOURCE_TABLE}"
        ).df()
    frame["period_month"] = pd.to_datetime(frame["period_month"])
    return frame


def feature_matrix(base: pd.DataFrame) -> pd.DataFrame:
    """The in-service rows with one column per feature (before standardising)."""
    b = base.sort_values(["subs_id", "period_month"]).reset_index(drop=True)
    for c in SMOOTHED:
        b[c] = (
            b[c]
            .astype(float)
            .fillna(0)
            .groupby(b["subs_id"])
            .transform(lambda s: s.rolling(3, min_periods=1).mean())
        )
    b = b[b["is_in_service"].astype(bool)].reset_index(drop=True)
    out = b[["subs_id", "period_month", "prov_code", "package_code"]].copy()
    for name, (col, log) in FEATURES.items():
        x = b[col].astype(float).fillna(0).clip(lower=0)
        out[name] = np.log1p(x) if log else x
    return out


def name_segments(profiles: pd.DataFrame) -> pd.DataFrame:
    """Business names from the centroid z-scores (columns value, voice, data, activity, tenure;
    one row per segment, in segment order). Deterministic: the same profiles give the same
    names whatever order or label numbers the clustering produced.

    Rule: 新入网 first when tenure <= -1.5; a value word (高/中/低价值 by value >= 0.5, <= -0.5,
    between); a behaviour word (沉默 when activity <= -3, 低活跃 when <= -1; else 语音流量双高
    when voice and data >= 0.5; else 流量型 or 语音型 for the larger of the two when it is
    >= 0.5; else 均衡型); then 客户. Segments that would share a name are numbered (一, 二, ...)
    by their profile (higher value first), not by their row."""
    rows = []
    for _, p in profiles.iterrows():
        t_zh, t_en = ("新入网", "new ") if p["tenure"] <= -1.5 else ("", "")
        if p["value"] >= HIGH:
            v_zh, v_en = "高价值", "high-value"
        elif p["value"] <= LOW:
            v_zh, v_en = "低价值", "low-value"
        else:
            v_zh, v_en = "中价值", "mid-value"
        if p["activity"] <= -3:
            b_zh, b_en = "沉默", "silent"
        elif p["activity"] <= -1:
            b_zh, b_en = "低活跃", "low-activity"
        elif p["voice"] >= HIGH and p["data"] >= HIGH:
            b_zh, b_en = "语音流量双高", "heavy voice and data"
        elif max(p["voice"], p["data"]) >= HIGH:
            b_zh, b_en = (
                ("流量型", "data-centric")
                if p["data"] >= p["voice"]
                else ("语音型", "voice-centric")
            )
        else:
            b_zh, b_en = "均衡型", "balanced"
        rows.append({"zh": f"{t_zh}{v_zh}{b_zh}客户", "en": f"{t_en}{v_en} {b_en}"})
    names = pd.DataFrame(rows, index=profiles.index)
    numerals = "一二三四五六七八九十"
    for _, group in names.groupby("zh", sort=False):
        if len(group) > 1:
            ranked = profiles.loc[group.index].sort_values(list(profiles.columns), ascending=False)
            for rank, idx in enumerate(ranked.index):
                names.loc[idx, "zh"] = f"{names.loc[idx, 'zh']}（{numerals[rank]}）"
                names.loc[idx, "en"] = f"{names.loc[idx, 'en']} ({rank + 1})"
    return names.rename(columns={"zh": "segment_name_zh", "en": "segment_name_en"})


def fit_segments(features: pd.DataFrame, k: int = N_SEGMENTS) -> dict[str, Any]:
    """Fit the scaler and k-means on a fixed sample of the pooled rows; assign every row.
    Returns the assigned rows and the profiles (segment 1 = highest mean bill)."""
    cols = list(FEATURES)
    x = features[cols].to_numpy(dtype=float)
    rng = np.random.default_rng(SEED)
    fit_idx = np.sort(rng.choice(len(x), size=min(FIT_SAMPLE, len(x)), replace=False))
    scaler = StandardScaler().fit(x[fit_idx])
    z = scaler.transform(x)
    km = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(z[fit_idx])
    centres = pd.DataFrame(km.cluster_centers_, columns=cols)
    # number the segments by mean bill, highest first (ties by the other features, for order)
    order = centres.sort_values(cols, ascending=False, kind="stable").index.to_numpy()
    segment_of_label = np.empty(k, dtype=np.int64)
    segment_of_label[order] = np.arange(1, k + 1)
    assigned = features[["subs_id", "period_month", "prov_code"]].copy()
    assigned["segment_id"] = segment_of_label[km.predict(z)]
    # what "nothing changed" is read from (stability), not written to the segment table
    if "package_code" in features:
        assigned["package_code"] = features["package_code"]
    assigned["value"] = features["value"]
    profiles = centres.loc[order].reset_index(drop=True)
    profiles.insert(0, "segment_id", np.arange(1, k + 1))
    profiles = pd.concat([profiles, name_segments(profiles[cols])], axis=1)
    means = (
        features.assign(segment_id=assigned["segment_id"])
        .groupby("segment_id")
        .agg(
            subscriber_months=("subs_id", "size"),
            mean_log_value=("value", "mean"),
            mean_log_voice=("voice", "mean"),
            mean_log_data=("data", "mean"),
            mean_active_days=("activity", "mean"),
            mean_log_tenure=("tenure", "mean"),
        )
        .reset_index()
    )
    profiles = profiles.rename(columns={c: f"z_{c}" for c in cols}).merge(means, on="segment_id")
    # back to business units for the profile a person reads
    for name, unit in (("value", "arpu_yuan"), ("voice", "mou"), ("data", "dou_mb")):
        profiles[f"mean_{unit}"] = np.expm1(profiles.pop(f"mean_log_{name}")).round(2)
    profiles["mean_tenure_months"] = np.expm1(profiles.pop("mean_log_tenure")).round(1)
    profiles["mean_active_days"] = profiles["mean_active_days"].round(1)
    names = profiles.set_index("segment_id")[["segment_name_zh", "segment_name_en"]]
    assigned = assigned.join(names, on="segment_id")
    return {"assigned": assigned, "profiles": profiles, "inertia": float(km.inertia_)}


def stability(assigned: pd.DataFrame) -> pd.DataFrame:
    """For each pair of consecutive months: subscribers segmented in both, the share that kept
    their segment, the same among those for whom nothing changed (same package, 3-month bill
    within 10%; when ``assigned`` has package_code and value), and the share two random
    assignments with the same segment sizes would keep (sum of squared shares), the level a
    meaningless segmentation reaches."""
    months = sorted(assigned["period_month"].unique())
    rows = []
    for a, b in zip(months, months[1:], strict=False):
        if pd.Timestamp(b) != pd.Timestamp(a) + pd.DateOffset(months=1):
            continue
        cols = [c for c in ("subs_id", "segment_id", "package_code", "value") if c in assigned]
        pa_ = assigned.loc[assigned.period_month == a, cols]
        pb = assigned.loc[assigned.period_month == b, cols]
        both = pa_.merge(pb, on="subs_id", suffixes=("_from", "_to"))
        if both.empty:
            continue
        same = both.segment_id_from == both.segment_id_to
        kept = int(same.sum())
        if "value" in cols and "package_code" in cols:
            # value is log1p(bill): a change within 10% either way
            steady = (both.package_code_from == both.package_code_to) & (
                (both.value_to - both.value_from).abs() <= np.log(1.1)
            )
            kept_steady = round(float(same[steady].mean()), 5) if steady.any() else None
            n_steady = int(steady.sum())
        else:
            kept_steady, n_steady = None, 0
        shares = both.segment_id_from.value_counts(normalize=True)
        rows.append(
            {
                "from_month": pd.Timestamp(a).date(),
                "to_month": pd.Timestamp(b).date(),
                "subscribers_both": len(both),
                "subscribers_kept": kept,
                "share_kept": round(kept / len(both), 5),
                "subscribers_unchanged": n_steady,
                "share_kept_unchanged": kept_steady,
                "share_kept_by_chance": round(float((shares**2).sum()), 5),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "from_month",
            "to_month",
            "subscribers_both",
            "subscribers_kept",
            "share_kept",
            "subscribers_unchanged",
            "share_kept_unchanged",
            "share_kept_by_chance",
        ],
    )


def segment_customers(k: int = N_SEGMENTS) -> dict[str, Any]:
    """Fit, assign every month, and write ml.customer_segments, ml.segment_profiles and
    ml.segment_stability (each replaced whole: one model for all months)."""
    features = feature_matrix(load_base())
    if features.empty:
        raise LookupError(f"main.{SOURCE_TABLE} has no subscriber in service: nothing to segment")
    fitted = fit_segments(features, k)
    stamp = datetime.now(UTC).replace(tzinfo=None)
    stab = stability(fitted["assigned"]).assign(computed_at=stamp)
    assigned = fitted["assigned"].drop(columns=["package_code", "value"], errors="ignore")
    assigned["period_month"] = assigned["period_month"].dt.date
    assigned["subs_id"] = assigned["subs_id"].astype("string")
    assigned["computed_at"] = stamp
    profiles = fitted["profiles"].assign(computed_at=stamp)
    with warehouse.connect() as con:
        warehouse.replace_partition(con, "customer_segments", assigned)
        warehouse.replace_partition(con, "segment_profiles", profiles)
        warehouse.replace_partition(con, "segment_stability", stab)
    return {
        "subscriber_months": len(assigned),
        "months": int(assigned["period_month"].nunique()),
        "segments": profiles[["segment_id", "segment_name_zh", "subscriber_months"]].to_dict(
            orient="records"
        ),
        "mean_share_kept": round(float(stab["share_kept"].mean()), 4) if len(stab) else None,
        "mean_share_kept_unchanged": round(float(stab["share_kept_unchanged"].mean()), 4)
        if len(stab)
        else None,
        "mean_share_kept_by_chance": round(float(stab["share_kept_by_chance"].mean()), 4)
        if len(stab)
        else None,
    }
