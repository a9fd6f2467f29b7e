"""One typed place for configuration: where state lives and the knobs every job shares.

Everything the system writes lives under ``JINGFEN_HOME`` (default ``./var``). Settings come from
environment variables prefixed ``JINGFEN_`` (``JINGFEN_REJECT_THRESHOLD=0.02``) and, if present,
``JINGFEN_HOME/jingfen.toml`` (``reject_threshold = 0.02``); the environment wins. No other
module reads a ``JINGFEN_*`` variable: they ask :func:`settings`, which reads the configuration
once per environment (a test that changes a variable gets fresh settings).
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings read from ``JINGFEN_*`` environment variables and ``JINGFEN_HOME/jingfen.toml``."""

    model_config = SettingsConfigDict(env_prefix="JINGFEN_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = Path(os.environ.get("JINGFEN_HOME") or "var") / "jingfen.toml"
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml))

    home: Path = Field(default=Path("var"), description="Root of all state (JINGFEN_HOME).")
    reject_threshold: float = Field(
        default=0.01,
        description="Share of bad rows above which a whole file is rejected (0.01 = 1%).",
    )
    reject_min_rows: int = Field(
        default=10,
        description="A file may always have this many bad rows before the share applies.",
    )
    superset_port: int = 8088
    pii_salt: str | None = Field(
        default=None,
        description="Salt for hashing ID numbers and phone numbers (default: generated per install).",
    )
    ingest_crash_at: str | None = Field(
        default=None, description="Test hook: stop the load at this point (tests/ingest)."
    )
    spark_python: Path | None = Field(
        default=None, description="Interpreter of the Spark environment (default .venv-spark)."
    )
    indicator_catalogue: Path | None = Field(
        default=None, description="The indicator catalogue CSV (default seeds/indicators.csv)."
    )
    indicator_keys: Path | None = Field(
        default=None,
        description="HMAC keys of the provinces' uploads (default JINGFEN_HOME/secrets/...).",
    )
    hq_due_working_day: int = Field(
        default=5, ge=1, le=23, description="Monthly packages are due by this working day."
    )
    hq_daily_due_hour: int = Field(
        default=12, ge=0, le=23, description="Daily packages are due by this hour the next day."
    )
    hq_sftp_key: str | None = Field(default=None, description="SSH key for SFTP uploads.")
    hq_sftp_known_hosts: str | None = Field(
        default=None, description="known_hosts for SFTP uploads."
    )
    superset_venv: Path | None = Field(
        default=None, description="Superset's environment (default .venv-superset)."
    )
    superset_db_uri: str | None = Field(
        default=None, description="Superset's metadata database (default SQLite under superset/)."
    )
    superset_workers: int | None = Field(
        default=None, ge=1, description="gunicorn workers (default one per core, 2..4)."
    )
    admin_password: str | None = Field(default=None, description="Superset admin password.")

    def user_password(self, username: str) -> str | None:
        """A demo user's password from ``JINGFEN_USER_PASSWORD_<USERNAME>``, if set."""
        return os.environ.get(f"JINGFEN_USER_PASSWORD_{username.upper()}") or None

    @cached_property
    def paths(self) -> Paths:
        return Paths(self.home.resolve())


class Paths:
    """The fixed layout under JINGFEN_HOME. Nothing outside it is written."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.landing = home / "landing"
        self.archive = home / "archive"
        self.quarantine = home / "quarantine"
        self.warehouse = home / "warehouse"
        self.raw = self.warehouse / "raw"  # one Parquet file per loaded extract, by interface
        self.ingest_db = self.warehouse / "ingest.duckdb"  # load audit and rejects
        self.build_db = self.warehouse / "build" / "jingfen.duckdb"  # dbt's working database
        self.published_db = self.warehouse / "jingfen.duckdb"  # what dashboards read
        # HQ's receipt of the provinces' indicator packages (written by indicators/store.py),
        # attached read-only by the dbt profile
        self.hq_db = self.warehouse / "hq.duckdb"
        self.models = home / "models"
        self.superset = home / "superset"
        self.truth = home / "truth"
        self.secrets = home / "secrets"
        self.tmp = home / "tmp"
        self.dbt = home / "dbt"  # dbt target/ and logs/
        self.prefect = home / "prefect"
        self.bench = home / "bench"

    def ensure(self) -> Paths:
        for p in (
            self.landing,
            self.archive,
            self.quarantine,
            self.raw,
            self.build_db.parent,
            self.models,
            self.superset,
            self.truth,
            self.tmp,
            self.dbt,
            self.prefect,
        ):
            p.mkdir(parents=True, exist_ok=True)
        self.secrets.mkdir(parents=True, exist_ok=True)
        os.chmod(self.secrets, 0o700)
        return self

    def secret(self, name: str, nbytes: int = 32) -> str:
        """A per-install secret kept under JINGFEN_HOME/secrets (owner-only), created once."""
        self.ensure()
        path = self.secrets / name
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(nbytes))
        return path.read_text().strip()


def settings() -> Settings:
    """The settings of the current environment, read once per distinct set of ``JINGFEN_*``
    variables (so a test pointing JINGFEN_HOME elsewhere gets its own)."""
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("JINGFEN_")))
    return _settings(key)


@lru_cache(maxsize=16)
def _settings(environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()


def pii_salt() -> str:
    """Salt for hashing ID numbers and msisdns: JINGFEN_PII_SALT or a generated per-install one."""
    return settings().pii_salt or settings().paths.secret("pii_salt")
