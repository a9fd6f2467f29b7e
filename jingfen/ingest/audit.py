"""``warehouse/ingest.duckdb``: ``load_audit``, ``load_rejects``, ``load_runs`` and
``load_waiting``.

This module is the one owner of that database: its tables, the load's reads and writes
(``AuditStore``), and the named read-only queries the rest of the code asks (the build state,
``jingfen status``).  No other module writes SQL against it: dbt reads it as the ``ingest``
source, and the Spark build copies those source tables to Parquet whole.

dbt reads this database later and DuckDB allows one writer and no readers meanwhile, so it is
opened only for a short read at the start of a load and for short transactions (one per chunk of
files), and closed straight after.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from jingfen.ingest.model import FileOutcome, Waiting, new_load_id
from jingfen.interfaces import INTERFACES

DDL = (
    """create table if not exists load_runs (
        load_id varchar primary key,
        started_at timestamp not null,
        finished_at timestamp,
        landing varchar,
        files bigint,
        summary varchar
    )""",
    # The business date a load judged periods by (a resumed load keeps it).
    "alter table load_runs add column if not exists business_date date",
    """create table if not exists load_audit (
        load_id varchar not null,
        file_name varchar not null,
        interface varchar,
        prov_code varchar,
        period varchar,
        seq varchar,
        md5 varchar,
        bytes bigint,
        encoding varchar,
        records_declared bigint,
        records_read bigint,
        records_loaded bigint,
        records_rejected bigint,
        status varchar not null,
        reason_code varchar,
        reason varchar,
        started_at timestamp,
        finished_at timestamp,
        destination varchar,
        raw_path varchar
    )""",
    # Fingerprint of a snapshot file's rows (count and a sum of per-line hashes): the same rows
    # delivered again in another order, encoding or compression are recognised.
    "alter table load_audit add column if not exists rows_fingerprint varchar",
    """create table if not exists load_rejects (
        load_id varchar not null,
        file_name varchar not null,
        md5 varchar,
        line_no bigint,
        rule varchar not null,
        column_name varchar,
        value varchar,
        message varchar
    )""",
    # Orphans seen in landing/: a data file without its control file or the reverse.  Rewritten
    # by every load for its landing folder; first_seen_at survives while the file is unchanged.
    """create table if not exists load_waiting (
        landing varchar not null,
        file_name varchar not null,
        waiting_for varchar not null,
        first_seen_at timestamp not null,
        last_seen_at timestamp not null,
        bytes bigint,
        modified_us bigint,
        load_id varchar,
        primary key (landing, file_name)
    )""",
)

# Audit statuses that change the raw layer (a new file, or a corrected re-delivery).
RAW_CHANGING = ("loaded", "reloaded")
# Statuses of a delivery that was taken in (loaded, or recognised as content already loaded).
DELIVERED = (*RAW_CHANGING, "duplicate")

AUDIT_COLUMNS = (
    "load_id, file_name, interface, prov_code, period, seq, md5, bytes, encoding, "
    "records_declared, records_read, records_loaded, records_rejected, status, reason_code, "
    "reason, started_at, finished_at, destination, raw_path, rows_fingerprint"
)


AUDIT_FIELDS = tuple(c.strip() for c in AUDIT_COLUMNS.split(","))
_TYPES = {
    "bytes": pa.int64(),
    "records_declared": pa.int64(),
    "records_read": pa.int64(),
    "records_loaded": pa.int64(),
    "records_rejected": pa.int64(),
    "started_at": pa.timestamp("us"),
    "finished_at": pa.timestamp("us"),
}
AUDIT_SCHEMA = pa.schema([(f, _TYPES.get(f, pa.string())) for f in AUDIT_FIELDS])

_RAW_CHANGED = f"status in {RAW_CHANGING}"
_WAITING_IN_LANDING = (
    "select file_name, waiting_for, first_seen_at, last_seen_at, bytes, modified_us "
    "from load_waiting where landing = ? order by file_name"
)


def content_key(interface: str, period: str, md5: str) -> tuple[str, str, str]:
    """What makes two deliveries the same content: the interface and the md5, and for a
    snapshot interface also the period (a month's snapshot may rightly equal the month
    before's, e.g. a channel list that did not change)."""
    return (interface, period if INTERFACES[interface].snapshot else "*", md5)


def stem_of(file_name: str) -> str:
    for suffix in (".dat.gz", ".dat", ".chk"):
        if file_name.endswith(suffix):
            return file_name[: -len(suffix)]
    return file_name


@dataclass
class History:
    """What earlier loads tell the current one (read once at its start, kept up to date)."""

    # (file_name, md5) of every delivery that was loaded, reloaded or seen as a duplicate
    delivered: set[tuple[str, str]] = field(default_factory=set)
    # stem -> md5 of its currently loaded version
    current: dict[str, str] = field(default_factory=dict)
    # this load's rows: (file_name, md5) -> destination, to finish moves a killed run left undone
    this_load: dict[tuple[str, str], str] = field(default_factory=dict)
    # this load's destinations by stem (for a control file left behind)
    this_load_by_stem: dict[str, str] = field(default_factory=dict)
    # content_key -> the file that brought that (non-empty) content into the raw layer
    content: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # (interface, prov, period, rows fingerprint) -> the file that loaded those snapshot rows
    rows: dict[tuple[str, str, str, str], str] = field(default_factory=dict)

    def _loaded(
        self,
        file_name: str,
        md5: str,
        interface: str | None,
        prov: str | None,
        period: str | None,
        records_read: int | None,
        fingerprint: str | None,
    ) -> None:
        self.current[stem_of(file_name)] = md5
        if not (interface in INTERFACES and period and records_read):
            return  # empty deliveries are all alike and never duplicates of each other
        self.content.setdefault(content_key(interface, period, md5), file_name)
        if fingerprint and prov:
            self.rows.setdefault((interface, prov, period, fingerprint), file_name)

    def note(self, o: FileOutcome) -> None:
        if o.md5 and o.status in DELIVERED:
            self.delivered.add((o.file_name, o.md5))
        if o.md5 and o.status in RAW_CHANGING:
            self._loaded(
                o.file_name,
                o.md5,
                o.interface,
                o.prov_code,
                o.period,
                o.records_read,
                o.rows_fingerprint,
            )
        if o.destination:
            if o.md5:
                self.this_load[(o.file_name, o.md5)] = o.destination
            self.this_load_by_stem[stem_of(o.file_name)] = o.destination


class AuditStore:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.db_path))
        try:
            for ddl in DDL:
                con.execute(ddl)
            yield con
        finally:
            con.close()

    def open_run(
        self, now: datetime, landing: Path, new_id: str, business_date: date
    ) -> tuple[str, bool, date]:
        """Resume the last load if it never finished (a killed run), else start ``new_id``.

        Resuming keeps one load_id and business date for the batch, so a killed-and-restarted
        load ends in the same state as one clean run.  Returns (load_id, resumed, business date).
        """
        with self.connect() as con:
            rows = con.execute(
                "select load_id, business_date from load_runs where finished_at is null "
                "order by started_at desc limit 1"
            ).fetchall()
            if rows:
                return rows[0][0], True, rows[0][1] or business_date
            used = con.execute("select count(*) from load_runs where load_id = ?", [new_id])
            if used.fetchall()[0][0]:
                new_id = new_load_id(now)  # a context reused for a second load
            con.execute(
                "insert into load_runs (load_id, started_at, landing, business_date) "
                "values (?, ?, ?, ?)",
                [new_id, now, str(landing), business_date],
            )
            return new_id, False, business_date

    def close_run(self, load_id: str, now: datetime, files: int, summary: str) -> None:
        with self.connect() as con:
            con.execute(
                "update load_runs set finished_at = ?, files = coalesce(files, 0) + ?, "
                "summary = ? where load_id = ?",
                [now, files, summary, load_id],
            )

    def history(self, load_id: str) -> History:
        h = History()
        with self.connect() as con:
            for (
                file_name,
                md5,
                status,
                dest,
                lid,
                interface,
                prov,
                period,
                records_read,
                fingerprint,
            ) in con.execute(
                "select file_name, md5, status, destination, load_id, interface, prov_code, "
                "period, records_read, rows_fingerprint from load_audit "
                "order by finished_at, started_at"
            ).fetchall():
                if md5 and status in DELIVERED:
                    h.delivered.add((file_name, md5))
                if md5 and status in RAW_CHANGING:
                    h._loaded(file_name, md5, interface, prov, period, records_read, fingerprint)
                if lid == load_id and dest:
                    if md5:
                        h.this_load[(file_name, md5)] = dest
                    h.this_load_by_stem[stem_of(file_name)] = dest
        return h

    def record(self, outcomes: Sequence[FileOutcome]) -> None:
        """Audit rows and rejects of a chunk of files, in one transaction."""
        if not outcomes:
            return
        with self.connect() as con:
            con.execute("begin")
            try:
                # A (re)load replaces every earlier reject of this delivery's stem.
                stems = [stem_of(o.file_name) for o in outcomes if o.status in RAW_CHANGING]
                if stems:
                    names = pa.table(
                        {"file_name": [s + ext for s in stems for ext in (".dat", ".dat.gz")]}
                    )
                    con.register("_reloaded", names)
                    con.execute(
                        "delete from load_rejects where file_name in "
                        "(select file_name from _reloaded)"
                    )
                    con.unregister("_reloaded")
                for o in outcomes:
                    if o.rejects is not None and o.rejects.num_rows:
                        con.register("_rj", o.rejects)
                        con.execute(
                            "insert into load_rejects select ?, ?, ?, line_no, rule, "
                            "column_name, value, message from _rj",
                            [o.load_id, o.file_name, o.md5],
                        )
                        con.unregister("_rj")
                rows = [dict(zip(AUDIT_FIELDS, o.audit_row(), strict=True)) for o in outcomes]
                con.register("_audit", pa.Table.from_pylist(rows, schema=AUDIT_SCHEMA))
                con.execute(f"insert into load_audit ({AUDIT_COLUMNS}) select * from _audit")
                con.unregister("_audit")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise

    # ------------------------------------------------------------ waiting files

    def waiting(self, landing: Path) -> dict[str, Waiting]:
        """The orphans the last load saw in ``landing`` (by file name)."""
        with self.connect() as con:
            rows = con.execute(_WAITING_IN_LANDING, [str(landing)]).fetchall()
        return {r[0]: Waiting(*r) for r in rows}

    def save_waiting(self, landing: Path, seen: Sequence[Waiting], load_id: str) -> None:
        """Replace the orphans recorded for ``landing`` with those seen now (one transaction)."""
        with self.connect() as con:
            con.execute("begin")
            try:
                con.execute("delete from load_waiting where landing = ?", [str(landing)])
                if seen:
                    con.executemany(
                        "insert into load_waiting values (?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                str(landing),
                                w.file_name,
                                w.waiting_for,
                                w.first_seen_at,
                                w.last_seen_at,
                                w.bytes,
                                w.modified_us,
                                load_id,
                            )
                            for w in seen
                        ],
                    )
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise

    def forget_gone(self, landing: Path) -> None:
        """Drop the orphans that are no longer in ``landing`` (loaded or rejected by now)."""
        with self.connect() as con:
            names = [
                r[0]
                for r in con.execute(
                    "select file_name from load_waiting where landing = ?", [str(landing)]
                ).fetchall()
            ]
            gone = [n for n in names if not (landing / n).exists()]
            if gone:
                con.executemany(
                    "delete from load_waiting where landing = ? and file_name = ?",
                    [(str(landing), n) for n in gone],
                )


