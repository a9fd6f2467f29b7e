"""``jingfen ml``: train, score, retention lists, channel ratings, the model registry.

Mounted by the main CLI (``app.add_typer(ml_app, name="ml")``); also runnable alone with
``python -m ml.cli``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Models: churn risk with reasons, retention lists, channel rating (渠道评级), customer segments (客户细分), the model registry.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Model = Annotated[str, typer.Option(help="Registry name (models/<name>/).")]


def _echo(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _month(value: str | None) -> date | None:
    from ml.warehouse import month_start

    try:
        return month_start(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


@app.command()
def train(
    margin: Annotated[float, typer.Option(help="Promote only if better by this much.")] = 0.002,
    metric: Annotated[
        str, typer.Option(help="roc_auc, pr_auc, top_decile_lift or brier.")
    ] = "roc_auc",
    no_promote: Annotated[
        bool, typer.Option("--no-promote", help="Register only; never promote.")
    ] = False,
    data: Annotated[
        Path | None,
        typer.Option(help="Bring your own data: a Parquet/CSV feature table (generic trainer)."),
    ] = None,
    label: Annotated[str | None, typer.Option(help="Label column of --data (0/1 or bool).")] = None,
    period: Annotated[
        str,
        typer.Option(
            help="Period column of --data (out-of-time split); 'none' for a table without time "
            "(k-fold cross-validation)."
        ),
    ] = "month",
    folds: Annotated[
        int, typer.Option(help="Folds of the cross-validation with --period none.")
    ] = 5,
    ids: Annotated[
        str, typer.Option(help="Comma-separated id columns of --data (not features).")
    ] = "",
    segments: Annotated[
        str, typer.Option(help="Comma-separated segment columns for the report.")
    ] = "",
    gap: Annotated[
        int, typer.Option(help="Periods purged between train/valid/test (label horizon - 1).")
    ] = 0,
    truth: Annotated[
        str | None, typer.Option(help="Column of --data with true probabilities, if known.")
    ] = None,
    name: Model = "churn",
) -> None:
    """Train a challenger out of time, compare it with the champion on the same test months,
    write the HTML report and promote it if better by the margin."""
    if data is None:
        from ml import churn

        _echo(churn.train_churn(margin=margin, metric=metric, auto_promote=not no_promote))
        return
    import pandas as pd

    from ml.pipeline import fit_and_register
    from ml.registry import Registry
    from ml.trainer import TrainSpec

    if label is None:
        raise typer.BadParameter("--label is required with --data", param_hint="--label")
    frame = pd.read_parquet(data) if data.suffix == ".parquet" else pd.read_csv(data)
    period_col = None if period.lower() == "none" else period
    if period_col is not None and period_col not in frame.columns:
        raise typer.BadParameter(
            f"{data.name} has no period column {period_col!r}; name it with --period, or give "
            "--period none to train a table without time by k-fold cross-validation",
            param_hint="--period",
        )
    split = lambda s: tuple(c for c in s.split(",") if c)  # noqa: E731
    spec = TrainSpec(
        label=label,
        period_col=period_col,
        cv_folds=folds,
        id_cols=split(ids),
        segments=split(segments),
        gap_periods=gap,
        exclude=(truth,) if truth else (),
    )
    _echo(
        fit_and_register(
            frame,
            spec,
            Registry(name if name != "churn" else data.stem),
            truth_col=truth,
            metric=metric,
            margin=margin,
            auto_promote=not no_promote,
        )
    )


@app.command()
def score(
    month: Annotated[
        str | None, typer.Option(help="Month to score, YYYY-MM (default: latest).")
    ] = None,
    method: Annotated[
        str, typer.Option(help="Reasons: auto, shap (exact) or path (fast).")
    ] = "auto",
    version: Annotated[str | None, typer.Option(help="Model version (default: champion).")] = None,
) -> None:
    """Score every in-service subscriber of a month into ml.churn_scores (with reasons)."""
    from ml import churn

    if method not in ("auto", "shap", "path"):
        raise typer.BadParameter("use auto, shap or path", param_hint="--method")
    _echo(churn.score(_month(month), method, version))  # type: ignore[arg-type]


@app.command("retention-list")
def retention_list(
    top: Annotated[int | None, typer.Option(help="Keep the N highest-risk subscribers.")] = 1000,
    threshold: Annotated[float | None, typer.Option(help="Keep p_churn at or above this.")] = None,
    prov: Annotated[str | None, typer.Option(help="Province code, e.g. 44.")] = None,
    city: Annotated[str | None, typer.Option(help="City code, e.g. 4401.")] = None,
    pay_type: Annotated[str | None, typer.Option(help="1 prepaid, 2 postpaid.")] = None,
    min_arpu: Annotated[float | None, typer.Option(help="Minimum monthly bill (元).")] = None,
    month: Annotated[
        str | None, typer.Option(help="Scored month, YYYY-MM (default: latest).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder (default: JINGFEN_HOME/exports/retention).")
    ] = None,
) -> None:
    """Write a retention list (CSV and Excel): masked msisdn, risk, value, reasons, action."""
    from ml import retention

    frame = retention.build_list(
        retention.candidates(_month(month)),
        retention.load_rules(),
        top=top if threshold is None else None,
        threshold=threshold,
        prov_code=prov,
        city_code=city,
        pay_type=pay_type,
        min_arpu=min_arpu,
    )
    _echo(retention.write_list(frame, out))


@app.command("rate-channels")
def rate_channels(
    month: Annotated[
        str | None, typer.Option(help="Rate one month, YYYY-MM (default: every month).")
    ] = None,
) -> None:
    """渠道评级: AHP scorecard grades, k-means comparison and 养卡 flags into ml.*."""
    from ml import channels

    m = _month(month)
    _echo(channels.rate_channels([m] if m else None))


@app.command("segment")
def segment(
    segments: Annotated[int, typer.Option(help="Number of segments (k-means clusters).")] = 6,
) -> None:
    """全网客户细分: fit one segmentation over every month, name the segments and write
    ml.customer_segments, ml.segment_profiles and ml.segment_stability."""
    from ml import segments as seg

    _echo(seg.segment_customers(segments))


@app.command()
def promote(
    version: Annotated[str, typer.Argument(help="Version to make champion, e.g. v0003.")],
    reason: Annotated[
        str, typer.Option(help="Why (kept in the registry history).")
    ] = "manual promotion",
    name: Model = "churn",
) -> None:
    """Make a version the champion by hand."""
    from ml.registry import Registry

    Registry(name).promote(version, reason)
    typer.echo(f"{name}: champion is now {version}")


@app.command()
def rollback(
    reason: Annotated[
        str, typer.Option(help="Why (kept in the registry history).")
    ] = "manual rollback",
    name: Model = "churn",
) -> None:
    """Return to the previous champion."""
    from ml.registry import Registry

    typer.echo(f"{name}: champion is now {Registry(name).rollback(reason)}")


@app.command("list")
def list_models(name: Model = "churn") -> None:
    """Versions with their test metrics; the champion marked."""
    from ml.registry import Registry

    reg = Registry(name)
    rows = reg.listing()
    if not rows:
        typer.echo(f"no versions of {name} under {reg.dir}")
        return
    typer.echo(
        f"{'':2}{'version':<8} {'created':<26} {'test':<11} {'roc_auc':>8} {'pr_auc':>8} {'lift':>6} {'brier':>8}  code"
    )
    for r in rows:

        def f(x: float | None, d: int = 4) -> str:
            return "-" if x is None else f"{x:.{d}f}"

        typer.echo(
            f"{'*' if r['champion'] else ' ':2}{r['version']:<8} {r['created_at'] or '':<26} {r['test_periods'][:10]:<11} "
            f"{f(r['roc_auc']):>8} {f(r['pr_auc']):>8} {f(r['top_decile_lift'], 2):>6} {f(r['brier'], 5):>8}  {r['code_version']}"
        )


@app.command()
def report(
    version: Annotated[str | None, typer.Option(help="Version (default: champion).")] = None,
    name: Model = "churn",
) -> None:
    """Where a version's HTML report and model card are, its metrics, and the latest drift."""
    from ml.registry import Registry

    reg = Registry(name)
    v = version or reg.champion()
    if v is None:
        raise typer.BadParameter(f"{name} has no champion yet; train one with `jingfen ml train`")
    meta = reg.meta(v)
    out = {
        "version": v,
        "report": str(reg.dir / v / "report.html"),
        "model_card": str(reg.dir / v / "model_card.md"),
        "metrics": meta["metrics"]["overall"],
        "share_of_ceiling": meta["metrics"].get("share_of_ceiling"),
        "history": reg.history()[-5:],
    }
    if name == "churn":
        try:
            from ml import churn

            drift = churn.score_drift_table()
            latest = drift[drift.score_month == drift.score_month.max()]
            out["drift"] = latest.to_dict(orient="records")
        except (LookupError, FileNotFoundError):
            out["drift"] = "no scores yet"
    _echo(out)


if __name__ == "__main__":  # pragma: no cover
    app()
