"""Static checks of the dbt project's sources (no build needed), over every model folder
(staging, intermediate, the star schema, features, the subject marts): every model documented
with its grain and its key tested, each folder holding one kind of model, and only SQL that also
runs on Spark."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from jingfen.config import REPO_ROOT

MODEL_ROOTS = [REPO_ROOT / "models", REPO_ROOT / "marts"]
CORE_DIRS = sorted({p.parent for root in MODEL_ROOTS for p in root.rglob("*.sql")})
MACRO_DIR = REPO_ROOT / "macros" / "portable"


def sql_files() -> list[Path]:
    files = [p for d in CORE_DIRS for p in sorted(d.glob("*.sql"))]
    files += sorted((REPO_ROOT / "data-tests").glob("*.sql"))
    return files


def yml_models() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for d in CORE_DIRS:
        for y in d.glob("_*__models.yml"):
            for m in yaml.safe_load(y.read_text(encoding="utf-8")).get("models", []):
                out[m["name"]] = m
    return out


# DuckDB-only spellings that break on Spark (or any other engine), with the portable way.
NOT_PORTABLE = {
    r"::": "a `::` cast (use cast(x as type))",
    r"\bqualify\b": "QUALIFY (filter a window result in an outer query)",
    r"\bstrftime\s*\(": "strftime (use a dispatch macro in macros/portable)",
    r"\bexclude\s*\(": "SELECT * EXCLUDE (list the columns)",
    r"\bgroup\s+by\s+all\b": "GROUP BY ALL (list the columns)",
    r"\border\s+by\s+all\b": "ORDER BY ALL (list the columns)",
    r"\b(list|struct|array)_\w+\s*\(": "list/struct functions",
    r"\bdate_diff\s*\(": "date_diff (use dbt.datediff)",
    r"\bdate_trunc\s*\(": "date_trunc (use dbt.date_trunc or month_start)",
    r"\binterval\s+'?\d": "interval literals (use dbt.dateadd)",
    r"\bilike\b": "ILIKE",
    r"\bformat(_number)?\s*\(": "format / format_number (use number_text() in macros/portable)",
}


def strip_jinja_and_comments(sql: str) -> str:
    sql = re.sub(r"\{#.*?#\}", " ", sql, flags=re.S)
    sql = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", sql, flags=re.S)
    return re.sub(r"--[^\n]*", " ", sql)


@pytest.mark.parametrize("path", sql_files(), ids=lambda p: p.name)
def test_sql_is_portable(path: Path) -> None:
    sql = strip_jinja_and_comments(path.read_text(encoding="utf-8")).lower()
    problems = [
        f"{path.relative_to(REPO_ROOT)}:{sql[: m.start()].count(chr(10)) + 1}: {why}"
        for pattern, why in NOT_PORTABLE.items()
        for m in re.finditer(pattern, sql)
    ]
    problems += [
        f"{path.relative_to(REPO_ROOT)}: double-quoted identifier {m.group(0)} "
        "(a string literal on Spark)"
        for m in re.finditer(r'"[^"\n]*"', sql)
    ]
    assert not problems, "non-portable SQL:\n" + "\n".join(problems)


def test_engine_specific_macros_dispatch_per_adapter() -> None:
    """A macro defined here with per-engine implementations reaches them via adapter.dispatch
    (implementations overriding dbt's own macros, like spark__load_csv_rows, are left alone)."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in MACRO_DIR.glob("*.sql")}
    defined = {
        name: file
        for file, text in texts.items()
        for name in re.findall(r"\{%-?\s*macro\s+(\w+)\(", text)
    }
    problems = []
    for name in defined:
        prefix, _, base = name.partition("__")
        is_impl = base and prefix in ("default", "duckdb", "spark", "trino") and base in defined
        if is_impl and f"adapter.dispatch('{base}'" not in texts[defined[base]]:
            problems.append(f"{defined[base]}: {base} has {name} but no adapter.dispatch")
    assert "iso_weekday" in defined and "month_start" in defined
    assert not problems, "\n".join(problems)


def test_every_model_is_documented_with_its_grain_and_key_tested() -> None:
    documented = yml_models()
    problems = []
    for path in (p for d in CORE_DIRS for p in d.glob("*.sql")):
        name = path.stem
        model = documented.get(name)
        if model is None:
            problems.append(f"{name}: not in a _*__models.yml")
            continue
        description = " ".join(model.get("description", "").split()).lower()
        if "one row per" not in description:
            problems.append(f"{name}: description does not state the grain ('one row per ...')")
        model_tests = [
            next(iter(t)) if isinstance(t, dict) else t for t in model.get("data_tests", [])
        ]
        column_tests = {
            c["name"]: [
                next(iter(t)) if isinstance(t, dict) else t for t in c.get("data_tests", [])
            ]
            for c in model.get("columns", [])
        }
        has_key = "unique_combination_of_columns" in model_tests or any(
            "unique" in tests and "not_null" in tests for tests in column_tests.values()
        )
        if not has_key:
            problems.append(f"{name}: no primary key test (unique + not_null, or a combination)")
    assert not problems, "\n".join(problems)


def test_bands_seed_tiles_each_band_type() -> None:
    import csv

    with (REPO_ROOT / "seeds" / "bands.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_type: dict[str, list[dict]] = {}
    for r in rows:
        by_type.setdefault(r["band_type"], []).append(r)
    assert set(by_type) == {"arpu", "tenure", "arrears_age"}
    for band_type, bands in by_type.items():
        bands.sort(key=lambda r: float(r["lower_bound"]) if r["lower_bound"] else float("-inf"))
        for previous, current in zip(bands, bands[1:], strict=False):
            assert previous["upper_bound"] == current["lower_bound"], (
                f"bands.csv: {band_type} band {current['band_code']} does not start where "
                f"{previous['band_code']} ends"
            )
        assert bands[-1]["upper_bound"] == "", f"bands.csv: the last {band_type} band must be open"
