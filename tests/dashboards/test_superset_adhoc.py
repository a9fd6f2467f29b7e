"""Ad-hoc analysis (临时报表, issue #15) on the real Superset.

A province analyst builds a chart of its own through the API as Explore does (a grouping, a
filter, a custom SQL metric), saves it and a dashboard with it, and its chart data, CSV and
Excel exports and drill-to-detail hold no other province's rows; the same numbers come from a
plain DuckDB query of the warehouse with the province's condition. A custom SQL field with a
sub-query (a way around row-level security) is refused. Province users have no SQL Lab; a user
who had SQL Lab and a province role would get only its province's rows there too
(RLS_IN_SQLLAB). 总部's analysts find config/saved_queries.yaml in SQL Lab and run them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from testkit.superset import jingfen_home, normalise, query

from dashboards import access, saved_queries
from dashboards.catalogue import MART_REVENUE_REGION
from dashboards.generate import DATABASE_NAME
from dashboards.server import SupersetClient

pytestmark = pytest.mark.superset

TABLE = "mart_revenue_region_month"
PROV, OTHER = "44", "11"
METRIC_SQL = "SUM(revenue_yuan) / NULLIF(SUM(billed_subs), 0)"
METRIC = {"expressionType": "SQL", "sqlExpression": METRIC_SQL, "label": "每户收入（元）"}
GROUPBY = ["prov_code", "region_code"]
FILTER = {"col": "region_level", "op": "==", "val": "city"}
# exports head a column with its Chinese name (verbose_name)
LABELS = {c: MART_REVENUE_REGION.column(c).label_zh for c in GROUPBY}


def _dataset_id(superset_instance: Any, table: str) -> int:
    return next(
        d["id"] for d in superset_instance.admin.get_all("dataset") if d["table_name"] == table
    )


def _query_context(ds_id: int, metric: dict[str, Any] = METRIC) -> dict[str, Any]:
    form_data = {
        "datasource": f"{ds_id}__table",
        "viz_type": "table",
        "query_mode": "aggregate",
        "groupby": GROUPBY,
        "metrics": [metric],
        "adhoc_filters": [
            {"clause": "WHERE", "expressionType": "SIMPLE", "subject": FILTER["col"],
             "operator": FILTER["op"], "comparator": FILTER["val"]},
        ],
        "row_limit": 10000,
    }  # fmt: skip
    return {
        "datasource": {"id": ds_id, "type": "table"},
        "force": True,
        "queries": [
            {"columns": GROUPBY, "metrics": [metric], "filters": [FILTER], "orderby": [],
             "row_limit": 10000, "extras": {}},
        ],
        "form_data": form_data,
        "result_format": "json",
        "result_type": "full",
    }  # fmt: skip


def _reference(db: Any, prov: str) -> set[tuple[Any, ...]]:
    """The ad-hoc chart's rows computed straight from the DuckDB file for one province."""
    sql = (
        f"select prov_code, region_code, {METRIC_SQL} from main.{TABLE} "
        f"where region_level = 'city' and prov_code = '{prov}' group by all"
    )
    return {normalise(r) for r in query(db, sql)}


