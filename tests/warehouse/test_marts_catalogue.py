"""The indicator catalogue, the mart documentation and the exposures, checked from the files
(fast: no warehouse build)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "seeds" / "indicators.csv"
MARTS = REPO / "marts"
GENERATOR_MODEL = MARTS / "indicators" / "mart_indicator_values.sql"
# the subject-mart folders this suite covers: every folder of marts/ (marts/hq and marts/scores
# belong to other parts and have their own tests)
SUBJECTS = tuple(
    sorted(p.name for p in MARTS.iterdir() if p.is_dir() and p.name not in ("hq", "scores"))
)
REQUIRED = (
    "indicator_code",
    "name_zh",
    "name_en",
    "domain",
    "level",
    "unit",
    "period_grain",
    "aggregation",
    "formula",
    "source_model",
    "value_column",
    "direction",
    "owner",
)
DASHBOARDS = (
    "经营概览",
    "收入与ARPU",
    "用户发展与流失",
    "流失预警与挽留",
    "渠道价值与评级",
    "投诉热点",
    "日常运营监控",
    "月度经营盘点",
    "总部指标上报",
    "数据加载与质量",
    "客户分析",
    "套餐与业务使用",
    "运营日监控",
)
# what an executive, a province and HQ track (the list), by catalogue code
EXPECTED_CODES = (
    "SUBS_TOTAL",
    "NET_ADDS",
    "CHURN_RATE",
    "ARPU",
    "MOU",
    "DOU",
    "REV_TOTAL",
    "REV_VOICE",
    "REV_DATA",
    "COLLECTION_RATE",
    "ARREARS",
    "COMPLAINTS_PER_10K",
    "ESCALATION_RATE",
    "PEN_5G",
    "CMSN_REV_RATIO",
    "REV_YOY",
    "REV_MOM",
    "REV_YTD",
)


def catalogue() -> list[dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def model_sql(name: str) -> str:
    found = list(MARTS.rglob(f"{name}.sql"))
    assert len(found) == 1, (
        f"seeds/indicators.csv names source model {name!r}: no marts/**/{name}.sql"
    )
    return found[0].read_text(encoding="utf-8")


def model_docs() -> dict[str, dict]:
    docs: dict[str, dict] = {}
    for path in (MARTS / s / f"_{s}__models.yml" for s in SUBJECTS):
        for m in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            docs[m["name"]] = m
    return docs


def test_catalogue_has_the_indicators_people_track() -> None:
    rows = catalogue()
    codes = [r["indicator_code"] for r in rows]
    assert len(rows) >= 40, (
        f"seeds/indicators.csv has {len(rows)} indicators; the rule is 40 or more"
    )
    assert len(codes) == len(set(codes)), "seeds/indicators.csv: an indicator code appears twice"
    missing = sorted(set(EXPECTED_CODES) - set(codes))
    assert not missing, f"seeds/indicators.csv lacks {missing}"
    assert {r["level"] for r in rows} == {"L0", "L1", "L2", "L3"}
    assert {r["period_grain"] for r in rows} == {"month", "day"}


@pytest.mark.parametrize("row", catalogue(), ids=lambda r: r["indicator_code"])
def test_catalogue_row_is_complete_and_points_at_real_columns(row: dict[str, str]) -> None:
    code = row["indicator_code"]
    empty = [c for c in REQUIRED if not row[c].strip()]
    assert not empty, f"seeds/indicators.csv: {code} has empty {empty}"
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", code), f"{code}: codes are upper-case words"
    assert row["direction"] in ("higher_better", "lower_better", "neutral")
    agg = row["aggregation"]
    assert agg in ("sum", "ratio", "change", "value"), f"{code}: aggregation {agg!r}"
    if agg in ("ratio", "change"):
        assert row["numerator_column"] and row["denominator_column"], (
            f"seeds/indicators.csv: {code} is a {agg} without numerator_column/denominator_column"
        )
    assert (row["is_ratio"] == "true") == (agg == "ratio"), (
        f"{code}: is_ratio disagrees with aggregation"
    )
    sql = model_sql(row["source_model"])
    for col in (row["value_column"], row["numerator_column"], row["denominator_column"]):
        if col:
            assert re.search(rf"\b{col}\b", sql), (
                f"seeds/indicators.csv: {code} reads column {col!r}, "
                f"which {row['source_model']}.sql does not mention"
            )
    assert f"ref('{row['source_model']}')" in GENERATOR_MODEL.read_text(encoding="utf-8"), (
        f"{code} reads {row['source_model']}, missing from the depends_on list of "
        "marts/indicators/mart_indicator_values.sql"
    )


def test_every_mart_is_documented_with_its_grain() -> None:
    docs = model_docs()
    models = sorted(p.stem for s in SUBJECTS for p in (MARTS / s).glob("*.sql"))
    undocumented = [m for m in models if m not in docs]
    assert not undocumented, f"models without a yml entry: {undocumented}"
    no_grain = [m for m in models if "one row per" not in docs[m].get("description", "").lower()]
    assert not no_grain, f"descriptions that do not state the grain ('One row per ...'): {no_grain}"


def test_exposures_name_every_dashboard_and_cover_every_mart() -> None:
    exposures = yaml.safe_load((MARTS / "_exposures.yml").read_text(encoding="utf-8"))["exposures"]
    labels = " ".join(e.get("label", "") for e in exposures)
    missing = [d for d in DASHBOARDS if d not in labels]
    assert not missing, f"marts/_exposures.yml names no exposure for {missing}"
    read = {
        ref for e in exposures for ref in re.findall(r"ref\('([^']+)'\)", " ".join(e["depends_on"]))
    }
    marts = {p.stem for s in SUBJECTS for p in (MARTS / s).glob("mart_*.sql")}
    unread = sorted(marts - read)
    assert not unread, f"marts no exposure reads: {unread}"


def test_exposure_urls_open_the_dashboards_of_the_catalogue() -> None:
    from dashboards.catalogue import DASHBOARDS as SPECS

    slugs = {d.slug for d in SPECS}
    exposures = yaml.safe_load((MARTS / "_exposures.yml").read_text(encoding="utf-8"))["exposures"]
    urls = {e["name"]: e["url"] for e in exposures if e["type"] == "dashboard"}
    wrong = {
        name: url
        for name, url in urls.items()
        if not (m := re.search(r"/dashboard/([^/]+)/$", url)) or m.group(1) not in slugs
    }
    assert urls and not wrong, f"exposure URLs that open no dashboard: {wrong}"


def test_each_dashboard_exposure_names_the_tables_its_charts_read() -> None:
    """A dashboard's exposure lists every warehouse table its datasets read (a physical
    dataset's table, the tables a virtual dataset's SELECT names), so dbt's lineage shows which
    dashboards a change to a mart touches."""
    from dashboards.catalogue import DASHBOARDS as SPECS

    exposures = yaml.safe_load((MARTS / "_exposures.yml").read_text(encoding="utf-8"))["exposures"]
    declared = {
        m.group(1): set(re.findall(r"ref\('([^']+)'\)", " ".join(e["depends_on"])))
        for e in exposures
        if e["type"] == "dashboard" and (m := re.search(r"/dashboard/([^/]+)/$", e["url"]))
    }
    seeds = {p.stem for p in (REPO / "seeds").glob("*.csv")}
    missing = {}
    for d in SPECS:
        if d.slug not in declared:
            continue
        read = {
            t
            for ds in d.datasets
            for t in (re.findall(r"\b(?:main|staging)\.(\w+)", ds.sql) if ds.sql else [ds.table])
        } - seeds  # the region seeds the name joins read are no mart
        if lacking := sorted(read - declared[d.slug]):
            missing[d.slug] = lacking
    assert missing == {}, (
        f"marts/_exposures.yml: dashboards read tables their exposure omits: {missing}"
    )
