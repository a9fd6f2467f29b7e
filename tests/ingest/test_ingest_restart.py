"""A load killed half-way (SIGKILL) and started again ends in the same state as one clean run;
a second load started while one runs fails at once and changes nothing.  Both with files
waiting for their control (or data) file, and one that has waited its time.

Both homes get the same delivery, byte for byte: it is written once and copied.  (Writing it
twice made two different deliveries whenever the two writes fell in different seconds: every
control file carries ``generated_at``, and the archive keeps it as delivered.  Under load that
happened about one run in four — issue 12.)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from testkit.ingest import rows, write_extract, write_seeds

from jingfen.config import REPO_ROOT, Settings
from jingfen.ingest import AuditStore, LoadContext, Waiting, run_load
from jingfen.ingest.load import LoadLockedError
from jingfen.ingest.model import utcnow
from jingfen.interfaces import INTERFACES

WAITING = ("EVNT_44_20260105_001.dat", "USGD_44_20260105_001.chk")
EXPIRED = "CMPL_44_20260105_001.dat"  # a load five hours ago saw it without its control file


def populate(landing: Path) -> None:
    write_extract(landing, "SUBS_44_202601_001.dat", rows("SUBS", 30))
    few_bad = rows("SUBS", 40)
    few_bad[5][INTERFACES["SUBS"].names.index("open_date")] = "20260230"
    write_extract(landing, "SUBS_44_202601_002.dat", few_bad)
    write_extract(landing, "SUBS_11_202601_001.dat.gz", rows("SUBS", 12))
    write_extract(landing, "BILL_44_202601_001.dat", rows("BILL", 25))
    write_extract(landing, "BILL_11_202601_001.dat", rows("BILL", 5), period="202602")
    write_extract(landing, "CUST_44_202601_001.dat", rows("CUST", 9), encoding="GBK")
    write_extract(landing, "CELL_44_20260105_001.dat", rows("CELL", 14))
    (landing / "junk_file.dat").write_text("x\n")
    (landing / "USGD_44_20260105_001.chk").write_text("file=USGD_44_20260105_001.dat\n")
    write_extract(landing, "EVNT_44_20260105_001.dat", rows("EVNT", 8), control=False)
    write_extract(landing, EXPIRED, rows("CMPL", 6), control=False)


def deliver(delivery: Path, home: Path) -> None:
    """The same delivery into ``home``'s landing/, and the record of the earlier load that saw
    EXPIRED waiting five hours ago (longer than the default wait of four hours)."""
    paths = Settings(home=home).paths.ensure()
    shutil.copytree(delivery, paths.landing, dirs_exist_ok=True)
    st = (paths.landing / EXPIRED).stat()
    then = utcnow() - timedelta(hours=5)
    seen = Waiting(EXPIRED, "control", then, then, st.st_size, st.st_mtime_ns // 1000)
    AuditStore(paths.ingest_db).save_waiting(paths.landing, [seen], "L-earlier")


def _ctx(home: Path, seeds: Path) -> LoadContext:
    return LoadContext.from_settings(seeds_dir=seeds, s=Settings(home=home))


def state(home: Path) -> dict:
    """Everything a load leaves behind, with the load id and timestamps taken out."""
    with duckdb.connect(str(home / "warehouse" / "ingest.duckdb"), read_only=True) as con:
        (load_id,) = [r[0] for r in con.execute("select load_id from load_runs").fetchall()]
        assert con.execute(
            "select count(*) from load_runs where finished_at is null"
        ).fetchall() == [(0,)]
        audit = con.execute(
            "select * exclude (load_id, started_at, finished_at) from load_audit order by file_name"
        ).fetchall()
        rej = con.execute(
            "select * exclude (load_id) from load_rejects order by file_name, line_no"
        ).fetchall()
        waiting = con.execute(
            "select file_name, waiting_for, bytes from load_waiting order by file_name"
        ).fetchall()
    norm = lambda v: v.replace(load_id, "<L>") if isinstance(v, str) else v  # noqa: E731
    raw = {}
    for p in sorted((home / "warehouse" / "raw").rglob("*")):
        if p.is_file():
            raw[str(p.relative_to(home))] = duckdb.sql(
                f"select * exclude (_loaded_at, _load_id) from '{p}' order by _line"
            ).fetchall()
    files = {}
    for top in ("archive", "quarantine", "landing"):
        for p in sorted((home / top).rglob("*")):
            if p.is_file():
                body = p.read_bytes()
                if p.name.endswith(".reason.txt"):
                    body = body.split(b"\n", 1)[1]  # the first line names the load and time
                files[norm(str(p.relative_to(home)))] = body
    return {
        "audit": [tuple(norm(v) for v in r) for r in audit],
        "rejects": rej,
        "waiting": waiting,
        "raw": raw,
        "files": files,
        "tmp": sorted(str(p.relative_to(home)) for p in (home / "tmp").rglob("*") if p.is_file()),
    }


def audited(home: Path) -> int:
    with duckdb.connect(str(home / "warehouse" / "ingest.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from load_audit").fetchall()[0][0]


# Audit rows are written per chunk of files, and at least every chunk_seconds (10 s): on a busy
# machine, where a file takes longer than that, after every file.  The two extremes below make
# the kill land in the same place on any machine (checked: the files audited when it died), and
# the end state must not depend on which of them -- or anything between -- a machine gets.
PER_BATCH, PER_FILE = 1e9, 0.0
# The order of work (EVNT and the USGD .chk wait; CMPL has waited its time and is rejected):
# BILL_11 BILL_44 | CELL | CMPL | CUST | SUBS_11 SUBS_44_001 SUBS_44_002 | junk
KILLS = [
    ("after_parquet:2", PER_BATCH, 2),  # CELL's Parquet written, not audited
    ("after_audit:2", PER_BATCH, 3),  # CELL audited, not moved
    ("after_move_data:3", PER_BATCH, 3),  # CELL's data moved, its .chk not
    ("after_audit:3", PER_BATCH, 4),  # CMPL audited (rejected), still in landing/ alone
    # The three SUBS files are checked as one batch and their Parquet written together before
    # any of them is audited: killed between two of those writes.
    ("after_parquet:6", PER_FILE, 5),
    ("after_audit:2", PER_FILE, 2),  # BILL_44 audited alone, not moved
    ("after_move_data:4", PER_FILE, 4),  # CMPL moved to quarantine/
    ("after_audit:7", PER_FILE, 7),  # SUBS_44_001 audited, SUBS_44_002 not yet read
    ("after_move_data:7", PER_FILE, 7),  # SUBS_44_001's data moved, its .chk not
]


@pytest.mark.parametrize(
    ("crash_at", "chunk_seconds", "audited_when_killed"),
    KILLS,
    ids=[f"{c}-{'per_file' if s == PER_FILE else 'per_batch'}" for c, s, _ in KILLS],
)
def test_kill_and_rerun_equals_clean_run(
    tmp_path: Path, crash_at: str, chunk_seconds: float, audited_when_killed: int
) -> None:
    seeds = write_seeds(tmp_path / "seeds")
    delivery = tmp_path / "delivery"
    populate(delivery)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    for home in (clean, killed):
        deliver(delivery, home)

    clean_summary = run_load(_ctx(clean, seeds))
    assert clean_summary["files"] == 9 and clean_summary["waiting"] == 2
    # The killed run starts in a later second than the clean one: nothing of the wall clock
    # (beyond the columns state() leaves out) may reach what is compared.
    time.sleep(1.1)

    env = {**os.environ, "JINGFEN_HOME": str(killed), "JINGFEN_INGEST_CRASH_AT": crash_at}
    code = (
        "import sys; from dataclasses import replace; from pathlib import Path; "
        "from jingfen.ingest import LoadContext, run_load; "
        "ctx = LoadContext.from_settings(seeds_dir=Path(sys.argv[1])); "
        "run_load(replace(ctx, chunk_seconds=float(sys.argv[2])))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(seeds), str(chunk_seconds)],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert any((killed / "landing").iterdir())  # it really stopped half-way
    assert audited(killed) == audited_when_killed  # ... where it was meant to

    resumed = run_load(_ctx(killed, seeds))
    assert resumed["resumed"] is True

    a, b = state(clean), state(killed)
    assert a["files"].keys() == b["files"].keys()
    assert a == b
    assert_clean_end(a)


def assert_clean_end(a: dict) -> None:
    assert sorted(k for k in a["files"] if k.startswith("landing/")) == [
        f"landing/{n}" for n in WAITING
    ]
    assert a["waiting"] == [
        ("EVNT_44_20260105_001.dat", "control", len(a["files"][f"landing/{WAITING[0]}"])),
        ("USGD_44_20260105_001.chk", "data", len(a["files"][f"landing/{WAITING[1]}"])),
    ]
    statuses = sorted(r[12] for r in a["audit"])
    assert statuses.count("loaded") == 6 and statuses.count("rejected") == 3
    assert [r[13] for r in a["audit"] if r[0] == EXPIRED] == ["missing_control"]


def test_a_second_load_while_one_runs_fails_at_once_and_changes_nothing(tmp_path: Path) -> None:
    seeds = write_seeds(tmp_path / "seeds")
    delivery = tmp_path / "delivery"
    populate(delivery)
    clean, busy = tmp_path / "clean", tmp_path / "busy"
    for home in (clean, busy):
        deliver(delivery, home)
    run_load(_ctx(clean, seeds))

    # The first load is slowed down (each file takes 0.3 s more) and tells when it has begun.
    started = busy / "tmp" / "first-load-started"
    code = (
        "import sys, time; from pathlib import Path; import jingfen.ingest.load as L; "
        "slow = L.prepare_file; "
        "L.prepare_file = lambda *a: (Path(sys.argv[2]).touch(), time.sleep(0.3), slow(*a))[2]; "
        "L.run_load(L.LoadContext.from_settings(seeds_dir=Path(sys.argv[1])))"
    )
    first = subprocess.Popen(
        [sys.executable, "-c", code, str(seeds), str(started)],
        env={**os.environ, "JINGFEN_HOME": str(busy)},
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
            assert time.monotonic() < deadline, "the first load never started"
            time.sleep(0.05)
        landing_before = sorted(p.name for p in (busy / "landing").iterdir())
        with pytest.raises(LoadLockedError, match="another ingest load is running"):
            run_load(_ctx(busy, seeds))
        # it failed before touching anything: the files the first load has not reached yet
        # are still there, and the first load goes on undisturbed
        assert set(WAITING) <= set(landing_before)
        assert first.poll() is None
    finally:
        rc = first.wait(timeout=300)
    started.unlink()
    assert rc == 0, first.stderr.read().decode() if first.stderr else ""
    a, b = state(clean), state(busy)
    assert a == b
    assert_clean_end(a)
