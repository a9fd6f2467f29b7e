"""Helpers for the HQ upload tests: a contract-shaped ``mart_indicator_values`` generated from the
real catalogue, arrival times, reading the receipt db, re-signing altered packages."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from indicators.catalogue import Catalogue
from indicators.package import (
    Package,
    PackageName,
    parse_control,
    parse_data,
    write_package,
)
from indicators.settings import BEIJING, hq_paths, province_key, provinces
from jingfen.config import REPO_ROOT, settings

MONTH = "202610"
DAY = "20261101"

HQ_PROFILE = """
jingfen:
  target: duckdb
  outputs:
    duckdb:
      type: duckdb
      path: "{build}"
      threads: 1
      attach:
        - path: "{hq}"
          alias: hq
          read_only: true
"""


def _leaf_values(rng: random.Random, ind, values: dict[str, float]) -> dict:
    """One city's figures for one indicator (numerator/denominator for ratios)."""
    if ind.code == "NET_ADDS" and "NEW_SUBS" in values and "CHURNED_SUBS" in values:
        return {
            "value": values["NEW_SUBS"]
            - values["CHURNED_SUBS"]
            + values.get("MIGRATION_IN_SUBS", 0.0)
            - values.get("MIGRATION_OUT_SUBS", 0.0)
        }
    if ind.aggregation in ("ratio", "change"):
        den = float(rng.randint(50, 5000))
        num = (
            round(den * rng.uniform(0.5, 1.5), 2)
            if ind.aggregation == "change"
            else round(den * rng.uniform(0.0, 0.9), 2)
        )
        return {"numerator": num, "denominator": den}
    if ind.unit in ("户", "个", "件", "笔"):
        return {"value": float(rng.randint(0, 3000))}
    lo = -5000.0 if ind.aggregation == "value" else 0.0
    return {"value": round(rng.uniform(lo, 200000.0), 2)}


def _finish(ind, fig: dict) -> dict:
    if ind.aggregation in ("ratio", "change"):
        return {
            "value": ind.expected_value(fig["numerator"], fig["denominator"]),
            "numerator": fig["numerator"],
            "denominator": fig["denominator"],
        }
    return {"value": fig["value"], "numerator": None, "denominator": None}


def indicator_rows(
    catalogue: Catalogue, periods: list[str], seed: int = 7, skip_city: bool = True
) -> list[dict]:
    """Contract-shaped rows: national, province and city levels; provinces are the sums of their
    cities (additive ones), national the sum of provinces. One city per province has no rows
    (no subscribers) when ``skip_city``, as the real mart does."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for period in periods:
        grain = "day" if len(period) == 8 else "month"
        d = datetime.strptime(period, "%Y%m%d" if grain == "day" else "%Y%m").date()
        inds = catalogue.for_grain(grain)
        national: dict[str, dict] = {}
        for prov in provinces().values():
            cities = prov.cities[:-1] if (skip_city and len(prov.cities) > 1) else prov.cities
            prov_fig: dict[str, dict] = {}
            for city in cities:
                city_vals: dict[str, float] = {}
                for ind in inds:
                    fig = _leaf_values(rng, ind, city_vals)
                    if "value" in fig:
                        city_vals[ind.code] = fig["value"]
                    rows.append(_row(ind, period, d, "city", city, prov.code, _finish(ind, fig)))
                    agg = prov_fig.setdefault(ind.code, {})
                    for k, v in fig.items():
                        agg[k] = agg.get(k, 0.0) + v
            for ind in inds:
                fig = prov_fig[ind.code]
                if not ind.additive:  # not a sum of cities: its own figures
                    fig = _leaf_values(rng, ind, {})
                    prov_fig[ind.code] = fig
                rows.append(
                    _row(ind, period, d, "province", prov.code, prov.code, _finish(ind, fig))
                )
                agg = national.setdefault(ind.code, {})
                for k, v in fig.items():
                    agg[k] = agg.get(k, 0.0) + v
        for ind in inds:
            rows.append(
                _row(ind, period, d, "national", "00", "00", _finish(ind, national[ind.code]))
            )
    return rows


def _row(ind, period: str, d: date, level: str, region: str, prov: str, fig: dict) -> dict:
    daily = len(period) == 8
    return {
        "indicator_code": ind.code,
        "period_grain": "day" if daily else "month",
        "period_month": d.replace(day=1),
        "stat_date": d if daily else None,
        "region_level": level,
        "region_code": region,
        "prov_code": prov,
        "value": fig["value"],
        "numerator": fig["numerator"],
        "denominator": fig["denominator"],
        "unit": ind.unit,
    }


def write_warehouse(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    cols = list(rows[0])
    tbl = pa.table(  # noqa: F841 - read by the SQL below
        {
            c: pa.array(
                [r[c] for r in rows],
                pa.date32()
                if c in ("period_month", "stat_date")
                else pa.float64()
                if c in ("value", "numerator", "denominator")
                else pa.string(),
            )
            for c in cols
        }
    )
    con = duckdb.connect(str(path))
    con.execute("create table mart_indicator_values as select * from tbl")
    con.close()
    return path


def arrive_at(stem: str, when: datetime, inbox: Path | None = None) -> None:
    """Pretend the package arrived in the inbox at ``when`` (Beijing time)."""
    inbox = inbox or hq_paths().inbox
    ts = when.replace(tzinfo=BEIJING).timestamp()
    for ext in ("dat", "chk", "sig"):
        os.utime(inbox / f"{stem}.{ext}", (ts, ts))


def query(sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(hq_paths().db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def resign(
    pkg: Package,
    edit,
    directory: Path | None = None,
    seq: int | None = None,
    catalogue_version: str | None = None,
    generated_at: datetime | None = None,
) -> Package:
    """A validly signed package whose data lines were changed by ``edit(lines) -> lines`` —
    what a province's buggy system (not a tamperer) would send."""
    dat, chk, _ = pkg.files
    lines = dat.read_bytes().decode().splitlines()
    new = "".join(line + "\n" for line in edit(lines)).encode()
    records, errors = parse_data(new, "x")
    assert not errors
    ctl = parse_control(chk.read_bytes())
    name = PackageName(pkg.name.prov, pkg.name.period, seq or pkg.name.seq)
    return write_package(
        directory or pkg.directory,
        name,
        new,
        len(records),
        catalogue_version or ctl["catalogue_version"],
        province_key(pkg.name.prov),
        generated_at,
    )


def build_hq_marts(tmp_path: Path) -> Path:
    """Build the HQ models (models/staging/hq and the marts/hq built on them) over the receipt database into the current home's build
    database, in a separate dbt process (dbt-duckdb keeps its connection to the build file open
    in-process); returns the build database."""
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    build = settings().paths.build_db
    build.parent.mkdir(parents=True, exist_ok=True)
    (profiles / "profiles.yml").write_text(HQ_PROFILE.format(build=build, hq=hq_paths().db))
    env = dict(
        os.environ, DBT_TARGET_PATH=str(tmp_path / "target"), DBT_LOG_PATH=str(tmp_path / "logs")
    )
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--project-dir",
            str(REPO_ROOT),
            "--profiles-dir",
            str(profiles),
            "--select",
            "path:models/staging/hq+",
            "--vars",
            "{hq_receipts: true, pii_salt: test-salt-not-secret}",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return build
