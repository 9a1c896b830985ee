"""Shared numerics, written once: scaling, stable per-feature moments, result dtypes.

A law proved for these helpers holds wherever they are used. The moments follow the habits
of scikit-learn's ``sklearn/utils/extmath.py``: float64 accumulators and a *corrected*
two-pass algorithm (Chan, Golub & LeVeque 1983, eq. 1.7), never ``E[x^2] - E[x]^2``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["all_finite", "FeatureMoments", "feature_moments", "scaled_std", "pow2_scale", "result_dtype",
           "to_result_dtype", "EPS64", "ema_update", "bias_correction"]

#: Unit roundoff of float64 (half the machine epsilon is the bound; we use the epsilon).
EPS64 = float(np.finfo(np.float64).eps)

# Within this window of magnitudes, squares and sums of squares of up to ~1e8 terms can
# neither overflow nor underflow to subnormals, so no rescaling is needed.
_SAFE_LO, _SAFE_HI = 2.0 ** -400, 2.0 ** 400


def all_finite(g: np.ndarray) -> bool:
    """Whether every value of ``g`` is finite."""
    return bool(np.isfinite(g).all())


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

    Everything is in units of ``scale`` (a power of two per feature): the mean of ``x`` is
    ``(mean_hi + mean_lo) * scale`` (an unevaluated sum: ``mean_hi`` is the first-pass mean,
    ``mean_lo`` the correction from the second pass), ``var`` is the biased (ddof=0)
    variance of ``x / scale`` and ``centered`` is ``x / scale - mean_hi - mean_lo``.
    """

    n: int
    scale: np.ndarray
    mean_hi: np.ndarray
    mean_lo: np.ndarray
    var: np.ndarray
    centered: np.ndarray


def feature_moments(x: np.ndarray) -> FeatureMoments:
    """Corrected two-pass per-column mean and biased variance in float64.

    .. math::

        \\hat\\mu = \\tfrac1n\\sum_i x_i,\\quad d_i = x_i - \\hat\\mu,\\quad
        c = \\tfrac1n\\sum_i d_i,\\quad \\sigma^2 = \\tfrac1n\\sum_i (d_i - c)^2

    ``c`` removes the rounding error of the first-pass mean (Chan, Golub & LeVeque 1983),
    which makes the result accurate under large offsets (e.g. data near 1e9 with unit
    spread), where ``E[x^2] - E[x]^2`` loses every digit.
    """
    x = np.asarray(x)
    # Divide by a power of two (exact) so that no sum or square overflows or underflows.
    scale = pow2_scale(np.maximum(np.max(x, axis=0), -np.min(x, axis=0)).astype(np.float64))   # max |x|
    xs = x / scale if np.any(scale != 1.0) else x
    # dtype=np.float64: float16/float32 values are widened (exactly) as they are read.
    mean_hi = np.mean(xs, axis=0, dtype=np.float64)
    centered = np.subtract(xs, mean_hi, dtype=np.float64)
    mean_lo = np.mean(centered, axis=0)
    centered -= mean_lo
    var = np.einsum("ij,ij->j", centered, centered) / x.shape[0]
    return FeatureMoments(x.shape[0], scale, mean_hi, mean_lo, var, centered)


def scaled_std(m: FeatureMoments, eps: float) -> np.ndarray:
    """``sqrt(var + eps)`` of the data in units of ``m.scale``, without forming ``var`` in
    natural units (whose square of the scale can overflow or underflow):
    ``hypot(sigma_scaled, sqrt(eps) / scale)``. When ``sqrt(eps) / scale`` overflows (eps
    huge against subnormal data) the divisor is inf and the normalised values 0: their true
    magnitude is below ``2**-1022``."""
    with np.errstate(over="ignore"):
        return np.hypot(np.sqrt(m.var), math.sqrt(eps) / m.scale)


def to_result_dtype(out: np.ndarray, dtype, func: str, name: str = "the result") -> np.ndarray:
    """``out`` (float64) rounded to ``dtype``, or a ValueError naming ``func`` when a value
    does not fit: the true result of finite inputs overflows (float16 above 65504, float32
    above 3.4e38, float64 above 1.8e308)."""
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):
        res = out.astype(dtype, copy=False)
    if not np.isfinite(res).all():
        finite = out[np.isfinite(out)]
        big = f"values up to {float(np.max(np.abs(finite))):.6g}" if finite.size else "an overflow"
        hint = "pass x as float32 or float64" if dtype.itemsize < 8 else "rescale x"
        raise ValueError(f"{func}: {name} must fit {dtype} (largest {float(np.finfo(dtype).max):.6g}); "
                         f"got {big}: {hint}")
    return res


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
