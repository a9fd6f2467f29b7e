"""config/access.yaml and the specs of 对标 and the China map: pure, no Superset needed
(test_superset_access.py checks them on a real Superset)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dashboards import access
from dashboards.catalogue import BENCHMARK_TABLE, INDICATOR_OVERVIEW, PROVINCE_MAP
from dashboards.generate import render_assets
from dashboards.server import SupersetError


def _config(tmp_path: Path, **raw: object) -> Path:
    path = tmp_path / "access.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_config_has_hq_province_and_city_roles() -> None:
    cfg = access.load_config()
    assert {"hq", "province_44", "province_11", "city_4401"} <= set(cfg.roles)
    assert {u.username: u.role for u in cfg.users}["gz_analyst"] == "city_4401"


def test_city_roles_come_from_the_config(tmp_path: Path) -> None:
    cfg = access.load_config(
        _config(
            tmp_path,
            provinces=["44"],
            cities=["4401", "4403"],
            users=[{"username": "sz_analyst", "role": "city_4403"}],
        )
    )
    assert cfg.roles == ("hq", "province_44", "city_4401", "city_4403")
    assert access.load_config(_config(tmp_path, provinces=["44"])).cities == ()
    assert len(access.load_config(_config(tmp_path, cities="all")).cities) > 300


@pytest.mark.parametrize(
    "raw,message",
    [
        ({"cities": ["4401", "9999"]}, "['9999'] are not GB/T 2260 codes in regions.csv"),
        ({"cities": "4401"}, "'cities' must be \"all\" or a list of codes"),
        (
            {"cities": ["4401"], "users": [{"username": "x_user", "role": "city_4403"}]},
            "nor a configured city role",
        ),
    ],
)
def test_mistakes_in_the_city_config_are_refused(tmp_path: Path, raw, message) -> None:
    with pytest.raises(SupersetError, match=message.replace("[", r"\[").replace("]", r"\]")):
        access.load_config(_config(tmp_path, **raw))


def test_china_map_and_benchmark_specs_render() -> None:
    assert (
        PROVINCE_MAP in INDICATOR_OVERVIEW.charts and BENCHMARK_TABLE in INDICATOR_OVERVIEW.charts
    )
    files = render_assets([INDICATOR_OVERVIEW])
    params = files[f"charts/{PROVINCE_MAP.key}.yaml"]["params"]
    assert params["viz_type"] == "country_map" and params["select_country"] == "china"
    assert params["entity"] == "prov_iso_code"
    # a legacy chart takes the dashboard's period through its time column
    assert params["granularity_sqla"] == "period_month"
    qc = json.loads(files[f"charts/{PROVINCE_MAP.key}.yaml"]["query_context"])
    assert qc["queries"][0]["columns"] == ["prov_iso_code"]
    ds = files["datasets/jingfen/mart_indicator_benchmark.yaml"]
    types = {c["column_name"]: c["type"] for c in ds["columns"]}
    assert types["rank_among_provinces"] == types["provinces_ranked"] == "BIGINT"
    labels = {c["column_name"]: c["verbose_name"] for c in ds["columns"]}
    assert labels["rank_among_provinces"] == "全国排名"
    # the table shows names, never codes
    assert not {"indicator_code", "prov_code", "prov_iso_code"} & set(BENCHMARK_TABLE.columns)
    with pytest.raises(ValueError, match="needs a groupby"):
        type(PROVINCE_MAP)(**{**PROVINCE_MAP.__dict__, "groupby": ()})
