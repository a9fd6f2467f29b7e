"""Where the upload and receipt keep their state, the provinces' keys, and the due-date rule.

Layout under ``JINGFEN_HOME``::

    hq/outbox/<prov>/        packages a province has exported (and ``.delivered`` markers)
    hq/inbox/                HQ's inbox: packages arrive here (directory or SFTP upload)
    hq/received/<prov>/<period>/<stem>/   accepted (and superseded / duplicate) packages
    hq/rejected/<prov>/<stem>/            rejected packages
    hq/notices/<prov>/<stem>.<outcome>.txt  the receipt notice written back for the province
    warehouse/hq.duckdb      the HQ receipt database (submissions, values, reasons, status)
    secrets/indicator_keys.yaml  HMAC keys, one per province (owner-only; generated if absent)
"""

from __future__ import annotations

import csv
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from jingfen.config import REPO_ROOT, settings

BEIJING = ZoneInfo("Asia/Shanghai")
SEEDS = REPO_ROOT / "seeds"


class MissingKeyError(LookupError):
    """No HMAC key for a province."""


@dataclass(frozen=True)
class HqPaths:
    home: Path

    @property
    def root(self) -> Path:
        return self.home / "hq"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def outbox(self, prov: str) -> Path:
        return self.root / "outbox" / prov

    @property
    def received(self) -> Path:
        return self.root / "received"

    @property
    def rejected(self) -> Path:
        return self.root / "rejected"

    def notices(self, prov: str) -> Path:
        return self.root / "notices" / prov

    @property
    def db(self) -> Path:
        return self.home / "warehouse" / "hq.duckdb"

    @property
    def warehouse_db(self) -> Path:
        """The published warehouse (mart_indicator_values) exports and 口径 checks read."""
        return settings().paths.published_db

    @property
    def keys_file(self) -> Path:
        return settings().indicator_keys or self.home / "secrets" / "indicator_keys.yaml"

    def ensure(self) -> HqPaths:
        for p in (self.inbox, self.received, self.rejected, self.db.parent):
            p.mkdir(parents=True, exist_ok=True)
        return self


def hq_paths() -> HqPaths:
    return HqPaths(settings().paths.home)


# ---- regions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    cities: tuple[str, ...]


@cache
def provinces() -> dict[str, Province]:
    """The 31 provinces and their cities from ``seeds/regions.csv`` (GB/T 2260 codes)."""
    names: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    with (SEEDS / "regions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names[row["prov_code"]] = row["prov_name"]
            lst = cities.setdefault(row["prov_code"], [])
            if row["city_code"] not in lst:
                lst.append(row["city_code"])
    return {p: Province(p, names[p], tuple(sorted(c))) for p, c in sorted(cities.items())}


# ---- keys ------------------------------------------------------------------------------------


def load_keys(create: bool = True) -> dict[str, str]:
    """Province code -> HMAC key (hex) from the keys file; generated for all 31 if absent.

    The file is YAML: ``keys: {"44": "<hex>", ...}``. It never goes into git
    (config/indicator_keys.example.yaml shows the shape).
    """
    path = hq_paths().keys_file
    if not path.exists():
        if not create or settings().indicator_keys is not None:
            raise MissingKeyError(f"indicator keys file {path} does not exist")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        body = {"keys": {p: secrets.token_hex(32) for p in provinces()}}
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("# HMAC-SHA256 keys for indicator uploads, one per province. Owner-only.\n")
            yaml.safe_dump(body, fh, sort_keys=True)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    keys = data.get("keys", data) if isinstance(data, dict) else {}
    return {str(k).zfill(2): str(v) for k, v in keys.items()}


def province_key(prov: str) -> bytes:
    keys = load_keys()
    if prov not in keys:
        raise MissingKeyError(f"no HMAC key for province {prov} in {hq_paths().keys_file}")
    return keys[prov].encode("ascii")


# ---- due dates -------------------------------------------------------------------------------


def due_working_day() -> int:
    """Monthly packages are due by the end of this working day of the following month (default 5;
    ``JINGFEN_HQ_DUE_WORKING_DAY``)."""
    return settings().hq_due_working_day


def daily_due_hour() -> int:
    """Daily packages are due by this hour (Beijing) of the next day (default 12;
    ``JINGFEN_HQ_DAILY_DUE_HOUR``)."""
    return settings().hq_daily_due_hour


@cache
def _holiday_overrides() -> dict[date, bool]:
    """date -> is a working day, from ``seeds/holidays.csv`` when present: a public holiday
    (``is_holiday``) is a day off, an adjusted working weekend (``is_adjusted_workday``, 调休) a
    working day."""
    path = SEEDS / "holidays.csv"
    out: dict[date, bool] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                d = date.fromisoformat((row.get("date") or row.get("holiday_date") or "").strip())
            except ValueError:
                continue
            if (row.get("is_adjusted_workday") or "").strip().lower() == "true":
                out[d] = True
            elif (row.get("is_holiday") or "").strip().lower() == "true":
                out[d] = False
    return out


def is_working_day(d: date) -> bool:
    override = _holiday_overrides().get(d)
    return override if override is not None else d.weekday() < 5


def due_at(period: str) -> datetime:
    """When the package for ``period`` (YYYYMM or YYYYMMDD) is due, in Beijing time.

    Monthly: 23:59:59 of the Nth working day (Mon-Fri, public holidays off, adjusted working
    weekends on) of the following month. Daily: HH:00 of the next calendar day.
    """
    if len(period) == 8:
        d = datetime.strptime(period, "%Y%m%d").date() + timedelta(days=1)
        return datetime.combine(d, time(daily_due_hour()), BEIJING)
    first = datetime.strptime(period + "01", "%Y%m%d").date()
    d = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    n = 0
    while True:
        if is_working_day(d):
            n += 1
            if n == due_working_day():
                return datetime.combine(d, time(23, 59, 59), BEIJING)
        d += timedelta(days=1)
