"""渠道评级 — the channel scorecard (AHP weights, grades A/B/C/D per month), a k-means
comparison beside it, and 养卡 (card-farming) flags from the behaviour of acquired subscribers.

For each rating month P and channel, the indicators look at the subscribers the channel opened
in the ``window_months`` months up to P, as far as they were observable at the end of P
(survival at 3 and 6 months from the latest cohorts old enough). Everything is computed from the
star schema (fct_subscriber_month, fct_channel_month, dim_channel) and written to
``ml.channel_ratings`` and ``ml.channel_fraud_flags``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from jingfen.config import REPO_ROOT, settings
from ml import ahp, warehouse

CONFIG_PATH = REPO_ROOT / "config" / "channel_ahp.yaml"


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    direction: str  # "higher" or "lower" is better


@dataclass(frozen=True)
class ScorecardConfig:
    indicators: tuple[Indicator, ...]
    weights: np.ndarray
    cr: float
    window_months: int
    min_new_subs: int
    grades: dict[str, float]
    clusters: int
    fraud: dict[str, float]


def load_config(path: Path = CONFIG_PATH) -> ScorecardConfig:
    """Read and check the scorecard configuration (AHP consistency included)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    inds = tuple(Indicator(**i) for i in raw["indicators"])
    for i in inds:
        if i.direction not in ("higher", "lower"):
            raise ValueError(
                f"{path}: indicator {i.code} has direction {i.direction!r}; use higher or lower"
            )
    if len(raw["matrix"]) != len(inds):
        raise ValueError(
            f"{path}: the matrix has {len(raw['matrix'])} rows but there are {len(inds)} indicators"
        )
    result = ahp.weights(raw["matrix"], source=str(path))
    grades = {str(k): float(v) for k, v in raw["grades"].items()}
    if abs(sum(grades.values()) - 1) > 1e-6:
        raise ValueError(
            f"{path}: grade shares must add up to 1, they add up to {sum(grades.values())}"
        )
    return ScorecardConfig(
        inds,
        result.weights,
        result.cr,
        int(raw["window_months"]),
        int(raw["min_new_subs"]),
        grades,
        int(raw.get("clusters", 4)),
        {k: float(v) for k, v in raw["fraud"].items()},
    )


def acquired_lines(con: Any) -> pd.DataFrame:
    """One row per acquired subscriber: channel, cohort month and its first seven months
    (offset 0 = the opening month) of in-service, churn, usage, revenue and complaints."""
    offsets = range(0, 7)
    cols = ",\n".join(
        f"""max(case when s.month_start = a.cohort_month + interval {k} month then s.is_in_service::int end) as in_service_{k},
        max(case when s.month_start = a.cohort_month + interval {k} month then s.mou end) as mou_{k},
        max(case when s.month_start = a.cohort_month + interval {k} month then s.dou_mb end) as dou_{k},
        max(case when s.month_start = a.cohort_month + interval {k} month then s.revenue_yuan end)::double as revenue_{k},
        max(case when s.month_start = a.cohort_month + interval {k} month then s.complaint_cnt end) as complaints_{k}"""
        for k in offsets
    )
    sql = f"""
    with sm as (
        select subs_id, channel_id, month_start, is_new, is_in_service, mou, dou_mb, revenue_yuan, complaint_cnt
        from main.fct_subscriber_month
    ),
    acq as (
        select subs_id, channel_id, month_start as cohort_month from sm where is_new
    )
    select a.subs_id, a.channel_id, a.cohort_month, {cols}
    from acq as a
    join sm as s
        on s.subs_id = a.subs_id
        and s.month_start >= a.cohort_month
        and s.month_start <= a.cohort_month + interval 6 month
    group by a.subs_id, a.channel_id, a.cohort_month
    """
    return con.execute(sql).df()


