"""Chart-data latency under concurrent users: every chart's data API, replayed by N threads.

``chart_latency(client)`` is what ``cli/bench.py`` (``make bench``) and the Superset tests
call: each simulated user logs in with the same credentials as ``client`` (its own session),
then requests every chart's data ``rounds`` times, uncached (``force=true``) so the warehouse is
really queried. Returns p50/p95/max in milliseconds and the error count.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

from dashboards.server import SupersetClient, SupersetError


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def chart_latency(
    client: SupersetClient,
    n_users: int = 4,
    rounds: int = 1,
    chart_ids: list[int] | None = None,
    password: str | None = None,
    force: bool = True,
    slowest_n: int = 8,
) -> dict[str, Any]:
    """Replay every chart's data (or ``chart_ids``) from ``n_users`` threads, ``rounds`` times
    each, and return ``{"n_users", "requests", "errors", "p50_ms", "p95_ms", "max_ms",
    "mean_ms", "seconds", "requests_per_s", "slowest_charts"}`` (the ``slowest_n`` charts by
    median latency, with their names).

    Each thread opens its own session as ``client``'s user; ``password`` defaults to the admin
    password of this JINGFEN_HOME when ``client`` is the admin."""
    from dashboards.server import ADMIN_USERNAME, admin_password

    charts = {c["id"]: c.get("slice_name") or str(c["id"]) for c in client.get_all("chart")}
    ids = chart_ids if chart_ids is not None else list(charts)
    if not ids:
        raise SupersetError("Superset has no charts to measure: deploy the dashboards first.")
    if password is None:
        if client.username != ADMIN_USERNAME:
            raise SupersetError(f"chart_latency needs the password of {client.username!r}.")
        password = admin_password()
    users = [SupersetClient(client.url, client.username, password) for _ in range(n_users)]
    latencies: list[float] = []
    by_chart: dict[int, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    params = {"force": "true"} if force else {}

    def work(user: SupersetClient, offset: int) -> None:
        # each user walks the charts from a different place, as real viewers would
        order = ids[offset:] + ids[:offset]
        for _ in range(rounds):
            for chart_id in order:
                t0 = time.perf_counter()
                try:
                    user.request("GET", f"/api/v1/chart/{chart_id}/data/", params=params)
                except Exception as exc:  # counted and reported, never hidden
                    with lock:
                        errors.append(f"chart {chart_id}: {exc}")
                    continue
                with lock:
                    ms = (time.perf_counter() - t0) * 1000
                    latencies.append(ms)
                    by_chart.setdefault(chart_id, []).append(ms)

    t0 = time.perf_counter()
    threads = [
        threading.Thread(target=work, args=(u, i * len(ids) // n_users))
        for i, u in enumerate(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    # where the tail comes from: the charts with the highest median, for tuning
    slowest = sorted(
        (
            {
                "chart_id": cid,
                "chart": charts.get(cid, str(cid)),
                "median_ms": round(statistics.median(v), 1),
                "max_ms": round(max(v), 1),
            }
            for cid, v in by_chart.items()
        ),
        key=lambda r: -r["median_ms"],
    )[:slowest_n]
    return {
        "n_users": n_users,
        "charts": len(ids),
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "first_errors": errors[:5],
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1) if latencies else float("nan"),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else float("nan"),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(latencies) / seconds, 1) if seconds else float("nan"),
        "slowest_charts": slowest,
    }
