"""A real Superset: bootstrap, deploy, chart data against DuckDB, two-level access, publish swap."""

from __future__ import annotations

import csv
import io
import os
import stat
import threading
import time
from typing import Any

import pytest
from superset_testkit import PROVINCES, reference_rows, superset_rows, write_warehouse

from dashboards import access, server
from dashboards.catalogue import DASHBOARDS
from dashboards.deploy import deploy, export
from dashboards.generate import chart_specs

pytestmark = pytest.mark.superset

CHARTS = chart_specs(DASHBOARDS)
TABLE_CHART = CHARTS["indicator_values_table"]


def chart_data(client: Any, chart_id: int, **params: str) -> dict[str, Any]:
    resp = client.request(
        "GET", f"/api/v1/chart/{chart_id}/data/", params={"force": "true", **params}
    )
    return resp.json()["result"][0]


def test_bootstrap_again_is_instant_and_changes_nothing(in_superset_home) -> None:
    sdir = in_superset_home.home / "superset"
    before = {p.name: p.stat().st_mtime_ns for p in sdir.iterdir() if p.is_file()}
    t0 = time.perf_counter()
    res = server.bootstrap()
    assert not res.changed
    assert time.perf_counter() - t0 < 1.0
    after = {p.name: p.stat().st_mtime_ns for p in sdir.iterdir() if p.is_file()}
    assert before == after


def test_secrets_are_owner_only(in_superset_home) -> None:
    sdir = in_superset_home.home / "superset"
    assert stat.S_IMODE(sdir.stat().st_mode) == 0o700
    for name in ("secret_key", "admin_password"):
        assert stat.S_IMODE((sdir / name).stat().st_mode) == 0o600, name
    assert len((sdir / "secret_key").read_text().strip()) >= 40
    assert (sdir / "admin_password").read_text().strip() != "admin"
    assert stat.S_IMODE((sdir / "users" / "gd_analyst").stat().st_mode) == 0o600


def test_admin_login_with_wrong_password_is_refused(superset_instance) -> None:
    with pytest.raises(server.SupersetError, match="Logging in .* as 'admin' failed"):
        server.SupersetClient(superset_instance.url, "admin", "admin")


@pytest.mark.parametrize("key", sorted(CHARTS))
def test_chart_data_equals_duckdb(superset_instance, key: str) -> None:
    chart = CHARTS[key]
    result = chart_data(superset_instance.admin, superset_instance.chart_ids[chart.uuid])
    got = superset_rows(result, chart)
    want = reference_rows(superset_instance.warehouse, chart)
    assert got == want
    assert len(want) > 0


@pytest.mark.parametrize("username,prov", [("gd_analyst", "44"), ("bj_analyst", "11")])
def test_province_user_sees_only_its_province(superset_instance, username: str, prov: str) -> None:
    client = superset_instance.login(username)
    for key, chart in CHARTS.items():
        result = chart_data(client, superset_instance.chart_ids[chart.uuid])
        assert {r["prov_code"] for r in result["data"]} == {prov}, key
        assert superset_rows(result, chart) == reference_rows(
            superset_instance.warehouse, chart, prov=prov
        ), key
    # the CSV export goes through the same row-level security
    resp = client.request(
        "GET",
        f"/api/v1/chart/{superset_instance.chart_ids[TABLE_CHART.uuid]}/data/",
        params={"format": "csv", "force": "true"},
    )
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    prov_col = next(c for c in rows[0] if c in ("省份编码", "prov_code"))
    assert {r[prov_col] for r in rows} == {prov}
    assert len(rows) == len(reference_rows(superset_instance.warehouse, TABLE_CHART, prov=prov))


def test_hq_sees_every_province(superset_instance) -> None:
    client = superset_instance.login("hq_analyst")
    result = chart_data(client, superset_instance.chart_ids[TABLE_CHART.uuid])
    assert {r["prov_code"] for r in result["data"]} == set(PROVINCES)
    assert superset_rows(result, TABLE_CHART) == reference_rows(
        superset_instance.warehouse, TABLE_CHART
    )


def test_a_role_without_a_province_sees_nothing(in_superset_home) -> None:
    """Fail closed: dataset access without a province grant gives no rows (the Base filter)."""
    admin = in_superset_home.admin
    roles = {r["name"]: r["id"] for r in admin.get_all("security/roles")}
    if "test_no_province" not in roles:
        roles["test_no_province"] = admin.post(
            "/api/v1/security/roles/", {"name": "test_no_province"}
        )["id"]
    perms = admin.get(f"/api/v1/security/roles/{roles['province_44']}/permissions/")["result"]
    admin.post(
        f"/api/v1/security/roles/{roles['test_no_province']}/permissions",
        {"permission_view_menu_ids": [p["id"] for p in perms]},
    )
    if not admin.get_all(
        "security/users", filters=[{"col": "username", "opr": "eq", "value": "nobody"}]
    ):
        admin.post(
            "/api/v1/security/users/",
            {
                "active": True, "email": "nobody@jingfen.local", "first_name": "no",
                "last_name": "body", "username": "nobody", "password": "Nobody-pass-1",
                "roles": [roles["test_no_province"]],
            },
        )  # fmt: skip
    client = server.SupersetClient(in_superset_home.url, "nobody", "Nobody-pass-1")
    result = chart_data(client, in_superset_home.chart_ids[TABLE_CHART.uuid])
    assert result["data"] == []


