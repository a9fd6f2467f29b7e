"""Saved queries for 总部's analysts in SQL Lab, from config/saved_queries.yaml (临时报表).

Superset lists a user's own saved queries only (``SavedQueryFilter``: created by the current
user), so each query is saved *as* every user of config/access.yaml in role hq: the
provisioning logs in as that user (its password is the one access.py keeps). Reconciled by
label: a second run changes nothing, an edited query is updated, a query the config no longer
lists is deleted (only those this module made, marked in their description).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from dashboards.generate import DATABASE_NAME
from dashboards.server import SupersetClient, SupersetError
from jingfen.config import REPO_ROOT

DEFAULT_CONFIG = REPO_ROOT / "config" / "saved_queries.yaml"
MARKER = "（经分 saved_queries.yaml）"  # ends the description of every query this module made
SCHEMA = "main"


@dataclass(frozen=True)
class SavedQuerySpec:
    label: str
    description: str
    sql: str

    @property
    def body_description(self) -> str:
        return f"{self.description}{MARKER}"


def load_config(path: Path = DEFAULT_CONFIG) -> tuple[SavedQuerySpec, ...]:
    """Read and check saved_queries.yaml; errors name the file and the offending entry."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: list[SavedQuerySpec] = []
    for i, entry in enumerate(raw.get("queries") or [], start=1):
        missing = [k for k in ("label", "description", "sql") if not entry.get(k)]
        if missing:
            raise SupersetError(f"{path}: queries entry {i} lacks {', '.join(missing)}.")
        out.append(
            SavedQuerySpec(
                label=str(entry["label"]),
                description=str(entry["description"]).strip(),
                sql=str(entry["sql"]).strip(),
            )
        )
    labels = [q.label for q in out]
    if len(set(labels)) != len(labels):
        raise SupersetError(f"{path}: a label is used twice; labels name the saved queries.")
    return tuple(out)


def reconcile_for_user(
    client: SupersetClient, database_id: int, queries: tuple[SavedQuerySpec, ...]
) -> list[str]:
    """Bring the saved queries of ``client``'s user in line with ``queries``."""
    changes: list[str] = []
    have = {q["label"]: q for q in client.get_all("saved_query")}
    for spec in queries:
        body = {
            "db_id": database_id,
            "label": spec.label,
            "description": spec.body_description,
            "schema": SCHEMA,
            "sql": spec.sql,
        }
        found = have.get(spec.label)
        if found is None:
            client.post("/api/v1/saved_query/", body)
            changes.append(f"saved query {spec.label!r} for {client.username}")
        elif (
            found.get("sql") != spec.sql
            or found.get("description") != spec.body_description
            or found.get("schema") != SCHEMA
            or (found.get("database") or {}).get("id") != database_id
        ):
            client.put(f"/api/v1/saved_query/{found['id']}", body)
            changes.append(f"updated saved query {spec.label!r} for {client.username}")
    wanted = {q.label for q in queries}
    for label, found in have.items():
        if label not in wanted and str(found.get("description") or "").endswith(MARKER):
            client.delete(f"/api/v1/saved_query/{found['id']}")
            changes.append(f"deleted saved query {label!r} of {client.username}")
    return changes


def provision_saved_queries(
    admin: SupersetClient,
    users: dict[str, str],
    path: Path = DEFAULT_CONFIG,
) -> list[str]:
    """Save the config's queries as each of ``users`` (username -> password, the hq users)."""
    queries = load_config(path)
    database_id = next(
        (d["id"] for d in admin.get_all("database") if d["database_name"] == DATABASE_NAME), None
    )
    if database_id is None:
        raise SupersetError(f"Superset has no database named {DATABASE_NAME!r}: deploy first.")
    changes: list[str] = []
    for username, password in users.items():
        changes += reconcile_for_user(
            SupersetClient(admin.url, username, password), database_id, queries
        )
    return changes
