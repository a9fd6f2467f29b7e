"""Arrow column helpers shared by every domain: zero-padded numbers and nullable columns.

Index columns use -1 for "none" (no terminal, no channel, no cell, ...); ``take_or_null`` is the
one place that turns such an index into a nullable text column (empty field = NULL in an extract).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NULL_STR = pa.scalar(None, pa.string())


def lpad(values: np.ndarray, width: int) -> pa.Array:
    """Integers as zero-padded text of the given width."""
    return pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string()), width, "0"
    )


def or_null(values: pa.Array, null: np.ndarray) -> pa.Array:
    """``values`` with NULL where ``null`` is true."""
    return pc.if_else(pa.array(null), NULL_STR, values)


def take_or_null(values: pa.Array, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """``values[idx]``, NULL where the index is negative (or where ``null`` is true)."""
    idx = np.asarray(idx)
    return or_null(values.take(pa.array(np.maximum(idx, 0))), idx < 0 if null is None else null)
