"""Loading: one file from landing/ to its outcome, and a whole load of them.

Order of steps, chosen so that a load killed at any point and started again ends in the same
state as one clean run:

1. validate into temp files (nothing visible changes): each file's name, control file and
   bytes (``prepare_file``), then the rows of a batch of files of one interface in one pass
   (``check_batch``);
2. loaded: write the Parquet to a hidden temp file (for a batch, one partitioned COPY), then
   ``os.replace`` it into place; rejected: write ``<name>.reason.txt`` into
   quarantine/<load_id>/;
3. record the audit row and rejects (one transaction per chunk of files);
4. move the data file, then its control file, out of landing/.

Data files without their control file (and the reverse) are held back first while they may
still be arriving (``waiting.hold_waiting``).

A restarted load resumes the unfinished load_id (see ``AuditStore.open_run``).  A file still in
landing/ that this load already audited (same name and md5) only has its move finished (step 4);
one whose Parquet was written but not audited is simply processed again, rewriting the same
Parquet.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from jingfen.extracts import NAME_RE, ExtractName, ExtractNameError, file_digest
from jingfen.ingest.audit import AuditStore, History, content_key, stem_of
from jingfen.ingest.decode import decode_to_utf8
from jingfen.ingest.discover import Delivery, Discovery, discover
from jingfen.ingest.model import (
    STATUSES,
    FileOutcome,
    LoadContext,
    Reason,
    Waiting,
    duration_words,
    utcnow,
)
from jingfen.ingest.validate import (
    FIELD_COUNT_STRUCTURAL_SHARE,
    ParquetItem,
    RowCheck,
    RowValidator,
    read_control,
)
from jingfen.ingest.waiting import hold_waiting
from jingfen.interfaces import INTERFACE_VERSION, INTERFACES

log = logging.getLogger("jingfen.ingest")

# Row rejects kept (in load_rejects and the reason file) for a file that is rejected whole.
REJECTED_FILE_SAMPLE = 1000
CHUNK_FILES = 250  # audit rows are written per chunk of files, or every ctx.chunk_seconds
# Row checks and Parquet writes run over batches of files of one interface: up to this many
# files, or this much delivered data (a bound on the batch's temp tables, which may spill).
BATCH_FILES = 500
BATCH_BYTES = 256 * 1024 * 1024

Logger = logging.Logger | logging.LoggerAdapter


# ---------------------------------------------------------------- test hook


_crash_counts: Counter[str] = Counter()


def _crash_point(ctx: LoadContext, step: str) -> None:
    """``JINGFEN_INGEST_CRASH_AT=<step>:<n>`` kills the process (SIGKILL) the n-th time it
    passes ``step`` — used only by the kill-and-rerun test."""
    if not ctx.crash_at:
        return
    want, _, nth = ctx.crash_at.partition(":")
    if want != step:
        return
    _crash_counts[step] += 1
    if _crash_counts[step] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


# ---------------------------------------------------------------- helpers


def rel(ctx: LoadContext, p: Path) -> str:
    try:
        return str(p.relative_to(ctx.paths.home))
    except ValueError:
        return str(p)


def raw_path(ctx: LoadContext, name: ExtractName) -> Path:
    return ctx.paths.raw / name.interface.lower() / f"{name.stem}.parquet"


def _dest_dir(ctx: LoadContext, status: str) -> Path:
    root = ctx.paths.quarantine if status == "rejected" else ctx.paths.archive
    return root / ctx.load_id


def _free_dest(dir_: Path, name: str) -> Path:
    """``dir/name``, or ``dir/2/name``... if a file of that name already went there (a resumed
    load that meets the same name twice)."""
    dest, n = dir_ / name, 1
    while dest.exists():
        n += 1
        dest = dir_ / str(n) / name
    return dest


def _parts_dir(ctx: LoadContext) -> Path:
    """Where a batch's Parquet files are written before each goes to its place in raw/."""
    return ctx.paths.tmp / "ingest" / "parts"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Move:
    src: Path
    dest: Path


@dataclass
class Pending:
    outcome: FileOutcome
    moves: list[Move] = field(default_factory=list)


def _moves_for(data: Path, control: Path | None, dest_data: Path) -> list[Move]:
    moves = [Move(data, dest_data)]
    if control is not None and control.exists():
        moves.append(Move(control, dest_data.parent / control.name))
    return moves


