"""The values the ingest core passes around: the load context, reasons, and a file's outcome."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pyarrow as pa

from jingfen.config import REPO_ROOT, Paths, Settings, settings

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
            crash_at=s.ingest_crash_at,
        )

    def allowed_bad_rows(self, records: int) -> int:
        """Bad rows a file may have and still load: the share, but never fewer than min rows."""
        return max(self.reject_min_rows, int(self.reject_threshold * records))


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
        )

    def reject(self, reasons: list[Reason]) -> None:
        self.status = "rejected"
        self.reasons = reasons
        self.reason_code = reasons[0].rule
        self.reason = " ".join(r.sentence(self.file_name) for r in reasons[:20])
        if len(reasons) > 20:
            self.reason += f" ({len(reasons) - 20} more in the reason file.)"
