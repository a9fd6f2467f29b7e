"""AHP (层次分析法): indicator weights from a pairwise-comparison matrix, with Saaty's
consistency check. Weights are the normalised principal eigenvector; the consistency index is
CI = (lambda_max - n) / (n - 1) and the ratio CR = CI / RI(n), which must stay under 0.1."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

# Saaty's random consistency index by matrix size.
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
MAX_CR = 0.1


class AHPError(ValueError):
    """The comparison matrix is malformed or inconsistent."""


@dataclass(frozen=True)
class AHPResult:
    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float


def parse_entry(value: object, where: str) -> float:
    """A matrix entry: a number or a fraction written as text ("1/3")."""
    try:
        x = float(Fraction(str(value).strip()))
    except (ValueError, ZeroDivisionError):
        raise AHPError(f"{where}: {value!r} is not a number or fraction like 1/3") from None
    if x <= 0:
        raise AHPError(f"{where}: {value!r} must be positive")
    return x


def weights(matrix: list[list[object]], source: str = "the AHP matrix") -> AHPResult:
    """Weights and consistency of a pairwise-comparison matrix; raises AHPError on a
    non-square or non-reciprocal matrix or a consistency ratio of MAX_CR or more."""
    n = len(matrix)
    if n == 0 or any(len(row) != n for row in matrix):
        raise AHPError(
            f"{source}: the matrix must be square ({n} rows, row lengths {[len(r) for r in matrix]})"
        )
    a = np.array(
        [
            [parse_entry(v, f"{source} row {i + 1} column {j + 1}") for j, v in enumerate(row)]
            for i, row in enumerate(matrix)
        ]
    )
    for i in range(n):
        if abs(a[i, i] - 1) > 1e-9:
            raise AHPError(
                f"{source}: row {i + 1} column {i + 1} must be 1 (an indicator against itself)"
            )
        for j in range(i + 1, n):
            if abs(a[i, j] * a[j, i] - 1) > 0.02:
                raise AHPError(
                    f"{source}: row {i + 1} column {j + 1} is {a[i, j]:.4g} but row {j + 1} column {i + 1} "
                    f"is {a[j, i]:.4g}; they must be reciprocals"
                )
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX.get(n, 1.59)
    cr = ci / ri if ri > 0 else 0.0
    if cr >= MAX_CR:
        raise AHPError(
            f"{source}: consistency ratio CR = {cr:.3f} is not under {MAX_CR} (lambda_max {lam:.3f}, "
            f"CI {ci:.3f}, RI {ri}); revise the pairwise judgements so they agree with each other"
        )
    return AHPResult(w, lam, ci, cr)
