"""The values the ingest core passes around: the load context, reasons, and a file's outcome."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import pyarrow as pa

from jingfen.config import REPO_ROOT, Paths, Settings, beijing_today, settings

Status = Literal["loaded", "reloaded", "duplicate", "rejected"]
STATUSES: tuple[Status, ...] = ("loaded", "reloaded", "duplicate", "rejected")


def utcnow() -> datetime:
    """Naive UTC (DuckDB TIMESTAMP holds UTC by convention here)."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_load_id(now: datetime | None = None) -> str:
    """``L20261105T021500-3fa2``: sortable by start time, unique enough for one machine."""
    now = now or utcnow()
    return f"L{now:%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"


@dataclass(frozen=True)
class LoadContext:
    """Everything one load needs besides the file: where things go and the tolerance rules."""

    load_id: str
    paths: Paths
    landing: Path
    seeds_dir: Path = REPO_ROOT / "seeds"
    reject_threshold: float = 0.01
    reject_min_rows: int = 10
    # An orphan (data file without its control file, or the reverse) waits this long.
    wait_seconds: float = 4 * 3600.0
    # The plausible window of periods: up to business_date + tolerance, from history_start.
    business_date: date = field(default_factory=beijing_today)
    business_date_tolerance_days: int = 3
    history_start_month: str | None = None  # YYYYMM
    # Audit rows are written per chunk of files, at least this often (seconds).
    chunk_seconds: float = 10.0
    # Tests and the kill test only: stop the process at a named step (see load._crash_point).
    crash_at: str | None = None

    @classmethod
    def from_settings(
        cls,
        load_id: str | None = None,
        landing: Path | str | None = None,
        seeds_dir: Path | None = None,
        s: Settings | None = None,
    ) -> LoadContext:

        s = s or settings()
        paths = s.paths
        return cls(
            load_id=load_id or new_load_id(),
            paths=paths,
            landing=Path(landing).resolve() if landing else paths.landing,
            seeds_dir=seeds_dir or REPO_ROOT / "seeds",
            reject_threshold=s.reject_threshold,
            reject_min_rows=s.reject_min_rows,
            wait_seconds=s.ingest_wait_hours * 3600.0,
            business_date=s.load_business_date(),
            business_date_tolerance_days=s.business_date_tolerance_days,
            history_start_month=s.history_start_month,
            crash_at=s.ingest_crash_at,
        )

    @property
    def latest_period_day(self) -> date:
        """The last day a file's period may start on (business date plus the tolerance)."""
        return self.business_date + timedelta(days=self.business_date_tolerance_days)

    def allowed_bad_rows(self, records: int) -> int:
        """Bad rows a file may have and still load: the share, but never fewer than min rows."""
        return max(self.reject_min_rows, int(self.reject_threshold * records))


WAITING_FOR = {"control": "its control file", "data": "its data file"}


@dataclass(frozen=True)
class Waiting:
    """A data file without its control file (``waiting_for='control'``), or a control file
    without its data file (``'data'``): probably still arriving, so left in landing/ until
    ``wait_seconds`` after it was first seen unchanged."""

    file_name: str
    waiting_for: Literal["control", "data"]
    first_seen_at: datetime  # naive UTC
    last_seen_at: datetime
    bytes: int
    modified_us: int  # the file's mtime (µs): a change restarts the clock (still being written)

    def expires_at(self, wait_seconds: float) -> datetime:
        return self.first_seen_at + timedelta(seconds=wait_seconds)

    def summary(self, wait_seconds: float) -> dict[str, str]:
        return {
            "file": self.file_name,
            "waiting_for": WAITING_FOR[self.waiting_for],
            "since": f"{self.first_seen_at:%Y-%m-%d %H:%M:%S} UTC",
            "rejected_after": f"{self.expires_at(wait_seconds):%Y-%m-%d %H:%M:%S} UTC",
        }


def duration_words(seconds: float) -> str:
    """``4 hours``, ``30 minutes``, ``1 second``: a wait limit in a sentence."""
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size or unit == "second":
            n = seconds / size
            text = f"{n:g}" if n == int(n) else f"{n:.1f}"
            return f"{text} {unit}{'' if text == '1' else 's'}"
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Reason:
    """One reason a file (or a line of it) failed a rule."""

    rule: str
    message: str
    line: int | None = None
    column: str | None = None

    def sentence(self, file_name: str) -> str:
        where = f"{file_name}, line {self.line}" if self.line else file_name
        msg = self.message.rstrip(".")
        return f"{where}, rule {self.rule}: {msg}."


@dataclass
class FileOutcome:
    """One file's outcome in one load: the ``load_audit`` row, plus what the load did."""

    load_id: str
    file_name: str
    interface: str | None = None
    prov_code: str | None = None
    period: str | None = None
    seq: str | None = None
    md5: str | None = None
    bytes: int | None = None
    encoding: str | None = None
    records_declared: int | None = None
    records_read: int | None = None
    records_loaded: int = 0
    records_rejected: int = 0
    status: Status = "rejected"
    reason_code: str | None = None
    reason: str | None = None
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    destination: str | None = None  # where the original went, relative to JINGFEN_HOME
    raw_path: str | None = None  # the Parquet file, relative to JINGFEN_HOME
    rows_fingerprint: str | None = None  # snapshot interfaces: see audit.load_audit
    reasons: list[Reason] = field(default_factory=list)
    # Row-level rejects: line_no, rule, column_name, value (masked if pii), message
    rejects: pa.Table | None = None
    seconds: float = 0.0
    resumed: bool = False  # finished a move a killed run left undone; not counted again

    def audit_row(self) -> tuple:
        return (
            self.load_id,
            self.file_name,
            self.interface,
            self.prov_code,
            self.period,
            self.seq,
            self.md5,
            self.bytes,
            self.encoding,
            self.records_declared,
            self.records_read,
            self.records_loaded,
            self.records_rejected,
            self.status,
            self.reason_code,
            self.reason,
            self.started_at,
            self.finished_at,
            self.destination,
            self.raw_path,
            self.rows_fingerprint,
        )

    def reject(self, reasons: list[Reason]) -> None:
        self.status = "rejected"
        self.reasons = reasons
        self.reason_code = reasons[0].rule
        self.reason = " ".join(r.sentence(self.file_name) for r in reasons[:20])
        if len(reasons) > 20:
            self.reason += f" ({len(reasons) - 20} more in the reason file.)"
