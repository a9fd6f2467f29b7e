"""The benchmark's ratios and paper sizing (cli.bench.comparisons), on a hand-made report."""

from __future__ import annotations

from cli.bench import _build_detail, comparisons, render_table


def _report() -> dict:
    def step(name: str, seconds: float, rows: int | None = None) -> dict:
        rps = round(rows / seconds, 1) if rows else None
        return {"step": name, "seconds": seconds, "peak_rss_mb": 100.0, "rows": rows,
                "rows_per_second": rps, "detail": {}}  # fmt: skip

    return {
        "scale_subscribers": 10_000,
        "months": 13,
        "provinces": "all 31",
        "date": "2026-01-01 00:00 UTC",
        "machine": {"cpus": 2},
        "steps": [
            step("ingest_bare_engine", 8.0, 1_000_000),
            step("ingest_history", 20.0, 1_000_000),
            step("dbt_full_build", 40.0, 1_000_000),
            step("dbt_full_build_spark", 200.0, 1_000_000),
            step("dbt_increment_build", 8.0, 10_000),
            step("dbt_increment_build_spark", 60.0, 10_000),
        ],
    }


def test_ratios_throughput_and_sizing() -> None:
    report = _report()
    c = comparisons(report, history_rows=1_000_000, inc_rows=10_000)
    assert c["spark_vs_duckdb_full_build"] == 5.0
    assert c["ingest_vs_bare_engine"] == 2.5
    assert c["spark_vs_duckdb_increment_build"] == 7.5
    assert c["increment_vs_full"] == {"seconds_ratio": 0.2, "rows_ratio": 0.01}
    # 1M rows in 40 s on 2 cores = 12,500 rows/s per core
    assert c["rows_per_second_per_core"]["dbt_full_build"] == 12_500.0
    z = c["sizing"]
    assert z["history_rows"] == 4_000_000_000  # 100 rows/subscriber x 40M
    # 4e9 rows / 12,500 rows/s/core / 14,400 s = 22.2 cores
    assert z["cores_full_dbt_full_build"] == 22.2
    assert z["cores_full_dbt_full_build_spark"] == 111.1
    report["comparisons"] = c
    table = render_table(report)
    assert "Spark / DuckDB full build: 5.0x" in table
    assert "ingest / bare DuckDB read-and-write: 2.5x" in table
    assert "| dbt_full_build | 40.0 | 100 | 1,000,000 | 25,000 | 12,500 |" in table


def test_without_spark_steps_the_ratio_is_absent() -> None:
    report = _report()
    report["steps"] = [s for s in report["steps"] if "spark" not in s["step"]]
    c = comparisons(report, history_rows=1_000_000, inc_rows=10_000)
    assert "spark_vs_duckdb_full_build" not in c
    assert "dbt_full_build_spark" not in c["rows_per_second_per_core"]


def test_build_detail_reads_the_summary_between_log_lines() -> None:
    """`jingfen build` prints its JSON summary after the flow's log and before Prefect's
    shutdown lines; the bench keeps the flow's own seconds and the selection it built."""
    out = (
        "22:00:01 | INFO | build finished\n"
        "{\n"
        '  "seed": {"nodes": 9},\n'
        '  "build": {"nodes": 408, "seconds": 26.1},\n'
        '  "select": "source:raw.paym+ source:ingest+",\n'
        '  "nodes": 417,\n'
        '  "seconds": 30.2,\n'
        '  "why": "new files for PAYM since the last build"\n'
        "}\n"
        "22:00:02 | INFO | prefect - Stopping temporary server\n"
    )
    assert _build_detail(out) == {
        "flow_seconds": 30.2,
        "dbt_build_seconds": 26.1,
        "nodes": 408,
        "select": "source:raw.paym+ source:ingest+",
        "why": "new files for PAYM since the last build",
    }
    assert _build_detail("no summary at all") == {}
