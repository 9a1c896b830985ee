"""Shared numerics, written once: scaling, stable per-feature moments, result dtypes.

A law proved for these helpers holds wherever they are used. The moments follow the habits
of scikit-learn's ``sklearn/utils/extmath.py``: float64 accumulators and a *corrected*
two-pass algorithm (Chan, Golub & LeVeque 1983, eq. 1.7), never ``E[x^2] - E[x]^2``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["all_finite", "FeatureMoments", "feature_moments", "pow2_scale", "result_dtype", "EPS64", "ema_update", "bias_correction"]

#: Unit roundoff of float64 (half the machine epsilon is the bound; we use the epsilon).
EPS64 = float(np.finfo(np.float64).eps)

# Within this window of magnitudes, squares and sums of squares of up to ~1e8 terms can
# neither overflow nor underflow to subnormals, so no rescaling is needed.
_SAFE_LO, _SAFE_HI = 2.0 ** -400, 2.0 ** 400


_DOT: dict = {}


def _blas_dot(dtype):
    """scipy's BLAS ``ddot``/``sdot`` for float64/float32 (None for other dtypes), imported
    on first use. Unlike ``np.dot`` it checks no floating-point flags, so an overflowing
    sum of squares costs no ``errstate`` and raises no warning."""
    if dtype not in _DOT:
        from scipy.linalg import blas

        _DOT[np.dtype(np.float64)], _DOT[np.dtype(np.float32)] = blas.ddot, blas.sdot
        _DOT.setdefault(dtype, None)
    return _DOT[dtype]


#: Elements per BLAS ``dot`` call in :func:`all_finite`. OpenBLAS splits a ``dot`` of more
#: than 10000 elements over its own threads, which then spin on the other core for a while
#: and slow down the update that follows (on two threads, halve it); in chunks it stays on
#: the calling thread.
DOT_CHUNK = 8192


def all_finite(g: np.ndarray) -> bool:
    """Whether every value of ``g`` is finite (``np.isfinite(g).all()``, faster).

    A finite ``sum(g**2)`` proves every term finite (a NaN or inf term makes it NaN or
    inf); BLAS computes it in one read of ``g``. Only when it is not finite (a NaN/inf, or a
    mere overflow above about 1e154 in float64, 1e19 in float32) look element-wise. Arrays
    that are not C-contiguous, and dtypes without a BLAS dot, are looked at element-wise.
    """
    if not g.flags.c_contiguous:
        return bool(np.isfinite(g).all())
    if g.ndim != 1:
        g = g.reshape(-1)                          # a view
    dot = _DOT.get(g.dtype, False)
    if dot is False:
        dot = _blas_dot(g.dtype)
    n = g.size
    if n == 0:
        return True                                # (BLAS wrappers refuse empty arrays)
    if dot is not None:
        if n <= DOT_CHUNK:
            if math.isfinite(dot(g, g)):
                return True
        else:
            isfinite, chunk = math.isfinite, DOT_CHUNK
            for lo in range(0, n, chunk):
                if not isfinite(dot(g, g, min(chunk, n - lo), lo, 1, lo, 1)):
                    break
            else:
                return True
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


def feature_moments(x: np.ndarray, need_centered: bool = True) -> FeatureMoments:
    """Corrected two-pass per-column mean and biased variance in float64.

    .. math::

        \\hat\\mu = \\tfrac1n\\sum_i x_i,\\quad d_i = x_i - \\hat\\mu,\\quad
        c = \\tfrac1n\\sum_i d_i,\\quad \\sigma^2 = \\tfrac1n\\sum_i (d_i - c)^2

    ``c`` removes the rounding error of the first-pass mean (Chan, Golub & LeVeque 1983),
    which makes the result accurate under large offsets (e.g. data near 1e9 with unit
    spread), where ``E[x^2] - E[x]^2`` loses every digit.

    With ``need_centered=False`` float16/float32 data are not copied to float64: see
    :func:`_narrow_moments` (``centered`` is then None).
    """
    if not need_centered and x.dtype.kind == "f" and x.dtype.itemsize < 8:
        return _narrow_moments(x)
    n = x.shape[0]
    # One output buffer serves every pass (|x| or the float64 copy, then the centred data):
    # allocating and first-touching fresh arrays costs as much as the arithmetic at 1e7
    # elements.
    if x.dtype == np.float64:
        x64 = x
        centered = np.abs(x64)
        max_abs = np.max(centered, axis=0)
    else:
        x64 = centered = x.astype(np.float64)
        max_abs = np.maximum(np.max(x64, axis=0), -np.min(x64, axis=0))
    scale = pow2_scale(max_abs)
    if np.any(scale != 1.0):
        x64 = np.divide(x64, scale, out=centered)
    mean_hi = np.mean(x64, axis=0)
    np.subtract(x64, mean_hi, out=centered)
    mean_lo = np.mean(centered, axis=0)
    centered -= mean_lo
    var = np.einsum("ij,ij->j", centered, centered) / n
    return FeatureMoments(n, scale, mean_hi * scale, mean_lo * scale, var, centered)


#: Elements per row block of the float64 scratch in :func:`_narrow_moments` and its callers
#: (512 KiB: the block stays in the L2 cache between the passes over it).
ROW_BLOCK_ELEMENTS = 2**16


def row_blocks(x: np.ndarray):
    """``(rows, ranges)``: the ``(start, stop)`` row ranges of about
    :data:`ROW_BLOCK_ELEMENTS` elements of the 2-d ``x``, and the most rows one holds (the
    first dimension of a scratch block)."""
    n, k = x.shape
    rows = min(n, max(1, ROW_BLOCK_ELEMENTS // max(k, 1)))
    return rows, [(lo, min(lo + rows, n)) for lo in range(0, n, rows)]


def _narrow_moments(x: np.ndarray) -> FeatureMoments:
    """:func:`feature_moments` of float16/float32 data without a float64 copy of ``x``.

    Their magnitudes (2**-149 to 2**128) lie inside the window where float64 squares and
    sums cannot overflow or underflow, so ``scale`` is 1. The first pass sums in float64
    (``dtype=np.float64``: numpy widens each value on the fly); the second widens one
    row block at a time into an L2-sized float64 scratch and accumulates, per feature,
    ``S1 = sum d`` and ``S2 = sum d**2`` with ``d = x - mean``. Then ``c = S1 / n`` and
    ``var = S2 / n - c**2``, which is the same corrected two-pass estimate
    (Chan, Golub & LeVeque 1983, eq. 1.7: ``sum (d - c)**2 = S2 - n c**2``); ``c`` is the
    first pass's rounding error, far below the spread of any non-constant float32 feature,
    so the subtraction loses nothing.
    """
    n, k = x.shape
    mean_hi = np.add.reduce(x, axis=0, dtype=np.float64) / n
    s1, s2 = np.zeros(k), np.zeros(k)
    rows, blocks = row_blocks(x)
    buf = np.empty((rows, k))
    for lo, hi in blocks:
        d = np.subtract(x[lo:hi], mean_hi, out=buf[: hi - lo])
        s1 += np.add.reduce(d, axis=0)
        s2 += np.einsum("ij,ij->j", d, d)
    mean_lo = s1 / n
    var = np.maximum(s2 / n - mean_lo * mean_lo, 0.0)
    return FeatureMoments(n, np.ones(k), mean_hi, mean_lo, var, None)


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
