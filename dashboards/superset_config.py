"""Superset configuration for jingfen (loaded by Superset through SUPERSET_CONFIG_PATH).

This file runs inside the Superset environment (.venv-superset: SQLAlchemy 1.4, pandas 2), so it
imports nothing from jingfen. All state lives under ``JINGFEN_HOME/superset``:

- ``secret_key``      per-install Flask secret, created here on first load (owner-only, never in git)
- ``superset.db``     SQLite metadata database, unless ``JINGFEN_SUPERSET_DB_URI`` names another
                      (a PostgreSQL URI works; the superset env carries psycopg2)

Caches are files under ``JINGFEN_HOME/superset/cache/<kind>`` (cachelib's FileSystemCache), so
every gunicorn worker shares them; no Redis, no Celery, no outside hosts. The warehouse only
changes when the pipeline publishes, and the publish flow empties ``cache/data`` right after the
swap (dashboards.cache.clear_chart_cache), so chart results can be kept for a day.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

JINGFEN_HOME = Path(os.environ.get("JINGFEN_HOME", "var")).resolve()
SUPERSET_STATE = JINGFEN_HOME / "superset"
SUPERSET_STATE.mkdir(parents=True, exist_ok=True)


def _owner_only_secret(path: Path, nbytes: int = 48) -> str:
    """Read a secret file, creating it (mode 0600) on first use; safe when processes race."""
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


SECRET_KEY = _owner_only_secret(SUPERSET_STATE / "secret_key")

# ---- metadata database ----------------------------------------------------------------------
SQLALCHEMY_DATABASE_URI = os.environ.get("JINGFEN_SUPERSET_DB_URI") or (
    f"sqlite:///{SUPERSET_STATE / 'superset.db'}?check_same_thread=false"
)


@event.listens_for(Engine, "connect")
def _sqlite_metadata_pragmas(dbapi_connection: object, _record: object) -> None:
    """SQLite metadata: write-ahead log (readers do not wait for the event log's writes, which
    every request makes), commits synced at checkpoints rather than per request, and a busy
    timeout instead of "database is locked" when the workers write at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma journal_mode=wal")
        cursor.execute("pragma synchronous=normal")
        cursor.execute("pragma busy_timeout=10000")
        cursor.close()


# ---- warehouse connections -------------------------------------------------------------------
# Superset opens a new connection for every query (NullPool), and opening a DuckDB database
# costs 10-20 ms, more than most chart queries on the marts. The published warehouse is a link
# to an immutable version file (flows/publish.py), so each worker keeps one connection to the
# current version open: DuckDB then shares that open instance with every new connection to the
# same path in the process, which costs almost nothing. The link is resolved for every query,
# so a publish switches the next query to the new version (a new path, a new instance); the
# kept connection to the old one is closed then.
_KEPT: dict[str, tuple[str, object]] = {}  # link path -> (version path, open DBAPI connection)
_KEPT_LOCK = threading.Lock()


def _keep_version_open(link: str, version: str, url: URL, params: dict) -> None:
    with _KEPT_LOCK:
        kept = _KEPT.get(link)
        if kept and kept[0] == version:
            return
        # the same URL and options as the queries' own connections (Superset adds a user
        # agent to the config), or DuckDB refuses to share the instance
        connection = create_engine(url, **{**params, "poolclass": NullPool}).raw_connection()
        _KEPT[link] = (version, connection)
    if kept:
        # closing an old version must never fail a query
        with contextlib.suppress(Exception):
            kept[1].close()  # type: ignore[attr-defined]


def DB_CONNECTION_MUTATOR(  # noqa: N802 - Superset's name
    url: URL, params: dict, username: str | None, security_manager: object, source: object
) -> tuple[URL, dict]:
    """Connect DuckDB queries to the version file the published link points at, kept open."""
    link = url.database
    if url.get_backend_name() != "duckdb" or not link or not os.path.islink(link):
        return url, params
    for _ in range(3):  # a publish may replace and remove the version between the two steps
        version = os.path.realpath(link)
        versioned = url.set(database=version)
        try:
            _keep_version_open(link, version, versioned, params)
        except Exception:  # noqa: BLE001 - retried on the new version; the query reports errors
            continue
        return versioned, params
    return url, params


DATA_DIR = str(SUPERSET_STATE)
UPLOAD_FOLDER = str(SUPERSET_STATE / "uploads") + "/"
IMG_UPLOAD_FOLDER = str(SUPERSET_STATE / "uploads") + "/"

# ---- caches: files shared by the gunicorn workers -------------------------------------------
CACHE_ROOT = SUPERSET_STATE / "cache"
_DAY = int(timedelta(days=1).total_seconds())
_HALF_DAY = int(timedelta(hours=12).total_seconds())


def _file_cache(kind: str, timeout: int, threshold: int = 20_000) -> dict[str, object]:
    return {
        "CACHE_TYPE": "FileSystemCache",
        "CACHE_DIR": str(CACHE_ROOT / kind),
        "CACHE_DEFAULT_TIMEOUT": timeout,
        "CACHE_THRESHOLD": threshold,  # entries kept before the oldest are pruned
        "CACHE_KEY_PREFIX": f"jf_{kind}_",
    }


CACHE_DEFAULT_TIMEOUT = _DAY
CACHE_CONFIG = _file_cache("meta", _DAY)
DATA_CACHE_CONFIG = _file_cache("data", _DAY)  # emptied by every publish
FILTER_STATE_CACHE_CONFIG = _file_cache("filter", _HALF_DAY)
EXPLORE_FORM_DATA_CACHE_CONFIG = _file_cache("explore", _HALF_DAY)
RATELIMIT_STORAGE_URI = "memory://"

# ---- language: Chinese first, English available ---------------------------------------------
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {
    "zh": {"flag": "cn", "name": "简体中文"},
    "en": {"flag": "us", "name": "English"},
}

# ---- features --------------------------------------------------------------------------------
FEATURE_FLAGS = {
    "DASHBOARD_RBAC": True,  # dashboards visible per role (province roles see only theirs)
    "DASHBOARD_VIRTUALIZATION": True,
    "ALERT_REPORTS": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "EMBEDDED_SUPERSET": False,
    "ALLOW_FULL_CSV_EXPORT": False,
    "RLS_IN_SQLLAB": True,
    "TAGGING_SYSTEM": False,
}

# No file uploads into the warehouse (the database is read-only anyway; this hides the menus).
CSV_EXTENSIONS: set[str] = set()
EXCEL_EXTENSIONS: set[str] = set()
COLUMNAR_EXTENSIONS: set[str] = set()
ALLOWED_EXTENSIONS: set[str] = set()

# ---- security --------------------------------------------------------------------------------
# Content-security policy limited to this host: the prebuilt front end's telemetry pixel and any
# outside font or map tile are blocked. 'unsafe-inline' styles are needed by the React theme.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
        "frame-ancestors": ["'self'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
CONTENT_SECURITY_POLICY_WARNING = False
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
WTF_CSRF_ENABLED = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
PUBLIC_ROLE_LIKE = None
AUTH_ROLE_PUBLIC = "Public"
PREVENT_UNSAFE_DB_CONNECTIONS = True  # no sqlite/shillelagh data sources (duckdb is allowed)
SQLLAB_CTAS_NO_LIMIT = False

# ---- no telemetry, no outside calls ----------------------------------------------------------
MAPBOX_API_KEY = ""
SCHEDULED_QUERIES: dict[str, object] = {}
LOG_LEVEL = "WARNING"
