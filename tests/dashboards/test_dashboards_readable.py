"""Charts people can read (issue #14), from the specs and the generated params: top-N with the
rest as 其他, 全国 beside 本省 instead of 31 lines, axes scaled to the data. Superset itself is
checked in test_superset_readable."""

from __future__ import annotations

import duckdb

from dashboards.catalogue import (
    DASHBOARDS,
    MART_INDICATOR_BENCHMARK,
    OTHERS,
    TOP_N,
    _with_top,
)
from dashboards.generate import render_assets

CHARTS = {c.key: c for d in DASHBOARDS for c in d.charts}
TOP_CHARTS = ("overview_city_ranking", "value_at_risk_by_city")
BENCHMARK_TRENDS = (
    "indicator_trend_rev_total",
    "indicator_trend_arpu",
    "indicator_trend_net_adds",
    "indicator_trend_churn_rate",
    "revenue_trend",
    "arpu_trend",
    "new_vs_churned_trend",
    "churn_rate_trend",
    "complaints_per_10k_trend",
)


def test_top_n_names_the_largest_and_merges_the_rest_into_others() -> None:
    """40 cities in two provinces over three months: TOP_N names by the latest month, one 其他,
    and every month's total unchanged; a city is named or 其他 in every month alike."""
    con = duckdb.connect()
    con.execute(
        "create table main.t as select m::date as period_month, 'city' as region_level,"
        " lpad(c::varchar, 4, '0') as region_code, '城' || c as region_name,"
        # the ranking flips between months: the latest month decides
        " case when m = date '2026-03-01' then c * 10.0 else (50 - c) * 10.0 end as revenue_yuan"
        " from range(1, 41) as r(c),"
        " (values (date '2026-01-01'), (date '2026-02-01'), (date '2026-03-01')) as p(m)"
    )
    sql = _with_top(
        "select * from main.t",
        "main.t",
        "region_name",
        ("region_level", "region_code"),
        "revenue_yuan",
        "period_month",
    )
    by_month = con.execute(
        f"select period_month, region_name_top, sum(revenue_yuan) from ({sql}) group by all"
    ).fetchall()
    totals = dict(
        con.execute("select period_month, sum(revenue_yuan) from t group by 1").fetchall()
    )
    for month, total in totals.items():
        bars = {name: v for m, name, v in by_month if m == month}
        assert OTHERS in bars and len(bars) == TOP_N + 1
        assert sum(bars.values()) == total
        assert set(bars) - {OTHERS} == {f"城{c}" for c in range(40 - TOP_N + 1, 41)}


def test_many_category_bars_show_top_n_and_others() -> None:
    files = render_assets(DASHBOARDS)
    for key in TOP_CHARTS:
        chart = CHARTS[key]
        assert chart.groupby[0].endswith("_top"), key
        column = chart.dataset.column(chart.groupby[0])
        assert f"'{OTHERS}'" in (chart.dataset.sql or ""), key
        assert column.label_zh in ("地区", "地市"), key
        assert files[f"charts/{key}.yaml"]["params"]["x_axis"] == chart.groupby[0]


def test_trends_show_the_nation_beside_the_province_not_one_line_per_province() -> None:
    files = render_assets(DASHBOARDS)
    for key in BENCHMARK_TRENDS:
        chart = CHARTS[key]
        assert chart.dataset is MART_INDICATOR_BENCHMARK and not chart.groupby, key
        params = files[f"charts/{key}.yaml"]["params"]
        assert [m["label"] for m in params["metrics"]] == ["全国", "本省（所选省份）"], key
        assert params["groupby"] == [], key
    # the province line is the province's own value only while the rows are of one province
    line = MART_INDICATOR_BENCHMARK.metric("province_line").expression
    con = duckdb.connect()
    con.execute(
        "create table b as select * from (values ('44', 10.0, 30.0), ('11', 20.0, 30.0))"
        " as v(prov_code, province_value, national_value)"
    )
    national = MART_INDICATOR_BENCHMARK.metric("national_line").expression
    assert con.execute(f"select {national}, {line} from b").fetchall() == [(30.0, None)]
    assert con.execute(f"select {national}, {line} from b where prov_code = '44'").fetchall() == [
        (30.0, 10.0)
    ]


def test_trend_axes_are_scaled_to_the_data_and_bars_start_at_zero() -> None:
    """Line charts start their y axis at the data's minimum (availability in 97-100 is not
    drawn on 0-100); bars keep zero (a truncated bar misleads)."""
    files = render_assets(DASHBOARDS)
    lines = [c for c in CHARTS.values() if c.kind == "line"]
    assert len(lines) >= 15
    for chart in lines:
        params = files[f"charts/{chart.key}.yaml"]["params"]
        assert params["truncateYAxis"] is True, chart.key
        assert params["y_axis_bounds"] == [None, None], chart.key
    for chart in (c for c in CHARTS.values() if c.kind == "bar"):
        assert not files[f"charts/{chart.key}.yaml"]["params"].get("truncateYAxis"), chart.key
