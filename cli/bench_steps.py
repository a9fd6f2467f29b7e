"""Benchmark steps that run as their own process (``python -m cli.bench_steps STEP``), so
the driver can measure their wall time and peak memory like any other step."""

from __future__ import annotations

import json
import sys


def superset_latency(n_users: int = 4, rounds: int = 2) -> dict:
    """Start Superset on this JINGFEN_HOME's published warehouse, deploy the catalogue, and
    replay every chart's data from ``n_users`` concurrent users (uncached, force=true)."""
    from dashboards.access import DEFAULT_CONFIG, provision_access
    from dashboards.bench import chart_latency
    from dashboards.deploy import deploy
    from dashboards.server import SupersetClient, bootstrap, server_info, start, stop

    bootstrap()
    if server_info() is None:
        start(None)
    try:
        client = SupersetClient.as_admin()
        deploy(client)
        provision_access(DEFAULT_CONFIG, client)
        return chart_latency(client, n_users=n_users, rounds=rounds)
    finally:
        stop()


def bare_ingest(landing: str, out: str) -> dict:
    """The engine alone on the same extracts: DuckDB reads every data file of each interface
    (one multi-file read, all columns as text, no rules) and writes it as one Parquet per
    interface.  What `jingfen ingest` costs beyond this is the price of its rules (control
    files, decoding, row rules, rejects, audit, one Parquet per delivered file)."""
    import time
    from collections import defaultdict
    from pathlib import Path

    import duckdb

    from jingfen.extracts import NAME_RE
    from jingfen.interfaces import INTERFACES

    by: dict[str, list[str]] = defaultdict(list)
    for p in sorted(Path(landing).iterdir()):
        m = NAME_RE.match(p.name)
        if m and p.name.endswith(".dat"):
            by[m["interface"]].append(str(p))
    Path(out).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rows = 0
    with duckdb.connect() as con:
        for code, files in sorted(by.items()):
            cols = {c.name: "VARCHAR" for c in INTERFACES[code].columns}
            (n,) = con.execute(
                f"copy (select * from read_csv({files!r}, delim='|', header=false, quote='', "
                f"escape='', auto_detect=false, columns={cols!r})) "
                f"to '{out}/{code}.parquet' (format parquet, compression zstd)"
            ).fetchall()[0]
            rows += n
    return {
        "files": sum(len(f) for f in by.values()),
        "rows": rows,
        "seconds": round(time.perf_counter() - t0, 2),
    }


def ml_at_scale(rows: int) -> dict:
    """Train on ``rows`` synthetic subscriber-months and score ``rows`` subscribers."""
    from ml.bench import run

    return run(rows)


if __name__ == "__main__":
    step = sys.argv[1]
    if step == "superset_latency":
        out = superset_latency()
    elif step == "bare_ingest":
        out = bare_ingest(sys.argv[2], sys.argv[3])
    elif step == "ml_at_scale":
        out = ml_at_scale(int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown benchmark step {step!r}")
    print("BENCH_RESULT " + json.dumps(out))
