"""Access by level (总部 / 省 / 地市): roles, users and row-level security from config/access.yaml.

- ``hq`` (总部) sees every province, may use SQL Lab on the warehouse (with the saved queries
  of config/saved_queries.yaml) and reads the delivery log of every report schedule.
- ``province_<GB code>`` (省公司, e.g. ``province_44``) sees only rows with that ``prov_code``,
  on the jingfen datasets and dashboards only, without SQL Lab: ad-hoc analysis (临时报表) in
  Explore over those datasets, saving its own charts and dashboards, CSV/Excel export (Gamma's
  permissions), all under row-level security.
- ``city_<GB code>`` (地市分公司, e.g. ``city_4401``) sees only its city's rows: ``city_code =
  '4401'`` where a dataset has a city_code column, else its city rows (``region_level = 'city'
  and region_code = '4401'``); a dataset with neither (province-level only) shows it nothing.
- Every dataset with a ``prov_code`` column gets a deny-by-default **Base** filter (``1=0``,
  which applies to everyone *not* in its roles: Admin and hq are exempt) and one **Regular**
  filter per province or city role (``prov_code = '44'``). All share the group key
  ``prov_code``, and Superset ORs filters of one group, so a province user's rows are ``1=0 OR
  prov_code = '44'``, and a user with no jingfen role sees nothing.
- Every jingfen role may drill to detail (``can_samples`` on Datasource, which Gamma lacks):
  the samples query runs under the same row-level security as the chart.

Everything is reconciled to the config: running it twice changes nothing the second time.
Rules and grants point at dataset ids, which survive a redeploy (the import overwrites in place).
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dashboards.deploy import ASSETS_DIR
from dashboards.generate import DATABASE_NAME
from dashboards.saved_queries import DEFAULT_CONFIG as SAVED_QUERIES_CONFIG
from dashboards.saved_queries import provision_saved_queries
from dashboards.server import SupersetClient, SupersetError, state_dir, stored_secret
from jingfen.config import REPO_ROOT, settings

DEFAULT_CONFIG = REPO_ROOT / "config" / "access.yaml"
PROVINCES_SEED = REPO_ROOT / "seeds" / "provinces.csv"
REGIONS_SEED = REPO_ROOT / "seeds" / "regions.csv"
HQ_ROLE = "hq"
PROVINCE_ROLE_PREFIX = "province_"
CITY_ROLE_PREFIX = "city_"
RLS_PREFIX = "jingfen: "
RLS_GROUP_KEY = "prov_code"
RLS_COLUMN = "prov_code"
EXEMPT_ROLES = ("Admin", HQ_ROLE)  # not subject to the deny-by-default filter


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class AccessConfig:
    provinces: tuple[str, ...]
    users: tuple[UserSpec, ...]
    cities: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[str, ...]:
        return (
            HQ_ROLE,
            *(province_role(p) for p in self.provinces),
            *(city_role(c) for c in self.cities),
        )


def province_role(prov_code: str) -> str:
    return f"{PROVINCE_ROLE_PREFIX}{prov_code}"


def city_role(city_code: str) -> str:
    return f"{CITY_ROLE_PREFIX}{city_code}"


def _all_provinces() -> tuple[str, ...]:
    with PROVINCES_SEED.open(encoding="utf-8") as fh:
        return tuple(row["prov_code"] for row in csv.DictReader(fh))


def _all_cities() -> tuple[str, ...]:
    with REGIONS_SEED.open(encoding="utf-8") as fh:
        return tuple(dict.fromkeys(row["city_code"] for row in csv.DictReader(fh)))


def _codes(path: Path, key: str, value: Any, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A config list of codes: "all" (every known code), a list of known codes, or nothing."""
    if value == "all":
        return known
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SupersetError(f'{path}: {key!r} must be "all" or a list of codes, got {value!r}.')
    codes = tuple(str(v) for v in value)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise SupersetError(f"{path}: {key} {unknown} are not GB/T 2260 codes in {what}.")
    return codes


