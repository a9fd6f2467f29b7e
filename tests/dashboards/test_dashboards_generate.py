"""The asset generator and bundle: pure, no Superset needed."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from dashboards.catalogue import (
    DASHBOARDS,
    GEO_JOINS,
    INDICATOR_OVERVIEW,
    LANDING,
    MART_INDICATOR_VALUES,
    NAME_COLUMNS,
    REPORTS,
    indicator_metrics,
    indicator_rows,
    names,
)
from dashboards.deploy import ASSETS_DIR, BUNDLE_ROOT, build_bundle
from dashboards.generate import (
    ChartSpec,
    ColumnSpec,
    DashboardSpec,
    DatasetSpec,
    FilterSpec,
    Where,
    assets_differ,
    chart_specs,
    render_assets,
    stable_uuid,
    write_assets,
)

CHARTS_BY_KEY = chart_specs(DASHBOARDS)


def test_committed_assets_match_the_catalogue() -> None:
    assert assets_differ(DASHBOARDS, ASSETS_DIR) == [], "run `make dashboards-generate`"


def test_uuids_are_stable_and_distinct() -> None:
    files = render_assets(DASHBOARDS)
    uuids = [c["uuid"] for c in files.values() if "uuid" in c]
    assert len(uuids) == len(set(uuids))
    assert render_assets(DASHBOARDS) == files  # same specs, same output
    assert stable_uuid("chart", "x") == stable_uuid("chart", "x") != stable_uuid("chart", "y")


def test_every_link_resolves(tmp_path: Path) -> None:
    write_assets(DASHBOARDS, tmp_path)
    load = lambda p: yaml.safe_load(p.read_text(encoding="utf-8"))  # noqa: E731
    db_uuids = {load(p)["uuid"] for p in (tmp_path / "databases").glob("*.yaml")}
    ds = {load(p)["uuid"]: load(p) for p in (tmp_path / "datasets").rglob("*.yaml")}
    charts = {load(p)["uuid"]: load(p) for p in (tmp_path / "charts").glob("*.yaml")}
    assert all(d["database_uuid"] in db_uuids for d in ds.values())
    for chart in charts.values():
        assert chart["dataset_uuid"] in ds
        qc = json.loads(chart["query_context"])
        assert qc["queries"] and qc["form_data"]["viz_type"] == chart["viz_type"]
    for p in (tmp_path / "dashboards").glob("*.yaml"):
        dash = load(p)
        in_layout = {
            v["meta"]["uuid"]
            for v in dash["position"].values()
            if isinstance(v, dict) and v.get("type") == "CHART"
        }
        assert in_layout <= set(charts)
        assert in_layout or any(
            isinstance(v, dict) and v.get("type") == "MARKDOWN" for v in dash["position"].values()
        ), p.name
        for f in dash["metadata"]["native_filter_configuration"]:
            for t in f["targets"]:
                assert not t or t["datasetUuid"] in ds


def test_bundle_templates_the_warehouse_path(tmp_path: Path) -> None:
    home = tmp_path / "某个 home"
    bundle = zipfile.ZipFile(io.BytesIO(build_bundle(ASSETS_DIR, home)))
    names = bundle.namelist()
    assert f"{BUNDLE_ROOT}/metadata.yaml" in names
    db = yaml.safe_load(bundle.read(f"{BUNDLE_ROOT}/databases/jingfen.yaml"))
    assert db["sqlalchemy_uri"] == (
        f"duckdb:///{home.resolve()}/warehouse/jingfen.duckdb"
        "?access_mode=read_only&enable_external_access=false&memory_limit=2GB"
    )
    assert db["allow_file_upload"] is False
    assert "{JINGFEN_HOME}" not in bundle.read(f"{BUNDLE_ROOT}/databases/jingfen.yaml").decode()


def test_layout_packs_rows_of_twelve() -> None:
    files = render_assets([INDICATOR_OVERVIEW])
    pos = files[f"dashboards/{INDICATOR_OVERVIEW.slug}.yaml"]["position"]
    rows = [pos[r] for r in pos["GRID_ID"]["children"]]
    widths = [sum(pos[c]["meta"]["width"] for c in row["children"]) for row in rows]
    assert all(w <= 12 for w in widths)
    assert sum(len(r["children"]) for r in rows) == len(INDICATOR_OVERVIEW.charts)


def test_specs_reject_mistakes() -> None:
    with pytest.raises(ValueError, match="no column 'nope'"):
        ChartSpec("k", "标题", "Title", MART_INDICATOR_VALUES, "table", columns=("nope",))
    with pytest.raises(ValueError, match="needs a metric"):
        ChartSpec("k", "标题", "Title", MART_INDICATOR_VALUES, "line")
    with pytest.raises(ValueError, match="unknown filter"):
        DashboardSpec(
            "s", "看板", "Board", charts=(),
            filters=(FilterSpec("city", "select", "地市", "City", MART_INDICATOR_VALUES, "region_code", parent="province"),),
        )  # fmt: skip
    chart = ChartSpec(
        "dup", "表", "Table", MART_INDICATOR_VALUES, "table", columns=("value",),
        where=(Where("region_level", "==", "city"),),
    )  # fmt: skip
    with pytest.raises(ValueError, match="used twice"):
        DashboardSpec("s", "看板", "Board", charts=(chart, chart))
    other = DashboardSpec("t", "看板二", "Board 2", charts=(chart,))
    with pytest.raises(ValueError, match="used by dashboards"):
        render_assets([DashboardSpec("s", "看板", "Board", charts=(chart,)), other])


def test_cascading_city_filter_renders() -> None:
    province = FilterSpec(
        "province", "select", "省份", "Province", MART_INDICATOR_VALUES, "prov_code"
    )
    city = FilterSpec(
        "city", "select", "地市", "City", MART_INDICATOR_VALUES, "region_code", parent="province"
    )
    chart = ChartSpec("c1", "表", "T", MART_INDICATOR_VALUES, "table", columns=("value",))
    files = render_assets(
        [DashboardSpec("geo", "地域", "Geo", charts=(chart,), filters=(province, city))]
    )
    nf = files["dashboards/geo.yaml"]["metadata"]["native_filter_configuration"]
    assert nf[1]["cascadeParentIds"] == ["NATIVE_FILTER-province"]
    assert nf[1]["targets"][0]["column"]["name"] == "region_code"


def test_catalogue_has_the_reports_and_a_landing_page() -> None:
    slugs = {d.slug for d in REPORTS}
    assert {
        "executive-overview",
        "service-centre",
        "service-quality",
        "key-account-sla",
        "customer-analysis",
        "package-usage",
        "daily-monitors",
        "customer-insight",
    } <= slugs
    assert len(REPORTS) == 17 and DASHBOARDS[0] is LANDING
    text = LANDING.markdown[0].text
    for d in REPORTS:
        assert f"(/superset/dashboard/{d.slug}/)" in text and d.title_zh in text
        assert d.title_en and d.description_zh, d.slug
    slugs = [d.slug for d in DASHBOARDS]
    assert len(slugs) == len(set(slugs))


def test_the_landing_page_lists_every_report_under_one_department() -> None:
    """报表目录 by department (市场营销, 集团客户, 客服, 终端, 增值业务, 数据业务, 运营监控,
    总部 ...): every report under exactly one, each department in the text with its reports,
    and a department without reports of its own points at the report showing its figures."""
    from dashboards.catalogue import DEPARTMENTS

    placed = [d.slug for dep in DEPARTMENTS for d in dep.reports]
    assert sorted(placed) == sorted(d.slug for d in REPORTS), "each report in one department"
    names_zh = [dep.name_zh for dep in DEPARTMENTS]
    for wanted in (
        "市场营销",
        "集团客户",
        "客服",
        "终端",
        "增值业务",
        "数据业务",
        "运营监控",
        "总部",
    ):
        assert wanted in names_zh, wanted
    rows = [r for r in LANDING.markdown[0].text.splitlines() if r.startswith("| ") and "](" in r]
    for dep in DEPARTMENTS:
        mine = [r for r in rows if r.startswith(f"| {dep.name_zh} |")]
        assert mine, f"{dep.name_zh} has no row on the landing page"
        for d in dep.reports:
            assert any(f"(/superset/dashboard/{d.slug}/)" in r for r in mine), (dep.name_zh, d.slug)
        assert dep.reports or dep.elsewhere_zh, f"{dep.name_zh}: neither reports nor pointers"


def test_every_report_has_period_and_province_filters() -> None:
    for d in REPORTS:
        kinds = {(f.kind, f.column) for f in d.filters}
        assert ("time", None) in kinds, d.slug
        assert ("select", "prov_name") in kinds, d.slug


def test_datasets_are_limited_by_province_or_hq_only() -> None:
    """Row-level security needs prov_code; anything without it must never reach a province."""
    for d in DASHBOARDS:
        for ds in d.datasets:
            assert ds.has_province or ds.reference or ds.audience == "hq", ds.table
            if ds.audience == "hq":
                assert d.audience == "hq", (d.slug, ds.table)
    with pytest.raises(ValueError, match="no prov_code column"):
        DatasetSpec("t", "表", "T", (ColumnSpec("x", "VARCHAR", "x", "x"),))


def test_metrics_come_from_the_indicator_catalogue() -> None:
    rows = {r["indicator_code"]: r for r in indicator_rows()}
    revenue = {m.name: m for m in indicator_metrics("mart_revenue_region_month")}
    assert revenue["REV_TOTAL"].expression == "sum(revenue_yuan)"
    assert revenue["ARPU"].expression == "1 * sum(revenue_yuan) / nullif(sum(avg_subs), 0)"
    assert "ARPU_MOM" not in revenue  # not additive across regions: summing would be wrong
    dev = {m.name: m for m in indicator_metrics("mart_development_month")}
    assert dev["CHURN_RATE"].expression == (
        "100 * sum(case when breakdown_type = 'total' then churned_subs end) / "
        "nullif(sum(case when breakdown_type = 'total' then opening_subs end), 0)"
    )
    assert rows["CHURN_RATE"]["name_zh"] in dev["CHURN_RATE"].label_zh
    # every catalogue indicator of a mart the dashboards read is a metric there, if additive
    for d in DASHBOARDS:
        for ds in d.datasets:
            names = {m.name for m in ds.metrics}
            for code, r in rows.items():
                if r["source_model"] == ds.table and r["is_additive"] == "true":
                    assert code in names, (ds.table, code)


def test_new_chart_kinds_render() -> None:
    files = render_assets(DASHBOARDS)
    viz = {c["viz_type"] for k, c in files.items() if k.startswith("charts/")}
    assert {"big_number", "pie", "waterfall", "table", "echarts_timeseries_line"} <= viz
    bridge = files["charts/revenue_bridge.yaml"]
    qc = json.loads(bridge["query_context"])
    assert qc["queries"][0]["extras"]["where"] == "(is_latest_month)"
    big = files["charts/kpi_rev_total.yaml"]["params"]
    assert big["compare_lag"] == 1 and big["x_axis"] == "period_month"
    ds = files["datasets/jingfen/rpt_load_rejects.yaml"]
    # report tables are dbt models (marts/*/rpt_*.sql), never SQL strings in the catalogue: the
    # dataset's SELECT only adds the province's name from the region seed
    assert ds["table_name"] == "rpt_load_rejects" and ds["schema"] == "main"
    assert ds["sql"] == (
        "select t.*, p.prov_name as prov_name from main.rpt_load_rejects as t "
        "left join main.provinces as p on p.prov_code = t.prov_code"
    )
    assert json.loads(ds["extra"]) == {"jingfen_audience": "all"}
    hq = files["dashboards/hq-submissions.yaml"]["metadata"]["jingfen_audience"]
    assert hq == "hq"


def test_select_filters_leave_out_charts_without_their_column() -> None:
    files = render_assets(DASHBOARDS)
    dash = files["dashboards/revenue-arpu.yaml"]
    chart_ids = {
        v["meta"]["uuid"]: v["meta"]["chartId"]
        for v in dash["position"].values()
        if isinstance(v, dict) and v.get("type") == "CHART"
    }
    city = next(
        f for f in dash["metadata"]["native_filter_configuration"] if f["id"].endswith("city")
    )
    assert city["cascadeParentIds"] == ["NATIVE_FILTER-province"]
    col = city["targets"][0]["column"]["name"]
    from dashboards.catalogue import REVENUE

    for chart in REVENUE.charts:
        has = any(c.name == col for c in chart.dataset.columns)
        assert (chart_ids[chart.uuid] in city["scope"]["excluded"]) is not has, chart.key


def test_not_equals_is_refused() -> None:
    with pytest.raises(ValueError, match="NOT IN"):
        Where("status", "!=", "loaded")


def test_indicator_dictionary_seeds_are_generated_from_the_catalogue() -> None:
    """The 指标字典's seeds are in step with the catalogue, and list where each indicator is
    shown: a search of ARPU finds both reports that chart it."""
    import csv
    import io

    from dashboards.catalogue import DICTIONARY, REPORTS
    from dashboards.dictionary import render_seeds, seeds_differ

    assert seeds_differ(REPORTS) == [], "run `python -m dashboards generate`"
    seeds = render_seeds(REPORTS)
    index = list(csv.DictReader(io.StringIO(seeds["report_index.csv"])))
    charts = list(csv.DictReader(io.StringIO(seeds["report_charts.csv"])))
    assert [r["report_slug"] for r in index] == [d.slug for d in REPORTS]
    arpu = {r["report_slug"] for r in charts if r["indicator_code"] == "ARPU"}
    assert {"executive-overview", "revenue-arpu"} <= arpu
    # every big-number tile's indicator is listed with its chart
    tiles = {(c.key, c.metric) for d in REPORTS for c in d.charts if c.kind == "big_number"}
    listed = {(r["chart_key"], r["indicator_code"]) for r in charts}
    for key, metric in tiles:
        if metric != "indicator_value":
            assert (key, metric) in listed, key
    # the dictionary is reference data every role may read, searched in its table
    (chart,) = DICTIONARY.charts
    assert chart.searchable and chart.dataset.reference and not chart.dataset.has_province
    assert DICTIONARY in DASHBOARDS and DICTIONARY not in REPORTS


# ---- names, not codes (issue #14) -------------------------------------------------------------
# Columns holding a code that has a name beside it (in the mart, a seed join or a calculated
# column): a chart never groups, labels, lists or filters by them.
CODE_COLUMNS = {
    *(code for code, _, _ in GEO_JOINS.values()),
    *(c for cols, _ in NAME_COLUMNS.values() for c in cols),
    "indicator_code",  # name_zh / indicator_name_zh
    "category_l1_code",  # category_l1_name
    "reason_code",  # reason
}
# The 指标字典 lists each indicator's code beside its name on purpose: it is the search key.
CODES_ON_PURPOSE = {("indicator_dictionary", "indicator_code")}


def test_charts_and_filters_read_names_not_codes() -> None:
    found = []
    for d in DASHBOARDS:
        for c in d.charts:
            for col in (*c.groupby, *c.columns):
                if col in CODE_COLUMNS and (c.key, col) not in CODES_ON_PURPOSE:
                    found.append(f"{d.slug} · {c.key}: {col}")
        for f in d.filters:
            if f.column in CODE_COLUMNS:
                found.append(f"{d.slug} · filter {f.key}: {f.column}")
    assert found == [], "charts and filters should show the names of these codes: " + str(found)


def test_names_decode_every_code_the_seeds_know() -> None:
    """The calculated name columns cover the seeds' codes (a KPI without a name would show its
    snake_case id)."""
    assert names("province")["44"] == "广东省" and names("city")["4401"] == "广州市"
    assert names("package")["P5G399"] and names("complaint_category")["01"] == "网络质量"
    for code_set in ("daily_kpi", "alert_kind", "churn_reason", "bill_item", "load_status"):
        assert all(n and not n.isascii() or n.isupper() for n in names(code_set).values())
    sql = NAME_COLUMNS["kpi_name"][1]
    assert "when 'drop_rate_pct' then '掉线率'" in sql and sql.endswith("else kpi_code end")


_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_dataset_column_and_metric_has_a_chinese_name() -> None:
    missing = [
        f"{ds.table}.{x.name}: {x.label_zh!r}"
        for d in DASHBOARDS
        for ds in d.datasets
        for x in (*ds.columns, *ds.metrics)
        if not _CJK.search(x.label_zh) and x.label_zh not in {"KPI", "PSI", "ARPU", "MOU"}
    ]
    assert missing == []


def test_counts_print_as_integers() -> None:
    """Counts (subscribers, tickets, ranks) in tables print whole (``,d``); mixed-unit value
    columns drop trailing zeros (``,.2~f``: a count reads 20,544); summary-table metrics carry
    their format."""
    files = render_assets(DASHBOARDS)
    review = files["charts/review_table.yaml"]["params"]["column_config"]
    assert review["closing_subs"] == {"d3NumberFormat": ",d"}
    assert review["net_adds"] == {"d3NumberFormat": ",d"}
    assert review["revenue_yuan"] == {"d3NumberFormat": ",.2f"}
    ratings = files["charts/channel_ratings_table.yaml"]["params"]["column_config"]
    assert ratings["rank_in_period"] == {"d3NumberFormat": ",d"}
    values = files["charts/indicator_values_table.yaml"]["params"]["column_config"]
    assert values["value"] == {"d3NumberFormat": ",.2~f"}
    scored = files["charts/churn_scored_subs.yaml"]["params"]["column_config"]
    assert scored["评分用户数"] == {"d3NumberFormat": ",.0f"}


def test_rankings_follow_the_period_as_the_tiles_do() -> None:
    """The 经营概览 ranking shows the latest month of the chosen period (as the tiles do), not
    the sum of every month, and like every chart with a time column it is in the period
    filter's scope."""
    ranking = CHARTS_BY_KEY["overview_province_ranking"]
    # the rows of each bar's latest month (a province: the sum of its cities that month)
    assert ranking.metric == "revenue_latest_month_total"
    assert "if r.m = max(period_month)" in ranking.dataset.metric(ranking.metric).expression
    files = render_assets(DASHBOARDS)
    for d in REPORTS:
        period = next(f for f in d.filters if f.kind == "time")
        native = files[f"dashboards/{d.slug}.yaml"]["metadata"]["native_filter_configuration"]
        excluded = next(n for n in native if n["id"] == period.id)["scope"]["excluded"]
        timed = [c for c in d.charts if c.dataset.main_dttm_col]
        assert len(excluded) == len(d.charts) - len(timed), d.slug
