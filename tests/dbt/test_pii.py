"""Personal data never leaves staging in clear (docs/architecture.md "Staging naming")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
from testkit.dbt_raw import CERT_NOS, CUST_NAMES, MSISDNS, SALT

FORBIDDEN = {
    "msisdn",
    "cert_no",
    "cust_name",
    "address",
    "contact_phone",
    "caller_no",
    "contact_no",
    "appellant_no",
}
CLEAR = MSISDNS + CERT_NOS + CUST_NAMES + ["广州市荔湾区某某路1号", "02088886666"]


def _staging_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t, c in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'staging' order by table_name, ordinal_position"
    ).fetchall():
        out.setdefault(t, []).append(c)
    return out


def test_no_staging_model_exposes_a_clear_pii_column(built_home: Path) -> None:
    con = duckdb.connect(str(built_home / "warehouse/build/jingfen.duckdb"), read_only=True)
    try:
        cols = _staging_columns(con)
    finally:
        con.close()
    assert len(cols) == 18
    for table, names in cols.items():
        assert not FORBIDDEN & set(names), f"{table} exposes {FORBIDDEN & set(names)}"
    # ... and the documented replacements are there
    assert {"msisdn_hash", "msisdn_masked"} <= set(cols["stg_bss__subscribers"])
    assert {"caller_no_hash", "caller_no_masked"} <= set(cols["stg_bss__hotline_calls"])
    assert {"contact_no_hash", "contact_no_masked"} <= set(cols["stg_bss__work_orders"])
    assert {"appellant_no_hash", "appellant_no_masked"} <= set(cols["stg_bss__appeals"])
    assert {"cert_no_hash", "cert_no_masked", "cust_name_masked"} <= set(cols["stg_bss__customers"])
    # the manifest (docs) agrees with the database
    manifest = json.loads((built_home / "dbt/target/manifest.json").read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"].startswith("stg_"):
            assert not FORBIDDEN & set(node["columns"]), node["name"]


def test_no_clear_value_anywhere_in_staging(built_home: Path) -> None:
    con = duckdb.connect(str(built_home / "warehouse/build/jingfen.duckdb"), read_only=True)
    try:
        cols = _staging_columns(con)
        hits = []
        for table, names in cols.items():
            for c in names:
                values = {
                    str(v[0])
                    for v in con.execute(f'select distinct "{c}" from staging.{table}').fetchall()
                    if v[0] is not None
                }
                hits += [(table, c, v) for v in values for clear in CLEAR if clear in v]
        masked = dict(
            con.execute(
                "select msisdn_masked, msisdn_hash from staging.stg_bss__subscribers "
                "where subs_id = 'S001' and snapshot_month = date '2026-10-01'"
            ).fetchall()
        )
        names = {
            r[0]
            for r in con.execute(
                "select cust_name_masked from staging.stg_bss__customers"
            ).fetchall()
        }
        certs = {
            r[0]
            for r in con.execute("select cert_no_masked from staging.stg_bss__customers").fetchall()
        }
    finally:
        con.close()
    assert hits == []
    expected_hash = hashlib.sha256(f"{SALT}|{MSISDNS[0]}".encode()).hexdigest()
    assert masked == {"186****1234": expected_hash}
    assert names == {"张**", "李*"}
    assert certs == {"4401**********1234", "4401**********567X"}


def test_salt_is_not_in_the_database(built_home: Path) -> None:
    con = duckdb.connect(str(built_home / "warehouse/build/jingfen.duckdb"), read_only=True)
    try:
        view_sql = [r[0] or "" for r in con.execute("select sql from duckdb_views()").fetchall()]
    finally:
        con.close()
    assert not any(SALT in s for s in view_sql)
    assert SALT.encode() not in (built_home / "warehouse/build/jingfen.duckdb").read_bytes()