def load_config(path: Path = DEFAULT_CONFIG) -> AccessConfig:
    """Read and check access.yaml; errors name the file and the offending entry."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    provinces = _codes(
        path, "provinces", raw.get("provinces", "all"), _all_provinces(), PROVINCES_SEED.name
    )
    cities = _codes(path, "cities", raw.get("cities"), _all_cities(), REGIONS_SEED.name)
    roles = {HQ_ROLE, *(province_role(p) for p in provinces), *(city_role(c) for c in cities)}
    users: list[UserSpec] = []
    for i, u in enumerate(raw.get("users") or [], start=1):
        where = f"{path}: users entry {i}"
        missing = [k for k in ("username", "role") if not u.get(k)]
        if missing:
            raise SupersetError(f"{where} lacks {', '.join(missing)}.")
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,63}", u["username"]):
            raise SupersetError(
                f"{where}: username {u['username']!r} must be lower-case letters, digits, _."
            )
        if u["role"] not in roles:
            raise SupersetError(
                f"{where} ({u['username']}): role {u['role']!r} is neither hq nor a configured "
                "province role (province_<code>) nor a configured city role (city_<code>)."
            )
        users.append(
            UserSpec(
                username=u["username"],
                role=u["role"],
                first_name=str(u.get("first_name") or u["username"]),
                last_name=str(u.get("last_name") or "-"),
                email=str(u.get("email") or f"{u['username']}@jingfen.local"),
            )
        )
    names = [u.username for u in users]
    if len(set(names)) != len(names):
        raise SupersetError(f"{path}: a username is listed twice.")
    return AccessConfig(provinces=provinces, users=tuple(users), cities=cities)


def user_password(username: str) -> tuple[str, bool]:
    """JINGFEN_USER_PASSWORD_<USERNAME> or the one generated and kept under superset/users/."""
    users_dir = state_dir() / "users"
    users_dir.mkdir(exist_ok=True)
    os.chmod(users_dir, 0o700)
    return stored_secret(users_dir / username, settings().user_password(username))


def _asset_datasets(assets_dir: Path) -> dict[str, str]:
    """uuid -> audience ("all" or "hq") of every dataset the assets define."""
    out: dict[str, str] = {}
    for p in (assets_dir / "datasets").rglob("*.yaml"):
        content = yaml.safe_load(p.read_text(encoding="utf-8"))
        extra = json.loads(content.get("extra") or "{}")
        out[str(content["uuid"])] = extra.get("jingfen_audience", "hq")  # unknown: fail closed
    return out


def _asset_dashboards(assets_dir: Path) -> dict[str, tuple[str, bool]]:
    """slug -> (audience, has charts) of every dashboard the assets define (the generator
    writes the audience into the dashboard's metadata)."""
    out: dict[str, tuple[str, bool]] = {}
    for p in (assets_dir / "dashboards").glob("*.yaml"):
        content = yaml.safe_load(p.read_text(encoding="utf-8"))
        has_charts = any(
            isinstance(v, dict) and v.get("type") == "CHART" for v in content["position"].values()
        )
        audience = content.get("metadata", {}).get("jingfen_audience", "hq")
        out[content["slug"]] = (audience, has_charts)
    return out


# ---- reconciliation --------------------------------------------------------------------------
class _Access:
    def __init__(self, client: SupersetClient) -> None:
        self.c = client
        self.changes: list[str] = []

    def roles(self) -> dict[str, int]:
        return {r["name"]: r["id"] for r in self.c.get_all("security/roles")}

    def ensure_roles(self, names: tuple[str, ...]) -> dict[str, int]:
        existing = self.roles()
        for name in names:
            if name not in existing:
                existing[name] = self.c.post("/api/v1/security/roles/", {"name": name})["id"]
                self.changes.append(f"created role {name}")
        return existing

    def role_permissions(self, role_id: int) -> set[int]:
        rows = self.c.get(f"/api/v1/security/roles/{role_id}/permissions/")["result"]
        return {p["id"] for p in rows}

    def set_role_permissions(self, name: str, role_id: int, wanted: set[int]) -> None:
        if self.role_permissions(role_id) != wanted:
            self.c.post(
                f"/api/v1/security/roles/{role_id}/permissions",
                {"permission_view_menu_ids": sorted(wanted)},
            )
            self.changes.append(f"set {len(wanted)} permissions on role {name}")

    def permission_views(self) -> dict[tuple[str, str], int]:
        rows = self.c.get_all("security/permissions-resources")
        return {(r["permission"]["name"], r["view_menu"]["name"]): r["id"] for r in rows}

    def reconcile_rls(self, wanted: dict[str, dict[str, Any]]) -> None:
        current = {r["name"]: r for r in self.c.get_all("rowlevelsecurity")}
        for name, body in wanted.items():
            have = current.get(name)
            if have is None:
                self.c.post("/api/v1/rowlevelsecurity/", body)
                self.changes.append(f"created row-level filter {name!r}")
                continue
            same = (
                have["filter_type"] == body["filter_type"]
                and have["clause"] == body["clause"]
                and (have.get("group_key") or "") == body["group_key"]
                and sorted(t["id"] for t in have["tables"]) == sorted(body["tables"])
                and sorted(r["id"] for r in have["roles"]) == sorted(body["roles"])
            )
            if not same:
                self.c.put(f"/api/v1/rowlevelsecurity/{have['id']}", body)
                self.changes.append(f"updated row-level filter {name!r}")
        for name, have in current.items():
            if name.startswith(RLS_PREFIX) and name not in wanted:
                self.c.delete(f"/api/v1/rowlevelsecurity/{have['id']}")
                self.changes.append(f"deleted row-level filter {name!r}")

    def reconcile_user(self, user: UserSpec, role_id: int) -> None:
        password, password_changed = user_password(user.username)
        found = [
            u
            for u in self.c.get_all(
                "security/users",
                filters=[{"col": "username", "opr": "eq", "value": user.username}],
            )
            if u["username"] == user.username
        ]
        body: dict[str, Any] = {
            "active": True,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "roles": [role_id],
            "username": user.username,
        }
        if not found:
            self.c.post("/api/v1/security/users/", {**body, "password": password})
            self.changes.append(f"created user {user.username} ({user.role})")
            return
        have = found[0]
        same = (
            have["active"]
            and have["email"] == user.email
            and have["first_name"] == user.first_name
            and have["last_name"] == user.last_name
            and sorted(r["id"] for r in have["roles"]) == [role_id]
        )
        if password_changed:
            body["password"] = password
        if not same or password_changed:
            self.c.put(f"/api/v1/security/users/{have['id']}", body)
            self.changes.append(f"updated user {user.username}")


def provision_access(
    config_path: Path = DEFAULT_CONFIG,
    client: SupersetClient | None = None,
    assets_dir: Path = ASSETS_DIR,
    saved_queries_path: Path = SAVED_QUERIES_CONFIG,
) -> list[str]:
    """Bring roles, grants, row-level filters, users and 总部's saved queries (SQL Lab) in
    line with ``config_path`` and ``saved_queries_path``.

    Run after :func:`dashboards.deploy.deploy` (the datasets must exist). Returns the changes
    made (empty when everything already matched).
    """
    cfg = load_config(config_path)
    client = client or SupersetClient.as_admin()
    acc = _Access(client)

    # Datasets that the assets define (only these are granted: no raw or staging tables).
    audiences = _asset_datasets(assets_dir)
    wanted_uuids = set(audiences)
    datasets = [
        d
        for d in client.get_all("dataset")
        if str(d.get("uuid")) in wanted_uuids and d["database"]["database_name"] == DATABASE_NAME
    ]
    missing = wanted_uuids - {str(d["uuid"]) for d in datasets}
    if missing:
        raise SupersetError(
            f"{len(missing)} dataset(s) of {assets_dir} are not in Superset: deploy the assets "
            "before provisioning access (`python -m dashboards deploy`)."
        )
    database = next(
        (d for d in client.get_all("database") if d["database_name"] == DATABASE_NAME), None
    )
    if database is None:
        raise SupersetError(f"Superset has no database named {DATABASE_NAME!r}: deploy first.")
    columns = {
        d["id"]: {
            c["column_name"] for c in client.get(f"/api/v1/dataset/{d['id']}")["result"]["columns"]
        }
        for d in datasets
    }
    rls_tables = sorted(i for i, cols in columns.items() if RLS_COLUMN in cols)
    # a city's rows: by city_code, or the city rows of a region hierarchy; datasets with neither
    # are province-level only and stay denied to city roles (the Base filter)
    city_by_code = sorted(i for i in rls_tables if "city_code" in columns[i])
    city_by_region = sorted(
        i
        for i in rls_tables
        if "city_code" not in columns[i] and {"region_level", "region_code"} <= columns[i]
    )

    roles = acc.ensure_roles(cfg.roles)
    pvs = acc.permission_views()
    gamma = acc.role_permissions(roles["Gamma"])
    sql_lab = acc.role_permissions(roles["sql_lab"])

    def pv(permission: str, view: str) -> int:
        key = (permission, view)
        if key not in pvs:
            raise SupersetError(
                f"Superset has no permission {permission!r} on {view!r}; run the bootstrap "
                "(`superset init`) and deploy again."
            )
        return pvs[key]

    def ds_perm(d: dict[str, Any]) -> int:
        return pv("datasource_access", f"[{DATABASE_NAME}].[{d['table_name']}](id:{d['id']})")

    dataset_perms = {ds_perm(d) for d in datasets}
    # Province roles get the datasets for everyone only: 总部-only ones (no prov_code, rows of
    # every province) are never granted to them.
    province_perms = {ds_perm(d) for d in datasets if audiences[str(d["uuid"])] == "all"}
    db_perm = pv("database_access", f"[{DATABASE_NAME}].(id:{database['id']})")
    # drill to detail (POST /datasource/samples), under each role's row-level security
    samples = {pv("can_samples", "Datasource")}
    # 总部 reads the delivery log of every report schedule (告警和报告, read only: schedules are
    # code, config/reports.yaml). Superset lists a non-owner's schedules only to a user who may
    # access all datasources (ReportScheduleFilter); hq may read the whole warehouse already
    # (database_access), and the warehouse is the only database, so the grant adds no data.
    delivery_log = {
        pv("can_read", "ReportSchedule"),
        pv("menu_access", "Alerts & Report"),
        pv("menu_access", "Manage"),
        pv("all_datasource_access", "all_datasource_access"),
    }
    acc.set_role_permissions(
        HQ_ROLE,
        roles[HQ_ROLE],
        gamma | sql_lab | samples | delivery_log | {db_perm} | dataset_perms,
    )
    for name in (
        *(province_role(p) for p in cfg.provinces),
        *(city_role(c) for c in cfg.cities),
    ):
        acc.set_role_permissions(name, roles[name], gamma | samples | province_perms)

    # Dashboard visibility (DASHBOARD_RBAC): 总部-only dashboards are limited to hq (and Admin);
    # a dashboard without charts (the 报表目录 landing page) grants no dataset, so it is given
    # to every jingfen role explicitly; the others follow their datasets (no roles set).
    for slug, (audience, has_charts) in _asset_dashboards(assets_dir).items():
        if audience == "hq":
            wanted_roles = [roles[HQ_ROLE]]
        elif not has_charts:
            wanted_roles = sorted(roles[r] for r in cfg.roles)
        else:
            wanted_roles = []
        found = client.get_all("dashboard", filters=[{"col": "slug", "opr": "eq", "value": slug}])
        for dash in found:
            have = sorted(
                r["id"] for r in client.get(f"/api/v1/dashboard/{dash['id']}")["result"]["roles"]
            )
            if have != sorted(wanted_roles):
                client.put(f"/api/v1/dashboard/{dash['id']}", {"roles": wanted_roles})
                acc.changes.append(f"set roles of dashboard {slug} to {audience}")

    wanted_rls: dict[str, dict[str, Any]] = {}
    if rls_tables:
        wanted_rls[f"{RLS_PREFIX}deny by default 默认拒绝"] = {
            "name": f"{RLS_PREFIX}deny by default 默认拒绝",
            "description": "Rows of province datasets are hidden unless a role grants them.",
            "filter_type": "Base",
            "tables": rls_tables,
            "roles": [roles[r] for r in EXEMPT_ROLES],
            "clause": "1=0",
            "group_key": RLS_GROUP_KEY,
        }
        for prov in cfg.provinces:
            name = f"{RLS_PREFIX}{province_role(prov)}"
            wanted_rls[name] = {
                "name": name,
                "description": f"Province {prov} sees its own rows.",
                "filter_type": "Regular",
                "tables": rls_tables,
                "roles": [roles[province_role(prov)]],
                "clause": f"{RLS_COLUMN} = '{prov}'",
                "group_key": RLS_GROUP_KEY,
            }
        for city in cfg.cities:
            for suffix, tables, clause in (
                ("", city_by_code, f"city_code = '{city}'"),
                (
                    " (city rows)",
                    city_by_region,
                    f"region_level = 'city' and region_code = '{city}'",
                ),
            ):
                if not tables:
                    continue
                name = f"{RLS_PREFIX}{city_role(city)}{suffix}"
                wanted_rls[name] = {
                    "name": name,
                    "description": f"City {city} sees its own rows.",
                    "filter_type": "Regular",
                    "tables": tables,
                    "roles": [roles[city_role(city)]],
                    "clause": clause,
                    "group_key": RLS_GROUP_KEY,
                }
    acc.reconcile_rls(wanted_rls)

    for user in cfg.users:
        acc.reconcile_user(user, roles[user.role])
    # SQL Lab's saved queries for the common asks, saved as each 总部 user (they list their own)
    acc.changes += provision_saved_queries(
        client,
        {u.username: user_password(u.username)[0] for u in cfg.users if u.role == HQ_ROLE},
        saved_queries_path,
    )
    return acc.changes


# ---- executors of the scheduled reports ------------------------------------------------------
EXECUTOR_PREFIX = "report_"


def executor_username(audience: str) -> str:
    """The user a report schedule of ``audience`` (``hq`` or a GB province code) runs as:
    ``report_hq`` or ``report_44``. Superset renders a report as its owner, so a province's
    report sees only that province's rows (its role's row-level security)."""
    return f"{EXECUTOR_PREFIX}{audience}"


def reconcile_executors(
    client: SupersetClient, audiences: tuple[str, ...]
) -> tuple[list[str], dict[str, int]]:
    """One executor user per audience, in that audience's role (hq or province_<code>), which
    provision_access must have created. Returns (changes, audience -> user id)."""
    acc = _Access(client)
    roles = acc.roles()
    ids: dict[str, int] = {}
    for audience in audiences:
        role = HQ_ROLE if audience == HQ_ROLE else province_role(audience)
        if role not in roles:
            raise SupersetError(
                f"Superset has no role {role!r} for the reports of {audience!r}: provision "
                "access first (`python -m dashboards provision`; config/access.yaml lists the "
                "provinces)."
            )
        username = executor_username(audience)
        acc.reconcile_user(
            UserSpec(
                username=username,
                role=role,
                first_name="报表",
                last_name=f"执行人 {audience}",
                email=f"{username}@jingfen.local",
            ),
            roles[role],
        )
        found = client.get_all(
            "security/users", filters=[{"col": "username", "opr": "eq", "value": username}]
        )
        ids[audience] = next(u["id"] for u in found if u["username"] == username)
    return acc.changes, ids
