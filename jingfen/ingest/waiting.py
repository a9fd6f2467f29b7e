"""Files still arriving: a data file without its control file, or a control file without its
data file, waits in landing/ instead of being rejected at once.

The BSS transfer convention sends the control file last, so a data file alone is usually an
upload in progress (and a control file alone may be ahead of a slow data file).  Such an orphan
is left where it is, recorded in ``load_waiting``, and reported; once its partner arrives a
later load takes the pair as usual.  Only when it has waited ``wait_seconds`` (setting
``JINGFEN_INGEST_WAIT_HOURS``) since a load first saw it is it handed to the load, which
rejects it (``missing_control`` / ``missing_data_file``).  The clock restarts when the file
changes (size or modification time): it was still being written.

The wait is measured from the first load that saw the file, not from its modification time:
transfer tools often keep the sender's time (``scp -p``, ``rsync -t``), which would make a file
that has just arrived look hours old.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from jingfen.ingest.audit import AuditStore, History, stem_of
from jingfen.ingest.discover import Discovery
from jingfen.ingest.model import LoadContext, Waiting, utcnow

WaitingFor = Literal["control", "data"]


def _orphans(found: Discovery, history: History) -> list[tuple[Path, WaitingFor]]:
    """Data files without a control file and control files without a data file, except those
    this load already audited (a killed run's unfinished moves, finished by the load)."""
    audited = {name for name, _ in history.this_load}
    out: list[tuple[Path, WaitingFor]] = []
    for d in found.deliveries:
        if d.path.name not in audited and not d.path.with_name(d.name.control_name).exists():
            out.append((d.path, "control"))
    for c in found.stray_controls:
        if stem_of(c.name) not in history.this_load_by_stem:
            out.append((c, "data"))
    return out


def hold_waiting(
    found: Discovery, ctx: LoadContext, history: History, now: datetime | None = None
) -> tuple[Discovery, list[Waiting]]:
    """Take the orphans that may still be arriving out of this load.

    Returns what the load should process (expired orphans stay in it, to be rejected) and the
    files left waiting.  Every orphan seen is recorded, so a resumed load judges it the same."""
    now = now or utcnow()
    store = AuditStore(ctx.paths.ingest_db)
    known = store.waiting(ctx.landing)
    seen: list[Waiting] = []
    for path, what in _orphans(found, history):
        try:
            st = path.stat()
        except FileNotFoundError:  # removed since the scan
            continue
        prev = known.get(path.name)
        unchanged = (
            prev is not None
            and prev.waiting_for == what
            and prev.bytes == st.st_size
            and prev.modified_us == st.st_mtime_ns // 1000
        )
        first = prev.first_seen_at if prev is not None and unchanged else now
        seen.append(Waiting(path.name, what, first, now, st.st_size, st.st_mtime_ns // 1000))
    store.save_waiting(ctx.landing, seen, ctx.load_id)
    waiting = [w for w in seen if now < w.expires_at(ctx.wait_seconds)]
    held = {w.file_name for w in waiting}
    kept = replace(
        found,
        deliveries=[d for d in found.deliveries if d.path.name not in held],
        stray_controls=[c for c in found.stray_controls if c.name not in held],
    )
    return kept, waiting