def indicators_for_month(
    lines: pd.DataFrame, commissions: pd.DataFrame, period: pd.Timestamp, cfg: ScorecardConfig
) -> pd.DataFrame:
    """The indicator values of every channel for rating month ``period`` (pure)."""
    w = cfg.window_months
    cohort = pd.to_datetime(lines["cohort_month"])
    age = (period.year - cohort.dt.year) * 12 + (period.month - cohort.dt.month)
    ln = lines.assign(age=age.to_numpy())
    recent = ln[(ln.age >= 0) & (ln.age < w)]
    # usage and revenue of the first three months, as far as observed by the end of `period`
    seen = [k for k in range(3)]

    def first3(prefix: str, frame: pd.DataFrame, how: str) -> pd.Series:
        cols = np.stack([frame[f"{prefix}_{k}"].to_numpy(dtype=float) for k in seen], axis=1)
        visible = np.stack([(frame.age.to_numpy() >= k) for k in seen], axis=1)
        cols = np.where(visible, cols, np.nan)
        with np.errstate(all="ignore"):
            return pd.Series(
                np.nanmean(cols, axis=1) if how == "mean" else np.nansum(cols, axis=1),
                index=frame.index,
            )

    f = cfg.fraud
    recent = recent.assign(
        revenue_3m=first3("revenue", recent, "sum"),
        complaints_3m=first3("complaints", recent, "sum"),
        avg_mou=first3("mou", recent, "mean"),
        avg_dou=first3("dou", recent, "mean"),
    )
    recent = recent.assign(
        dead=(
            (recent.avg_mou.fillna(0) <= f["max_usage_mou"])
            & (recent.avg_dou.fillna(0) <= f["max_usage_dou_mb"])
        ).astype(float),
        early_churn=np.where(
            recent.age >= 1,
            1.0
            - recent[[f"in_service_{k}" for k in range(1, 4)]].min(axis=1, skipna=True).fillna(1.0),
            np.nan,
        ),
    )
    g = recent.groupby("channel_id")
    out = pd.DataFrame(
        {
            "new_subs": g.size(),
            "acquired_revenue_yuan": g.revenue_3m.sum(),
            "complaint_rate": g.complaints_3m.sum() / g.size(),
            "zero_usage_rate": g.dead.mean(),
            "early_churn_rate": g.early_churn.mean(),
            "new_subs_last_3m": recent[recent.age < 3].groupby("channel_id").size(),
            "new_subs_prior_3m": recent[(recent.age >= 3) & (recent.age < 6)]
            .groupby("channel_id")
            .size(),
        }
    )
    for m in (3, 6):
        obs = ln[(ln.age >= m) & (ln.age < m + w)]
        out[f"survival_m{m}"] = obs.groupby("channel_id")[f"in_service_{m}"].apply(
            lambda s: s.fillna(0).mean()
        )
    out[["new_subs_last_3m", "new_subs_prior_3m"]] = out[
        ["new_subs_last_3m", "new_subs_prior_3m"]
    ].fillna(0)
    out["growth"] = np.where(
        out.new_subs_prior_3m > 0,
        out.new_subs_last_3m / out.new_subs_prior_3m.replace(0, np.nan) - 1,
        np.nan,
    )
    cm = commissions.copy()
    cm_age = (period.year - cm.month_start.dt.year) * 12 + (period.month - cm.month_start.dt.month)
    cm = cm[(cm_age >= 0) & (cm_age < w)].groupby("channel_id").commission_yuan.sum()
    out["commission_yuan"] = cm.reindex(out.index).fillna(0.0)
    out["commission_to_revenue"] = out.commission_yuan / out.acquired_revenue_yuan.where(
        out.acquired_revenue_yuan > 0
    )
    out = out[out.new_subs > 0].reset_index().rename(columns={"index": "channel_id"})
    out.insert(0, "period_month", period.date())
    return out


