"""Access by level on the real Superset (issue #14): drill to detail for headquarters and the
provinces under row-level security, city roles (地市) that see only their city, the 对标 mart
(a province's value, the national value and its rank, nothing else of other provinces) and the
China province map on 经营概览.

Drill to detail is what the page sends: ``POST /datasource/samples`` from the logged-in browser
session (the dashboard's context menu calls it with the chart's filters). Ranks are recomputed
here in plain Python from the province rows of mart_indicator_values and the catalogue's
direction, independently of the mart's window function.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from testkit.browser import ERROR_SELECTORS, open_dashboard
from testkit.superset import normalise, query, reference_rows, superset_rows
from testkit.warehouse import PROVINCES

from dashboards import server
from dashboards.catalogue import (
    BENCHMARK_TABLE,
    DASHBOARDS,
    INDICATOR_OVERVIEW,
    MART_INDICATOR_BENCHMARK,
    MART_INDICATOR_VALUES,
    PROVINCE_MAP,
    indicator_rows,
    names,
)

pytestmark = pytest.mark.superset

FOR_PROVINCES = {c.key: c for d in DASHBOARDS if d.audience == "all" for c in d.charts}
PROVINCES_SEED = Path(__file__).resolve().parents[2] / "seeds" / "provinces.csv"
CITY, CITY_USER = "4401", "gz_analyst"  # config/access.yaml: city_4401, 广州
L0_MONTHLY = {
    r["indicator_code"]: r
    for r in indicator_rows()
    if r["level"] == "L0" and r["period_grain"] == "month"
}


def _seed() -> list[dict[str, str]]:
    with PROVINCES_SEED.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _chart_data(client: Any, chart_id: int) -> dict[str, Any]:
    resp = client.request("GET", f"/api/v1/chart/{chart_id}/data/", params={"force": "true"})
    return resp.json()["result"][0]


def _csv_rows(client: Any, chart_id: int) -> list[dict[str, str]]:
    resp = client.request(
        "GET", f"/api/v1/chart/{chart_id}/data/", params={"format": "csv", "force": "true"}
    )
    return list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))


def _dataset_id(superset_instance, table: str) -> int:
    return next(
        d["id"] for d in superset_instance.admin.get_all("dataset") if d["table_name"] == table
    )


def _samples(
    page: Any, url: str, dataset_id: int, filters: list[dict[str, Any]], dashboard_id: int
) -> dict[str, Any]:
    """Drill to detail as the dashboard's context menu asks for it, in the user's session."""
    resp = page.request.post(
        f"{url}/datasource/samples?force=true&datasource_type=table"
        f"&datasource_id={dataset_id}&per_page=10000&page=1&dashboard_id={dashboard_id}",
        data={"filters": filters},
    )
    assert resp.status == 200, f"drill to detail answered {resp.status}: {resp.text()[:300]}"
    return resp.json()["result"]


# ---- 1. drill to detail ----------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize(
    "username,prov", [("hq_analyst", None), ("gd_analyst", "44"), ("bj_analyst", "11")]
)
def test_drill_to_detail_under_row_level_security(superset_instance, pages, username, prov):
    """HQ and province users may drill to detail (Gamma lacks can_samples: HTTP 403 before);
    a province gets exactly its own province's rows, with or without the chart's filters, and
    nothing when it asks for another province's."""
    page, _ = pages(username)
    dash_id = superset_instance.dashboard_ids[INDICATOR_OVERVIEW.slug]
    ds_id = _dataset_id(superset_instance, MART_INDICATOR_VALUES.table)
    db = superset_instance.warehouse
    own = "true" if prov is None else f"prov_code = '{prov}'"
    for filters, where in (
        ([], "true"),
        (
            [
                {"col": "region_level", "op": "==", "val": "province"},
                {"col": "indicator_code", "op": "==", "val": "REV_TOTAL"},
            ],
            "region_level = 'province' and indicator_code = 'REV_TOTAL'",
        ),
    ):
        result = _samples(page, superset_instance.url, ds_id, filters, dash_id)
        (want,) = query(db, f"select count(*) from mart_indicator_values where {where} and {own}")[
            0
        ]
        assert want > 0
        assert result["total_count"] == want, (username, filters)
        got = {r["prov_code"] for r in result["data"]}
        if prov is not None:
            assert got == {prov}, (username, filters)
        elif filters:  # every province's rows fit on the first page
            assert got == set(PROVINCES), (username, filters)
    if prov is not None:
        other = next(p for p in PROVINCES if p != prov)
        result = _samples(
            page,
            superset_instance.url,
            ds_id,
            [{"col": "prov_code", "op": "==", "val": other}],
            dash_id,
        )
        assert result["total_count"] == 0 and result["data"] == []


