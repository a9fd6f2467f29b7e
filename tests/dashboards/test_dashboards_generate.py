"""The asset generator and bundle: pure, no Superset needed."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml

from dashboards.catalogue import DASHBOARDS, INDICATOR_OVERVIEW, MART_INDICATOR_VALUES
from dashboards.deploy import ASSETS_DIR, BUNDLE_ROOT, build_bundle
from dashboards.generate import (
    ChartSpec,
    DashboardSpec,
    FilterSpec,
    Where,
    assets_differ,
    render_assets,
    stable_uuid,
    write_assets,
)


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
        assert in_layout and in_layout <= set(charts)
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
        "?access_mode=read_only&enable_external_access=false"
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
