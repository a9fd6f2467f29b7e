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


def ml_at_scale(rows: int) -> dict:
    """Train on ``rows`` synthetic subscriber-months and score ``rows`` subscribers."""
    from ml.bench import run

    return run(rows)


if __name__ == "__main__":
    step = sys.argv[1]
    if step == "superset_latency":
        out = superset_latency()
    elif step == "ml_at_scale":
        out = ml_at_scale(int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown benchmark step {step!r}")
    print("BENCH_RESULT " + json.dumps(out))