def _reason_file_text(o: FileOutcome, ctx: LoadContext) -> str:
    lines = [
        f"{o.file_name} was rejected by load {ctx.load_id} at {o.started_at:%Y-%m-%d %H:%M:%S} "
        "UTC for these reasons:",
        "",
    ]
    lines += [r.sentence(o.file_name) for r in o.reasons]
    if o.rejects is not None and o.rejects.num_rows:
        lines += ["", f"Row-level reasons (the first {o.rejects.num_rows} at most):"]
        for row in o.rejects.to_pylist():
            r = Reason(row["rule"], row["message"], row["line_no"], row["column_name"])
            lines.append(r.sentence(o.file_name))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- one file


def _control_path(data: Path) -> Path:
    return data.with_name(stem_of(data.name) + ".chk")


def _duplicate(o: FileOutcome, data: Path, ctx: LoadContext, code: str, reason: str) -> Pending:
    o.status, o.reason_code, o.reason = "duplicate", code, reason
    o.records_loaded = o.records_rejected = 0
    o.rejects = None
    dest = _free_dest(_dest_dir(ctx, "duplicate"), o.file_name)
    o.destination = rel(ctx, dest)
    return Pending(o, _moves_for(data, _control_path(data), dest))


def _resume_or_duplicate(
    o: FileOutcome, data: Path, ctx: LoadContext, history: History
) -> Pending | None:
    """A file this load already audited (finish its move) or content loaded before
    (duplicate): under this name, or under another name of the same interface."""
    key = (o.file_name, o.md5 or "")
    if key in history.this_load:
        o.resumed = True
        dest = ctx.paths.home / history.this_load[key]
        o.destination = history.this_load[key]
        return Pending(o, _moves_for(data, _control_path(data), dest))
    if key in history.delivered:
        return _duplicate(
            o,
            data,
            ctx,
            "duplicate",
            f"{o.file_name} (md5 {o.md5}) was already loaded; this delivery is a duplicate "
            "and was archived without loading.",
        )
    if not (o.interface and o.period and o.md5):
        return None
    earlier = history.content.get(content_key(o.interface, o.period, o.md5))
    if earlier is not None and earlier != o.file_name:
        return _duplicate(
            o,
            data,
            ctx,
            "duplicate_content",
            f"{o.file_name} has the same content (md5 {o.md5}) as {earlier}, which was already "
            "loaded; this re-sent copy was archived without loading.",
        )
    return None


def _period_reasons(name: ExtractName, ctx: LoadContext) -> list[Reason]:
    """The plausible window: a period may start at most the tolerance after the business date,
    and not before the first month of history configured for the install."""
    reasons = []
    first_day = name.period_start()
    if first_day > ctx.latest_period_day:
        kind = "day" if name.is_daily else "month"
        reasons.append(
            Reason(
                "period_after_business_date",
                f"the PERIOD {name.period} (a {kind} starting {first_day:%Y-%m-%d}) is after the "
                f"load's business date {ctx.business_date:%Y-%m-%d}; a file may be dated at "
                f"most {ctx.business_date_tolerance_days} days after it (settings "
                "JINGFEN_BUSINESS_DATE and JINGFEN_BUSINESS_DATE_TOLERANCE_DAYS)",
            )
        )
    if ctx.history_start_month and name.period[:6] < ctx.history_start_month:
        start = ctx.history_start_month
        reasons.append(
            Reason(
                "period_before_history",
                f"the PERIOD {name.period} is before {start[:4]}-{start[4:]}, the first month "
                "of history configured for this install (setting JINGFEN_HISTORY_START_MONTH)",
            )
        )
    return reasons


def _waited(ctx: LoadContext, what: str) -> str:
    if ctx.wait_seconds <= 0:
        return ""
    return f"; none arrived within {duration_words(ctx.wait_seconds)} of {what} first being seen"


def ingest_file(
    data: Path,
    ctx: LoadContext,
    history: History | None = None,
    validator: RowValidator | None = None,
) -> FileOutcome:
    """Validate, load or reject, audit and move one data file; return its outcome.

    The single-file form of ``ingest_files`` (which the flow uses, to share the reference tables
    and audit transactions across a batch)."""
    store = AuditStore(ctx.paths.ingest_db)
    history = history if history is not None else store.history(ctx.load_id)
    return ingest_files([data], ctx, history, validator=validator)[0]


@dataclass
class Prepared:
    """A data file whose name, control file and bytes are checked, decoded to ``text_path``:
    waiting for its batch's row checks (or for ``reasons`` to reject it whole)."""

    data: Path
    chk: Path
    name: ExtractName
    outcome: FileOutcome
    reasons: list[Reason]
    text_path: Path
    control_char_lines: dict[int, str]
    t0: float

    @property
    def keys(self) -> set[tuple[str, ...]]:
        """What a later file of the same batch may share with this one (then the batch is
        checked first, so that the later file is judged against this one's outcome)."""
        o = self.outcome
        keys = {("name", o.file_name, o.md5 or ""), ("stem", self.name.stem)}
        if o.records_read:  # empty deliveries are all alike and never duplicates
            keys.add(("content", *content_key(self.name.interface, self.name.period, o.md5 or "")))
        return keys