# ---- 2. city roles ---------------------------------------------------------------------------
def test_city_user_sees_only_its_city(superset_instance) -> None:
    """city_4401 sees only Guangzhou's rows in every chart it may open (province-level charts
    show it nothing), and its CSV export likewise."""
    client = superset_instance.login(CITY_USER)
    db = superset_instance.warehouse
    (city_rows,) = query(
        db, f"select count(*) from mart_revenue_region_month where region_code = '{CITY}'"
    )[0]
    assert city_rows > 0, "the simulated warehouse has no rows for Guangzhou"
    shown = 0
    for key, chart in FOR_PROVINCES.items():
        result = _chart_data(client, superset_instance.chart_ids[chart.uuid])
        cols = result["colnames"]
        if "city_code" in cols:
            assert {r["city_code"] for r in result["data"]} <= {CITY}, key
        elif "region_code" in cols:  # with city_code, region_code may be a cell (hot spots)
            assert {r["region_code"] for r in result["data"]} <= {CITY}, key
        if "prov_code" in cols:
            assert {r["prov_code"] for r in result["data"]} <= {"44"}, key
        got = superset_rows(result)
        assert got == reference_rows(db, chart, city=CITY), key
        shown += bool(got) and chart.dataset.has_province
    assert shown >= 5, f"only {shown} charts show the city anything"
    # tables show the city by name (city_name, else region_name), or by code where they keep it
    city_name = names("city")[CITY]
    exported = 0
    for key, chart in FOR_PROVINCES.items():
        shown_as = [c for c in ("city_name", "city_code", "region_name", "region_code")
                    if c in chart.columns]  # fmt: skip
        if chart.kind != "table" or not shown_as:
            continue
        rows = _csv_rows(client, superset_instance.chart_ids[chart.uuid])
        assert len(rows) == len(reference_rows(db, chart, city=CITY)), key
        city_col = shown_as[0]
        want = CITY if city_col.endswith("_code") else city_name
        labels = {city_col, chart.dataset.column(city_col).label_zh}
        for row in rows:
            assert {v for k, v in row.items() if k in labels} == {want}, (key, row)
        exported += bool(rows)
    assert exported >= 1, "no table exported the city's rows"


def test_city_user_reads_its_own_month_end_commentary(superset_instance) -> None:
    """月度经营盘点's commentary as gz_analyst: Guangzhou's own sentences of the latest month
    (收入, 用户, ARPU, 套餐贡献), equal to the mart's rows, and no other region's."""
    chart = FOR_PROVINCES["month_commentary"]
    result = _chart_data(
        superset_instance.login(CITY_USER), superset_instance.chart_ids[chart.uuid]
    )
    db = superset_instance.warehouse
    want = reference_rows(db, chart, city=CITY)
    assert superset_rows(result) == want and len(want) >= 3
    city_name = names("city")[CITY]
    assert {r["region_name"] for r in result["data"]} == {city_name}
    own = [r for r in result["data"] if r["topic_zh"] in ("收入", "用户", "ARPU")]
    assert own and all(r["sentence"].startswith(city_name) for r in own)
    assert {"收入", "用户", "ARPU"} <= {r["topic_zh"] for r in result["data"]}
    (latest,) = query(db, "select max(period_month) from main.rpt_month_commentary")[0]
    assert {r["month_label"] for r in result["data"]} == {latest.strftime("%Y年%m月")}


def test_city_role_cannot_read_headquarters_or_other_cities(superset_instance) -> None:
    client = superset_instance.login(CITY_USER)
    chart = FOR_PROVINCES["indicator_values_table"]  # province rows only: nothing for a city
    assert _chart_data(client, superset_instance.chart_ids[chart.uuid])["data"] == []
    hq_only = {d.slug for d in DASHBOARDS if d.audience == "hq"}
    assert not ({d["slug"] for d in client.get_all("dashboard")} & hq_only)


# ---- 3. 对标 ---------------------------------------------------------------------------------
def _python_benchmark(db: Path) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """(indicator, month, province) -> (own value, national value, rank, provinces ranked),
    from the province and national rows of mart_indicator_values, ranked here: 1 + the number
    of provinces with a strictly better value (higher, lower for lower_better); a province
    without a value has no row."""
    rows = query(
        db,
        "select indicator_code, period_month, region_level, prov_code, value "
        "from mart_indicator_values where period_grain = 'month' "
        "and region_level in ('province', 'national')",
    )
    national: dict[tuple[str, str], Any] = {}
    by_period: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for code, month, level, prov, value in rows:
        if code not in L0_MONTHLY:
            continue
        key = (code, month.isoformat())
        if level == "national":
            national[key] = value
        else:
            by_period[key][prov] = value
    out = {}
    for (code, month), values in by_period.items():
        lower = L0_MONTHLY[code]["direction"] == "lower_better"
        ranked = [float(v) for v in values.values() if v is not None]
        for prov, v in values.items():
            if v is None:  # nothing to compare: no row
                continue
            rank = 1 + len([w for w in ranked if (w < v if lower else w > v)])
            out[(code, month, prov)] = normalise(
                (v, national.get((code, month)), rank, len(ranked))
            )
    return out


