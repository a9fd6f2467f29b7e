"""Run dbt in-process (``dbtRunner``) the one way the project does it.

``run_dbt(["build"])`` points dbt at this repository (project and ``profiles.yml``), at
``JINGFEN_HOME`` (databases, raw layer) and at ``JINGFEN_HOME/dbt`` for its target/ and logs/,
passes the PII salt as the ``pii_salt`` var, forwards dbt's events to a logger, and raises
:class:`DbtRunError` naming every failed node when the command did not succeed — dbt reports a
failing test as ``success=False`` with no exception, which is easy to miss.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jingfen.config import REPO_ROOT, Paths, pii_salt, settings

# Commands that take --vars (everything that renders project Jinja).
_TAKES_VARS = {
    "build",
    "compile",
    "docs",
    "list",
    "ls",
    "parse",
    "run",
    "run-operation",
    "seed",
    "show",
    "snapshot",
    "source",
    "test",
}
# Node statuses that mean "this part of the run failed".
_FAILED = {"error", "fail", "runtime error"}

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    status: str
    message: str
    failures: int | None = None

    def __str__(self) -> str:
        extra = f" ({self.failures} failing rows)" if self.failures else ""
        return f"{self.unique_id}: {self.status}{extra} — {self.message}"


class DbtRunError(RuntimeError):
    """A dbt command did not succeed; ``failures`` lists the failed nodes (may be empty when
    dbt itself raised, e.g. a compilation error — then the message is dbt's)."""

    def __init__(self, args: Sequence[str], failures: Sequence[NodeFailure], detail: str = ""):
        self.args_ = list(args)
        self.failures = list(failures)
        lines = [f"dbt {' '.join(_redact(args))} failed"]
        if self.failures:
            lines[0] += f": {len(self.failures)} node(s) failed"
            lines += [f"  - {f}" for f in self.failures]
        if detail:
            lines.append(detail)
        lines.append("(dbt's full log: JINGFEN_HOME/dbt/logs/dbt.log)")
        super().__init__("\n".join(lines))


def _redact(args: Sequence[str]) -> list[str]:
    out, hide = [], False
    for a in args:
        out.append("<vars>" if hide else a)
        hide = a == "--vars"
    return out


def dbt_paths(paths: Paths | None = None) -> dict[str, str]:
    """The environment dbt needs (absolute paths), creating the directories it writes to."""
    paths = (paths or settings().paths).ensure()
    return {
        "JINGFEN_HOME": str(paths.home),
        "DBT_PROJECT_DIR": str(REPO_ROOT),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_TARGET_PATH": str(paths.dbt / "target"),
        "DBT_LOG_PATH": str(paths.dbt / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
    }


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _ensure_ingest_db(paths: Paths) -> None:
    """profiles.yml attaches ingest.duckdb read-only, which fails if the file is missing: before
    the first ingest, create it with the ingest flow's own (empty) tables."""
    if not paths.ingest_db.exists():
        from jingfen.ingest.audit import AuditStore

        with AuditStore(paths.ingest_db).connect():
            pass


def _attached_hq_db(paths: Paths) -> bool:
    """profiles.yml also attaches HQ's receipt database (总部指标上报) read-only, which fails if the
    file is missing: create an empty one. True when the HQ side has initialised it (it has
    tables), so the HQ marts can build; the flows initialise it (indicators/store.py) before a
    build, a bare build leaves the HQ marts off."""
    import duckdb

    paths.hq_db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(paths.hq_db))
    try:
        tables = con.execute("select count(*) from information_schema.tables").fetchall()[0][0]
    finally:
        con.close()
    return tables > 0


def _target(argv: list[str]) -> str:
    return argv[argv.index("--target") + 1] if "--target" in argv[:-1] else "duckdb"


# Events not worth a log line of their own (each node's START line; its result line follows).
_SKIP_EVENTS = {"LogStartLine", "NewConnection", "ConnectionUsed", "ConnectionReused"}


def _event_forwarder(logger: logging.Logger | Any, min_level: int) -> Callable[[Any], None]:
    def forward(event: Any) -> None:
        level = _LEVELS.get(str(event.info.level), logging.INFO)
        msg = event.info.msg
        if level >= min_level and msg and event.info.name not in _SKIP_EVENTS:
            logger.log(level, "dbt: %s", msg)

    return forward


def _release_duckdb() -> None:
    """Close the database dbt-duckdb keeps open in this process after a command.

    dbt-duckdb 1.11 keeps its DuckDB instance open between invocations (``keep_open`` defaults
    to true), so after ``run_dbt`` in this process the build database would stay locked:
    publish could not open it, and any other connection in the process fails with "different
    configuration".  Closing it also checkpoints the write-ahead log into the file.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def node_failures(result: Any) -> list[NodeFailure]:
    """Failed nodes of a RunExecutionResult (build, run, test, seed, ...); [] for other results."""
    out = []
    for r in getattr(result, "results", None) or []:
        status = str(getattr(r.status, "value", r.status))
        if status in _FAILED:
            node = getattr(r, "node", None)
            out.append(
                NodeFailure(
                    unique_id=getattr(node, "unique_id", "?"),
                    status=status,
                    message=(r.message or "").strip(),
                    failures=getattr(r, "failures", None),
                )
            )
    return out


def run_dbt(
    args: list[str],
    *,
    logger: logging.Logger | Any | None = None,
    manifest: Any | None = None,
    min_log_level: int = logging.INFO,
    extra_vars: dict[str, Any] | None = None,
) -> Any:
    """Invoke ``dbt <args>`` in-process and return its ``dbtRunnerResult``.

    Raises DbtRunError (listing failed nodes and their messages) unless ``res.success``.
    ``manifest`` (from a previous ``run_dbt(["parse"]).result``) skips parsing.
    ``logger`` (e.g. Prefect's run logger, taken before the call) receives dbt's events.
    """
    from dbt.cli.main import dbtRunner

    paths = settings().paths
    env = dbt_paths(paths)
    _ensure_ingest_db(paths)
    hq_ready = _attached_hq_db(paths)

    argv = list(args)
    takes_vars = bool(argv) and argv[0] in _TAKES_VARS and argv[:2] != ["docs", "serve"]
    if takes_vars and "--vars" not in argv:
        dbt_vars: dict[str, Any] = {"pii_salt": pii_salt(), **(extra_vars or {})}
        # HQ's receipt marts (marts/hq) read the attached hq.duckdb, which only the DuckDB
        # target attaches; on other engines, or before HQ's store exists, they stay disabled.
        dbt_vars.setdefault("hq_receipts", hq_ready and _target(argv) == "duckdb")
        if argv[:2] == ["docs", "generate"] and "--no-compile" not in argv:
            # The docs site shows compiled SQL, which would carry the salt: compile the docs
            # with a placeholder instead (the catalog reads the built tables, not the SQL).
            dbt_vars["pii_salt"] = "<pii-salt-redacted>"
        argv += ["--vars", json.dumps(dbt_vars)]

    callbacks = []
    if logger is not None:
        callbacks.append(_event_forwarder(logger, min_log_level))
        # The logger gets dbt's events; don't print them a second time on stdout.
        env["DBT_QUIET"] = "True"
    runner = dbtRunner(manifest=manifest, callbacks=callbacks)
    with _environ(env):
        try:
            res = runner.invoke(argv)
        finally:
            _release_duckdb()

    if not res.success:
        failures = node_failures(res.result)
        detail = ""
        if res.exception is not None:
            detail = f"{type(res.exception).__name__}: {res.exception}"
        elif not failures:
            detail = "dbt reported failure without naming a node; see its log."
        raise DbtRunError(argv, failures, detail)
    return res


def parse_manifest(logger: logging.Logger | Any | None = None) -> Any:
    """Parse the project once; pass the result as ``manifest=`` to later calls."""
    return run_dbt(["parse"], logger=logger).result


def result_counts(result: Any) -> dict[str, Any]:
    """Nodes of a dbt run counted by status and by resource type."""
    statuses: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for r in getattr(result, "results", None) or []:
        statuses[str(getattr(r.status, "value", r.status))] += 1
        kinds[str(getattr(r.node, "resource_type", "?")).split(".")[-1].lower()] += 1
    return {"nodes": sum(statuses.values()), "by_status": dict(statuses), "by_type": dict(kinds)}


def seed(
    full_refresh: bool, manifest: Any, logger: logging.Logger | Any | None = None
) -> dict[str, Any]:
    """``dbt seed``: load the reference seeds; returns the node counts and the seconds taken."""
    log = logger or logging.getLogger("jingfen.dbt")
    t0 = time.perf_counter()
    args = ["seed"] + (["--full-refresh"] if full_refresh else [])
    res = run_dbt(args, logger=logger, manifest=manifest)
    out = result_counts(res.result) | {"seconds": round(time.perf_counter() - t0, 1)}
    log.info("seeds loaded: %d in %.1f s", out["nodes"], out["seconds"])
    return out


def build(
    full_refresh: bool,
    select: str | None,
    manifest: Any,
    logger: logging.Logger | Any | None = None,
) -> dict[str, Any]:
    """``dbt build`` of everything but the seeds (their tests still run), or of a selection;
    returns the node counts and the seconds taken."""
    log = logger or logging.getLogger("jingfen.dbt")
    t0 = time.perf_counter()
    args = ["build", "--exclude", "resource_type:seed"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        # cautious: a test runs only if all the models it reads were selected
        args += ["--select", select, "--indirect-selection", "cautious"]
    res = run_dbt(args, logger=logger, manifest=manifest)
    out = result_counts(res.result) | {"seconds": round(time.perf_counter() - t0, 1)}
    log.info("dbt build: %d nodes %s in %.1f s", out["nodes"], out["by_status"], out["seconds"])
    return out
