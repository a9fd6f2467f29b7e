"""The month-end commentary (月末经营述评, marts/review/rpt_month_commentary.sql) read back: the
numbers parsed out of every sentence equal the figure columns, those equal the source marts, the
contributors named are the largest movers recomputed here in pandas, a province's sentences name
only its own cities, and every city has its own commentary without region contributors (no
county rows) (docs/warehouse.md "Month-end commentary")."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

TOP_MOVERS = 3  # var commentary_top_movers
# the figure columns of each topic, in the order the sentence quotes them (NULL ones not quoted)
FIGURES = {
    "revenue": [
        "revenue_yuan", "revenue_change_yuan", "revenue_mom_pct", "volume_effect_yuan",
        "price_effect_yuan",
    ],
    "subscribers": [
        "closing_subs", "net_adds", "new_subs", "churned_subs", "net_migration_subs",
        "churn_rate_pct",
    ],
    "arpu": ["arpu_yuan", "arpu_change_yuan", "arpu_mom_pct"],
    "region_movers": [
        "revenue_change_yuan", "revenue_mom_pct", "volume_effect_yuan", "price_effect_yuan",
    ],
    "package_movers": [
        "revenue_change_yuan", "revenue_mom_pct", "volume_effect_yuan", "price_effect_yuan",
    ],
}  # fmt: skip
ALL_FIGURES = sorted({f for names in FIGURES.values() for f in names})
# a figure as written: a direction word or sign, digits with thousands separators, the unit
NUMBER = re.compile(r"(增加|减少|净增|净减)?([+-])?(\d[\d,]*(?:\.\d+)?)(万元|元|户|%)")
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$")


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


@pytest.fixture(scope="module")
def marts(warehouse_home) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(warehouse_home.db), read_only=True)
    try:
        return {
            "commentary": _frame(con, "select * from main.rpt_month_commentary"),
            "review": _frame(con, "select * from main.mart_business_review_month"),
            "revenue": _frame(
                con,
                "select period_month, region_level, region_code, region_name, arpu_yuan_mom_pct "
                "from main.mart_revenue_region_month",
            ),
            "development": _frame(
                con,
                "select period_month, region_level, region_code, churn_rate_pct "
                "from main.mart_development_month where breakdown_type = 'total'",
            ),
            "packages": _frame(
                con,
                "select period_month, region_level, region_code, breakdown_value as package_code, "
                "revenue_yuan, avg_subs, arpu_yuan from main.mart_revenue_structure_month "
                "where breakdown_type = 'package'",
            ),
            "package_names": _frame(con, "select package_code, package_name from main.dim_package"),
            "cities": _frame(
                con, "select distinct prov_code, city_code, city_name from main.dim_region"
            ),
        }
    finally:
        con.close()


def _parse(text: str) -> list[tuple[float, str, int]]:
    """(value, unit, decimals) of every figure in the text, signed by its word or sign."""
    out = []
    for word, sign, digits, unit in NUMBER.findall(text):
        assert THOUSANDS.match(digits), f"{digits!r} is not grouped by thousands in {text!r}"
        value = float(digits.replace(",", "")) * (10000 if unit == "万元" else 1)
        if sign == "-" or word in ("减少", "净减"):
            value = -value
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        out.append((value, unit, decimals))
    return out


def _package_changes(packages: pd.DataFrame) -> pd.DataFrame:
    """Each package's revenue change in a region against the previous month, 0 for a month
    without its bill, with its own volume / price effects when it has an ARPU in both months."""
    keys = ["region_level", "region_code", "package_code"]
    prev = packages.copy()
    prev["period_month"] = prev["period_month"] + pd.DateOffset(months=1)
    both = packages.merge(prev, on=["period_month", *keys], how="outer", suffixes=("", "_prev"))
    for col in ("revenue_yuan", "avg_subs"):
        both[col] = both[col].fillna(0.0)
        both[f"{col}_prev"] = both[f"{col}_prev"].fillna(0.0)
    both["change"] = both["revenue_yuan"] - both["revenue_yuan_prev"]
    has_arpu = both["arpu_yuan"].notna() & both["arpu_yuan_prev"].notna()
    both["volume"] = np.where(
        has_arpu, (both["avg_subs"] - both["avg_subs_prev"]) * both["arpu_yuan_prev"], np.nan
    )
    both["price"] = np.where(
        has_arpu, (both["arpu_yuan"] - both["arpu_yuan_prev"]) * both["avg_subs"], np.nan
    )
    return both


def test_every_number_in_a_sentence_is_its_figure_column(marts: dict[str, pd.DataFrame]) -> None:
    c = marts["commentary"]
    assert len(c) > 0 and c["sentence"].notna().all()
    checked = 0
    for row in c.itertuples(index=False):
        text = row.sentence
        if isinstance(row.mover_name, str):  # names may hold digits (8元保号套餐)
            assert row.mover_name in text, f"{row.mover_name} not named in {row.sentence!r}"
            text = text.replace(row.mover_name, "")
        text = text.replace(row.region_name, "")
        expected = [f for f in FIGURES[row.topic] if pd.notna(getattr(row, f))]
        unquoted = set(ALL_FIGURES) - set(expected)
        assert all(pd.isna(getattr(row, f)) for f in unquoted - set(FIGURES[row.topic])), row
        parsed = _parse(text)
        assert len(parsed) == len(expected), f"{row.sentence!r}: {parsed} vs {expected}"
        for (value, unit, decimals), name in zip(parsed, expected, strict=True):
            figure = float(getattr(row, name))
            if name.endswith("_pct"):
                assert (unit, decimals) == ("%", 1), (row.sentence, name)
            elif name.startswith("arpu"):
                assert (unit, decimals) == ("元", 2), (row.sentence, name)
            elif name.endswith("_subs") or name == "net_adds":
                assert (unit, decimals) == ("户", 0), (row.sentence, name)
            else:  # an amount: 万元 with 2 decimals from 1 万元 up, else whole 元
                assert (unit, decimals) == (("万元", 2) if abs(figure) >= 10000 else ("元", 0)), (
                    row.sentence,
                    name,
                )
            step = (10000 if unit == "万元" else 1) * 10.0**-decimals
            assert abs(value - figure) <= step / 2 + 1e-6, (row.sentence, name, figure)
            checked += 1
        if row.topic in ("revenue", "arpu") and pd.isna(
            row.revenue_change_yuan if row.topic == "revenue" else row.arpu_change_yuan
        ):
            assert "无可比数据" in row.sentence, row.sentence
    assert checked > 10 * len(c["period_month"].unique())


def test_figure_columns_equal_the_source_marts(marts: dict[str, pd.DataFrame]) -> None:
    c, review = marts["commentary"], marts["review"]
    key = ["period_month", "region_level", "region_code"]
    own = c[c["topic"].isin(["revenue", "subscribers", "arpu"])].merge(
        review, on=key, suffixes=("", "_mart")
    )
    own = own.merge(marts["development"], on=key, how="left", suffixes=("", "_dev"))
    own = own.merge(marts["revenue"], on=key, how="left", suffixes=("", "_rev"))
    assert len(own) == len(c[c["topic"].isin(["revenue", "subscribers", "arpu"])])
    source = {
        "revenue_yuan": "revenue_yuan_mart",
        "revenue_change_yuan": "revenue_change_yuan_mart",
        "revenue_mom_pct": "revenue_yuan_mom_pct",
        "volume_effect_yuan": "volume_effect_yuan_mart",
        "price_effect_yuan": "price_effect_yuan_mart",
        "closing_subs": "closing_subs_mart",
        "net_adds": "net_adds_mart",
        "new_subs": "new_subs_mart",
        "churned_subs": "churned_subs_mart",
        "net_migration_subs": "net_migration_subs_mart",
        "churn_rate_pct": "churn_rate_pct_dev",
        "arpu_yuan": "arpu_yuan_mart",
        "arpu_mom_pct": "arpu_yuan_mom_pct",
    }
    for fig, col in source.items():
        quoted = own[own[fig].notna()]
        # the test data moves subscribers between cities of one province only: no 净迁移
        assert len(quoted) > 0 or fig == "net_migration_subs", f"no sentence quotes {fig}"
        np.testing.assert_allclose(quoted[fig], quoted[col].astype(float), rtol=1e-9, err_msg=fig)
    arpu = own[own["arpu_change_yuan"].notna()]
    np.testing.assert_allclose(
        arpu["arpu_change_yuan"], arpu["arpu_yuan_mart"] - arpu["arpu_yuan_last_month"], rtol=1e-9
    )
    # the region contributors: the mover's own row of the review mart
    movers = c[c["topic"] == "region_movers"].merge(
        review.rename(columns={"region_level": "mover_type", "region_code": "mover_code"}),
        on=["period_month", "mover_type", "mover_code"],
        suffixes=("", "_mart"),
    )
    assert len(movers) == (c["topic"] == "region_movers").sum() > 0
    for fig, col in (
        ("revenue_change_yuan", "revenue_change_yuan_mart"),
        ("revenue_mom_pct", "revenue_yuan_mom_pct"),
        ("volume_effect_yuan", "volume_effect_yuan_mart"),
        ("price_effect_yuan", "price_effect_yuan_mart"),
    ):
        quoted = movers[movers[fig].notna()]
        np.testing.assert_allclose(quoted[fig], quoted[col].astype(float), rtol=1e-9, err_msg=fig)
    # the package contributors: recomputed from the revenue-structure mart
    changes = _package_changes(marts["packages"])
    pkg = c[c["topic"] == "package_movers"].merge(
        changes.rename(columns={"package_code": "mover_code"}),
        on=["period_month", "region_level", "region_code", "mover_code"],
    )
    assert len(pkg) == (c["topic"] == "package_movers").sum() > 0
    np.testing.assert_allclose(pkg["revenue_change_yuan"], pkg["change"], rtol=1e-9, atol=1e-6)
    both = pkg[pkg["volume"].notna()]
    assert len(both) > 0 and pkg["volume_effect_yuan"].notna().sum() == len(both)
    np.testing.assert_allclose(both["volume_effect_yuan"], both["volume"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(both["price_effect_yuan"], both["price"], rtol=1e-9, atol=1e-6)


def _top(frame: pd.DataFrame, code: str, change: str) -> list[str]:
    moved = frame[frame[change].notna() & (frame[change] != 0)].copy()
    moved["size"] = moved[change].abs()
    return (
        moved.sort_values(["size", code], ascending=[False, True])[code].head(TOP_MOVERS).tolist()
    )


def test_contributors_are_the_largest_movers(marts: dict[str, pd.DataFrame]) -> None:
    c, review = marts["commentary"], marts["review"]
    commented = c[c["topic"] == "revenue"]
    changes = _package_changes(marts["packages"])
    names = dict(marts["package_names"].itertuples(index=False))
    compared = 0
    for row in commented.itertuples(index=False):
        month, level, code = row.period_month, row.region_level, row.region_code
        said = c[
            (c["period_month"] == month) & (c["region_code"] == code) & (c["region_level"] == level)
        ]
        said_regions = said[said["topic"] == "region_movers"].sort_values("mover_rank")
        said_packages = said[said["topic"] == "package_movers"].sort_values("mover_rank")
        if pd.isna(row.revenue_change_yuan):  # no previous month: no contributors
            assert said_regions.empty and said_packages.empty
            continue
        if level == "national":
            below = review[
                (review["period_month"] == month) & (review["region_level"] == "province")
            ]
        elif level == "city":  # no county rows: a city names no region
            below = review.iloc[0:0]
        else:
            below = review[
                (review["period_month"] == month)
                & (review["region_level"] == "city")
                & (review["prov_code"] == code)
            ]
        assert said_regions["mover_code"].tolist() == _top(
            below, "region_code", "revenue_change_yuan"
        )
        assert said_regions["sentence_no"].tolist() == [10 + r for r in said_regions["mover_rank"]]
        region_pkgs = changes[
            (changes["period_month"] == month)
            & (changes["region_level"] == level)
            & (changes["region_code"] == code)
        ]
        top = _top(region_pkgs, "package_code", "change")
        assert said_packages["mover_code"].tolist() == top
        assert said_packages["mover_name"].tolist() == [names[p] for p in top]
        compared += 1
    assert compared > 0


def test_every_region_has_a_commentary_for_every_month_with_a_previous_month(
    marts: dict[str, pd.DataFrame],
) -> None:
    c, review = marts["commentary"], marts["review"]
    expected = review[review["revenue_yuan_last_month"].notna()]
    assert set(review["region_level"]) == {"national", "province", "city"}
    assert expected["region_level"].eq("national").sum() >= 12
    assert expected["region_level"].eq("city").sum() > expected["region_level"].eq("province").sum()
    have = set(
        zip(c["period_month"], c["region_level"], c["region_code"], c["sentence_no"], strict=True)
    )
    missing = [
        (m, lvl, code, n)
        for m, lvl, code in zip(
            expected["period_month"], expected["region_level"], expected["region_code"], strict=True
        )
        for n in ((1, 2, 3, 21) if lvl == "city" else (1, 2, 3, 11, 21))
        if (m, lvl, code, n) not in have
    ]
    assert not missing, f"regions and months without their sentence: {missing[:10]}"
    latest = c[c["is_latest_month"]]
    assert set(latest["period_month"]) == {review["period_month"].max()}
    assert latest["month_label"].iloc[0] == review["period_month"].max().strftime("%Y年%m月")


def test_a_province_names_only_its_own_cities_and_no_codes(marts: dict[str, pd.DataFrame]) -> None:
    c, cities = marts["commentary"], marts["cities"]
    provinces = c[c["region_level"] == "province"]
    assert (provinces["mover_type"] == "city").any()
    for prov, rows in provinces.groupby("region_code"):
        own = set(cities.loc[cities["prov_code"] == prov, "city_code"])
        named = set(rows.loc[rows["mover_type"] == "city", "mover_code"])
        assert named <= own, f"province {prov} names cities of another province: {named - own}"
        others = cities.loc[cities["prov_code"] != prov, "city_name"]
        for text in rows["sentence"]:
            wrong = [n for n in others if n in text]
            assert not wrong, f"province {prov}: {text!r} names {wrong}"
    national = c[c["region_level"] == "national"]
    assert set(national["mover_type"].dropna()) <= {"province", "package"}
    city_rows = c[c["region_level"] == "city"]
    assert len(city_rows) > 0 and set(city_rows["mover_type"].dropna()) == {"package"}
    names = dict(zip(cities["city_code"], cities["city_name"], strict=True))
    for code, rows in city_rows.groupby("region_code"):
        assert set(rows["region_name"]) == {names[code]}, code
        own = rows[rows["topic"].isin(["revenue", "subscribers", "arpu"])]
        assert len(own) > 0 and own["sentence"].str.startswith(names[code]).all(), code
    for row in c[c["mover_code"].notna()].itertuples(index=False):
        words = NUMBER.sub(" ", row.sentence)  # a code may be digits inside a figure
        assert row.mover_code not in words, f"a code in {row.sentence!r}"
        assert row.mover_name != row.mover_code, row
