"""Tolerances derived from machine epsilon and the condition of the computation."""

from __future__ import annotations

import math

import numpy as np

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


def column_stats(x: np.ndarray):
    """Oracle per-column mean, population variance and magnitude with ``math.fsum``.

    Written independently of any target: exactly rounded sums, two passes.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    means, variances, mags = [], [], []
    for j in range(x.shape[1]):
        col = x[:, j].tolist()
        mu = math.fsum(col) / n
        var = math.fsum((v - mu) ** 2 for v in col) / n
        means.append(mu)
        variances.append(var)
        mags.append(max(abs(v) for v in col))
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