def prepare_file(data: Path, ctx: LoadContext, history: History) -> Pending | Prepared:
    """Step 1 for one data file, before its rows: the name, the control file, the bytes (md5,
    decoding to UTF-8 text).  A badly named file is done at once (rejected); the others wait
    for ``_judge`` with the structural reasons found, if any."""
    t0 = time.perf_counter()
    o = FileOutcome(load_id=ctx.load_id, file_name=data.name)
    try:
        name = ExtractName.parse(data.name)
    except ExtractNameError as e:
        return _bad_name(data, ctx, history, o, str(e))
    o.interface, o.prov_code, o.period, o.seq = name.interface, name.prov, name.period, name.seq
    chk = data.with_name(name.control_name)
    ctl, reasons = read_control(chk, data.name, name)
    if reasons and reasons[0].rule == "missing_control":
        # hold_waiting kept it back while it could still be arriving
        reasons[0] = Reason("missing_control", reasons[0].message + _waited(ctx, "the data file"))
    reasons += _period_reasons(name, ctx)
    if ctl is not None:
        o.encoding = ctl.values.get("encoding")
        o.records_declared = ctl.int_value("records")
    enc = ctl.encoding if ctl is not None else None
    tmp_dir = ctx.paths.tmp / "ingest"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    text_path = tmp_dir / f"{ctx.load_id}-{name.stem}.utf8"
    res = None
    if enc is not None:
        res = decode_to_utf8(data, enc, text_path, gz=name.gz)
        o.bytes, o.md5 = res.nbytes, res.md5
        if res.decoded:
            o.records_read = res.lines
    else:
        o.bytes, o.md5 = file_digest(data)
    # Structural checks against the control file.
    if ctl is not None and not any(r.rule == "bad_control" for r in reasons):
        declared_bytes = ctl.int_value("bytes")
        if declared_bytes is not None and declared_bytes != o.bytes:
            reasons.append(
                Reason(
                    "bytes_mismatch",
                    f"the control file declares bytes={declared_bytes} but the file "
                    f"has {o.bytes} bytes (truncated or altered in transfer)",
                )
            )
        if ctl.values["md5"].lower() != o.md5:
            reasons.append(
                Reason(
                    "checksum_mismatch",
                    f"the control file declares md5={ctl.values['md5']} but the file's "
                    f"md5 is {o.md5}",
                )
            )
    if res is not None and not res.decoded:
        reasons.append(Reason(res.error_code or "encoding_error", res.error or ""))
    empty = o.bytes == 0 or (res is not None and res.decoded and res.lines == 0)
    if empty and not (o.records_declared == 0 and res is not None and res.decoded):
        # An empty file is a lost or failed transfer -- unless its control file says the
        # period really had no records (a complete, empty delivery loads as zero rows).
        reasons.append(
            Reason(
                "empty_file",
                "the data file is empty (no records) but the control file declares "
                f"records={ctl.values.get('records') if ctl else '(no control file)'}",
            )
        )
    elif (
        res is not None
        and res.decoded
        and o.records_declared is not None
        and o.records_declared != res.lines
    ):
        reasons.append(
            Reason(
                "record_count_mismatch",
                f"the control file declares records={o.records_declared} but "
                f"{res.lines} lines were read (truncated or incomplete file)",
            )
        )
    cc_lines = res.bad_lines if res is not None else {}
    return Prepared(data, chk, name, o, reasons, text_path, cc_lines, t0)


def _done(p: Prepared, ctx: LoadContext) -> Pending:
    """A judged file's destination (and reason file, if rejected): ready for audit and move."""
    p.text_path.unlink(missing_ok=True)
    o = p.outcome
    if o.destination:  # chosen when judged
        dest = ctx.paths.home / o.destination
    else:
        dest = _free_dest(_dest_dir(ctx, o.status), p.data.name)
        o.destination = rel(ctx, dest)
    if o.status == "rejected":
        _write_atomic(dest.with_name(p.data.name + ".reason.txt"), _reason_file_text(o, ctx))
    o.seconds = time.perf_counter() - p.t0
    return Pending(o, _moves_for(p.data, p.chk, dest))


