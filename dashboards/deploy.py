"""Push the dashboards in dashboards/assets/ to Superset, and pull edits made in the UI back.

``deploy`` zips the asset files (Superset's export layout) under one top folder, writes this
install's warehouse path into the database's URI, and POSTs the bundle to
``/api/v1/assets/import/`` with ``overwrite=true``. That endpoint overwrites databases, datasets,
charts and dashboards in place (same UUID, same id), so row-level-security rules and role
grants, which point at dataset ids, survive a redeploy.

``export`` downloads ``/api/v1/assets/export/`` into dashboards/exported/ for review, with the
machine-specific warehouse path put back to its placeholder so diffs show only real edits.
"""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import yaml

from dashboards.generate import DATABASE_NAME, WAREHOUSE_URI_PLACEHOLDER, dump_yaml
from dashboards.server import SupersetClient, SupersetError
from jingfen.config import settings

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
EXPORTED_DIR = PACKAGE_DIR / "exported"
BUNDLE_ROOT = "jingfen_assets"


def warehouse_uri(home: Path | None = None) -> str:
    """The read-only DuckDB URI of the published warehouse under JINGFEN_HOME."""
    home = (home or settings().paths.home).resolve()
    return WAREHOUSE_URI_PLACEHOLDER.replace("{JINGFEN_HOME}", str(home))


def build_bundle(assets_dir: Path = ASSETS_DIR, home: Path | None = None) -> bytes:
    """The import ZIP for ``assets_dir``, with the database URI templated for ``home``."""
    files = sorted(p for p in assets_dir.rglob("*.yaml") if p.is_file())
    if not any(p.name == "metadata.yaml" for p in files):
        raise SupersetError(
            f"{assets_dir} has no metadata.yaml: generate the assets first with "
            "`python -m dashboards generate`."
        )
    home_dir = str((home or settings().paths.home).resolve())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            rel = path.relative_to(assets_dir).as_posix()
            text = path.read_text(encoding="utf-8")
            if rel.startswith("databases/"):
                content = yaml.safe_load(text)
                if "{JINGFEN_HOME}" not in content.get("sqlalchemy_uri", ""):
                    raise SupersetError(
                        f"{path}: sqlalchemy_uri must contain the {{JINGFEN_HOME}} placeholder "
                        "(the path is filled in at deploy time), found "
                        f"{content.get('sqlalchemy_uri')!r}."
                    )
                content["sqlalchemy_uri"] = content["sqlalchemy_uri"].replace(
                    "{JINGFEN_HOME}", home_dir
                )
                text = dump_yaml(content)
            zf.writestr(f"{BUNDLE_ROOT}/{rel}", text)
    return buf.getvalue()


def deploy(client: SupersetClient, assets_dir: Path = ASSETS_DIR) -> dict[str, Any]:
    """Import the assets (overwrite) and return what Superset now holds for them."""
    t0 = time.perf_counter()
    bundle = build_bundle(assets_dir)
    client.request(
        "POST",
        "/api/v1/assets/import/",
        files={"bundle": ("jingfen_assets.zip", bundle, "application/zip")},
        data={"overwrite": "true"},
    )
    dashboards = client.get_all("dashboard")
    charts = client.get_all("chart")
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        "dashboards": {d["slug"] or d["id"]: d["id"] for d in dashboards},
        "charts": len(charts),
    }


def export(client: SupersetClient, out_dir: Path = EXPORTED_DIR) -> list[Path]:
    """Download every asset into ``out_dir`` (replaced), database URI put back to its
    placeholder. Returns the written files."""
    resp = client.request("GET", "/api/v1/assets/export/")
    home = str(settings().paths.home.resolve())
    if out_dir.exists():
        shutil.rmtree(out_dir)
    written: list[Path] = []
    with zipfile.ZipFile(io.BytesIO(resp.content)) as zf:
        for name in zf.namelist():
            rel = name.split("/", 1)[1] if "/" in name else name
            if not rel.endswith(".yaml"):
                continue
            text = zf.read(name).decode("utf-8")
            content = yaml.safe_load(text)
            if rel.startswith("databases/") and content.get("database_name") == DATABASE_NAME:
                content["sqlalchemy_uri"] = content["sqlalchemy_uri"].replace(
                    home, "{JINGFEN_HOME}"
                )
            if rel == "metadata.yaml":
                content.pop("timestamp", None)
            path = out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump_yaml(content), encoding="utf-8")
            written.append(path)
    return sorted(written)
