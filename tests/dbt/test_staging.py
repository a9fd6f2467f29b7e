"""Staging over a small raw layer: names and types of the contract, money in 元, snapshot months,
and all delivered SEQ parts kept."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from testkit.dbt_raw import MSISDNS

from jingfen.dbt import run_dbt

STAGING = [
    "stg_bss__customers",
    "stg_bss__subscribers",
    "stg_bss__subscriber_events",
    "stg_bss__bills",
    "stg_bss__payments",
    "stg_bss__daily_usage",
    "stg_bss__monthly_usage",
    "stg_bss__cell_kpis",
    "stg_bss__channels",
    "stg_bss__commissions",
    "stg_bss__complaints",
    "stg_bss__hotline_calls",
    "stg_bss__agent_sessions",
    "stg_bss__work_orders",
    "stg_bss__appeals",
    "stg_bss__circuit_days",
    "stg_ingest__load_audit",
    "stg_ingest__load_rejects",
]


def _con(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse/build/jingfen.duckdb"), read_only=True)


def test_every_staging_model_is_a_table_in_schema_staging(built_home: Path) -> None:
    con = _con(built_home)
    try:
        rows = dict(
            con.execute(
                "select table_name, table_type from information_schema.tables "
                "where table_schema = 'staging'"
            ).fetchall()
        )
    finally:
        con.close()
    assert sorted(rows) == sorted(STAGING)
    assert set(rows.values()) == {"BASE TABLE"}


def test_money_snapshot_month_and_metadata(built_home: Path) -> None:
    con = _con(built_home)
    try:
        bill = con.execute(
            "select total_due_yuan, voice_fee_yuan, discount_yuan, bill_month, source_file, load_id "
            "from staging.stg_bss__bills where subs_id = 'S001' and bill_month = date '2026-10-01'"
        ).fetchall()
        bill_types = {r[0]: r[1] for r in con.execute("describe staging.stg_bss__bills").fetchall()}
        months = con.execute(
            "select distinct snapshot_month from staging.stg_bss__subscribers order by 1"
        ).fetchall()
        cust_types = {
            r[0]: r[1] for r in con.execute("describe staging.stg_bss__customers").fetchall()
        }
    finally:
        con.close()
    # 19.00 + 1.23 + 0.10 + 5.00 - 2.00 = 23.33 元 from 2333 分, exactly
    assert bill == [
        (
            Decimal("23.33"),
            Decimal("1.23"),
            Decimal("2.00"),
            date(2026, 10, 1),
            "BILL_44_202610_001.dat",
            "L20261102T013000",
        )
    ]
    assert bill_types["total_due_yuan"] == "DECIMAL(18,2)"
    assert not any(c.endswith("_fen") for c in bill_types)
    assert [m[0] for m in months] == [date(2026, 9, 1), date(2026, 10, 1)]
    assert cust_types["snapshot_month"] == "DATE"
    assert {"source_file", "load_id", "loaded_at"} <= set(cust_types)
    assert not any(c.startswith("_") for c in cust_types)


def test_several_seq_parts_are_all_kept(raw_home: Path) -> None:
    subs = raw_home / "warehouse" / "raw" / "subs"
    part1 = pq.read_table(subs / "SUBS_44_202610_001.parquet")
    # part 002 of the same interface/province/period carries other subscribers
    part2 = part1.to_pandas()
    part2["subs_id"] = part2["subs_id"].str.replace("S", "T")
    part2["_file"] = "SUBS_44_202610_002.dat"
    pq.write_table(
        pa.Table.from_pandas(part2, schema=part1.schema, preserve_index=False),
        subs / "SUBS_44_202610_002.parquet",
    )
    run_dbt(["seed", "--select", "packages", "provinces", "regions", "code_values"])
    run_dbt(["build", "--select", "stg_bss__subscribers", "--indirect-selection", "cautious"])
    con = _con(raw_home)
    try:
        n = con.execute(
            "select count(*), count(distinct source_file) from staging.stg_bss__subscribers "
            "where snapshot_month = date '2026-10-01'"
        ).fetchall()[0]
    finally:
        con.close()
    assert n == (2 * len(MSISDNS), 2)


@pytest.mark.slow
def test_events_of_unknown_subscribers_fail_only_in_snapshotted_months(raw_home: Path) -> None:
    from testkit.dbt_raw import write_file

    from jingfen.dbt import DbtRunError
    from jingfen.interfaces import INTERFACES

    evnt = INTERFACES["EVNT"]
    base = {
        "msisdn": "18600000000",
        "event_type": "01",
        "prov_code": "44",
        "city_code": "4401",
        "old_package_code": None,
        "new_package_code": "P4G019",
        "channel_id": "CH001",
    }
    # opened on 1 Nov: no November SUBS snapshot yet, so not checked
    write_file(
        raw_home / "warehouse/raw",
        evnt,
        "20261101",
        [{**base, "event_id": "E9001", "subs_id": "S900", "event_time": datetime(2026, 11, 1, 9)}],
    )
    run_dbt(
        ["seed", "--select", "packages", "provinces", "regions", "code_values", "channel_types"]
    )
    select = [
        "--select",
        "stg_bss__subscriber_events",
        "stg_bss__subscribers",
        "stg_bss__customers",
        "stg_bss__channels",
        "--indirect-selection",
        "cautious",
    ]
    run_dbt(["build", *select])

    # an October event of a subscriber missing from the October snapshot is an error
    write_file(
        raw_home / "warehouse/raw",
        evnt,
        "20261031",
        [{**base, "event_id": "E9002", "subs_id": "S901", "event_time": datetime(2026, 10, 31, 9)}],
        loaded_at=datetime(2026, 11, 3, 1, 30),  # delivered after the first build
    )
    with pytest.raises(DbtRunError, match="exists_in_snapshot_stg_bss__subscriber_events"):
        run_dbt(["build", *select])
