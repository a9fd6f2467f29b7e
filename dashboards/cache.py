"""Superset's chart-data cache under JINGFEN_HOME/superset/cache/data (superset_config.py)."""

from __future__ import annotations

from jingfen.config import Paths


def clear_chart_cache(paths: Paths) -> int:
    """Empty Superset's chart-data cache (superset_config.DATA_CACHE_CONFIG, files shared by the
    gunicorn workers) so the dashboards show the newly published numbers at once. Returns the
    number of cached results removed; a missing cache (Superset never ran) is fine."""
    removed = 0
    cache = paths.superset / "cache" / "data"
    if cache.is_dir():
        for f in cache.iterdir():
            if f.is_file():
                f.unlink(missing_ok=True)
                removed += 1
    return removed