# ---------------------------------------------------------------- read-only queries
#
# What the rest of the code asks of the audit.  Read-only connections (a reader never takes the
# writer's lock), and no rows before the first load created the database.


def _read(db_path: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    if not db_path.exists():
        return []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    except duckdb.CatalogException:  # a database from before the table existed
        return []
    finally:
        con.close()


def raw_watermark(db_path: Path) -> datetime | None:
    """The newest finish time of a file that changed the raw layer (None before any load)."""
    rows = _read(db_path, f"select max(finished_at) from load_audit where {_RAW_CHANGED}")
    return rows[0][0] if rows else None


def raw_changes_since(db_path: Path, since: str | None) -> list[tuple[str | None, str, str]]:
    """(interface, status, raw Parquet path) of each file that changed the raw layer after
    ``since`` (an ISO time; every such file when None), by interface and path."""
    return _read(
        db_path,
        "select interface, status, raw_path from load_audit "
        f"where {_RAW_CHANGED} and finished_at > cast(? as timestamp) order by 1, 3",
        [since or "1900-01-01"],
    )


def status_counts(db_path: Path) -> list[tuple[str, int]]:
    """Files audited per outcome status, by status name."""
    return _read(db_path, "select status, count(*) from load_audit group by status order by 1")


def waiting_files(db_path: Path, landing: Path) -> list[Waiting]:
    """The orphans the last load recorded as waiting in ``landing``, by file name."""
    return [Waiting(*r) for r in _read(db_path, _WAITING_IN_LANDING, [str(landing)])]
