"""The model flows: monthly scoring and retraining.

``ml-score`` (nightly, after the warehouse build and before the score-dependent marts):
1. score     — the champion scores every in-service subscriber of the month into ml.churn_scores
               (probability, risk decile, top three reasons) and PSI drift into ml.score_drift;
2. channels  — 渠道评级 scorecard and 养卡 flags into ml.channel_ratings / ml.channel_fraud_flags;
3. segments  — 全网客户细分: one k-means model over every month of mart_customer_tags_month into
               ml.customer_segments, ml.segment_profiles and ml.segment_stability;
4. rules     — the retention rule table into ml.retention_rules (read by the retention mart).
Then the nightly flow builds the score marts: ``dbt build --select marts/scores+``.

``ml-retrain`` (monthly): train a challenger, compare it with the champion on the same test
months, write the HTML report, promote it only if better by the margin, then re-score.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import IO_TASK


@task(name="ml-score-churn", **IO_TASK)
def score_churn(month: str | None) -> dict[str, Any]:
    from ml import churn
    from ml.warehouse import month_start

    out = churn.score(month_start(month))
    get_run_logger().info(
        "scored %d subscribers of %s with %s (mean p %.4f) in %.1f s",
        out["rows"],
        out["month"],
        out["model_version"],
        out["mean_p_churn"] or 0,
        out["seconds"]["total"],
    )
    return out


@task(name="ml-rate-channels", **IO_TASK)
def rate_channels(month: str | None) -> dict[str, Any]:
    from ml import channels
    from ml.warehouse import month_start

    m = month_start(month)
    out = channels.rate_channels([m] if m else None)
    get_run_logger().info(
        "channel ratings: %s channel-months, %s fraud flags", out["channels_rated"], out["flags"]
    )
    return out


@task(name="ml-segment-customers", **IO_TASK)
def segment_customers() -> dict[str, Any]:
    from ml import segments

    out = segments.segment_customers()
    get_run_logger().info(
        "segmented %d subscriber-months of %d months into %d segments; %.1f%% kept their "
        "segment from one month to the next (%.1f%% by chance)",
        out["subscriber_months"],
        out["months"],
        len(out["segments"]),
        100 * (out["mean_share_kept"] or 0),
        100 * (out["mean_share_kept_by_chance"] or 0),
    )
    return out


@task(name="ml-publish-rules", **IO_TASK)
def publish_rules() -> int:
    from ml import retention

    rules = retention.load_rules()
    retention.write_rules_table(rules)
    return len(rules)


@task(name="ml-train", retries=0, cache_policy=NO_CACHE)
def train_challenger(margin: float) -> dict[str, Any]:
    from ml import churn

    out = churn.train_churn(margin=margin)
    get_run_logger().info("challenger %s: %s", out["version"], out["reason"])
    return out


@flow(name="ml-score")
def score_flow(month: str | None = None) -> dict:
    """Score the month (default: latest), rate channels, segment the base, publish the
    retention rules."""
    return {
        "churn": score_churn(month),
        "channels": rate_channels(month),
        "segments": segment_customers(),
        "retention_rules": publish_rules(),
    }


@flow(name="ml-retrain")
def retrain_flow(margin: float = 0.002) -> dict:
    """Train a challenger; if it was promoted, re-score the latest month with it."""
    trained = train_challenger(margin)
    out: dict[str, Any] = {"train": trained}
    if trained["promoted"]:
        out["score"] = score_churn(None)
    return out
