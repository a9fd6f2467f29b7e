"""The L0 and L1 indicators of ``mart_indicator_values`` against a second, independent
implementation over the raw Parquet (tests/testkit/independent_indicators.py, written from
docs/warehouse.md), and the national rows against the provinces for every kind of indicator
(issue #12)."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from testkit import independent_indicators as independent

from indicators.catalogue import Catalogue, Indicator, load_catalogue

pytestmark = pytest.mark.slow

LATEST_MONTHS = 3
REL_TOL = 1e-4  # 0.01 %
ABS_TOL = 1e-6
# L0/L1 indicators the independent implementation does not compute, each with the reason.
NOT_INDEPENDENT = {
    "HV_AT_RISK": (
        "its 口径 takes the churn model's score (ml.churn_scores, a model output, not raw data) "
        "where scored, and its rule signals ('usage under half its previous 3-month average') do "
        "not say which usage; mart_high_value_summary holds the latest month only"
    ),
}


def l0_l1(catalogue: Catalogue) -> dict[str, Indicator]:
    return {c: i for c, i in catalogue.indicators.items() if i.level in ("L0", "L1")}


def close(a: float, b: float) -> bool:
    """Equal within 0.01 %; NULL (NaN/None) equals only NULL."""
    a_null, b_null = a is None or pd.isna(a), b is None or pd.isna(b)
    if a_null or b_null:
        return a_null and b_null
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)


def fmt(x: object) -> str:
    return "NULL" if x is None or pd.isna(x) else f"{float(x):.6g}"


def mart_values(db: Path, grain: str = "month") -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = con.execute(
            "select indicator_code, region_level, region_code, prov_code, period_month, "
            "stat_date, value, "
            "numerator, denominator from main.mart_indicator_values where period_grain = ?",
            [grain],
        ).df()
    finally:
        con.close()
    frame["period_month"] = pd.to_datetime(frame["period_month"]).dt.date
    return frame


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def independent_values(warehouse_home) -> pd.DataFrame:  # noqa: ANN001
    return independent.indicator_values(warehouse_home.home, months=LATEST_MONTHS)


def test_every_l0_l1_indicator_is_computed_or_listed(catalogue: Catalogue) -> None:
    wanted = set(l0_l1(catalogue))
    implemented = set(independent.INDICATORS)
    neither = wanted - implemented - set(NOT_INDEPENDENT)
    assert not neither, (
        f"L0/L1 indicator(s) {sorted(neither)} are neither computed by independent_indicators.py "
        "nor listed in NOT_INDEPENDENT with a reason"
    )
    stale = (implemented | set(NOT_INDEPENDENT)) - wanted
    assert not stale, f"{sorted(stale)} are no longer L0/L1 indicators of the catalogue"
    assert not implemented & set(NOT_INDEPENDENT), "an indicator is both computed and listed"


def test_l0_l1_indicators_equal_the_independent_implementation(
    warehouse_home,  # noqa: ANN001
    independent_values: pd.DataFrame,
    catalogue: Catalogue,
) -> None:
    mart = mart_values(warehouse_home.db)
    mart = mart[mart["region_level"].isin(["province", "national"])]
    mine = independent_values
    # every province of the data and the nation, the latest three months, every indicator
    regions = sorted(mine["region_code"].unique())
    assert regions[0] == independent.NATIONAL and len(regions) >= 2, regions
    assert mine["period_month"].nunique() == LATEST_MONTHS
    assert len(mine) == len(independent.INDICATORS) * len(regions) * LATEST_MONTHS
    assert mine["value"].notna().sum() > 0.8 * len(mine), "the independent values are mostly NULL"

    joined = mine.merge(
        mart,
        on=["indicator_code", "region_code", "period_month"],
        how="left",
        suffixes=("", "_mart"),
        indicator="found",
    )
    disagreements = []
    for r in joined.itertuples(index=False):
        where = f"{r.indicator_code} region {r.region_code} {r.period_month:%Y-%m}"
        if r.found == "left_only":
            disagreements.append(f"{where}: no row in the mart (independent {fmt(r.value)})")
            continue
        if not close(r.value, r.value_mart):
            disagreements.append(f"{where}: independent {fmt(r.value)}, mart {fmt(r.value_mart)}")
        ind = catalogue.indicators[r.indicator_code]
        if ind.is_ratio and not pd.isna(r.value):
            for part in ("numerator", "denominator"):
                a, b = getattr(r, part), getattr(r, f"{part}_mart")
                if not close(a, b):
                    disagreements.append(f"{where}: {part} independent {fmt(a)}, mart {fmt(b)}")
    assert not disagreements, (
        f"{len(disagreements)} disagreement(s) between mart_indicator_values and the independent "
        "implementation:\n" + "\n".join(disagreements[:80])
    )


def rollup_problems(
    parent: pd.Series, children: pd.DataFrame, ind: Indicator, where: str
) -> list[str]:
    """Where one region's row of an additive indicator is not made from its sub-regions' rows: the
    sum of the values, or the ratio/change of the summed numerators and denominators (a
    sub-region whose denominator is 0 still adds its numerator)."""
    if ind.aggregation == "sum":
        total = children["value"].sum() if children["value"].notna().all() else math.nan
        if not close(parent["value"], total):
            return [f"{where}: {fmt(parent['value'])}, the sum of its parts {fmt(total)}"]
        return []
    if not pd.isna(parent["value"]) and (
        pd.isna(parent["numerator"]) or pd.isna(parent["denominator"])
    ):
        return [f"{where}: value {fmt(parent['value'])} has no numerator/denominator"]
    # a part with nothing to count (no numerator, no denominator, no value) adds 0 / 0; one with
    # a numerator but no denominator has an incomplete base, so the whole is NULL
    children = children[children[["numerator", "denominator", "value"]].notna().any(axis=1)]
    if children.empty:
        if pd.isna(parent["value"]):
            return []
        return [f"{where}: {fmt(parent['value'])} although its parts have nothing to count"]
    complete = children["numerator"].notna().all() and children["denominator"].notna().all()
    if not complete:
        if not pd.isna(parent["value"]):
            return [f"{where}: {fmt(parent['value'])} although a part has no numerator/denominator"]
        return []
    num, den = children["numerator"].sum(), children["denominator"].sum()
    problems = []
    for label, got, want in (
        ("numerator", parent["numerator"], num),
        ("denominator", parent["denominator"], den),
        ("value", parent["value"], ind.expected_value(num, den)),
    ):
        if not close(got, want):
            problems.append(f"{where}: {label} {fmt(got)}, from its parts {fmt(want)}")
    return problems


def rollup_of(rows: pd.DataFrame, ind: Indicator, period_col: str) -> list[str]:
    """National from the provinces, and each province from its cities where the indicator has
    city rows."""
    problems = []
    for period, group in rows.groupby(period_col):
        nat = group[group["region_level"] == "national"]
        provs = group[group["region_level"] == "province"]
        cities = group[group["region_level"] == "city"]
        if len(nat) != 1:
            problems.append(f"{ind.code} {period}: {len(nat)} national rows")
            continue
        problems += rollup_problems(nat.iloc[0], provs, ind, f"{ind.code} {period} national")
        if cities.empty:
            continue
        for _, prov in provs.iterrows():
            parts = cities[cities["prov_code"] == prov["region_code"]]
            where = f"{ind.code} {period} province {prov['region_code']}"
            problems += rollup_problems(prov, parts, ind, where)
    return problems


@pytest.mark.parametrize("grain", ["month", "day"])
def test_national_and_provincial_rows_are_made_from_their_parts(
    warehouse_home,  # noqa: ANN001
    catalogue: Catalogue,
    grain: str,
) -> None:
    """National = Σ provinces (and province = Σ cities) for additive indicators; ratio and change
    indicators carry a numerator and denominator, and the national value is computed from the
    national ones, never added or averaged."""
    mart = mart_values(warehouse_home.db, grain)
    period_col = "period_month" if grain == "month" else "stat_date"
    problems: list[str] = []
    kinds: set[str] = set()
    for ind in catalogue.for_grain(grain):
        if not ind.additive or ind.aggregation == "value":
            continue
        rows = mart[mart["indicator_code"] == ind.code]
        if rows.empty:
            problems.append(f"{ind.code}: no rows")
            continue
        kinds.add(ind.aggregation)
        problems += rollup_of(rows, ind, period_col)
    expected_kinds = {
        i.aggregation for i in catalogue.for_grain(grain) if i.additive and i.aggregation != "value"
    }
    assert kinds == expected_kinds
    assert not problems, f"{len(problems)} row(s) not made from their parts:\n" + (
        "\n".join(problems[:80])
    )


def test_independent_national_is_computed_not_added(independent_values: pd.DataFrame) -> None:
    """The independent national figures come from all records: for sums they equal the provinces'
    total, for ratios they are not the provinces' sum or mean (the check that the comparison above
    would catch a national computed the wrong way)."""
    v = independent_values
    for code, kind in (("REV_TOTAL", "sum"), ("ARPU", "ratio"), ("REV_MOM", "change")):
        for month, g in v[v["indicator_code"] == code].groupby("period_month"):
            nat = g.loc[g["region_code"] == independent.NATIONAL, "value"].iloc[0]
            prov = g.loc[g["region_code"] != independent.NATIONAL, "value"]
            if kind == "sum":
                assert close(nat, prov.sum()), (code, month)
            elif prov.notna().all():
                assert not close(nat, prov.sum()) and not close(nat, prov.mean()), (code, month)


def test_every_region_with_subscribers_has_a_row_of_every_additive_indicator(
    warehouse_home,  # noqa: ANN001
    catalogue: Catalogue,
) -> None:
    """A dense region x period grid: an additive indicator has a row, 0 when nothing happened,
    for every province and city with subscribers in service in every month it has figures for
    (at the region levels it is reported at), never a missing row."""
    mart = mart_values(warehouse_home.db)
    subs = mart[(mart["indicator_code"] == "SUBS_TOTAL") & (mart["value"] > 0)]
    with_subs = {
        (level, month): set(g["region_code"])
        for (level, month), g in subs.groupby(["region_level", "period_month"])
    }
    assert {level for level, _ in with_subs} >= {"province", "city"}
    gaps = []
    for ind in catalogue.for_grain("month"):
        if not ind.additive:
            continue
        rows = mart[
            (mart["indicator_code"] == ind.code) & mart["region_level"].isin(["province", "city"])
        ]
        for (level, month), g in rows.groupby(["region_level", "period_month"]):
            missing = with_subs.get((level, month), set()) - set(g["region_code"])
            if missing:
                gaps.append(
                    f"{ind.code} {month:%Y-%m}: no row for {len(missing)} {level}(s) with "
                    f"subscribers, e.g. {sorted(missing)[:5]}"
                )
    assert not gaps, f"{len(gaps)} gap(s) in the indicator grid:\n" + "\n".join(gaps[:80])


def test_hq_national_table_is_made_from_the_provinces(
    warehouse_home,  # noqa: ANN001
    jingfen_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    independent_values: pd.DataFrame,
    catalogue: Catalogue,
) -> None:
    """The provinces of the test set upload the latest month from this warehouse (what the
    nightly export sends); HQ's national table (mart_hq_national) has, for every additive
    indicator, the sum of the provinces or the ratio/change of their summed numerators and
    denominators — and for the L0/L1 indicators the independently computed national figure."""
    from testkit.hq import arrive_at, build_hq_marts

    from indicators.export import export_package
    from indicators.receive import receive_all
    from indicators.transport import deliver

    monkeypatch.delenv("JINGFEN_INDICATOR_KEYS", raising=False)
    months = sorted(independent_values["period_month"].unique())[-1:]
    provs = sorted(set(independent_values["region_code"]) - {independent.NATIONAL})
    for month in months:
        period = f"{month:%Y%m}"
        arrival = datetime(month.year + month.month // 12, month.month % 12 + 1, 3, 10, 0)
        for prov in provs:
            res = export_package(prov, period, warehouse=warehouse_home.db)
            deliver(res.package)
            arrive_at(res.package.name.stem, arrival)
    summary = receive_all(as_of=datetime.now(), warehouse=warehouse_home.db)
    assert not summary["rejected"], f"HQ rejected packages: {summary['rejected']}"
    assert len(summary["accepted"]) == len(months) * len(provs)

    con = duckdb.connect(str(build_hq_marts(tmp_path)), read_only=True)
    try:
        hq = con.execute(
            "select indicator_code, period_month, national_value, provinces_reported "
            "from mart_hq_national where period_grain = 'month'"
        ).df()
    finally:
        con.close()
    hq["period_month"] = pd.to_datetime(hq["period_month"]).dt.date
    assert (hq["provinces_reported"] == len(provs)).all()
    hq = hq.set_index(["indicator_code", "period_month"])["national_value"]

    mart = mart_values(warehouse_home.db)
    mart = mart[(mart["region_level"] == "province") & mart["period_month"].isin(months)]
    problems = []
    kinds = set()
    for ind in catalogue.for_grain("month"):
        if not ind.additive or ind.aggregation == "value":
            continue
        kinds.add(ind.aggregation)
        for month in months:
            prov = mart[(mart["indicator_code"] == ind.code) & (mart["period_month"] == month)]
            if ind.aggregation == "sum":
                want = prov["value"].sum() if prov["value"].notna().all() else math.nan
            elif prov[["numerator", "denominator"]].notna().all().all():
                want = ind.expected_value(prov["numerator"].sum(), prov["denominator"].sum())
            else:
                want = math.nan
            got = hq.get((ind.code, month), math.nan)
            if not close(got, want):
                problems.append(
                    f"{ind.code} {month:%Y-%m}: HQ national {fmt(got)}, from the provinces' "
                    f"uploads {fmt(want)}"
                )
    assert kinds == {"sum", "ratio", "change"}
    nat = independent_values[
        (independent_values["region_code"] == independent.NATIONAL)
        & independent_values["period_month"].isin(months)
    ]
    for r in nat.itertuples(index=False):
        ind = catalogue.indicators[r.indicator_code]
        if not ind.additive or ind.aggregation == "value":
            continue  # HQ does not consolidate a non-additive indicator
        got = hq.get((r.indicator_code, r.period_month), math.nan)
        if not close(got, r.value):
            problems.append(
                f"{r.indicator_code} {r.period_month:%Y-%m}: HQ national {fmt(got)}, "
                f"independent {fmt(r.value)}"
            )
    assert not problems, f"{len(problems)} HQ national figure(s) wrong:\n" + "\n".join(
        problems[:80]
    )
