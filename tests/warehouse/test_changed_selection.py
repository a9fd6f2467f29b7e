"""How `jingfen build --changed` decides what a night's files can change (flows/build.py): the
walk down from the daily interfaces stops at the month facts (tag month_close) only when every
new record is dated after the month close; anything earlier, a re-delivery or a monthly
interface rebuilds everything downstream."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from jingfen.build_state import MONTH_CLOSE_TAG, after_close, downstream_models
from jingfen.interfaces import INTERFACES

DAILY = [code for code, i in INTERFACES.items() if i.date_column]
MONTH_FACTS = {
    "int_bills_settled",
    "int_subscriber_months_assembled",
    "fct_subscriber_month",
    "int_subscriber_months_segmented",
    "mart_payment_month",
    "mart_complaint_month",
    "mart_revenue_region_month",
    "ml_churn_features",
    "fct_channel_month",
}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory):
    mp = pytest.MonkeyPatch()
    mp.setenv("JINGFEN_HOME", str(tmp_path_factory.mktemp("home")))
    from jingfen.dbt import parse_manifest

    try:
        yield parse_manifest()
    finally:
        mp.undo()


def names(manifest, uids: set[str]) -> set[str]:
    return {manifest.nodes[u].name for u in uids}


def test_every_path_from_a_daily_interface_into_the_month_facts_passes_a_month_close_model(
    manifest,
) -> None:
    sources = [f"source.jingfen.raw.{code.lower()}" for code in DAILY]
    whole = names(manifest, downstream_models(manifest, sources))
    kept = names(manifest, downstream_models(manifest, sources, stop_tag=MONTH_CLOSE_TAG))
    # without the stop the month facts are downstream of the daily files ...
    assert whole >= MONTH_FACTS
    # ... with it none of them is, while the daily facts and monitoring still are
    assert not kept & MONTH_FACTS
    assert {"fct_payments", "fct_complaints", "mart_daily_kpi", "mart_indicator_values"} <= kept
    tagged = {n.name for n in manifest.nodes.values() if MONTH_CLOSE_TAG in n.tags}
    assert tagged and tagged <= whole - kept


def write_raw(home: Path, rel: str, dates: list[str]) -> str:
    path = home / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(
            "copy (select cast(d as timestamp) as pay_time from unnest(?) as t(d)) to "
            f"'{path}' (format parquet)",
            [dates],
        )
    return rel


def test_only_new_files_dated_after_the_close_keep_the_month_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jingfen.config import settings

    monkeypatch.setenv("JINGFEN_HOME", str(tmp_path))
    paths = settings().paths
    close = date(2026, 10, 31)
    new_day = write_raw(tmp_path, "raw/paym/PAYM_44_20261101_001.parquet", ["2026-11-01 08:00:00"])
    late = write_raw(
        tmp_path, "raw/paym/PAYM_45_20261101_001.parquet", ["2026-11-01 09:00", "2026-10-31 23:59"]
    )

    assert after_close(paths, {"PAYM": [("loaded", new_day)]}, close) == {"PAYM"}
    # one back-dated payment in any of the night's files settles a closed month's bill
    assert after_close(paths, {"PAYM": [("loaded", new_day), ("loaded", late)]}, close) == set()
    # a corrected re-delivery may have taken rows of a closed month away
    assert after_close(paths, {"PAYM": [("reloaded", new_day)]}, close) == set()
    # an empty file (nothing written to the raw layer) changes nothing
    assert after_close(paths, {"PAYM": [("loaded", None)]}, close) == {"PAYM"}
    # monthly interfaces have no record date: always rebuilt downstream
    assert after_close(paths, {"BILL": [("loaded", new_day)]}, close) == set()
    # no month chain built yet: nothing is kept
    assert after_close(paths, {"PAYM": [("loaded", new_day)]}, None) == set()
