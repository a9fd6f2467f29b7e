"""The Spark-versus-DuckDB comparison on hand-made tables (fast: no engine)."""

from __future__ import annotations

import pyarrow as pa

from jingfen.spark.compare import compare_tables

DUCK = pa.table({"k": ["a", "b", "c"], "v": [1.5, 2.25, 3.125], "n": [1, 2, 3]})


def test_order_case_and_float_noise_are_ignored() -> None:
    spark = pa.table({"K": ["c", "a", "b"], "v": [3.125 + 1e-12, 1.5, 2.25], "n": [3.0, 1.0, 2.0]})
    assert compare_tables(spark, DUCK, "t", "t").ok


def test_a_value_beyond_the_tolerance_is_reported() -> None:
    off = pa.table({"k": ["a", "b", "c"], "v": [1.5, 2.26, 3.125], "n": [1, 2, 3]})
    res = compare_tables(off, DUCK, "t", "t")
    assert not res.ok
    assert "v (1 rows)" in res.problems[0]
    assert "2.26 on Spark vs 2.25 on DuckDB" in res.problems[1]


def test_missing_rows_columns_and_swapped_keys_are_reported() -> None:
    fewer = pa.table({"k": ["a", "b"], "v": [1.5, 2.25], "n": [1, 2]})
    assert "row count differs" in compare_tables(fewer, DUCK, "t", "t").problems[0]

    renamed = pa.table({"k": ["a", "b", "c"], "w": [1.5, 2.25, 3.125], "n": [1, 2, 3]})
    assert "columns only on Spark: ['w']" in compare_tables(renamed, DUCK, "t", "t").problems

    swapped = pa.table({"k": ["a", "b", "c"], "v": [1.5, 2.25, 3.125], "n": [2, 1, 3]})
    res = compare_tables(swapped, DUCK, "t", "t")
    assert "2 rows only on Spark and 2 only on DuckDB" in res.problems[0]

    retyped = pa.table({"k": ["a", "b", "c"], "v": [1.5, 2.25, 3.125], "n": ["1", "2", "3"]})
    assert (
        "column n: type string on Spark, double on DuckDB"
        in compare_tables(retyped, DUCK, "t", "t").problems
    )


def test_duplicate_rows_count() -> None:
    twice = pa.table({"k": ["a", "a", "c"], "v": [1.5, 1.5, 3.125], "n": [1, 1, 3]})
    assert not compare_tables(twice, DUCK, "t", "t").ok
