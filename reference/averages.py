"""Moving averages: exponential (plain and bias-corrected), simple (window of n), running mean.

Source: seed 001, "An aside: moving averages" (the running mean in incremental form, the SMA,
the EMA and its expansion, the rule of thumb ``alpha = 2 / (n + 1)``), and the bias
correction of its Adam slide.

Layout: ``values`` is a series of shape ``(T,)`` or ``T`` series side by side, ``(T, d)``;
axis 0 is time (``values[t - 1]`` is :math:`v_t`). Every function returns one average per
time step, computed in float64 and returned in the input's floating dtype (integers give
float64).

Convention: ``alpha`` weights the **new** value, as in seed 001, pandas ``ewm(alpha=...)``
and PyTorch's BatchNorm ``momentum``; optax/Adam's ``decay``/``beta`` and Keras's BatchNorm
``momentum`` weight the old average instead (``alpha = 1 - beta``; conventions.md sections
1 and 6). The one-step update and the bias correction are the shared helpers
:func:`reference._numerics.ema_update` and :func:`reference._numerics.bias_correction`.

Erratum of seed 001 that :func:`sma` does not reproduce (a negative control in
``properties/controls/averages.py``): ``(1/n) sum_{k=T-n}^{T} v_k`` has n + 1 terms.
"""

from __future__ import annotations

import numpy as np

from ._numerics import bias_correction, ema_update, pow2_scale, result_dtype
from ._validation import as_float_array, check_in_range, check_positive_int

__all__ = ["ema", "ema_bias_corrected", "sma", "running_mean"]


def _series(values, func: str) -> np.ndarray:
    return as_float_array(values, func, "values", ndim=(1, 2))


def _scaled(v: np.ndarray, *others):
    """``(v / s, *others / s, s)`` in float64 with ``s`` a power of two per series: every
    average stays within the range of its values, so in these units no difference
    ``value - average`` or window sum can overflow, and multiplying back by ``s`` is exact."""
    v64 = np.asarray(v, dtype=np.float64)
    big = np.max(np.abs(v64), axis=0)
    for o in others:
        big = np.maximum(big, np.abs(o))
    s = pow2_scale(big)
    return (v64 / s, *(o / s for o in others), s)


def _alpha(alpha, func: str) -> float:
    return check_in_range(alpha, func, "alpha", lo=0.0, hi=1.0, lo_open=True)


def ema(values, alpha: float, v0=0.0) -> np.ndarray:
    """Exponential moving average, by the recursion of seed 001.

    .. math::

        \\bar v_t = \\alpha v_t + (1 - \\alpha)\\,\\bar v_{t-1},\\quad \\bar v_0 = v_0
        \\;\\Longleftrightarrow\\;
        \\bar v_t = \\alpha \\sum_{k=0}^{t-1} (1 - \\alpha)^k v_{t-k} + (1 - \\alpha)^t v_0

    Parameters
    ----------
    values : array_like, shape (T,) or (T, d)
        The series :math:`v_1..v_T` (axis 0 is time), finite, T >= 1.
    alpha : float in (0, 1]
        Weight of the **new** value (seed 001, pandas ``ewm(alpha=)``, PyTorch BatchNorm
        ``momentum``). ``alpha = 1`` returns the series itself. Frameworks that weight the
        old value (optax ``decay``, Adam ``b1``/``b2``, Keras BatchNorm ``momentum``) use
        ``1 - alpha``. A window of n corresponds to ``alpha = 2 / (n + 1)`` (equal mean lag).
    v0 : float or array of shape (d,), or None, default 0.0
        The state before the first value, :math:`\\bar v_0` (0: Adam's moments, which then
        need :func:`ema_bias_corrected`). ``None`` starts from the first value,
        :math:`\\bar v_1 = v_1` (pandas ``adjust=False``, seed 001's batch-norm statistics).

    Returns
    -------
    ndarray, the shape of ``values``: ``out[t - 1]`` is :math:`\\bar v_t`.

    Every average is a convex combination of ``v0`` and the values so far (the weights sum
    to 1), so it stays within their range; a value's weight decays as
    :math:`(1 - \\alpha)^{\\Delta t}`.

    Examples
    --------
    >>> ema([4.0, 8.0, 8.0], alpha=0.5).tolist()
    [2.0, 5.0, 6.5]
    >>> ema([4.0, 8.0], alpha=0.5, v0=None).tolist()
    [4.0, 6.0]
    """
    func = "ema"
    v = _series(values, func)
    alpha = _alpha(alpha, func)
    if v0 is None:
        start = np.asarray(v[0], dtype=np.float64)
    else:
        v0_arr = as_float_array(v0, func, "v0")
        try:
            start = np.broadcast_to(np.asarray(v0_arr, dtype=np.float64), v.shape[1:])
        except ValueError:
            raise ValueError(f"{func}: v0 must be a scalar or have shape {v.shape[1:]} (one per series); "
                             f"got shape {np.shape(v0)}") from None
    v64, avg, s = _scaled(v, start)
    out = np.empty_like(v64)
    for i in range(v64.shape[0]):
        avg = ema_update(avg, v64[i], alpha)
        out[i] = avg
    return (out * s).astype(result_dtype(v), copy=False)