def test_benchmark_ranks_equal_an_independent_computation(superset_instance) -> None:
    db = superset_instance.warehouse
    want = _python_benchmark(db)
    mart = {
        (code, month.isoformat(), prov): normalise(rest)
        for code, month, prov, *rest in query(
            db,
            "select indicator_code, period_month, prov_code, province_value, national_value, "
            "rank_among_provinces, provinces_ranked from mart_indicator_benchmark",
        )
    }
    assert mart == want
    # the check could fail: ranks differ between provinces, in both directions
    directions = {L0_MONTHLY[k[0]]["direction"] for k, v in want.items() if v[2] == len(PROVINCES)}
    assert directions == {"higher_better", "lower_better"}
    # the chart as HQ and as Guangdong: the same ranks, by the names the table shows
    names = {r["name_zh"]: code for code, r in L0_MONTHLY.items()}
    prov_names = {r["prov_name"]: r["prov_code"] for r in _seed()}
    chart_id = superset_instance.chart_ids[BENCHMARK_TABLE.uuid]
    for username, provs in (("hq_analyst", set(PROVINCES)), ("gd_analyst", {"44"})):
        result = _chart_data(superset_instance.login(username), chart_id)
        seen = set()
        for r in result["data"]:
            key = (
                names[r["indicator_name_zh"]],
                _iso_day(r["period_month"]),
                prov_names[r["prov_name"]],
            )
            assert (
                normalise(
                    [
                        r["province_value"],
                        r["national_value"],
                        r["rank_among_provinces"],
                        r["provinces_ranked"],
                    ]
                )
                == want[key]
            ), (username, key)
            seen.add(key[2])
        assert seen == provs, username


def _iso_day(v: Any) -> str:
    """A date of the chart-data API (epoch milliseconds) as an ISO day."""
    if isinstance(v, int | float):
        return dt.datetime.fromtimestamp(v / 1000, tz=dt.UTC).date().isoformat()
    return str(v)[:10]


def _numbers(value: Any) -> set[float]:
    """Every number in a response (JSON values, CSV cells), rounded as normalise rounds."""
    out: set[float] = set()
    if isinstance(value, dict):
        for v in value.values():
            out |= _numbers(v)
    elif isinstance(value, list | tuple):
        for v in value:
            out |= _numbers(v)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int | float):
        if not math.isnan(value):
            out.add(normalise([value])[0])
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            out.add(normalise([float(value.replace(",", ""))])[0])
    return out


@pytest.mark.browser
def test_benchmark_leaks_no_other_province(superset_instance, pages) -> None:
    """Guangdong sees its value, the national value and its rank, and no value of Beijing:
    not in the chart data (table and map), not in the CSV export, not by drilling to detail
    (with or without asking for Beijing)."""
    db = superset_instance.warehouse
    client = superset_instance.login("gd_analyst")
    page, _ = pages("gd_analyst")
    visible = _numbers(
        query(
            db,
            "select province_value, national_value, rank_among_provinces, provinces_ranked "
            "from mart_indicator_benchmark where prov_code = '44'",
        )
    ) | _numbers(
        query(
            db,
            "select sum(province_value) from mart_indicator_benchmark "
            "where prov_code = '44' and indicator_code = 'REV_TOTAL'",
        )
    )
    beijing = _numbers(
        query(
            db,
            "select value from mart_indicator_values where region_level = 'province' "
            "and prov_code = '11' and period_grain = 'month' and level = 'L0'",
        )
    ) | _numbers(
        query(
            db,
            "select sum(province_value) from mart_indicator_benchmark "
            "where prov_code = '11' and indicator_code = 'REV_TOTAL'",
        )
    )
    secret = beijing - visible
    assert len(secret) > 20, "Beijing's values should mostly differ from Guangdong's"
    answers: dict[str, Any] = {}  # the rows each way shows
    counts: dict[str, int] = {}
    for chart in (BENCHMARK_TABLE, PROVINCE_MAP):
        chart_id = superset_instance.chart_ids[chart.uuid]
        answers[f"{chart.key} data"] = _chart_data(client, chart_id)["data"]
        answers[f"{chart.key} csv"] = _csv_rows(client, chart_id)
    ds_id = _dataset_id(superset_instance, MART_INDICATOR_BENCHMARK.table)
    dash_id = superset_instance.dashboard_ids[INDICATOR_OVERVIEW.slug]
    for name, filters in (
        ("drill", []),
        ("drill asking for Beijing", [{"col": "prov_code", "op": "==", "val": "11"}]),
    ):
        drill = _samples(page, superset_instance.url, ds_id, filters, dash_id)
        answers[name], counts[name] = drill["data"], drill["total_count"]
    for name, answer in answers.items():
        leaked = _numbers(answer) & secret
        assert not leaked, f"{name} shows Beijing's values {sorted(leaked)[:5]}"
        text = json.dumps(answer, ensure_ascii=False)
        assert "北京" not in text and "CN-BJ" not in text, name
    (own_rows,) = query(db, "select count(*) from mart_indicator_benchmark where prov_code = '44'")[
        0
    ]
    assert counts["drill"] == len(answers["drill"]) == own_rows > 0
    assert counts["drill asking for Beijing"] == 0 and answers["drill asking for Beijing"] == []
    # the CSV shows ranks as whole numbers
    exported = answers[f"{BENCHMARK_TABLE.key} csv"]
    rank_col = next(c for c in exported[0] if c in ("全国排名", "rank_among_provinces"))
    ranks = {r[rank_col] for r in exported}
    assert ranks and all(r.isdigit() for r in ranks), ranks