def score_month(ind: pd.DataFrame, cfg: ScorecardConfig) -> pd.DataFrame:
    """Percentile scores, weighted score, grade and cluster for one month's indicators (pure)."""
    out = ind.copy()
    rated = out.new_subs >= cfg.min_new_subs
    out["is_rated"] = rated
    total = np.zeros(len(out))
    for ind_def, weight in zip(cfg.indicators, cfg.weights, strict=True):
        x = out[ind_def.code].where(rated)
        pct = x.rank(pct=True, method="average")
        if ind_def.direction == "lower":
            pct = 1 - pct + 1 / max(rated.sum(), 1)
        pct = pct.fillna(0.5).where(rated)  # a missing indicator scores the middle
        out[f"score_{ind_def.code}"] = (100 * pct).round(2)
        total = total + weight * np.nan_to_num(pct.to_numpy(dtype=float), nan=0.0)
    out["score"] = np.where(rated, (100 * total).round(2), np.nan)
    out["rank_in_period"] = out["score"].rank(ascending=False, method="first").astype("Int64")
    n = int(rated.sum())
    cut, grade = [], np.full(len(out), None, dtype=object)
    acc = 0.0
    for g, share in cfg.grades.items():
        acc += share
        cut.append((g, acc))
    position = (out["rank_in_period"].astype("float") - 0.5) / max(n, 1)
    for i, pos in enumerate(position):
        if not rated.iloc[i] or np.isnan(pos):
            continue
        grade[i] = next(g for g, c in cut if pos <= c + 1e-9)
    out["grade"] = grade
    out["cluster"] = pd.array([pd.NA] * len(out), dtype="Int64")
    codes = [i.code for i in cfg.indicators]
    if n >= cfg.clusters * 2:
        x = out.loc[rated, codes].astype(float)
        x = x.fillna(x.median()).fillna(0.0)
        z = StandardScaler().fit_transform(x)
        labels = KMeans(n_clusters=cfg.clusters, n_init=10, random_state=0).fit_predict(z)
        # number clusters by their mean score, 1 = best, so they read beside the grades
        means = (
            pd.Series(out.loc[rated, "score"].to_numpy())
            .groupby(labels)
            .mean()
            .sort_values(ascending=False)
        )
        relabel = {old: new + 1 for new, old in enumerate(means.index)}
        out.loc[rated, "cluster"] = [relabel[k] for k in labels]
    return out


def fraud_flags(ind: pd.DataFrame, channel_prov: pd.Series, cfg: ScorecardConfig) -> pd.DataFrame:
    """养卡 flags for one month: many dead lines, far above the province's other channels."""
    f = cfg.fraud
    x = ind[ind.new_subs >= f["min_new_subs"]].copy()
    x["prov_code"] = x.channel_id.map(channel_prov)
    med = x.groupby("prov_code").zero_usage_rate.transform("median")
    mad = x.groupby("prov_code").zero_usage_rate.transform(
        lambda s: (s - s.median()).abs().median()
    )
    x["robust_z"] = (x.zero_usage_rate - med) / np.maximum(1.4826 * mad, 0.05)
    x["is_flagged"] = (x.zero_usage_rate >= f["min_dead_share"]) & (x.robust_z >= f["robust_z"])
    flagged = x[x.is_flagged].copy()
    flagged["reason_zh"] = [
        f"新发展 {int(n)} 户中 {r:.0%} 几乎零使用 (省内渠道中位数 {m:.0%}), 早期离网 {c:.0%}"
        for n, r, m, c in zip(
            flagged.new_subs,
            flagged.zero_usage_rate,
            med[flagged.index],
            flagged.early_churn_rate.fillna(0),
            strict=True,
        )
    ]
    flagged["reason_en"] = [
        f"{r:.0%} of {int(n)} new lines almost unused (province median {m:.0%}); {c:.0%} left within 3 months"
        for n, r, m, c in zip(
            flagged.new_subs,
            flagged.zero_usage_rate,
            med[flagged.index],
            flagged.early_churn_rate.fillna(0),
            strict=True,
        )
    ]
    return flagged[
        [
            "period_month",
            "channel_id",
            "prov_code",
            "new_subs",
            "zero_usage_rate",
            "early_churn_rate",
            "commission_to_revenue",
            "robust_z",
            "reason_zh",
            "reason_en",
        ]
    ].reset_index(drop=True)


