"""The reference seeds load with the declared types (codes stay text with leading zeros)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f"describe main.{table}").fetchall()}


def test_seed_column_types(built_home: Path) -> None:
    con = duckdb.connect(str(built_home / "warehouse/build/jingfen.duckdb"), read_only=True)
    try:
        regions = _types(con, "regions")
        assert {regions[c] for c in ("prov_code", "city_code", "county_code")} == {"VARCHAR"}
        cats = _types(con, "complaint_categories")
        assert cats["category_code"] == cats["l1_code"] == "VARCHAR"
        # leading zeros survive: '010101' is not 10101
        assert (
            con.execute(
                "select count(*) from main.complaint_categories where category_code like '0%'"
            ).fetchall()[0][0]
            > 0
        )
        assert con.execute(
            "select min(length(category_code)), max(length(category_code)) from main.complaint_categories"
        ).fetchall()[0] == (6, 6)
        cv = _types(con, "code_values")
        assert cv["code"] == "VARCHAR" and cv["sort_order"] == "INTEGER"
        assert (
            con.execute(
                "select count(*) from main.code_values where code_set = 'customer_type' and code = '01'"
            ).fetchall()[0][0]
            == 1
        )
        pk = _types(con, "packages")
        assert pk["monthly_fee_yuan"] == "DECIMAL(18,2)" and pk["is_active"] == "BOOLEAN"
        assert pk["pay_type"] == pk["launch_month"] == "VARCHAR"
        hol = _types(con, "holidays")
        assert (
            hol["date"] == "DATE" and hol["is_holiday"] == hol["is_adjusted_workday"] == "BOOLEAN"
        )
        # 2026 Spring Festival: 15-23 Feb off, Sat 14 and Sat 28 Feb worked
        spring = con.execute(
            "select min(date), max(date), count(*) from main.holidays "
            "where is_spring_festival_period and year(date) = 2026"
        ).fetchall()[0]
        assert str(spring[0]) == "2026-02-15" and str(spring[1]) == "2026-02-23" and spring[2] == 9
        worked = con.execute(
            "select list(date order by date) from main.holidays "
            "where is_adjusted_workday and date between '2026-02-01' and '2026-02-28'"
        ).fetchall()[0][0]
        assert [str(d) for d in worked] == ["2026-02-14", "2026-02-28"]
    finally:
        con.close()
