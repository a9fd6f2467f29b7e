"""Charts people can read (issue #14), on the session's real Superset: top-N with the rest as
其他 on the many-category bars, and 全国 beside 本省 on the trends, for headquarters and a province
user under row-level security; drill-by 省 -> 地市 -> 区县 under it too.

Totals are computed here from the marts with plain SQL (not the dataset's SQL), so a bar chart
that drops or double-counts a category fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from testkit.browser import open_dashboard
from testkit.superset import query

from dashboards.catalogue import DASHBOARDS, OTHERS, TOP_N, names
from dashboards.generate import render_chart

pytestmark = pytest.mark.superset

CHARTS = {c.key: c for d in DASHBOARDS for c in d.charts}
ROLES = {"hq": ("hq_analyst", None), "province": ("gd_analyst", "44")}


def _chart_data(client: Any, chart_id: int) -> dict[str, Any]:
    resp = client.request("GET", f"/api/v1/chart/{chart_id}/data/", params={"force": "true"})
    return resp.json()["result"][0]


# chart -> (the mart total its bars add up to, how many cities there are, the TOP_N largest)
TOP_CHARTS = {
    "overview_city_ranking": (
        "select sum(revenue_yuan) from main.mart_revenue_region_month where region_level = 'city'"
        " {and_prov} and period_month = (select max(period_month) from main.mart_revenue_region_month"
        " where region_level = 'city' {and_prov})",
        "select count(distinct region_code) from main.mart_revenue_region_month"
        " where region_level = 'city' {and_prov}",
        "select c.city_name from main.mart_revenue_region_month as t join (select distinct"
        " city_code, city_name from main.regions) as c on c.city_code = t.region_code"
        " where region_level = 'city' {and_prov} and period_month = (select max(period_month)"
        " from main.mart_revenue_region_month where true {and_prov})"
        " order by revenue_yuan desc, region_code limit {n}",
    ),
    "value_at_risk_by_city": (
        "select sum(value_at_risk_yuan) from main.mart_churn_scores where true {and_prov}",
        "select count(distinct city_code) from main.mart_churn_scores where true {and_prov}",
        "select max(city_name) from main.mart_churn_scores where score_month = (select"
        " max(score_month) from main.mart_churn_scores where true {and_prov}) {and_prov}"
        " group by city_code order by sum(value_at_risk_yuan) desc, city_code limit {n}",
    ),
}


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("key", sorted(TOP_CHARTS))
def test_top_n_with_the_rest_as_others_adds_up_to_the_whole(superset_instance, key, role):
    """At most TOP_N named bars and one 其他 that holds the rest: the bars add up to the mart's
    total (what the user may see), and a province user's bars are its own cities."""
    username, prov = ROLES[role]
    chart = CHARTS[key]
    client = superset_instance.login(username)
    result = _chart_data(client, superset_instance.chart_ids[chart.uuid])
    label_col, value_col = result["colnames"][0], result["colnames"][-1]
    bars = {r[label_col]: r[value_col] for r in result["data"]}
    and_prov = f"and prov_code = '{prov}'" if prov else ""
    total_sql, cities_sql, top_sql = TOP_CHARTS[key]
    db = superset_instance.warehouse
    (want,) = query(db, total_sql.format(and_prov=and_prov))[0]
    (cities,) = query(db, cities_sql.format(and_prov=and_prov))[0]
    assert want and cities, f"{key}: the warehouse has nothing for {role}"
    assert sum(float(v) for v in bars.values() if v is not None) == pytest.approx(float(want))
    named = [b for b in bars if b != OTHERS]
    assert len(named) == min(TOP_N, cities), (key, role, sorted(bars))
    if cities > TOP_N:
        assert OTHERS in bars, f"{key} ({role}): {cities} cities but no {OTHERS} bar"
    if prov is not None:
        own = {n for c, n in names("city").items() if c.startswith(prov)}
        assert set(named) <= own, f"{key}: {role} sees other provinces' cities"
    # the named bars are the largest cities of the latest period that the user may see
    top = {r[0] for r in query(db, top_sql.format(and_prov=and_prov, n=TOP_N))}
    assert set(named) == top, (key, role)


# ---- 全国 beside 本省 ------------------------------------------------------------------------
def _dataset_id(superset_instance, table: str) -> int:
    return next(
        d["id"] for d in superset_instance.admin.get_all("dataset") if d["table_name"] == table
    )


def _page_query(superset_instance, chart, extra_filters=(), extra_columns=()) -> dict[str, Any]:
    """The chart's saved query as the dashboard sends it, with the 省份 filter's selection."""
    qc = json.loads(render_chart(chart)["query_context"])
    qc["datasource"] = {"id": _dataset_id(superset_instance, chart.dataset.table), "type": "table"}
    qc["force"] = True
    (q,) = qc["queries"]
    q["filters"] = [*q["filters"], *extra_filters]
    q["columns"] = [*q["columns"], *extra_columns]
    return qc