def fraud_recall(flags: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    """Recall of the planted fraudulent dealers (flagged in any month from their start month on)
    and the channels flagged that were not planted."""
    truth = truth.copy()
    truth["start"] = pd.to_datetime(truth["start_month"].astype(str) + "-01")
    flagged = flags.assign(period=pd.to_datetime(flags.period_month))
    caught = []
    for _, t in truth.iterrows():
        hit = flagged[(flagged.channel_id == t.channel_id) & (flagged.period >= t.start)]
        caught.append(
            {
                "channel_id": t.channel_id,
                "start_month": str(t.start_month),
                "first_flagged": hit.period.min().strftime("%Y-%m") if len(hit) else None,
            }
        )
    planted = set(truth.channel_id)
    false = sorted(set(flagged.channel_id) - planted)
    found = sum(1 for c in caught if c["first_flagged"])
    return {
        "planted": len(planted),
        "caught": found,
        "recall": found / len(planted) if planted else None,
        "false_flags": len(false),
        "false_flag_channels": false[:50],
        "dealers": caught,
    }


def rate_channels(months: list[date] | None = None, config: Path = CONFIG_PATH) -> dict[str, Any]:
    """Compute and write ``ml.channel_ratings`` and ``ml.channel_fraud_flags`` for ``months``
    (default: every month in the warehouse); return a summary incl. fraud recall on simulated data."""
    cfg = load_config(config)
    with warehouse.connect(read_only=True) as con:
        for t in ("fct_subscriber_month", "fct_channel_month", "dim_channel"):
            if not warehouse.table_exists(con, "main", t):
                raise LookupError(
                    f"the warehouse has no main.{t}: build the star schema first (`jingfen build`)"
                )
        lines = acquired_lines(con)
        commissions = con.execute(
            "select channel_id, month_start, commission_yuan from main.fct_channel_month"
        ).df()
        channels = con.execute(
            "select channel_id, prov_code, city_code, channel_type_code, level1_code from main.dim_channel"
        ).df()
        all_months = [
            r[0]
            for r in con.execute(
                "select distinct month_start from main.fct_subscriber_month order by 1"
            ).fetchall()
        ]
    commissions["month_start"] = pd.to_datetime(commissions["month_start"])
    months = months or all_months
    ratings, flags = [], []
    prov = channels.set_index("channel_id").prov_code
    for m in months:
        ind = indicators_for_month(lines, commissions, pd.Timestamp(m), cfg)
        if ind.empty:
            continue
        ratings.append(score_month(ind, cfg))
        flags.append(fraud_flags(ind, prov, cfg))
    stamp = datetime.now(UTC).replace(tzinfo=None)
    rating_cols = ["period_month", "channel_id"]
    r = pd.concat(ratings, ignore_index=True) if ratings else pd.DataFrame(columns=rating_cols)
    r = r.merge(channels, on="channel_id", how="left")
    r["computed_at"] = stamp
    fl = (
        pd.concat(flags, ignore_index=True)
        if flags
        else pd.DataFrame(columns=["period_month", "channel_id"])
    )
    fl["computed_at"] = stamp
    with warehouse.connect() as con:
        warehouse.replace_partition(con, "channel_ratings", r, key="period_month")
        if warehouse.table_exists(con, warehouse.SCHEMA, "channel_fraud_flags"):
            # a re-rated month that no longer flags a channel must lose its old flag
            con.execute(
                "delete from ml.channel_fraud_flags where period_month in ("
                + ",".join(f"date '{pd.Timestamp(m).date().isoformat()}'" for m in months)
                + ")"
            )
        if len(fl):
            warehouse.replace_partition(con, "channel_fraud_flags", fl, key="period_month")
        elif not warehouse.table_exists(con, warehouse.SCHEMA, "channel_fraud_flags"):
            # an empty table with the documented columns, so the mart has something to read
            warehouse.replace_partition(con, "channel_fraud_flags", _empty_flags())
    summary: dict[str, Any] = {
        "months": [str(m) for m in months],
        "channels_rated": int(r["is_rated"].sum()) if "is_rated" in r else 0,
        "weights": {
            i.code: round(float(w), 4) for i, w in zip(cfg.indicators, cfg.weights, strict=True)
        },
        "consistency_ratio": round(cfg.cr, 4),
        "grades_latest": r[r.period_month == r.period_month.max()].grade.value_counts().to_dict()
        if len(r)
        else {},
        "flags": int(len(fl)),
        "flagged_channels": sorted(set(fl.channel_id)) if len(fl) else [],
    }
    truth = settings().paths.truth / "fraud_dealers.csv"
    if truth.exists():
        summary["fraud_truth"] = fraud_recall(fl, pd.read_csv(truth, dtype=str))
    return summary


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_month": pd.Series(dtype="datetime64[us]"),
            "channel_id": pd.Series(dtype="string"),
            "prov_code": pd.Series(dtype="string"),
            "new_subs": pd.Series(dtype="int64"),
            "zero_usage_rate": pd.Series(dtype="float64"),
            "early_churn_rate": pd.Series(dtype="float64"),
            "commission_to_revenue": pd.Series(dtype="float64"),
            "robust_z": pd.Series(dtype="float64"),
            "reason_zh": pd.Series(dtype="string"),
            "reason_en": pd.Series(dtype="string"),
            "computed_at": pd.Series(dtype="datetime64[us]"),
        }
    )