def _judge_rows(
    p: Prepared, rc: RowCheck, f: int, ctx: LoadContext, history: History, validator: RowValidator
) -> bool:
    """The outcome of a file by its row checks (``f``: its place in the checked batch):
    rejected whole, a duplicate of rows already loaded, or to load (True; the Parquet is
    written with the batch's)."""
    o, name = p.outcome, p.name
    iface = INTERFACES[name.interface]
    o.rows_fingerprint = rc.rows_fingerprint
    if rc.lines != o.records_read:  # the reader and the decoder must agree on lines
        raise RuntimeError(
            f"internal error: {o.file_name} decoded to {o.records_read} lines but DuckDB read "
            f"{rc.lines}"
        )
    k = len(iface.columns)
    reasons: list[Reason] = []
    if rc.field_count_lines > FIELD_COUNT_STRUCTURAL_SHARE * rc.lines:
        reasons.append(
            Reason(
                "field_count",
                f"{rc.field_count_lines} of {rc.lines} lines have the wrong number of fields "
                f"(most have {rc.common_field_count}; interface {iface.code} "
                f"version {INTERFACE_VERSION} has {k}), first at line {rc.first_field_count_line}",
            )
        )
    elif rc.bad_lines > ctx.allowed_bad_rows(rc.lines):
        rules = ", ".join(f"{r} {n}" for r, n in sorted(rc.rule_counts.items()))
        reasons.append(
            Reason(
                "too_many_bad_rows",
                f"{rc.bad_lines} of {rc.lines} lines break row rules ({rules}), more than the "
                f"{ctx.allowed_bad_rows(rc.lines)} allowed ({ctx.reject_threshold:.2%} of the "
                f"lines, at least {ctx.reject_min_rows})",
            )
        )
    elif rc.lines and rc.bad_lines == rc.lines:
        reasons.append(Reason("no_good_rows", f"none of the {rc.lines} lines passed the row rules"))
    if reasons:
        o.rejects = validator.rejects(iface, limit=REJECTED_FILE_SAMPLE, f=f)
        o.records_rejected = rc.lines
        o.reject(reasons)
        return False
    if rc.rows_fingerprint and rc.lines:
        earlier = history.rows.get((iface.code, name.prov, name.period, rc.rows_fingerprint))
        if earlier is not None:
            o.status, o.reason_code = "duplicate", "duplicate_rows"
            o.reason = (
                f"{o.file_name} holds the same {rc.lines} rows as {earlier}, which was already "
                f"loaded for the same snapshot ({iface.code}, province {name.prov}, period "
                f"{name.period}); this re-sent copy was archived without loading."
            )
            return False
    o.rejects = validator.rejects(iface, f=f) if rc.bad_lines else None
    o.records_loaded = rc.lines - rc.bad_lines
    o.records_rejected = rc.bad_lines
    o.raw_path = rel(ctx, raw_path(ctx, name))
    previous = history.current.get(name.stem)
    o.status = "reloaded" if previous is not None and previous != o.md5 else "loaded"
    if rc.bad_lines:
        rules = ", ".join(f"{r} {n}" for r, n in sorted(rc.rule_counts.items()))
        o.reason_code = "row_rejects"
        o.reason = f"{rc.bad_lines} of {rc.lines} lines were left out ({rules}); see load_rejects."
    if o.status == "reloaded":
        o.reason_code = o.reason_code or "redelivery"
        o.reason = (
            f"A corrected re-delivery (md5 {o.md5}, was {previous}) replaced the loaded data. "
            + (o.reason or "")
        ).strip()
    return True