def _by_month(result: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    cols = result["colnames"]
    out = {}
    for rec in result["data"]:
        month = dt.datetime.fromtimestamp(rec[cols[0]] / 1000, tz=dt.UTC).date().isoformat()
        out[month] = (rec["全国"], rec["本省（所选省份）"])
    return out


def _indicator(db, code: str, where: str) -> dict[str, float]:
    rows = query(
        db,
        "select period_month, value from main.mart_indicator_values where period_grain = 'month'"
        f" and indicator_code = '{code}' and {where}",
    )
    return {m.isoformat(): float(v) for m, v in rows if v is not None}


@pytest.mark.parametrize(
    "role,chosen",
    [("hq", None), ("hq", "44"), ("province", None)],
    ids=["hq", "hq-chooses-guangdong", "province"],
)
@pytest.mark.parametrize("key", ["indicator_trend_arpu", "revenue_trend"])
def test_trend_shows_the_nation_and_the_chosen_province(superset_instance, key, role, chosen):
    """Two lines: 全国 (mart_indicator_values' national row, for a province user too: 对标) and
    the province (the user's, or the one headquarters chose; none while headquarters chose
    none), and no other province's rows in what the province user's query reads."""
    username, prov = ROLES[role]
    chart = CHARTS[key]
    code = next(w.val for w in chart.where if w.col == "indicator_code")
    client = superset_instance.login(username)
    picked = (
        [{"col": "prov_name", "op": "IN", "val": [names("province")[chosen]]}] if chosen else []
    )
    result = client.post("/api/v1/chart/data", _page_query(superset_instance, chart, picked))
    lines = _by_month(result["result"][0])
    db = superset_instance.warehouse
    national = _indicator(db, code, "region_level = 'national'")
    own = prov or chosen
    province = (
        _indicator(db, code, f"region_level = 'province' and prov_code = '{own}'") if own else {}
    )
    assert lines and set(lines) <= set(national)
    for month, (nat, mine) in lines.items():
        assert nat == pytest.approx(national[month]), (key, role, month)
        if own:
            assert mine == pytest.approx(province[month]), (key, role, month)
        else:
            assert mine is None, (key, role, month)
    if own:
        assert set(province) <= set(lines)
    # the rows behind the lines: the province user's own only
    shown = client.post(
        "/api/v1/chart/data",
        _page_query(superset_instance, chart, picked, extra_columns=["prov_code"]),
    )["result"][0]["data"]
    provs = {r["prov_code"] for r in shown}
    if own:
        assert provs == {own}, (key, role, provs)
    else:
        assert len(provs) > 1, "headquarters should read every province's rows"


# ---- drill-by 省 -> 地市 -> 区县 -------------------------------------------------------------
def _drill(client, superset_instance, chart, by: str, path: list[tuple[str, str]]):
    """What the page asks when a user drills by ``by`` on a bar (after ``path``: the clicked
    values of the levels above): the chart's query grouped by the new column, filtered by the
    clicked values. Returns {name: value}."""
    qc = _page_query(superset_instance, chart, [{"col": c, "op": "==", "val": v} for c, v in path])
    (q,) = qc["queries"]
    q["columns"] = [by]
    q["series_columns"] = []
    q["orderby"] = [[by, True]]
    result = client.post("/api/v1/chart/data", qc)["result"][0]
    value = result["colnames"][-1]
    return {r[by]: r[value] for r in result["data"]}


def _region_names(level: str, parent: str) -> set[str]:
    seed = Path(__file__).resolve().parents[2] / "seeds" / "regions.csv"
    with seed.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if level == "city":
        return {r["city_name"] for r in rows if r["prov_code"] == parent}
    return {r["county_name"] for r in rows if r["city_code"] == parent}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_drill_by_province_city_county_under_row_level_security(superset_instance, role):
    """流失预警与挽留's 各省风险收入: drill 广东 by 地市, then 广州 by 区县. Each level adds up to the
    bar it came from and lists only that parent's cities or counties; a province user drilling
    into another province gets nothing (row-level security holds under drill-by)."""
    username, _ = ROLES[role]
    client = superset_instance.login(username)
    chart = CHARTS["value_at_risk_by_province"]
    top = _drill(client, superset_instance, chart, "prov_name", [])
    gd, gz = names("province")["44"], names("city")["4401"]
    assert gd in top
    cities = _drill(client, superset_instance, chart, "city_name", [("prov_name", gd)])
    assert cities and set(cities) <= _region_names("city", "44"), cities
    assert sum(cities.values()) == pytest.approx(top[gd])
    counties = _drill(
        client, superset_instance, chart, "county_name", [("prov_name", gd), ("city_name", gz)]
    )
    assert counties and set(counties) <= _region_names("county", "4401"), counties
    assert sum(counties.values()) == pytest.approx(cities[gz])
    other = names("province")["11"]
    if role == "province":
        assert set(top) == {gd}
        assert _drill(client, superset_instance, chart, "city_name", [("prov_name", other)]) == {}
    else:
        assert other in top


@pytest.mark.parametrize("role", sorted(ROLES))
def test_province_ranking_drills_to_its_cities(superset_instance, role):
    """经营概览's 各省出账收入排名: a province's bar is the sum of its cities, and drill-by 地区
    on it shows them, adding up to the province's own row of the mart."""
    username, _ = ROLES[role]
    client = superset_instance.login(username)
    chart = CHARTS["overview_province_ranking"]
    gd = names("province")["44"]
    top = _drill(client, superset_instance, chart, "prov_name", [])
    cities = _drill(client, superset_instance, chart, "region_name", [("prov_name", gd)])
    assert cities and set(cities) <= _region_names("city", "44")
    (province,) = query(
        superset_instance.warehouse,
        "select revenue_yuan from main.mart_revenue_region_month where region_level = 'province'"
        " and prov_code = '44' and period_month = (select max(period_month)"
        " from main.mart_revenue_region_month)",
    )[0]
    assert top[gd] == pytest.approx(float(province))
    assert sum(cities.values()) == pytest.approx(float(province))


# ---- city users on province-level charts -----------------------------------------------------
def test_city_user_sees_its_city_only_never_its_whole_province(superset_instance):
    """gz_analyst (city_4401): a chart by province that sums city rows shows 广东省 with
    广州's part only; a province-level dataset (对标 trends: no city rows) shows nothing."""
    client = superset_instance.login("gz_analyst")
    db = superset_instance.warehouse
    gd = names("province")["44"]
    ranking = _drill(
        client, superset_instance, CHARTS["overview_province_ranking"], "prov_name", []
    )
    (city, province) = query(
        db,
        "select sum(case when region_level = 'city' and region_code = '4401' then revenue_yuan"
        " end), sum(case when region_level = 'province' and prov_code = '44' then revenue_yuan"
        " end) from main.mart_revenue_region_month where period_month = (select"
        " max(period_month) from main.mart_revenue_region_month)",
    )[0]
    assert set(ranking) == {gd} and ranking[gd] == pytest.approx(float(city))
    assert float(city) < float(province)
    risk = _drill(client, superset_instance, CHARTS["value_at_risk_by_province"], "prov_name", [])
    (city_risk,) = query(
        db, "select sum(value_at_risk_yuan) from main.mart_churn_scores where city_code = '4401'"
    )[0]
    assert set(risk) == {gd} and risk[gd] == pytest.approx(float(city_risk))
    trend = CHARTS["indicator_trend_rev_total"]
    result = client.post("/api/v1/chart/data", _page_query(superset_instance, trend))
    assert result["result"][0]["data"] == []


# ---- on the page ---------------------------------------------------------------------------
def _page_answer(superset_instance, pages, slug: str, key: str, username: str):
    dash = next(d for d in DASHBOARDS if d.slug == slug)
    page, _ = pages(username)
    view = open_dashboard(page, superset_instance.url, dash, username)
    (req, *_) = view.requests[superset_instance.chart_ids[CHARTS[key].uuid]]
    return req.body["form_data"], req.response["result"][0]


@pytest.mark.browser
@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_page_draws_top_n_and_others_adding_up_to_the_mart(superset_instance, pages, role):
    """What 经营概览's page asked for and drew: 其他 beside the named cities, adding up to the
    mart's city total of the latest month the user may see."""
    username, prov = ROLES[role]
    form, answer = _page_answer(
        superset_instance, pages, "executive-overview", "overview_city_ranking", username
    )
    label, value = answer["colnames"][0], answer["colnames"][-1]
    bars = {r[label]: r[value] for r in answer["data"]}
    and_prov = f"and prov_code = '{prov}'" if prov else ""
    (want,) = query(
        superset_instance.warehouse,
        TOP_CHARTS["overview_city_ranking"][0].format(and_prov=and_prov),
    )[0]
    assert OTHERS in bars and len(bars) == TOP_N + 1, sorted(bars)
    assert sum(bars.values()) == pytest.approx(float(want))


@pytest.mark.browser
def test_the_page_scales_the_availability_axis_to_the_data(superset_instance, pages):
    """日常运营监控's 无线可用率: the page draws it with a truncated y axis (from the data's
    minimum) and the data lives far above 0, so a 0-100 axis would have flattened it."""
    form, answer = _page_answer(
        superset_instance, pages, "daily-operations", "daily_cell_availability", "hq_analyst"
    )
    assert form["truncateYAxis"] is True and form["y_axis_bounds"] == [None, None]
    values = [
        v
        for r in answer["data"]
        for k, v in r.items()
        if k != answer["colnames"][0] and v is not None
    ]
    assert values and min(values) > 50, min(values, default=None)
