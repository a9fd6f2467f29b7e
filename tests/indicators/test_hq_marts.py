"""The dbt models over the receipt database (marts/hq): status grid, 口径 deviations, national."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hq_helpers import MONTH, arrive_at, write_warehouse

from indicators.export import export_package
from indicators.receive import receive_all
from indicators.settings import hq_paths, provinces
from indicators.transport import deliver
from jingfen.config import REPO_ROOT, settings

pytestmark = pytest.mark.slow

PROFILE = """
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


def test_status_deviation_and_national_marts(hq_home, warehouse_rows, tmp_path):
    city = provinces()["44"].cities[0]
    # province 44 computes REV_VAS its own way: +1000 in one city (and so in the province)
    drifted = [
        dict(r, value=r["value"] + 1000)
        if r["indicator_code"] == "REV_VAS"
        and r["period_grain"] == "month"
        and r["region_code"] in (city, "44")
        else r
        for r in warehouse_rows
    ]
    own = write_warehouse(tmp_path / "prov44.duckdb", drifted)
    for prov in provinces():
        res = export_package(prov, MONTH, warehouse=own if prov == "44" else None)
        deliver(res.package)
        arrive_at(res.package.name.stem, datetime(2026, 11, 3, 10, 0))
    summary = receive_all(as_of=datetime(2026, 11, 10))
    assert len(summary["accepted"]) == 31

    profiles = tmp_path / "profiles"
    profiles.mkdir()
    build = settings().paths.build_db
    build.parent.mkdir(parents=True, exist_ok=True)
    (profiles / "profiles.yml").write_text(PROFILE.format(build=build, hq=hq_paths().db))
    env = dict(
        os.environ, DBT_TARGET_PATH=str(tmp_path / "target"), DBT_LOG_PATH=str(tmp_path / "logs")
    )
    # a separate process: dbt-duckdb keeps its connection to the build file open in-process
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

    con = duckdb.connect(str(build), read_only=True)
    try:
        status = con.execute(
            "select status, count(*) from mart_hq_submission_status group by 1"
        ).fetchall()
        assert status == [("on_time", 31)]
        differs = con.execute(
            "select prov_code, indicator_code, region_code, deviation from mart_hq_deviation "
            "where deviation_status <> 'match' order by region_code"
        ).fetchall()
        assert differs == [("44", "REV_VAS", "44", 1000.0), ("44", "REV_VAS", city, 1000.0)]
        national = {
            code: (value, central, complete, agg)
            for code, value, central, complete, agg in con.execute(
                "select indicator_code, national_value, central_value, is_complete, aggregation from mart_hq_national"
            ).fetchall()
        }
    finally:
        con.close()
    assert all(v[2] for v in national.values())
    value, central, _, _ = national["REV_VAS"]
    assert math.isclose(value - central, 1000.0, abs_tol=1e-6)
    for code, (value, central, _, agg) in national.items():
        if code != "REV_VAS" and agg in ("sum", "ratio"):
            assert math.isclose(value, central, rel_tol=1e-9, abs_tol=1e-6), code