def _rows(result: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {normalise([r[c] for c in result["colnames"]]) for r in result["data"]}


@pytest.fixture(scope="module")
def adhoc_chart(superset_instance: Any) -> Iterator[dict[str, Any]]:
    """gd_analyst's ad-hoc chart, saved, and a dashboard of its own holding it."""
    gd = superset_instance.login("gd_analyst")
    ds_id = _dataset_id(superset_instance, TABLE)
    qc = _query_context(ds_id)
    explored = gd.post("/api/v1/chart/data", qc)["result"][0]
    name = f"广东临时分析·每户收入 {uuid.uuid4().hex[:6]}"
    chart = gd.post(
        "/api/v1/chart/",
        {"slice_name": name, "viz_type": "table", "datasource_id": ds_id,
         "datasource_type": "table", "params": json.dumps(qc["form_data"]),
         "query_context": json.dumps(qc)},
    )  # fmt: skip
    dash = gd.post("/api/v1/dashboard/", {"dashboard_title": f"广东临时看板 {name[-6:]}"})
    gd.put(f"/api/v1/chart/{chart['id']}", {"dashboards": [dash["id"]]})
    yield {"client": gd, "ds_id": ds_id, "explored": explored, "chart_id": chart["id"],
           "dashboard_id": dash["id"], "name": name}  # fmt: skip
    # the Superset of the session is shared: the catalogue's tests count its charts and
    # dashboards, so the province's own ones go again (its owner may delete them)
    gd.request("DELETE", f"/api/v1/dashboard/{dash['id']}")
    gd.request("DELETE", f"/api/v1/chart/{chart['id']}")


def test_province_adhoc_chart_has_only_its_rows_in_data_and_exports(
    superset_instance: Any, adhoc_chart: dict[str, Any]
) -> None:
    gd, chart_id = adhoc_chart["client"], adhoc_chart["chart_id"]
    want = _reference(superset_instance.warehouse, PROV)
    assert len(want) >= 2, "the warehouse has too few Guangdong cities to test"
    other = _reference(superset_instance.warehouse, OTHER)
    assert other and not (other & want)  # Beijing's rows exist and differ
    # what Explore showed before saving, and the saved chart replayed
    assert _rows(adhoc_chart["explored"]) == want
    saved = gd.request("GET", f"/api/v1/chart/{chart_id}/data/", params={"force": "true"})
    assert _rows(saved.json()["result"][0]) == want
    # CSV export
    resp = gd.request("GET", f"/api/v1/chart/{chart_id}/data/", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert len(rows) == len(want)
    header = [*(LABELS[c] for c in GROUPBY), METRIC["label"]]  # the columns' Chinese names
    assert {r[LABELS["prov_code"]] for r in rows} == {PROV}
    got = {normalise([r[header[0]], r[header[1]], float(r[header[2]])]) for r in rows}
    assert got == want
    # Excel export
    resp = gd.request("GET", f"/api/v1/chart/{chart_id}/data/", params={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content), read_only=True).active
    head, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    cols = [head.index(c) for c in (*(LABELS[c] for c in GROUPBY), METRIC["label"])]
    assert {normalise([r[i] for i in cols]) for r in body} == want
    # another province replaying gd's chart gets its own rows only, and does not see gd's draft
    bj = superset_instance.login("bj_analyst")
    replay = bj.request("GET", f"/api/v1/chart/{chart_id}/data/", params={"force": "true"})
    assert _rows(replay.json()["result"][0]) == other
    assert adhoc_chart["dashboard_id"] not in {d["id"] for d in bj.get_all("dashboard")}


def test_province_saves_its_own_chart_and_dashboard(adhoc_chart: dict[str, Any]) -> None:
    gd = adhoc_chart["client"]
    mine = gd.get(f"/api/v1/chart/{adhoc_chart['chart_id']}")["result"]
    assert mine["slice_name"] == adhoc_chart["name"]
    assert [o["id"] for o in mine["owners"]] == [gd.get("/api/v1/me/")["result"]["id"]]
    on_dashboard = gd.get(f"/api/v1/dashboard/{adhoc_chart['dashboard_id']}/charts")["result"]
    assert [c["id"] for c in on_dashboard] == [adhoc_chart["chart_id"]]


@pytest.mark.browser
def test_province_drill_to_detail_of_its_adhoc_chart(
    superset_instance: Any, adhoc_chart: dict[str, Any], pages: Any
) -> None:
    """Drill to detail as Explore's context menu asks for it, from gd_analyst's logged-in
    browser session (the samples endpoint takes the session, not the API's bearer token)."""
    page, _ = pages("gd_analyst")
    ds_id = adhoc_chart["ds_id"]

    def samples(filters: list[dict[str, Any]]) -> dict[str, Any]:
        resp = page.request.post(
            f"{superset_instance.url}/datasource/samples?force=true&datasource_type=table"
            f"&datasource_id={ds_id}&per_page=10000&page=1",
            data={"filters": filters},
        )
        assert resp.status == 200, f"drill to detail answered {resp.status}: {resp.text()[:300]}"
        return resp.json()["result"]

    result = samples([FILTER])
    (want,) = query(
        superset_instance.warehouse,
        f"select count(*) from main.{TABLE} where region_level = 'city' and prov_code = '{PROV}'",
    )[0]
    assert want > 0 and result["total_count"] == want
    assert {r["prov_code"] for r in result["data"]} == {PROV}
    asked = samples([FILTER, {"col": "prov_code", "op": "==", "val": OTHER}])
    assert asked["total_count"] == 0 and asked["data"] == []


def test_a_custom_sql_subquery_cannot_read_around_row_level_security(
    superset_instance: Any, adhoc_chart: dict[str, Any]
) -> None:
    gd = adhoc_chart["client"]
    sneaky = {
        "expressionType": "SQL",
        "sqlExpression": f"(select sum(revenue_yuan) from main.{TABLE})",
        "label": "全国收入",
    }
    resp = gd.request(
        "POST",
        "/api/v1/chart/data",
        json=_query_context(adhoc_chart["ds_id"], sneaky),
        expect=(200, 400, 403, 422),
    )
    assert resp.status_code != 200, resp.text[:300]
    assert "sub-quer" in resp.text, resp.text[:300]


def _day(value: Any) -> Any:
    """SQL Lab's JSON writes a date as an ISO timestamp at midnight: the day, as normalise
    writes the warehouse's dates."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?", value):
        return value[:10]
    return value


def _sqllab(client: Any, db_id: int, sql: str) -> Any:
    return client.request(
        "POST",
        "/api/v1/sqllab/execute/",
        json={"database_id": db_id, "sql": sql, "runAsync": False, "schema": "main"},
        expect=(200, 400, 401, 403, 404, 422),
    )


def _database_id(superset_instance: Any) -> int:
    (db,) = [
        d
        for d in superset_instance.admin.get_all("database")
        if d["database_name"] == DATABASE_NAME
    ]
    return int(db["id"])


def test_province_users_are_refused_sql_lab(superset_instance: Any) -> None:
    gd = superset_instance.login("gd_analyst")
    db_id = _database_id(superset_instance)
    resp = _sqllab(gd, db_id, f"select distinct prov_code from main.{TABLE}")
    assert resp.status_code in (401, 403), resp.text[:300]
    page = gd.request("GET", "/sqllab/", expect=(200, 302, 403), allow_redirects=False)
    assert page.status_code in (302, 403)
    assert gd.request("GET", "/api/v1/saved_query/", expect=(200, 403)).status_code == 403


def test_row_level_security_applies_in_sql_lab(superset_instance: Any) -> None:
    """A user given SQL Lab beside a province role reads only its province there
    (FEATURE_FLAGS["RLS_IN_SQLLAB"]); without the flag it would read every province."""
    admin = superset_instance.admin
    roles = {r["name"]: r["id"] for r in admin.get_all("security/roles")}
    username, password = f"t_sqllab_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    user = admin.post(
        "/api/v1/security/users/",
        {"username": username, "first_name": "测试", "last_name": "SQL Lab", "active": True,
         "email": f"{username}@jingfen.local", "password": password,
         "roles": [roles[f"province_{PROV}"], roles["sql_lab"]]},
    )  # fmt: skip
    try:
        client = SupersetClient(superset_instance.url, username, password)
        resp = _sqllab(
            client,
            _database_id(superset_instance),
            f"select prov_code, count(*) as n from main.{TABLE} group by prov_code",
        )
        assert resp.status_code == 200, resp.text[:300]
        got = {(r["prov_code"], r["n"]) for r in resp.json()["data"]}
        (n,) = query(
            superset_instance.warehouse, f"select count(*) from main.{TABLE} where prov_code = '44'"
        )[0]
        assert got == {(PROV, n)} and n > 0
    finally:  # deactivated, not deleted: its SQL Lab queries refer to it
        admin.put(f"/api/v1/security/users/{user['id']}", {"active": False})


def test_hq_has_the_saved_queries_and_they_run(superset_instance: Any) -> None:
    hq = superset_instance.login("hq_analyst")
    specs = {q.label: q for q in saved_queries.load_config()}
    mine = {q["label"]: q for q in hq.get_all("saved_query")}
    assert set(specs) <= set(mine)
    assert all(mine[label]["sql"] == spec.sql for label, spec in specs.items())
    db_id = _database_id(superset_instance)
    for label, spec in specs.items():
        resp = _sqllab(hq, db_id, mine[label]["sql"])
        assert resp.status_code == 200, (label, resp.text[:300])
        got = [normalise([_day(v) for v in r.values()]) for r in resp.json()["data"]]
        want = [normalise(r) for r in query(superset_instance.warehouse, spec.sql)]
        assert got and sorted(got, key=repr) == sorted(want, key=repr), label
    # provisioning again changes nothing
    with jingfen_home(superset_instance.home):
        again = access.provision_access(access.DEFAULT_CONFIG, superset_instance.admin)
    assert not [c for c in again if "saved query" in c], again


def test_province_explores_the_subscriber_month_detail_under_row_level_security(
    superset_instance: Any,
) -> None:
    """The conformed subscriber-month dataset (用户月明细, no subscriber or customer id): a
    province analyst's own grouping and custom metric over it return its cities only, equal to
    the fact table of its province; the dataset offers no id column to group or export by."""
    gd = superset_instance.login("gd_analyst")
    ds_id = _dataset_id(superset_instance, "v_subscriber_month")
    columns = {c["column_name"] for c in gd.get(f"/api/v1/dataset/{ds_id}")["result"]["columns"]}
    assert "city_code" in columns and not columns & {"subs_id", "cust_id", "msisdn"}
    metric = {
        "expressionType": "SQL",
        "label": "户均MOU",
        "sqlExpression": "SUM(mou) / NULLIF(COUNT(CASE WHEN is_in_service THEN 1 END), 0)",
    }
    qc = {
        "datasource": {"id": ds_id, "type": "table"},
        "force": True,
        "queries": [{"columns": ["prov_code", "city_code"], "metrics": [metric],
                     "filters": [{"col": "is_5g_terminal", "op": "==", "val": True}],
                     "orderby": [], "row_limit": 10000, "extras": {}}],
        "result_format": "json",
        "result_type": "full",
    }  # fmt: skip
    got = _rows(gd.post("/api/v1/chart/data", qc)["result"][0])
    sql = (
        "select prov_code, city_code, sum(mou) / nullif(count(case when is_in_service then 1 "
        "end), 0) from main.fct_subscriber_month where is_5g_terminal and prov_code = '{p}' "
        "group by all"
    )
    want = {normalise(r) for r in query(superset_instance.warehouse, sql.format(p=PROV))}
    other = {normalise(r) for r in query(superset_instance.warehouse, sql.format(p=OTHER))}
    assert len(want) >= 2 and other and not (other & want)
    assert got == want
