"""Tolerances derived from machine epsilon and the condition of the computation."""

from __future__ import annotations

import math

import numpy as np

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


def column_stats(x: np.ndarray):
    """Oracle per-column mean, population variance and magnitude with ``math.fsum``.

    Written independently of any target: exactly rounded sums, two passes. Each column is
    divided by a power of two near its magnitude (exact), so squaring cannot raise
    OverflowError (a wrong target may return values ~1e160); the variance in natural units
    may still round to inf, 0 or a subnormal at extreme magnitudes.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    means, variances, mags = [], [], []
    for j in range(x.shape[1]):
        col = x[:, j].tolist()
        mag = max(abs(v) for v in col)
        s = math.ldexp(1.0, math.frexp(mag)[1]) if 0 < mag < math.inf else 1.0
        col = [v / s for v in col]
        mu = math.fsum(col) / n
        var = math.fsum((v - mu) ** 2 for v in col) / n
        means.append(mu * s)
        variances.append(var * s * s)
        mags.append(mag)
    return np.array(means), np.array(variances), np.array(mags)


def zscore_condition(x: np.ndarray) -> np.ndarray:
    """Per-feature condition number of standardisation, ``kappa_j = max_i |x_ij| / sigma_j``.

    Rounding the inputs alone perturbs each z-score by about ``eps * kappa``; inf for a
    constant feature.
    """
    _, var, mag = column_stats(x)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, mag / np.where(sd > 0, sd, 1.0), np.inf)
