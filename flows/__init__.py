"""Prefect flows: each a short list of named steps over core and domain functions."""

from typing import Any

from prefect.cache_policies import NO_CACHE

# A task that reads or writes files and databases: retried with back-off (a reader closing, a
# lock just released), never cached (each run must look at its inputs afresh).
IO_TASK: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": [2, 10, 30],
    "cache_policy": NO_CACHE,
}
