"""The standard warehouse of the test suite, built once per session by the pipeline.

simulate -> ingest -> build (dbt) -> ml (train a champion, score, rate channels, rebuild the
score marts) -> publish -> HQ upload and receipt (every province reports the last two months;
Beijing's second package arrives late) -> the HQ marts -> publish again.

The data set (``STANDARD_SIM``) is the simulator's small national sample: 3,000 subscribers in
Guangdong (44), Beijing (11) and Sichuan (51), 13 months from 2025-10 and 2 increment days. It
satisfies every consumer: the star-schema and subject-mart tests (three provinces, enough
subscribers for the planted incidents and surges to stand out), the independent indicators
(national rows made of several provinces), the dashboards (every mart the catalogue reads has
rows, the score and HQ marts included; a Guangdong and a Beijing analyst).

``tests/conftest.py`` builds it (fixture ``standard_warehouse``); tests read it and never change
it. A test that must change a home takes a copy (``copy_home``) or builds its own.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import yaml

STANDARD_SIM: dict[str, Any] = {
    "subscribers": 3000,
    "provinces": ("44", "11", "51"),
    "months": 13,
    "days": 2,
    "start": "2025-10",
}
PROVINCES: tuple[str, ...] = STANDARD_SIM["provinces"]


@dataclass
class StandardWarehouse:
    """A built JINGFEN_HOME: read it, never change it (``copy_home`` gives a copy to change)."""

    home: Path
    timings: dict[str, float] = field(default_factory=dict)  # seconds of each pipeline step

    @property
    def db(self) -> Path:
        """The build database (JINGFEN_HOME/warehouse/build/jingfen.duckdb); open it read-only."""
        return self.home / "warehouse" / "build" / "jingfen.duckdb"

    @property
    def published(self) -> Path:
        """The published warehouse (a link to the current version file)."""
        return self.home / "warehouse" / "jingfen.duckdb"

    @property
    def truth(self) -> Path:
        """The simulator's ground truth (manifest.json, planted incidents, ...)."""
        return self.home / "truth"


def simulate_and_ingest(home: Path, **config: Any) -> None:
    """Simulate extracts into ``home``'s landing folder and run the ingest flow on them
    (JINGFEN_HOME must already point at ``home``; ``start`` defaults to 2025-10, the dates the
    tests name)."""
    from flows.ingest import ingest_flow
    from jingfen.config import settings
    from simulator.config import SimConfig
    from simulator.generate import simulate

    paths = settings().paths.ensure()
    assert paths.home == home.resolve(), f"JINGFEN_HOME is {paths.home}, expected {home}"
    config.setdefault("start", "2025-10")
    simulate(SimConfig(**config), paths.landing, paths.truth)
    ingest_flow()


def build_standard_warehouse(home: Path) -> StandardWarehouse:
    """Run the pipeline on the standard data set into ``home`` (JINGFEN_HOME must already point
    there). Raises whatever a step raises: a half-built warehouse is no fixture."""
    from flows.build import build_flow
    from flows.ml import score_flow
    from flows.publish import publish_flow
    from jingfen.dbt import run_dbt
    from ml import churn

    timings: dict[str, float] = {}

    def step(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        timings[name] = round(time.perf_counter() - t0, 1)
        return out

    step("simulate_ingest", simulate_and_ingest, home, **STANDARD_SIM)
    step("build", build_flow)
    # The score marts read ml.* tables that only exist once a model has scored.
    step("ml_train", churn.train_churn)
    step("ml_score", score_flow)
    step("score_marts", run_dbt, ["build", "--select", "path:marts/scores+"])
    step("publish", publish_flow)
    step("hq_receipts", add_hq_receipts, home)
    step("hq_marts", build_hq_marts, home)
    step("publish_again", publish_flow)
    timings["total"] = round(sum(timings.values()), 1)
    return StandardWarehouse(home=home, timings=timings)


def copy_home(src: Path, dst: Path) -> Path:
    """Copy the JINGFEN_HOME ``src`` to ``dst`` (which may exist, e.g. with a Superset state
    folder in it) for a test that changes it. The published link is relative, so it points at
    the copy's own version file."""
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
    link = dst / "warehouse" / "jingfen.duckdb"
    if link.is_symlink():
        assert not os.path.isabs(os.readlink(link)), f"{link} is an absolute link"
    return dst


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
    """Every province uploads its monthly packages of the last two months to HQ, which
    receives them; Beijing's second package arrives after its due date (逾期)."""
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
