"""Shared numerics, written once: scaling, stable per-feature moments, result dtypes.

A law proved for these helpers holds wherever they are used. The moments follow the habits
of scikit-learn's ``sklearn/utils/extmath.py``: float64 accumulators and a *corrected*
two-pass algorithm (Chan, Golub & LeVeque 1983, eq. 1.7), never ``E[x^2] - E[x]^2``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["FeatureMoments", "feature_moments", "pow2_scale", "result_dtype", "EPS64", "ema_update", "bias_correction"]

#: Unit roundoff of float64 (half the machine epsilon is the bound; we use the epsilon).
EPS64 = float(np.finfo(np.float64).eps)

# Within this window of magnitudes, squares and sums of squares of up to ~1e8 terms can
# neither overflow nor underflow to subnormals, so no rescaling is needed.
_SAFE_LO, _SAFE_HI = 2.0 ** -400, 2.0 ** 400


def result_dtype(x: np.ndarray) -> np.dtype:
    """Floating inputs keep their dtype; everything else computes and returns float64."""
    return x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float64)


def pow2_scale(max_abs: np.ndarray) -> np.ndarray:
    """Per-feature powers of two ``s`` with ``max_abs / s`` in [0.5, 1).

    Dividing by a power of two is exact (short of subnormals), so rescaling by ``s`` before
    squaring avoids overflow for magnitudes up to the float64 maximum without changing a
    single bit of the normalised result. Features whose magnitude already lies in a safe
    window, and all-zero features, get ``s = 1``.
    """
    max_abs = np.asarray(max_abs, dtype=np.float64)
    safe = (max_abs == 0) | ((max_abs > _SAFE_LO) & (max_abs < _SAFE_HI))
    _, exponent = np.frexp(np.where(safe, 1.0, max_abs))
    # 2.0**1024 is not representable; for magnitudes above 2**1023 divide by 2**1023, which
    # leaves the scaled values in [1, 2): still far from overflow.
    return np.where(safe, 1.0, np.ldexp(1.0, np.minimum(exponent, 1023)))


class FeatureMoments(NamedTuple):
    """Per-feature moments of a 2-d sample, in a scaled, overflow-free representation.

    ``mean = (mean_hi + mean_lo)`` (an unevaluated sum: ``mean_hi`` is the first-pass mean,
    ``mean_lo`` the correction from the second pass), ``var`` is the biased (ddof=0)
    variance of ``x / scale``, so the variance of ``x`` is ``var * scale**2``.
    """

    n: int
    scale: np.ndarray
    mean_hi: np.ndarray
    mean_lo: np.ndarray
    var: np.ndarray
    centered: np.ndarray  # (x / scale - mean) in float64, reused by callers to save a pass


def feature_moments(x: np.ndarray) -> FeatureMoments:
    """Corrected two-pass per-column mean and biased variance in float64.

    .. math::

        \\hat\\mu = \\tfrac1n\\sum_i x_i,\\quad d_i = x_i - \\hat\\mu,\\quad
        c = \\tfrac1n\\sum_i d_i,\\quad \\sigma^2 = \\tfrac1n\\sum_i (d_i - c)^2

    ``c`` removes the rounding error of the first-pass mean (Chan, Golub & LeVeque 1983),
    which makes the result accurate under large offsets (e.g. data near 1e9 with unit
    spread), where ``E[x^2] - E[x]^2`` loses every digit.
    """
    n = x.shape[0]
    x64 = np.asarray(x, dtype=np.float64)
    # One output buffer serves every pass (|x|, then the centred data): allocating and
    # first-touching fresh arrays costs as much as the arithmetic at 1e7 elements.
    centered = np.abs(x64)
    scale = pow2_scale(np.max(centered, axis=0))
    if np.any(scale != 1.0):
        x64 = np.divide(x64, scale, out=centered)
    mean_hi = np.mean(x64, axis=0)
    np.subtract(x64, mean_hi, out=centered)
    mean_lo = np.mean(centered, axis=0)
    centered -= mean_lo
    var = np.einsum("ij,ij->j", centered, centered) / n
    return FeatureMoments(n, scale, mean_hi * scale, mean_lo * scale, var, centered)


# --- exponential moving averages (shared by reference.averages, batch norm, optimisers) ---

def ema_update(average, value, alpha):
    """One step of an exponential moving average: ``alpha * value + (1 - alpha) * average``.

    .. math::  \\bar v_t = \\alpha v_t + (1 - \\alpha)\\,\\bar v_{t-1}

    ``alpha`` weights the *new* value (seed 001; PyTorch's BatchNorm ``momentum``; Adam's
    ``1 - beta``). Written as ``average + alpha * (value - average)``, which is exact for a
    constant signal and never leaves the segment between ``average`` and ``value`` by more
    than one rounding; ``alpha = 1`` returns ``value`` exactly. ``alpha`` is a scalar; the
    magnitudes must stay below half the float64 maximum (``value - average`` must not
    overflow). No validation: callers validate.
    """
    if alpha == 1:
        return np.broadcast_arrays(np.asarray(value, dtype=np.float64), np.asarray(average, dtype=np.float64))[0].copy()
    return average + alpha * (value - average)


def bias_correction(alpha, t):
    """The EMA bias-correction divisor ``1 - (1 - alpha)^t`` for a zero-initialised EMA.

    Computed as ``-expm1(t * log1p(-alpha))``, accurate to a few ulps even when
    ``alpha * t`` is tiny (where ``1 - (1 - alpha)**t`` loses about ``log10(1/(alpha t))``
    digits). ``alpha = 1`` gives 1; ``t`` may be an array of step counts (t >= 1).
    """
    with np.errstate(divide="ignore"):
        return -np.expm1(np.asarray(t, dtype=np.float64) * np.log1p(-float(alpha)))
