"""Input normalisation: z-score, min-max and mean-centering, with fit / apply pairs.

Sources: seed 002 (z-score with the population standard deviation, min-max), seed 001
(``(x - mu) / sqrt(sigma^2 + eps)`` component-wise over the data set), seeds 003 and 004
(fit the statistics on the training set, apply the *same* statistics to dev and test data).

Layout: ``x`` is ``(n_samples, n_features)``; statistics are per feature (per column).

Errata in the seeds that these functions do *not* reproduce (each is a negative control in
``properties/controls/normalization.py``): dividing by the variance instead of the standard
deviation (seed 003's pseudo-code, seed 000's figure caption ``X / sigma^2``), dividing by the
Frobenius norm of the whole matrix after subtracting one global mean (seed 004), and one
global mean for all features instead of one per feature (seed 004's ``np.mean(X)``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._numerics import EPS64, feature_moments, pow2_scale, result_dtype, scaled_std, to_result_dtype
from ._validation import as_float_array, check_finite_scalar, check_in_range

__all__ = [
    "ZScoreStats",
    "MinMaxStats",
    "fit_zscore",
    "apply_zscore",
    "zscore",
    "fit_minmax",
    "apply_minmax",
    "minmax",
    "center",
]


class ZScoreStats(NamedTuple):
    """Per-feature statistics fitted by :func:`fit_zscore`.

    ``mean`` is the feature mean, ``std`` the divisor ``sqrt(var + eps)`` (1 for a constant
    feature when ``eps == 0``), ``var`` the biased (ddof=0) variance, ``n_samples`` the rows
    seen. ``var`` is the one field that can leave the float64 range when the data are
    finite: it is ``inf`` when ``std`` exceeds ``sqrt(max) ~ 1.34e154`` and underflows
    (towards 0) below ``sqrt(tiny) ~ 1.5e-154``; ``std`` is accurate throughout.

    The last four fields are what :func:`apply_zscore` computes with, in units of ``scale``
    (a power of two per feature, so that no value of the fitted data is subnormal or near
    overflow): the mean is the unevaluated sum ``(mean_hi + mean_lo) * scale`` (it keeps the
    digits one float64 would lose under offsets like 1e9) and the divisor is
    ``divisor * scale``.
    """

    mean: np.ndarray
    std: np.ndarray
    var: np.ndarray
    eps: float
    n_samples: int
    scale: np.ndarray
    mean_hi: np.ndarray
    mean_lo: np.ndarray
    divisor: np.ndarray


class MinMaxStats(NamedTuple):
    """Per-feature minimum and maximum fitted by :func:`fit_minmax`, with the target range."""

    data_min: np.ndarray
    data_max: np.ndarray
    feature_range: tuple[float, float]


def _check_2d(x, func: str, name: str = "x") -> np.ndarray:
    return as_float_array(x, func, name, ndim=2, min_rows=1)


def fit_zscore(x, eps: float = 0.0) -> ZScoreStats:
    """Fit per-feature mean and standard deviation for z-score normalisation.

    .. math::

        \\mu_j = \\frac1n\\sum_i x_{ij},\\qquad
        \\sigma^2_j = \\frac1n\\sum_i (x_{ij}-\\mu_j)^2,\\qquad
        s_j = \\sqrt{\\sigma_j^2 + \\epsilon}

    Parameters
    ----------
    x : array_like, shape (n_samples, n_features)
        Training data, finite, at least one row. Integers are converted to float64.
    eps : float, default 0.0
        Added to the variance *inside* the square root (seed 001; the same place as in
        batch normalisation). Must be >= 0.

    Conventions
    -----------
    * The variance is the **population (biased, ddof=0)** estimator, as in seed 002, seed
      001, scikit-learn ``StandardScaler`` and every BatchNorm; not ``ddof=1``.
    * A **constant feature** (variance at or below the rounding bound
      ``n*eps64*var + (n*mean*eps64)**2``, scikit-learn's ``_is_constant_feature`` test)
      with ``eps == 0`` gets divisor 1, so its z-score is ``x - mean`` (0 on the training
      data) instead of NaN/inf. This is scikit-learn's choice (``scale_ = 1``). With
      ``eps > 0`` the divisor ``sqrt(var + eps)`` is used as it is.
    * Accumulation is float64 with a corrected two-pass algorithm, and the data are
      rescaled by exact powers of two, so offsets of 1e9 and magnitudes up to 1e300 are
      handled to full precision.

    Examples
    --------
    >>> stats = fit_zscore([[1.0, 10.0], [3.0, 10.0]])
    >>> stats.mean.tolist(), stats.std.tolist()
    ([2.0, 10.0], [1.0, 1.0])
    """
    return _fit_zscore(x, eps, "fit_zscore")[0]


def _fit_zscore(x, eps, func):
    """fit_zscore, also returning the moments (whose centred data zscore reuses)."""
    x = _check_2d(x, func)
    eps = check_in_range(eps, func, "eps", lo=0.0)
    m = feature_moments(x)
    # The constant-feature test of scikit-learn, evaluated on the scaled data.
    bound = m.n * EPS64 * m.var + (m.n * (m.mean_hi + m.mean_lo) * EPS64) ** 2
    unit = (m.var <= bound) & (eps == 0)            # constant feature, divisor 1
    m = m._replace(var=np.where(m.var <= bound, 0.0, m.var))
    with np.errstate(over="ignore", under="ignore"):
        divisor = np.where(unit, 1.0 / m.scale, scaled_std(m, eps))
        var = m.var * m.scale * m.scale             # may leave the float64 range (documented)
    # sqrt(var + eps) in natural units without forming var: hypot(sigma, sqrt(eps)).
    std = np.where(unit, 1.0, np.hypot(np.sqrt(m.var) * m.scale, np.sqrt(eps)))
    stats = ZScoreStats(mean=(m.mean_hi + m.mean_lo) * m.scale, std=std, var=var, eps=eps, n_samples=m.n,
                        scale=m.scale, mean_hi=m.mean_hi, mean_lo=m.mean_lo, divisor=divisor)
    return stats, m, x


def apply_zscore(stats: ZScoreStats, x) -> np.ndarray:
    """Normalise ``x`` with statistics fitted on (other) data: ``(x - mean) / std``.

    The statistics are used unchanged; ``x`` may have any number of rows but must have the
    fitted number of features. Output dtype: floating input keeps its dtype, integer input
    gives float64 (a ValueError if a value does not fit a float16/float32 output).

    >>> stats = fit_zscore([[0.0], [2.0]])
    >>> apply_zscore(stats, [[4.0]]).tolist()
    [[3.0]]
    """
    func = "apply_zscore"
    if not isinstance(stats, ZScoreStats):
        raise TypeError(f"{func}: stats must be a ZScoreStats from fit_zscore; got {type(stats).__name__}")
    x = _check_2d(x, func)
    if x.shape[1] != stats.mean.shape[0]:
        raise ValueError(f"{func}: x must have {stats.mean.shape[0]} feature(s) (the fitted number); "
                         f"got shape {x.shape}")
    x64 = np.asarray(x, dtype=np.float64)
    # ((x / scale - mean_hi) - mean_lo) / divisor: the fit's own frame, in which the training
    # data reproduce zscore bit for bit.
    with np.errstate(over="ignore", invalid="ignore"):
        out = ((x64 / stats.scale - stats.mean_hi) - stats.mean_lo) / stats.divisor
    if not (np.isfinite(out).all() and np.isfinite(stats.divisor).all()):
        # New data far beyond the fitted magnitudes overflow that frame, and for subnormal
        # training data the divisor itself can overflow (1 / scale of a constant feature,
        # sqrt(eps) / scale): use a frame that holds x, the mean and the std (a power of two,
        # so the division is exact).
        s = pow2_scale(np.maximum(np.max(np.abs(x64), axis=0), np.maximum(np.abs(stats.mean), stats.std)))
        with np.errstate(over="ignore", under="ignore"):
            out = (x64 / s - stats.mean / s) / (stats.std / s)
    return to_result_dtype(out, result_dtype(x), func)


def zscore(x, eps: float = 0.0) -> np.ndarray:
    """Z-score each feature with its own mean and population standard deviation.

    .. math::  z_{ij} = \\frac{x_{ij} - \\mu_j}{\\sqrt{\\sigma_j^2 + \\epsilon}}

    Equal to ``apply_zscore(fit_zscore(x, eps), x)``; see :func:`fit_zscore` for the
    conventions (biased variance, eps inside the root, constant features -> 0).
    Also known as standardisation (scikit-learn ``StandardScaler``).

    >>> zscore([[1.0], [3.0]]).ravel().tolist()
    [-1.0, 1.0]
    """
    stats, m, x = _fit_zscore(x, eps, "zscore")
    # apply_zscore's operations, ((x / scale - mean_hi) - mean_lo) / divisor, reusing the
    # centred data of the fit (the same numbers).
    out = m.centered
    out /= stats.divisor
    return to_result_dtype(out, result_dtype(x), "zscore")


def fit_minmax(x, feature_range=(0.0, 1.0)) -> MinMaxStats:
    """Fit the per-feature minimum and maximum for min-max normalisation (seed 002).

    Parameters
    ----------
    x : array_like, shape (n_samples, n_features)
        Training data, finite, at least one row.
    feature_range : (lo, hi), default (0, 1)
        Finite target interval with ``lo < hi``.

    >>> fit_minmax([[1.0], [5.0]]).data_max.tolist()
    [5.0]
    """
    return _fit_minmax(x, feature_range, "fit_minmax")


def _fit_minmax(x, feature_range, func):
    x = _check_2d(x, func)
    lo, hi = _check_range(feature_range, func)
    return MinMaxStats(np.min(x, axis=0).astype(np.float64), np.max(x, axis=0).astype(np.float64), (lo, hi))


def _check_range(feature_range, func: str) -> tuple[float, float]:
    try:
        lo, hi = feature_range
    except (TypeError, ValueError):
        raise TypeError(f"{func}: feature_range must be a pair (lo, hi); got {feature_range!r}") from None
    lo = check_finite_scalar(lo, func, "feature_range[0]")
    hi = check_finite_scalar(hi, func, "feature_range[1]")
    if not lo < hi:
        raise ValueError(f"{func}: feature_range must satisfy lo < hi; got ({lo!r}, {hi!r})")
    return lo, hi


def apply_minmax(stats: MinMaxStats, x) -> np.ndarray:
    """Map ``x`` with fitted statistics: ``t = (x - min) / (max - min)``, ``(1 - t)*lo + t*hi``.

    The convex-combination form maps the fitted minimum to ``lo`` and the fitted maximum to
    ``hi`` exactly. New data outside the fitted range map outside ``[lo, hi]`` (no clipping,
    as scikit-learn's default ``clip=False``); training data always land in ``[lo, hi]``.
    A **constant feature** (max == min exactly) maps to ``lo``, as in scikit-learn
    (which uses an absolute threshold ``range < 10*eps`` instead of exact equality); its range
    counts as 1, so new data map to ``lo + (hi - lo) (x - min)`` (scikit-learn's values).

    >>> apply_minmax(fit_minmax([[0.0], [4.0]]), [[1.0], [8.0]]).ravel().tolist()
    [0.25, 2.0]
    """
    return _apply_minmax(stats, x, "apply_minmax")


def _apply_minmax(stats, x, func):
    if not isinstance(stats, MinMaxStats):
        raise TypeError(f"{func}: stats must be a MinMaxStats from fit_minmax; got {type(stats).__name__}")
    x = _check_2d(x, func)
    if x.shape[1] != stats.data_min.shape[0]:
        raise ValueError(f"{func}: x must have {stats.data_min.shape[0]} feature(s) (the fitted number); "
                         f"got shape {x.shape}")
    lo, hi = stats.feature_range
    dmin, dmax = stats.data_min, stats.data_max
    x64 = np.asarray(x, dtype=np.float64)
    # A power of two per feature (exact) keeps x - min and the range from overflowing.
    scale = pow2_scale(np.maximum(np.max(np.abs(x64), axis=0), np.maximum(np.abs(dmin), np.abs(dmax))))
    min_scaled = dmin / scale
    width = dmax / scale - min_scaled
    with np.errstate(over="ignore", invalid="ignore"):
        diff = x64 / scale - min_scaled
        # A constant feature's range counts as 1 (in natural units, scikit-learn's choice):
        # t = x - min, whatever the scale of this batch.
        t = np.where(width == 0, diff * scale, diff / np.where(width == 0, 1.0, width))
        out = (1.0 - t) * lo + t * hi
    if not np.isfinite(out).all():
        # New data outside the fitted range: the two terms can overflow although their sum
        # fits. Then lo + t (hi - lo), whose terms are at most the result's size (when hi - lo
        # fits; otherwise |t| < 1 where the result fits, and halving both terms is exact).
        width_out = hi - lo
        with np.errstate(over="ignore", invalid="ignore"):
            alt = lo + t * width_out if math.isfinite(width_out) else ((1.0 - t) * (lo / 2) + t * (hi / 2)) * 2.0
            out = np.where(np.isfinite(out), out, alt)
    # Rounding of the convex combination can step one ulp outside [lo, hi]: data inside the
    # fitted range are clipped back into the target range.
    inside = (x64 >= dmin) & (x64 <= dmax)
    out = np.where(inside, np.clip(out, lo, hi), out)
    return to_result_dtype(out, result_dtype(x), func)


def minmax(x, feature_range=(0.0, 1.0)) -> np.ndarray:
    """Min-max normalise each feature to ``feature_range`` (seed 002).

    .. math::  z_{ij} = lo + (hi - lo)\\,\\frac{x_{ij} - \\min_i x_{ij}}{\\max_i x_{ij} - \\min_i x_{ij}}

    Equal to ``apply_minmax(fit_minmax(x, feature_range), x)``. Constant features map to
    ``lo``. Also known as scikit-learn ``MinMaxScaler``.

    >>> minmax([[1.0, -2.0], [3.0, 2.0], [2.0, 0.0]]).tolist()
    [[0.0, 0.0], [1.0, 1.0], [0.5, 0.5]]
    """
    return _apply_minmax(_fit_minmax(x, feature_range, "minmax"), x, "minmax")


def center(x) -> np.ndarray:
    """Subtract each feature's mean (the first step of seeds 003/004 and of z-scoring).

    Uses the same corrected two-pass mean as :func:`zscore`.

    >>> center([[1.0, 5.0], [3.0, 5.0]]).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    func = "center"
    x = _check_2d(x, func)
    m = feature_moments(x)
    return to_result_dtype(m.centered * m.scale, result_dtype(x), func)
