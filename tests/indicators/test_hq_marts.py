"""The dbt models over the receipt database (marts/hq): status grid, 口径 deviations, national."""

from __future__ import annotations

import math
from datetime import datetime

import duckdb
import pytest
from testkit.hq import MONTH, arrive_at, build_hq_marts, write_warehouse

from indicators.export import export_package
from indicators.receive import receive_all
from indicators.settings import provinces
from indicators.transport import deliver

pytestmark = pytest.mark.slow


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

    build = build_hq_marts(tmp_path)

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