# ---- 4. the China map ------------------------------------------------------------------------
def _china_geojson_codes() -> set[str]:
    assets = server.superset_venv() / "lib"
    for path in assets.glob("python3*/site-packages/superset/static/assets/*.geojson"):
        text = path.read_text(encoding="utf-8")
        if '"CN-GD"' in text:
            return {f["properties"]["ISO"] for f in json.loads(text)["features"]}
    raise AssertionError("Superset ships no China GeoJSON (Country Map) in this environment")


def test_province_seed_iso_codes_are_the_maps_keys() -> None:
    codes = {r["prov_iso_code"] for r in _seed()}
    assert len(codes) == 31 and codes <= _china_geojson_codes()
    assert {r["prov_code"]: r["prov_iso_code"] for r in _seed()}["44"] == "CN-GD"


@pytest.mark.browser
@pytest.mark.parametrize("username,provs", [("hq_analyst", PROVINCES), ("gd_analyst", ("44",))])
def test_province_map_renders_one_row_per_province(superset_instance, pages, username, provs):
    """The map draws in Chromium without a chart error; its data (the page's legacy request)
    has one row per province the user may see, keyed by the ISO code, with the warehouse's
    revenue; and it follows the period filter."""
    page, outside = pages(username)
    rendered = open_dashboard(page, superset_instance.url, INDICATOR_OVERVIEW, username)
    holder = page.locator(f".dashboard-component-chart-holder:has(#CHART-{PROVINCE_MAP.key})").first
    assert holder.locator(ERROR_SELECTORS).count() == 0
    regions = holder.locator(".superset-legacy-chart-country-map path.region")
    assert regions.count() >= 31
    filled = [
        s
        for s in (regions.nth(i).get_attribute("style") or "" for i in range(regions.count()))
        if "fill: none" not in s
    ]
    assert len(filled) == len(provs), filled
    sent = rendered.requests[superset_instance.chart_ids[PROVINCE_MAP.uuid]]
    assert sent[-1].path.startswith("/superset/explore_json/")
    rows = sent[-1].response["data"]
    iso = {r["prov_code"]: r["prov_iso_code"] for r in _seed()}
    assert sorted(r["country_id"] for r in rows) == sorted(iso[p] for p in provs)
    db = superset_instance.warehouse
    want = dict(
        query(
            db,
            "select prov_iso_code, sum(province_value) from mart_indicator_benchmark "
            "where indicator_code = 'REV_TOTAL' group by all",
        )
    )
    for r in rows:
        assert r["metric"] == pytest.approx(want[r["country_id"]], rel=1e-9)
    # the period filter: the page's own request with the dashboard's time range for one month
    (month,) = query(db, "select max(period_month) from mart_indicator_benchmark")[0]
    after = month.replace(year=month.year + (month.month == 12), month=month.month % 12 + 1)
    form = {
        **sent[-1].body["form_data"],
        "extra_form_data": {"time_range": f"{month.isoformat()} : {after.isoformat()}"},
    }
    resp = page.request.post(
        f"{superset_instance.url}{sent[-1].path}", multipart={"form_data": json.dumps(form)}
    )
    assert resp.status == 200, resp.text()[:300]
    one_month = {r["country_id"]: r["metric"] for r in resp.json()["data"]}
    want_month = dict(
        query(
            db,
            "select prov_iso_code, province_value from mart_indicator_benchmark "
            f"where indicator_code = 'REV_TOTAL' and period_month = '{month.isoformat()}'",
        )
    )
    assert set(one_month) == {iso[p] for p in provs}
    for code, value in one_month.items():
        assert value == pytest.approx(want_month[code], rel=1e-9)
        assert value < want[code]
    assert outside == []