def test_province_user_has_no_sql_lab_and_no_raw_tables(superset_instance) -> None:
    client = superset_instance.login("gd_analyst")
    db_id = next(
        d["id"]
        for d in superset_instance.admin.get_all("database")
        if d["database_name"] == "jingfen"
    )
    resp = client.request(
        "POST",
        "/api/v1/sqllab/execute/",
        json={"database_id": db_id, "sql": "select * from stg_bss__customers", "runAsync": False},
        expect=(200, 400, 401, 403, 404),
    )
    assert resp.status_code in (401, 403), resp.text
    tables = {d["table_name"] for d in client.get_all("dataset")}
    assert tables == {ds.table for d in DASHBOARDS for ds in d.datasets}


def test_hq_sql_lab_is_read_only_and_sandboxed(superset_instance) -> None:
    client = superset_instance.login("hq_analyst")
    db_id = next(
        d["id"]
        for d in superset_instance.admin.get_all("database")
        if d["database_name"] == "jingfen"
    )

    def run(sql: str) -> Any:
        return client.request(
            "POST",
            "/api/v1/sqllab/execute/",
            json={"database_id": db_id, "sql": sql, "runAsync": False, "schema": "main"},
            expect=(200, 400, 403, 422, 500),
        )

    ok = run("select count(*) as n from mart_indicator_values where region_level = 'province'")
    assert ok.status_code == 200 and ok.json()["data"][0]["n"] == 3 * 3 * 6
    files = run("select * from read_csv('/etc/passwd')")
    assert files.status_code != 200, "DuckDB external access must be off"
    write = run("create table x as select 1 as a")
    assert write.status_code != 200, "the warehouse must be read-only to Superset"


def test_redeploy_keeps_ids_and_access_is_idempotent(in_superset_home) -> None:
    admin = in_superset_home.admin
    rls_before = {r["id"]: r["name"] for r in admin.get_all("rowlevelsecurity")}
    deployed = deploy(admin)
    assert deployed["dashboards"] == in_superset_home.dashboard_ids
    assert {str(c["uuid"]): c["id"] for c in admin.get_all("chart")} == in_superset_home.chart_ids
    assert {r["id"]: r["name"] for r in admin.get_all("rowlevelsecurity")} == rls_before
    assert access.provision_access(access.DEFAULT_CONFIG, admin) == []
    # province users still see only their province after the redeploy
    client = in_superset_home.login("gd_analyst")
    result = chart_data(client, in_superset_home.chart_ids[TABLE_CHART.uuid])
    assert {r["prov_code"] for r in result["data"]} == {"44"}


def test_export_round_trips_to_placeholder(in_superset_home, tmp_path) -> None:
    written = export(in_superset_home.admin, tmp_path / "exported")
    names = {p.relative_to(tmp_path / "exported").as_posix() for p in written}
    assert "dashboards/" in "".join(names) and "metadata.yaml" in names
    db_yaml = next(p for p in written if p.parent.name == "databases").read_text()
    assert "{JINGFEN_HOME}/warehouse/jingfen.duckdb" in db_yaml
    assert str(in_superset_home.home) not in db_yaml


def test_chart_data_latency(superset_instance) -> None:
    chart_id = superset_instance.chart_ids[TABLE_CHART.uuid]
    client = superset_instance.admin
    t0 = time.perf_counter()
    for _ in range(10):
        chart_data(client, chart_id)
    uncached = (time.perf_counter() - t0) / 10
    client.request("GET", f"/api/v1/chart/{chart_id}/data/")  # warm the cache
    t0 = time.perf_counter()
    for _ in range(10):
        client.request("GET", f"/api/v1/chart/{chart_id}/data/")
    cached = (time.perf_counter() - t0) / 10
    superset_instance.timings["chart_data_uncached_ms"] = round(uncached * 1000, 1)
    superset_instance.timings["chart_data_cached_ms"] = round(cached * 1000, 1)
    assert uncached < 2.0


def test_publish_swap_moves_to_new_numbers_without_errors(superset_instance) -> None:
    """Readers open a fresh DuckDB connection per query, so an os.replace'd warehouse is seen
    at once and never half-written; force=true skips Superset's result cache."""
    chart = TABLE_CHART
    chart_id = superset_instance.chart_ids[chart.uuid]
    client = superset_instance.login("hq_analyst")
    old = reference_rows(superset_instance.warehouse, chart)
    seen: list[str] = []
    errors: list[str] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                rows = superset_rows(chart_data(client, chart_id), chart)
            except Exception as exc:  # any failure at all is what this test looks for
                errors.append(repr(exc))
                continue
            seen.append("old" if rows == old else "new" if rows == new else "other")

    new_path = superset_instance.warehouse.with_name("next.duckdb")
    write_warehouse(new_path, scale=2.0)
    new = reference_rows(new_path, chart)
    assert new != old
    thread = threading.Thread(target=poll)
    thread.start()
    try:
        time.sleep(1.0)
        os.replace(new_path, superset_instance.warehouse)
        time.sleep(1.5)
    finally:
        stop.set()
        thread.join(timeout=30)
    try:
        assert errors == []
        assert "other" not in seen
        first_new = seen.index("new")
        assert seen[0] == "old" and all(s == "new" for s in seen[first_new:]), seen
    finally:
        write_warehouse(superset_instance.warehouse)  # leave the original numbers for others
