"""The staging macros, compiled by dbt and run by DuckDB (`dbt show --inline`): masking,
salted hashing, 分 -> 元 and the PERIOD -> month rule, including NULLs and edge cases.
(dbt unit tests cannot mock a dbt-duckdb external source, so the macros are tested here.)"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from testkit.dbt_raw import SALT

from jingfen.dbt import run_dbt

CASES = {
    "name_3": "{{ mask_name(\"'张三丰'\") }}",
    "name_1": "{{ mask_name(\"'李'\") }}",
    "name_org": "{{ mask_name(\"'广州某某科技有限公司'\") }}",
    "name_null": "{{ mask_name('cast(null as varchar)') }}",
    "msisdn": "{{ mask_msisdn(\"'18612341234'\") }}",
    "msisdn_short": "{{ mask_msisdn(\"'1861234'\") }}",
    "cert": "{{ mask_cert_no(\"'44010319851212567X'\") }}",
    "hash": "{{ pii_hash(\"'18612341234'\") }}",
    "hash_null": "{{ pii_hash('cast(null as varchar)') }}",
    "yuan": "{{ fen_to_yuan('cast(1999 as bigint)') }}",
    "yuan_neg": "{{ fen_to_yuan('cast(-1 as bigint)') }}",
    "yuan_big": "{{ fen_to_yuan('cast(12345678901 as bigint)') }}",
    "month_m": "{{ period_month(\"'202610'\") }}",
    "month_d": "{{ period_month(\"'20261103'\") }}",
    "month_date": "{{ period_month(\"date '2026-11-03'\") }}",
}


def test_staging_macros(use_built_home: Path) -> None:
    sql = "select " + ", ".join(f"{expr} as {name}" for name, expr in CASES.items())
    res = run_dbt(["show", "--inline", sql, "--limit", "1"])
    table = res.result.results[0].agate_table
    got = dict(zip(table.column_names, table.rows[0], strict=True))

    assert got["name_3"] == "张**"
    assert got["name_1"] == "*"
    assert got["name_org"] == "广*********"
    assert got["name_null"] is None
    assert got["msisdn"] == "186****1234"
    assert got["msisdn_short"] == "*******"
    assert got["cert"] == "4401**********567X"
    assert got["hash"] == hashlib.sha256(f"{SALT}|18612341234".encode()).hexdigest()
    assert got["hash_null"] is None
    assert Decimal(str(got["yuan"])) == Decimal("19.99")
    assert Decimal(str(got["yuan_neg"])) == Decimal("-0.01")
    assert Decimal(str(got["yuan_big"])) == Decimal("123456789.01")
    assert got["month_m"] == date(2026, 10, 1)
    assert got["month_d"] == got["month_date"] == date(2026, 11, 1)
