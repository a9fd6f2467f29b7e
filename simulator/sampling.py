"""Random draws used by several domains (all from the run's one generator, in a fixed order)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulator.timeline import Timeline


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def choice(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> np.ndarray:
    """``n`` keys drawn by their weights."""
    keys = np.array(list(weights))
    w = np.array(list(weights.values()), float)
    return keys[rng.choice(len(keys), n, p=w / w.sum())]


def days_in(
    rng: np.random.Generator, tl: Timeline, lo: np.ndarray, hi: np.ndarray, kind: str = "pay"
) -> np.ndarray:
    """A day in [lo, hi] per row, weighted by the day weights (rejection-free: inverse CDF over
    the span)."""
    lo = np.asarray(lo, np.int64)
    hi = np.maximum(np.asarray(hi, np.int64), lo)
    if lo.size == 0:
        return lo
    w = {"pay": tl.pay_w, "voice": tl.voice_w, "data": tl.data_w}[kind]
    cw = np.r_[0.0, np.cumsum(w)]
    a = cw[lo - tl.span_first]
    b = cw[hi - tl.span_first + 1]
    u = a + rng.random(lo.size) * (b - a)
    return np.clip(np.searchsorted(cw, u, side="right") - 1 + tl.span_first, lo, hi)
