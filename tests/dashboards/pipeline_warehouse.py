"""A real warehouse for the dashboard tests, built by the pipeline from a small simulated set.

simulate -> ingest -> build (dbt) -> ml (train a champion, score, rate channels, rebuild the
score marts) -> publish -> HQ upload and receipt (the two provinces report the last two months;
Beijing's second package arrives late) -> the HQ marts -> publish again. About 1,500 subscribers
in Guangdong (44) and Beijing (11), 13 months and 2 increment days: every mart the catalogue
reads has rows, the score and HQ marts included.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import yaml

SIM = {"subscribers": 1500, "provinces": ("44", "11"), "months": 13, "days": 2, "start": "2025-10"}
PROVINCES = SIM["provinces"]


def build_pipeline_warehouse(home: Path) -> dict[str, float]:
    """Run the pipeline into ``home`` (JINGFEN_HOME must already point there); returns the
    seconds of each step. Raises whatever a step raises: a half-built warehouse is no fixture."""
    from flows.build import build_flow
    from flows.ingest import ingest_flow
    from flows.ml import score_flow
    from flows.publish import publish_flow
    from jingfen.config import settings
    from jingfen.dbt import run_dbt
    from ml import churn
    from simulator.config import SimConfig
    from simulator.generate import simulate

    paths = settings().paths.ensure()
    assert paths.home == home.resolve(), f"JINGFEN_HOME is {paths.home}, expected {home}"
    timings: dict[str, float] = {}

    def step(name: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        timings[name] = round(time.perf_counter() - t0, 1)
        return out

    step("simulate", simulate, SimConfig(**SIM), paths.landing, paths.truth)  # type: ignore[arg-type]
    step("ingest", ingest_flow)
    step("build", build_flow)
    # The score marts read ml.* tables that only exist once a model has scored.
    step("ml_train", churn.train_churn)
    step("ml_score", score_flow)
    step("score_marts", run_dbt, ["build", "--select", "path:marts/scores+"])
    step("publish", publish_flow)
    step("hq_receipts", add_hq_receipts, home)
    step("hq_marts", build_hq_marts, home)
    step("publish_again", publish_flow)
    return timings


def _last_months(db: Path, n: int) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select distinct period_month from mart_indicator_values "
            "where period_grain = 'month' order by 1 desc limit ?",
            [n],
        ).fetchall()
    finally:
        con.close()
    return sorted(r[0].strftime("%Y%m") for r in rows)


def add_hq_receipts(home: Path) -> dict:
    """Both provinces upload their monthly packages of the last two months to HQ, which
    receives them; Beijing's second package arrives after its due date (逾期)."""
    import os

    from indicators.export import export_package
    from indicators.receive import receive_all
    from indicators.settings import BEIJING, due_at, hq_paths
    from indicators.transport import deliver

    months = _last_months(home / "warehouse" / "jingfen.duckdb", 2)
    dues: list[datetime] = []
    for period in months:
        for prov in PROVINCES:
            pkg = export_package(prov, period).package
            deliver(pkg)
            due = due_at(period)
            late = prov == "11" and period == months[-1]
            when = due + (timedelta(days=2) if late else -timedelta(days=1))
            dues.append(due)
            ts = when.astimezone(BEIJING).timestamp()
            for ext in ("dat", "chk", "sig"):
                os.utime(hq_paths().inbox / f"{pkg.name.stem}.{ext}", (ts, ts))
    # as_of is naive Beijing time: well after every due date, so nothing is "pending"
    return receive_all(as_of=(max(dues) + timedelta(days=10)).replace(tzinfo=None))


def build_hq_marts(home: Path) -> None:
    """dbt build of marts/hq with the receipt database attached as ``hq`` (the var
    ``hq_receipts`` switches those models on; the default profile does not attach it)."""
    from indicators.settings import hq_paths
    from jingfen.config import REPO_ROOT
    from jingfen.dbt import run_dbt

    profiles = yaml.safe_load((REPO_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    out = profiles["jingfen"]["outputs"]["duckdb"]
    out["attach"] = [
        *out.get("attach", []),
        {"path": str(hq_paths().db), "alias": "hq", "read_only": True},
    ]
    prof_dir = home / "tmp" / "hq-profile"
    prof_dir.mkdir(parents=True, exist_ok=True)
    (prof_dir / "profiles.yml").write_text(yaml.safe_dump(profiles), encoding="utf-8")
    run_dbt(
        ["build", "--select", "path:models/staging/hq+", "--profiles-dir", str(prof_dir)],
        extra_vars={"hq_receipts": True},
    )