def check_batch(
    batch: Sequence[Prepared], ctx: LoadContext, history: History, validator: RowValidator
) -> list[Pending]:
    """Steps 1-2 for a batch of prepared files of one interface: the row rules of all of them
    in one pass, each file judged in order (noting its outcome, so a later file of the batch
    that repeats its rows is a duplicate), then the Parquet of every file to load, written
    together.  Nothing is audited or moved yet."""
    if not batch:
        return []
    iface = INTERFACES[batch[0].name.interface]
    checks = validator.check_batch(
        [(p.text_path, p.control_char_lines) for p in batch], iface, fingerprint=iface.snapshot
    )
    to_load: list[tuple[int, Prepared]] = []
    for f, (p, rc) in enumerate(zip(batch, checks, strict=True)):
        if _judge_rows(p, rc, f, ctx, history, validator):
            to_load.append((f, p))
        p.outcome.destination = rel(ctx, _free_dest(_dest_dir(ctx, p.outcome.status), p.data.name))
        history.note(p.outcome)
    items = []
    for f, p in to_load:
        dest = raw_path(ctx, p.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        items.append(
            ParquetItem(
                f,
                dest.with_name(f".{dest.name}.tmp"),
                p.data.name,
                p.outcome.md5 or "",
                p.name.period,
            )
        )
    written = validator.write_parquet_batch(
        iface,
        items,
        load_id=ctx.load_id,
        loaded_at=utcnow(),
        work_dir=_parts_dir(ctx),
    )
    for (_, p), it, n in zip(to_load, items, written, strict=True):
        if n != p.outcome.records_loaded:
            raise RuntimeError(
                f"internal error: {p.outcome.file_name} has {p.outcome.records_loaded} good rows "
                f"but {n} were written"
            )
        os.replace(it.dest, raw_path(ctx, p.name))
        _crash_point(ctx, "after_parquet")
    return [_done(p, ctx) for p in batch]


def _judge_alone(p: Prepared, ctx: LoadContext, history: History) -> Pending | None:
    """What a prepared file is without its rows: a file this load already audited or content
    loaded before (duplicate), or rejected whole for its structural reasons; None if its rows
    decide."""
    done = _resume_or_duplicate(p.outcome, p.data, ctx, history)
    if done is not None:
        p.text_path.unlink(missing_ok=True)
        return done
    if p.reasons:
        p.outcome.reject(p.reasons)
        return _done(p, ctx)
    return None


def _bad_name(
    data: Path, ctx: LoadContext, history: History, o: FileOutcome, message: str
) -> Pending:
    o.bytes, o.md5 = file_digest(data)
    key = (o.file_name, o.md5)
    if key in history.this_load:  # a killed run already audited it: finish the move
        o.resumed = True
        o.destination = history.this_load[key]
        dest = ctx.paths.home / o.destination
        return Pending(o, _moves_for(data, _control_path(data), dest))
    o.reject([Reason("bad_name", message)])
    dest = _free_dest(_dest_dir(ctx, "rejected"), data.name)
    o.destination = rel(ctx, dest)
    _write_atomic(dest.with_name(data.name + ".reason.txt"), _reason_file_text(o, ctx))
    return Pending(o, _moves_for(data, _control_path(data), dest))


def process_stray_control(chk: Path, ctx: LoadContext, history: History) -> Pending:
    """A ``.chk`` with no data file: the tail of a move a killed run left undone, or a lost
    delivery (rejected and quarantined)."""
    o = FileOutcome(load_id=ctx.load_id, file_name=chk.name)
    stem = stem_of(chk.name)
    if stem in history.this_load_by_stem:
        o.resumed = True
        dest_data = ctx.paths.home / history.this_load_by_stem[stem]
        o.destination = history.this_load_by_stem[stem]
        return Pending(o, [Move(chk, dest_data.parent / chk.name)])
    m = NAME_RE.match(stem + ".dat")
    if m:
        o.interface, o.prov_code, o.period, o.seq = m["interface"], m["prov"], m["period"], m["seq"]
    o.bytes, o.md5 = file_digest(chk)
    o.reject(
        [
            Reason(
                "missing_data_file",
                f"the control file has no data file {stem}.dat or {stem}.dat.gz beside it "
                "(the data file was not delivered or was removed)"
                + _waited(ctx, "the control file"),
            )
        ]
    )
    dest = _free_dest(_dest_dir(ctx, "rejected"), chk.name)
    o.destination = rel(ctx, dest)
    _write_atomic(dest.with_name(chk.name + ".reason.txt"), _reason_file_text(o, ctx))
    return Pending(o, [Move(chk, dest)])


# ---------------------------------------------------------------- batches


def _flush(pending: list[Pending], ctx: LoadContext, store: AuditStore) -> None:
    """Steps 3-4 for a chunk: audit (one transaction), then move the originals."""
    if not pending:
        return
    now = utcnow()
    for p in pending:
        p.outcome.finished_at = p.outcome.finished_at or now
    store.record([p.outcome for p in pending if not p.outcome.resumed])
    for p in pending:
        p.outcome.rejects = None  # recorded; don't hold thousands of tables in memory
    _crash_point(ctx, "after_audit")
    for p in pending:
        for i, mv in enumerate(p.moves):
            if not mv.src.exists():
                continue
            mv.dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(mv.src, mv.dest)
            if i == 0:
                _crash_point(ctx, "after_move_data")
    pending.clear()


def _progress(logger: Logger, n: int, total: int, o: FileOutcome, last_log: list[float]) -> None:
    rows = (o.records_loaded or 0) + (o.records_rejected or 0)
    big = rows >= 100_000
    now = time.monotonic()
    quiet = o.status == "loaded" and not o.records_rejected and not big and not o.resumed
    if quiet and now - last_log[0] < 5 and n != total:
        return
    last_log[0] = now
    speed = f", {rows / o.seconds:,.0f} rows/s" if big and o.seconds > 0 else ""
    what = "finished its move" if o.resumed else o.status
    logger.info(
        "file %d of %d: %s %s (%s rows loaded, %s rejected, %.2f s%s)%s",
        n,
        total,
        o.file_name,
        what,
        f"{o.records_loaded:,}",
        f"{o.records_rejected:,}",
        o.seconds,
        speed,
        f" — {o.reason_code}" if o.status == "rejected" else "",
    )


def ingest_files(
    files: Sequence[Path],
    ctx: LoadContext,
    history: History,
    *,
    validator: RowValidator | None = None,
    logger: Logger | None = None,
    start: int = 0,
    total: int | None = None,
) -> list[FileOutcome]:
    """Ingest data files in the given order (a batch of one interface, or bad names).

    Files are prepared one by one (name, control file, bytes) and their rows checked in
    batches of up to ``BATCH_FILES`` files or ``BATCH_BYTES`` of text; a file that could be a
    repeat of one waiting in the batch (same name, content or stem) closes the batch first, so
    every file is judged against the outcome of the ones before it, as in file order."""
    logger = logger or log
    store = AuditStore(ctx.paths.ingest_db)
    own = validator is None
    validator = validator or RowValidator(ctx.seeds_dir, ctx.paths.tmp / "duckdb")
    outcomes: list[FileOutcome] = []
    pending: list[Pending] = []
    place: dict[int, int] = {}  # id(outcome) -> its number in the load, for progress
    last_flush = [time.monotonic()]
    last_log = [0.0]
    total = total or len(files)
    batch: list[Prepared] = []
    batch_keys: set[tuple[str, ...]] = set()
    batch_bytes = [0]

    def done(p: Pending) -> None:
        history.note(p.outcome)
        pending.append(p)
        _progress(logger, place[id(p.outcome)], total, p.outcome, last_log)
        if len(pending) >= CHUNK_FILES or time.monotonic() - last_flush[0] > ctx.chunk_seconds:
            _flush(pending, ctx, store)
            last_flush[0] = time.monotonic()

    def check_waiting() -> None:
        for p in check_batch(batch, ctx, history, validator):
            done(p)
        batch.clear()
        batch_keys.clear()
        batch_bytes[0] = 0

    try:
        for i, path in enumerate(files, start=start + 1):
            prep = prepare_file(path, ctx, history)
            outcomes.append(prep.outcome)
            place[id(prep.outcome)] = i
            if isinstance(prep, Pending):
                done(prep)
                continue
            if batch and (prep.keys & batch_keys or prep.name.interface != batch[0].name.interface):
                check_waiting()
            alone = _judge_alone(prep, ctx, history)
            if alone is not None:
                done(alone)
                continue
            batch.append(prep)
            batch_keys.update(prep.keys)
            batch_bytes[0] += prep.outcome.bytes or 0
            if len(batch) >= BATCH_FILES or batch_bytes[0] >= BATCH_BYTES:
                check_waiting()
        check_waiting()
        _flush(pending, ctx, store)
    finally:
        if own:
            validator.close()
        for p in batch:  # a fault of the load itself: leave no decoded text behind
            p.text_path.unlink(missing_ok=True)
    return outcomes


def ingest_stray_controls(
    controls: Sequence[Path], ctx: LoadContext, history: History, logger: Logger | None = None
) -> list[FileOutcome]:
    logger = logger or log
    store = AuditStore(ctx.paths.ingest_db)
    pending = [process_stray_control(c, ctx, history) for c in controls]
    for p in pending:
        history.note(p.outcome)
        if not p.outcome.resumed:
            logger.info("%s rejected: %s", p.outcome.file_name, p.outcome.reason)
    outcomes = [p.outcome for p in pending]
    _flush(pending, ctx, store)
    return outcomes


# ---------------------------------------------------------------- a whole load


class LoadLockedError(RuntimeError):
    pass


@contextmanager
def load_lock(ctx: LoadContext) -> Iterator[None]:
    """One ingest load at a time (the OS drops the lock if the process dies)."""
    ctx.paths.tmp.mkdir(parents=True, exist_ok=True)
    path = ctx.paths.tmp / "ingest.lock"
    with path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LoadLockedError(
                f"another ingest load is running (it holds {path}); wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def begin_load(ctx: LoadContext) -> tuple[LoadContext, bool]:
    """Open (or resume) the load in ``load_runs`` and clear temp files a killed run left."""
    ctx.paths.ensure()
    load_id, resumed, business_date = AuditStore(ctx.paths.ingest_db).open_run(
        utcnow(), ctx.landing, ctx.load_id, ctx.business_date
    )
    for leftover in (ctx.paths.tmp / "ingest").glob("*.utf8"):
        leftover.unlink(missing_ok=True)
    for leftover in ctx.paths.raw.glob("*/.*.parquet.tmp"):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(_parts_dir(ctx), ignore_errors=True)
    if (load_id, business_date) != (ctx.load_id, ctx.business_date):
        from dataclasses import replace

        ctx = replace(ctx, load_id=load_id, business_date=business_date)
    return ctx, resumed


def summarise(
    ctx: LoadContext,
    outcomes: Sequence[FileOutcome],
    resumed: bool,
    seconds: float,
    waiting: Sequence[Waiting] = (),
) -> dict:
    counted = [o for o in outcomes if not o.resumed]
    by_status = Counter(o.status for o in counted)
    rows = sum(o.records_loaded for o in counted)
    busy = sum(o.seconds for o in counted)
    summary: dict = {
        "load_id": ctx.load_id,
        "business_date": f"{ctx.business_date:%Y-%m-%d}",
        "resumed": resumed,
        "files": len(counted),
    }
    summary.update({s: by_status.get(s, 0) for s in STATUSES})
    summary.update(
        {
            "waiting": len(waiting),
            "waiting_files": [w.summary(ctx.wait_seconds) for w in waiting],
            "finished_moves": len(outcomes) - len(counted),
            "rows_loaded": rows,
            "rows_rejected": sum(o.records_rejected for o in counted if o.status != "rejected"),
            "seconds": round(seconds, 3),
            "rows_per_second": round(rows / busy) if busy > 0 else None,
        }
    )
    return summary


def end_load(ctx: LoadContext, summary: dict) -> None:
    import json

    shutil.rmtree(_parts_dir(ctx), ignore_errors=True)
    store = AuditStore(ctx.paths.ingest_db)
    store.forget_gone(ctx.landing)  # the expired orphans this load rejected
    store.close_run(ctx.load_id, utcnow(), summary["files"], json.dumps(summary))


# ---------------------------------------------------------------- the steps of a load
#
# A load is six steps, each a function below that takes what the one before returned and reads
# the audit afresh, so a step run again (a Prefect retry) starts from what was committed.
# ``run_load`` is the one place that runs them in order; the ingest flow passes the same
# functions wrapped as Prefect tasks (``LoadSteps``).


def open_load(ctx: LoadContext, logger: Logger | None = None) -> tuple[LoadContext, bool]:
    """Step 1: open the load, or resume the one a killed run left unfinished."""
    logger = logger or log
    ctx, resumed = begin_load(ctx)
    if resumed:
        logger.warning("resuming load %s, which an earlier run left unfinished", ctx.load_id)
    else:
        logger.info("load %s started; landing is %s", ctx.load_id, ctx.landing)
    return ctx, resumed


def discover_landing(ctx: LoadContext, logger: Logger | None = None) -> Discovery:
    """Step 2: what landed."""
    found = discover(ctx.landing)
    (logger or log).info(
        "%d data files in %d interfaces, %d badly named, %d stray control files, %d ignored",
        len(found.deliveries),
        len(found.by_interface()),
        len(found.bad_names),
        len(found.stray_controls),
        len(found.ignored),
    )
    return found


def hold_waiting_files(
    found: Discovery, ctx: LoadContext, logger: Logger | None = None
) -> tuple[Discovery, list[Waiting]]:
    """Step 3: data files whose control file has not arrived (and the reverse) stay in
    landing/ while they may still be arriving."""
    logger = logger or log
    history = AuditStore(ctx.paths.ingest_db).history(ctx.load_id)
    found, waiting = hold_waiting(found, ctx, history)
    for w in waiting:
        said = w.summary(ctx.wait_seconds)
        logger.info(
            "%s waits for %s (rejected if none by %s)",
            said["file"],
            said["waiting_for"],
            said["rejected_after"],
        )
    return found, waiting


def ingest_interface(
    interface: str,
    files: Sequence[str | Path],
    ctx: LoadContext,
    start: int,
    total: int,
    logger: Logger | None = None,
) -> list[FileOutcome]:
    """Step 4, once per interface: load its files in order (one validator for the batch; a
    task per file would cost more than loading a small file).  Run again, it starts from what
    the audit committed: finished files are gone from landing/, half-finished ones are
    completed."""
    logger = logger or log
    t0 = time.perf_counter()
    history = AuditStore(ctx.paths.ingest_db).history(ctx.load_id)
    remaining = [Path(f) for f in files if Path(f).exists()]
    with RowValidator(ctx.seeds_dir, ctx.paths.tmp / "duckdb") as validator:
        outcomes = ingest_files(
            remaining, ctx, history, validator=validator, logger=logger, start=start, total=total
        )
    rows = sum(o.records_loaded for o in outcomes)
    secs = time.perf_counter() - t0
    logger.info(
        "%s: %d files, %s rows loaded in %.1f s (%s rows/s)",
        interface,
        len(outcomes),
        f"{rows:,}",
        secs,
        f"{rows / secs:,.0f}" if secs > 0 else "-",
    )
    return outcomes


def ingest_strays(
    found: Discovery, ctx: LoadContext, start: int, logger: Logger | None = None
) -> list[FileOutcome]:
    """Step 5: badly named data files and control files without a data file (rejected and
    quarantined)."""
    logger = logger or log
    history = AuditStore(ctx.paths.ingest_db).history(ctx.load_id)
    bad = [p for p in found.bad_names if p.exists()]
    outcomes = ingest_files(bad, ctx, history, logger=logger, start=start, total=found.files)
    strays = [p for p in found.stray_controls if p.exists()]
    return outcomes + ingest_stray_controls(strays, ctx, history, logger)


def close_load(
    ctx: LoadContext,
    outcomes: Sequence[FileOutcome],
    resumed: bool,
    seconds: float,
    waiting: Sequence[Waiting],
    logger: Logger | None = None,
) -> dict:
    """Step 6: close the load and return its summary (counts per outcome, the load_id)."""
    summary = summarise(ctx, outcomes, resumed, seconds, waiting)
    end_load(ctx, summary)
    (logger or log).info(
        "load %s: %d files — %d loaded, %d reloaded, %d duplicate, %d rejected, %d waiting; "
        "%s rows loaded (%s rows/s)",
        ctx.load_id,
        summary["files"],
        summary["loaded"],
        summary["reloaded"],
        summary["duplicate"],
        summary["rejected"],
        summary["waiting"],
        f"{summary['rows_loaded']:,}",
        summary["rows_per_second"],
    )
    return summary


@dataclass(frozen=True)
class LoadSteps:
    """The six steps ``run_load`` runs, as callables without the logger: the plain functions
    (``LoadSteps.direct``) or the ingest flow's Prefect tasks that call them."""

    open_load: Callable[[LoadContext], tuple[LoadContext, bool]]
    discover_landing: Callable[[LoadContext], Discovery]
    hold_waiting_files: Callable[[Discovery, LoadContext], tuple[Discovery, list[Waiting]]]
    ingest_interface: Callable[[str, list[str], LoadContext, int, int], list[FileOutcome]]
    ingest_strays: Callable[[Discovery, LoadContext, int], list[FileOutcome]]
    close_load: Callable[[LoadContext, list[FileOutcome], bool, float, list[Waiting]], dict]

    @classmethod
    def direct(cls, logger: Logger | None = None) -> LoadSteps:
        """The steps as plain calls logging to ``logger`` (tests, runs without Prefect)."""
        return cls(
            partial(open_load, logger=logger),
            partial(discover_landing, logger=logger),
            partial(hold_waiting_files, logger=logger),
            partial(ingest_interface, logger=logger),
            partial(ingest_strays, logger=logger),
            partial(close_load, logger=logger),
        )


def run_load(
    ctx: LoadContext | None = None,
    logger: Logger | None = None,
    steps: LoadSteps | None = None,
) -> dict:
    """A whole load: the steps in order under the load lock, one interface batch at a time in
    a fixed order, then the strays.  A bad file is an outcome (rejected and quarantined), not a
    failure; a fault of the load itself (disk, missing reference seeds, a bug) raises."""
    steps = steps or LoadSteps.direct(logger)
    ctx = ctx or LoadContext.from_settings()
    t0 = time.perf_counter()
    with load_lock(ctx):
        ctx, resumed = steps.open_load(ctx)
        found, waiting = steps.hold_waiting_files(steps.discover_landing(ctx), ctx)
        outcomes: list[FileOutcome] = []
        n = 0
        for interface, batch in found.by_interface():
            files = [str(d.path) for d in batch]
            outcomes += steps.ingest_interface(interface, files, ctx, n, found.files)
            n += len(files)
        if found.bad_names or found.stray_controls:
            outcomes += steps.ingest_strays(found, ctx, n)
        return steps.close_load(ctx, outcomes, resumed, time.perf_counter() - t0, waiting)


__all__ = [
    "Delivery",
    "Discovery",
    "LoadSteps",
    "begin_load",
    "close_load",
    "discover_landing",
    "end_load",
    "hold_waiting",
    "hold_waiting_files",
    "ingest_file",
    "ingest_files",
    "ingest_interface",
    "ingest_stray_controls",
    "ingest_strays",
    "load_lock",
    "open_load",
    "run_load",
    "summarise",
]
