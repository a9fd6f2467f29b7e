"""The subject marts and the indicator values on the standard test set, checked against figures
computed here straight from the star schema (not through the marts' own SQL)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> object:
    return rows(con, sql, *params)[0][0]


# ARPU, MOU and DOU divide by the average subscribers (期初 + 期末) / 2 (docs/warehouse.md)
AVERAGE_SUBS = (
    "(count(*) filter (where is_in_snapshot and not is_new) "
    "+ count(*) filter (where is_in_service)) / 2.0"
)


def test_revenue_and_arpu_match_the_facts(marts_db: duckdb.DuckDBPyConnection) -> None:
    facts = {
        m: (float(r), n, avg)
        for m, r, n, avg in rows(
            marts_db,
            f"select month_start, sum(revenue_yuan), count(*), {AVERAGE_SUBS} "
            "from main.fct_subscriber_month group by 1",
        )
    }
    mart = rows(
        marts_db,
        "select period_month, revenue_yuan, billed_subs, arpu_yuan from main.mart_revenue_region_month "
        "where region_level = 'national' order by 1",
    )
    assert len(mart) == 13
    for month, revenue, subs, arpu in mart:
        revenue_f, billed, average = facts[month]
        assert float(revenue) == pytest.approx(revenue_f, abs=0.01), month
        assert subs == billed
        assert arpu == pytest.approx(revenue_f / float(average))
        assert 20 < arpu < 200, f"ARPU {arpu} 元 in {month} is not a plausible monthly ARPU"


def test_yoy_and_mom_compare_with_the_right_months(marts_db: duckdb.DuckDBPyConnection) -> None:
    by_key = {
        (lvl, code, m): float(r)
        for lvl, code, m, r in rows(
            marts_db,
            "select region_level, region_code, period_month, revenue_yuan from main.mart_revenue_region_month",
        )
    }
    checked = 0
    for lvl, code, m, mom, yoy in rows(
        marts_db,
        "select region_level, region_code, period_month, revenue_yuan_mom_pct, revenue_yuan_yoy_pct "
        "from main.mart_revenue_region_month",
    ):
        prev_month = (m.replace(day=1) - __import__("datetime").timedelta(days=1)).replace(day=1)
        last_year = m.replace(year=m.year - 1)
        cur = by_key[(lvl, code, m)]
        if (lvl, code, prev_month) in by_key:
            base = by_key[(lvl, code, prev_month)]
            assert mom == pytest.approx(100 * (cur - base) / abs(base))
        else:
            assert mom is None
        if (lvl, code, last_year) in by_key:
            base = by_key[(lvl, code, last_year)]
            assert yoy == pytest.approx(100 * (cur - base) / abs(base))
            checked += 1
        else:
            assert yoy is None
    assert checked >= 1, "13 months of data should give at least one month with a YoY"


def test_waterfall_matches_subscribers_in_service(marts_db: duckdb.DuckDBPyConnection) -> None:
    in_service = {
        (m, p): n
        for m, p, n in rows(
            marts_db,
            "select month_start, prov_code, count(*) filter (where is_in_service) "
            "from main.fct_subscriber_month group by 1, 2",
        )
    }
    waterfall = rows(
        marts_db,
        "select period_month, region_code, opening_subs, new_subs, churned_subs, "
        "migration_in_subs, migration_out_subs, closing_subs from main.mart_development_month "
        "where region_level = 'province' and breakdown_type = 'total'",
    )
    assert len(waterfall) == 12 * 3
    for m, prov, opening, new, churned, mig_in, mig_out, closing in waterfall:
        assert opening + new - churned + mig_in - mig_out == closing
        assert closing == in_service[(m, prov)]
        prev = (m - __import__("datetime").timedelta(days=1)).replace(day=1)
        assert opening == in_service[(prev, prov)]
        assert new > 0 and churned > 0


def test_national_ratios_are_recomputed_not_averaged(marts_db: duckdb.DuckDBPyConnection) -> None:
    for m, rate, churned, opening in rows(
        marts_db,
        "select period_month, churn_rate_pct, churned_subs, opening_subs from main.mart_development_month "
        "where region_level = 'national' and breakdown_type = 'total'",
    ):
        provs = rows(
            marts_db,
            "select churned_subs, opening_subs from main.mart_development_month "
            "where region_level = 'province' and breakdown_type = 'total' and period_month = ?",
            m,
        )
        assert churned == sum(c for c, _ in provs) and opening == sum(o for _, o in provs)
        assert rate == pytest.approx(100 * churned / opening)


def test_complaint_rate_and_escalations_match_tickets(marts_db: duckdb.DuckDBPyConnection) -> None:
    month = one(marts_db, "select max(month_start) from main.fct_subscriber_month")
    tickets, escalated = rows(
        marts_db,
        "select count(*), count(*) filter (where is_escalated) from main.fct_complaints where month_start = ?",
        month,
    )[0]
    subs = one(
        marts_db,
        "select count(*) filter (where is_in_service) from main.fct_subscriber_month where month_start = ?",
        month,
    )
    got = rows(
        marts_db,
        "select tickets, complaints_per_10k, escalated_tickets from main.mart_complaint_month "
        "where region_level = 'national' and category_level = 'all' and period_month = ?",
        month,
    )[0]
    assert got[0] == tickets and got[2] == escalated
    assert got[1] == pytest.approx(10000 * tickets / subs)


def test_revenue_bridge_adds_up(marts_db: duckdb.DuckDBPyConnection) -> None:
    bridge = rows(
        marts_db,
        "select revenue_change_yuan, volume_effect_yuan, price_effect_yuan from main.mart_business_review_month "
        "where revenue_change_yuan is not null",
    )
    assert len(bridge) >= 12 * 3
    for change, volume, price in bridge:
        assert float(volume) + float(price) == pytest.approx(float(change), abs=0.01)


def test_arrears_bands_add_up(marts_db: duckdb.DuckDBPyConnection) -> None:
    for total, *bands in rows(
        marts_db,
        "select arrears_yuan, arrears_age_1m_yuan, arrears_age_2_3m_yuan, arrears_age_4_6m_yuan, "
        "arrears_age_7_12m_yuan, arrears_age_13m_plus_yuan from main.mart_payment_month",
    ):
        assert float(total) == pytest.approx(sum(float(b) for b in bands), abs=0.01)
    rate = one(
        marts_db,
        "select collection_rate_pct from main.mart_payment_month where region_level = 'national' "
        "order by period_month limit 1",
    )
    assert 50 < rate <= 100


def test_daily_new_subscribers_match_the_events(marts_db: duckdb.DuckDBPyConnection) -> None:
    events = dict(
        rows(
            marts_db,
            "select event_date, count(*) filter (where is_open or is_port_in) "
            "from main.fct_subscriber_events group by 1",
        )
    )
    kpi = rows(
        marts_db,
        "select stat_date, kpi_value, value_last_day, dod_pct from main.mart_daily_kpi "
        "where kpi_code = 'new_subs' and region_level = 'national' order by 1",
    )
    assert len(kpi) == len(events)
    for day, value, last_day, dod in kpi:
        assert value == events[day]
        if last_day:
            assert dod == pytest.approx(100 * (value - last_day) / last_day)


def test_every_catalogued_indicator_is_computed_and_agrees(
    marts_db: duckdb.DuckDBPyConnection,
) -> None:
    with (REPO / "seeds" / "indicators.csv").open(encoding="utf-8") as fh:
        codes = {r["indicator_code"] for r in csv.DictReader(fh)}
    computed = {
        c
        for (c,) in rows(marts_db, "select distinct indicator_code from main.mart_indicator_values")
    }
    assert codes == computed, (
        f"not computed: {sorted(codes - computed)}; not catalogued: {sorted(computed - codes)}"
    )
    month = one(marts_db, "select max(month_start) from main.fct_subscriber_month")

    def value(code: str) -> float:
        return one(
            marts_db,
            "select value from main.mart_indicator_values where indicator_code = ? "
            "and region_level = 'national' and period_month = ? and stat_date is null",
            code,
            month,
        )

    fact = rows(
        marts_db,
        "select count(*) filter (where is_in_service), count(*) filter (where is_in_service and net_type = '5G'), "
        f"sum(revenue_yuan), {AVERAGE_SUBS}, sum(mou) "
        "from main.fct_subscriber_month where month_start = ?",
        month,
    )[0]
    in_service, in_service_5g, revenue, average, mou = fact
    assert value("SUBS_TOTAL") == in_service
    assert value("REV_TOTAL") == pytest.approx(float(revenue), abs=0.01)
    assert value("ARPU") == pytest.approx(float(revenue) / float(average))
    assert value("PEN_5G") == pytest.approx(100 * in_service_5g / in_service)
    assert value("MOU") == pytest.approx(mou / float(average))
    # every province-level value of a ratio is its own numerator / denominator
    bad = one(
        marts_db,
        "select count(*) from main.mart_indicator_values v join main.indicators c using (indicator_code) "
        "where c.aggregation = 'ratio' and v.denominator > 0 "
        "and abs(v.value - c.scale * v.numerator / v.denominator) > 1e-9 * (1 + abs(v.value))",
    )
    assert bad == 0


def test_marts_keep_personal_data_out(marts_db: duckdb.DuckDBPyConnection) -> None:
    cols = {
        c
        for (c,) in rows(
            marts_db,
            "select distinct column_name from information_schema.columns where table_name like 'mart_%'",
        )
    }
    assert not cols & {"msisdn", "cert_no", "cust_name", "address", "contact_phone"}