def ema_bias_corrected(values, alpha: float) -> np.ndarray:
    """Zero-initialised EMA divided by its bias correction (Adam's :math:`\\hat m_t`).

    .. math::

        \\hat v_t = \\frac{\\bar v_t}{1 - (1 - \\alpha)^t},\\qquad \\bar v_0 = 0

    The divisor is the sum of the weights the zero start left out, so :math:`\\hat v_t` is a
    convex combination of :math:`v_1..v_t` only, and the corrected EMA of a constant is that
    constant from t = 1 on. It is computed as the EMA with the time-varying weight
    :math:`\alpha / (1 - (1 - \alpha)^t)` (1 at t = 1, tending to alpha), an identity that
    follows from :math:`c_t = (1-\alpha) c_{t-1} + \alpha` for the divisor :math:`c_t`;
    it gives the same numbers as the quotient but is exact on constants (the quotient is
    off by an ulp or two). Seed 001 writes the divisor ``1 - (1 - beta)^t`` with its beta
    weighting the new value, i.e. this ``alpha``; Kingma & Ba (2015, Algorithm 1) write
    ``1 - beta^t`` with beta weighting the old value (``beta = 1 - alpha``). The divisor is
    computed as ``-expm1(t log1p(-alpha))`` (:func:`reference._numerics.bias_correction`).

    Parameters
    ----------
    values : array_like, shape (T,) or (T, d)
        The series (axis 0 is time), finite.
    alpha : float in (0, 1]
        Weight of the new value.

    Examples
    --------
    >>> ema_bias_corrected([3.0, 3.0, 3.0], alpha=0.1).tolist()
    [3.0, 3.0, 3.0]
    """
    func = "ema_bias_corrected"
    v = _series(values, func)
    alpha = _alpha(alpha, func)
    v64, s = _scaled(v)
    # hat_t = hat_{t-1} + (alpha / c_t) (v_t - hat_{t-1}), c_t = 1 - (1 - alpha)^t: the
    # same numbers as m_t / c_t (because c_t = (1 - alpha) c_{t-1} + alpha), but exact on a
    # constant signal and with weight exactly 1 at t = 1 (hat_1 = v_1).
    weights = alpha / bias_correction(alpha, np.arange(1, v64.shape[0] + 1))
    weights[0] = 1.0
    out = np.empty_like(v64)
    avg = np.zeros(v64.shape[1:])
    for i in range(v64.shape[0]):
        avg = ema_update(avg, v64[i], min(float(weights[i]), 1.0))
        out[i] = avg
    return (out * s).astype(result_dtype(v), copy=False)


def sma(values, n: int) -> np.ndarray:
    """Simple moving average over a window of exactly ``n`` values.

    .. math::  \\bar v_{T,n} = \\frac1n \\sum_{k=T-n+1}^{T} v_k,\\qquad T = n, \\dots, T_{max}

    Seed 001 writes the sum from ``k = T - n`` to ``T``, which has n + 1 terms; this is the
    window of n. Only full windows are returned (numpy ``convolve(mode="valid")``; pandas
    ``rolling(n).mean()`` gives NaN for the first n - 1 instead). Each window is averaged
    on its own (no running-sum differences, which cancel under large offsets). The mean lag
    of the window, ``(n - 1) / 2``, equals that of :func:`ema` with ``alpha = 2 / (n + 1)``.

    Parameters
    ----------
    values : array_like, shape (T,) or (T, d)
        The series (axis 0 is time), finite, with T >= n.
    n : int >= 1
        Window length.

    Returns
    -------
    ndarray of shape (T - n + 1,) or (T - n + 1, d): ``out[i]`` averages
    ``values[i : i + n]``, i.e. it is the SMA at time ``T = i + n``.

    Examples
    --------
    >>> sma([1.0, 2.0, 3.0, 4.0], n=2).tolist()
    [1.5, 2.5, 3.5]
    """
    func = "sma"
    v = _series(values, func)
    n = check_positive_int(n, func, "n")
    if n > v.shape[0]:
        raise ValueError(f"{func}: n must be at most the number of time steps {v.shape[0]} (len(values)); got {n}")
    v64, s = _scaled(v)
    windows = np.lib.stride_tricks.sliding_window_view(v64, n, axis=0)
    return (windows.mean(axis=-1) * s).astype(result_dtype(v), copy=False)


def running_mean(values) -> np.ndarray:
    """Mean of all values so far, in seed 001's incremental form.

    .. math::  \\bar v_T = \\bar v_{T-1} + \\frac1T (v_T - \\bar v_{T-1}),\\qquad \\bar v_1 = v_1

    equal to :math:`\\frac1T \\sum_{k=1}^T v_k` without ever forming the sum (which could
    overflow). It is the EMA with the time-varying weight ``alpha_T = 1 / T``, and PyTorch's
    BatchNorm with ``momentum=None`` (cumulative average).

    Parameters
    ----------
    values : array_like, shape (T,) or (T, d)
        The series (axis 0 is time), finite.

    Examples
    --------
    >>> running_mean([2.0, 4.0, 9.0]).tolist()
    [2.0, 3.0, 5.0]
    """
    func = "running_mean"
    v = _series(values, func)
    v64, s = _scaled(v)
    out = np.empty_like(v64)
    avg = v64[0].copy()
    out[0] = avg
    for i in range(1, v64.shape[0]):
        avg = ema_update(avg, v64[i], 1.0 / (i + 1))
        out[i] = avg
    return (out * s).astype(result_dtype(v), copy=False)
