"""A 1M-row extract validates and loads whole, its one bad row rejected (the time is printed
with -s; speed targets are measured by `make bench`, not asserted here)."""

from __future__ import annotations

import time

import pytest
from testkit.ingest import rows, write_extract

from jingfen.ingest import run_load
from jingfen.interfaces import INTERFACES


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_million_rows(ctx, encoding: str) -> None:
    n = 1_000_000
    base = ["|".join(r[3:]) for r in rows("SUBS", 1000)]
    lines = [f"S{i:09d}|1380{i:07d}|C{i:09d}|{base[i % 1000]}" for i in range(n)]
    bad = INTERFACES["SUBS"].names.index("open_date")
    broken = lines[777].split("|")
    broken[bad] = "20260230"
    lines[777] = "|".join(broken)
    write_extract(ctx.landing, "SUBS_44_202601_001.dat", lines, encoding=encoding)
    del lines
    t0 = time.perf_counter()
    summary = run_load(ctx)
    seconds = time.perf_counter() - t0
    assert summary["loaded"] == 1
    assert summary["rows_loaded"] == n - 1 and summary["rows_rejected"] == 1
    print(f"\n1M rows {encoding}: {seconds:.1f} s, {summary['rows_per_second']:,} rows/s")
