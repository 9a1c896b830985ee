"""Batch normalisation: training forward, analytic backward, running statistics, inference.

Sources: seed 001 ("Batch Normalization": the per-feature batch mean and variance, eps
inside the square root, ``gamma x_hat + beta``, the EMA of the batch statistics with
momentum delta initialised from the first batch, frozen statistics at inference); Ioffe &
Szegedy (2015), Algorithm 1 and section 3 (the backward pass); conventions.md section 6
(PyTorch and Keras).

Layout: ``x`` is ``(N, C)`` (PyTorch ``BatchNorm1d`` on 2-d input, Keras on dense layers)
or ``(N, C, L)`` (``BatchNorm1d`` on sequences); the statistics are per feature/channel C,
over the ``m = N`` (or ``m = N * L``) values of that channel. ``gamma`` and ``beta`` have
shape ``(C,)``. Computation is float64; the output keeps the input's floating dtype.

Conventions (each an option where frameworks differ):

* training normalises with the **biased** (ddof=0) batch variance, eps **inside** the root
  (PyTorch, Keras, seed 001); ``eps`` defaults to PyTorch's 1e-5 (Keras: 1e-3);
* the running statistics are an EMA (:func:`reference._numerics.ema_update`) whose
  ``momentum`` weights the **new** batch by default (seed 001's delta, PyTorch, 0.1);
  ``momentum_weights="old"`` is Keras's complement (0.99), ``m_keras = 1 - m_torch``;
* the running variance folds in the **unbiased** ``m/(m-1)`` batch variance by default
  (PyTorch); ``unbiased=False`` is Keras's biased one;
* the running statistics start from the first batch (``running=None``, seed 001) or from
  ``batchnorm_running_init(C)`` = (0, 1) (PyTorch, Keras);
* a batch with one value per channel (m = 1) is an error in training, as in PyTorch
  ("Expected more than 1 value per channel when training"): its variance is 0, its output
  is ``beta`` whatever the input, and its unbiased variance is undefined.

Erratum of seed 001 that is *not* reproduced (negative control ``variance_without_square``):
``sigma_B^2 = (1/m) sum (x_i - mu_B)`` without the square, which is ~0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._numerics import ema_update, feature_moments, result_dtype, scaled_std, to_result_dtype
from ._validation import as_float_array, check_choice, check_in_range, check_positive_int

__all__ = [
    "BatchNormCache",
    "BatchNormRunning",
    "batchnorm_forward",
    "batchnorm_backward",
    "batchnorm_running_init",
    "batchnorm_running_update",
    "batchnorm_running_stats",
    "batchnorm_inference",
]


class BatchNormCache(NamedTuple):
    """What :func:`batchnorm_forward` keeps for :func:`batchnorm_backward`.

    ``x_hat`` (shape of x, float64) is the normalised input; ``inv_std`` (C,) is
    ``1 / sqrt(var + eps)``; ``gamma`` (C,) float64, a copy of the forward's; ``mean`` and
    ``var`` (C,) are the batch mean and **biased** variance (what
    :func:`batchnorm_running_update` folds in); ``m`` is the number of values per channel
    (N or N * L); ``eps`` the value used. Two fields can leave the float64 range when ``x``
    is finite: ``var`` is ``inf`` when the batch standard deviation exceeds
    ``sqrt(max) ~ 1.34e154`` (and underflows towards 0 below ``1.5e-154``), and ``inv_std``
    is ``inf`` when ``sqrt(var + eps)`` is below ``1 / max ~ 5.6e-309``; ``x_hat`` is
    accurate throughout.
    """

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    m: int
    eps: float


class BatchNormRunning(NamedTuple):
    """Running statistics: ``mean`` and ``var`` (C,) float64, ``count`` batches folded in.

    Functions that take one accept array-likes for ``mean`` and ``var`` (finite, ``var >=
    0``) and an integer ``count >= 0``.
    """

    mean: np.ndarray
    var: np.ndarray
    count: int


def _check_x(x, func: str, *, training: bool, name: str = "x") -> np.ndarray:
    x = as_float_array(x, func, name, ndim=(2, 3))
    if training:
        m = x.shape[0] * (x.shape[2] if x.ndim == 3 else 1)
        if m < 2:
            raise ValueError(f"{func}: {name} must have at least 2 values per channel in training (N * L >= 2); "
                             f"got shape {x.shape} (a batch of one has variance 0 and output beta; "
                             f"use batchnorm_inference with running statistics for a single sample)")
    return x


def _check_param(p, func: str, name: str, c: int) -> np.ndarray:
    p = as_float_array(p, func, name)
    if p.shape != (c,):
        raise ValueError(f"{func}: {name} must have shape ({c},) (one per channel of x); got shape {p.shape}")
    return np.array(p, dtype=np.float64)          # a copy: the cache must not see later edits


def _as_rows(x: np.ndarray) -> np.ndarray:
    """(N, C) or (N, C, L) -> (m, C) with the channel last, float64."""
    x = np.asarray(x, dtype=np.float64)
    return x if x.ndim == 2 else np.moveaxis(x, 1, 2).reshape(-1, x.shape[1])


def _from_rows(r: np.ndarray, shape: tuple) -> np.ndarray:
    if len(shape) == 2:
        return r
    n, c, length = shape
    return np.moveaxis(r.reshape(n, length, c), 2, 1)


def batchnorm_forward(x, gamma, beta, eps: float = 1e-5):
    """Batch normalisation in training mode (Ioffe & Szegedy 2015, Algorithm 1; seed 001).

    .. math::

        \\mu_B = \\frac1m \\sum_i x_i,\\quad
        \\sigma_B^2 = \\frac1m \\sum_i (x_i - \\mu_B)^2,\\quad
        \\hat x_i = \\frac{x_i - \\mu_B}{\\sqrt{\\sigma_B^2 + \\epsilon}},\\quad
        y_i = \\gamma \\hat x_i + \\beta

    per channel, over the m = N (or N * L) values of the channel in the batch.

    Parameters
    ----------
    x : array_like, shape (N, C) or (N, C, L)
        The batch, finite, with at least 2 values per channel (m >= 2; see the module notes).
    gamma, beta : array_like, shape (C,)
        Scale and shift (PyTorch ``weight``/``bias``, initialised to 1 and 0).
    eps : float >= 0, default 1e-5
        Added to the variance inside the square root (PyTorch 1e-5, Keras 1e-3). With
        ``eps = 0`` a constant channel gets ``x_hat = 0`` (divisor 1), as :func:`zscore`.

    Returns
    -------
    y : ndarray, the shape and floating dtype of ``x``
    cache : BatchNormCache
        For :func:`batchnorm_backward`; ``cache.mean`` / ``cache.var`` are the batch
        statistics (biased variance) for :func:`batchnorm_running_update`.

    The mean and variance use the corrected two-pass algorithm of
    :func:`reference._numerics.feature_moments` (accurate under large offsets).

    Examples
    --------
    >>> y, cache = batchnorm_forward([[1.0], [3.0]], gamma=[2.0], beta=[0.5], eps=0.0)
    >>> y.ravel().tolist(), cache.mean.tolist(), cache.var.tolist()
    ([-1.5, 2.5], [2.0], [1.0])
    """
    func = "batchnorm_forward"
    x = _check_x(x, func, training=True)
    c = x.shape[1]
    gamma = _check_param(gamma, func, "gamma", c)
    beta = _check_param(beta, func, "beta", c)
    eps = check_in_range(eps, func, "eps", lo=0.0)
    mo = feature_moments(_as_rows(x))
    std = scaled_std(mo, eps)                  # in units of mo.scale (exact powers of two)
    constant = std == 0                        # a constant channel with eps = 0: divisor 1
    x_hat = mo.centered / np.where(constant, 1.0, std)   # (its centred values are 0)
    y = x_hat * gamma + beta
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        # natural units; may leave the float64 range (documented in BatchNormCache)
        inv_std = np.where(constant, 1.0, 1.0 / std / mo.scale)
        var = mo.var * mo.scale * mo.scale
    cache = BatchNormCache(x_hat=_from_rows(x_hat, x.shape), inv_std=inv_std, gamma=gamma,
                           mean=(mo.mean_hi + mo.mean_lo) * mo.scale, var=var, m=mo.n, eps=eps)
    return to_result_dtype(_from_rows(y, x.shape), result_dtype(x), func), cache


def batchnorm_backward(dy, cache: BatchNormCache):
    """Gradients of batch normalisation (training mode) with respect to x, gamma and beta.

    .. math::

        \\frac{\\partial L}{\\partial \\beta} = \\sum_i dy_i,\\quad
        \\frac{\\partial L}{\\partial \\gamma} = \\sum_i dy_i\\,\\hat x_i,\\quad
        dx_i = \\frac{\\gamma}{m\\sqrt{\\sigma_B^2+\\epsilon}}
               \\Big(m\\,dy_i - \\sum_j dy_j - \\hat x_i \\sum_j dy_j \\hat x_j\\Big)

    (Ioffe & Szegedy 2015, section 3, simplified), sums over the m values of each channel.
    Consequences: :math:`\\sum_i dx_i = 0` and
    :math:`\\sum_i dx_i \\hat x_i = \\gamma\\,\\partial L/\\partial\\gamma\\,
    \\epsilon / ((\\sigma_B^2+\\epsilon)\\sqrt{\\sigma_B^2+\\epsilon})`, which is 0 only for
    eps = 0 (the output is invariant to shifting and, for eps = 0, scaling each channel).

    Parameters
    ----------
    dy : array_like, the shape of the forward's x
        Upstream gradient :math:`\\partial L / \\partial y`, finite.
    cache : BatchNormCache
        The second value returned by :func:`batchnorm_forward` for this batch.

    Returns
    -------
    dx : ndarray, the shape of x (float64)
    dgamma, dbeta : ndarray, shape (C,) (float64)

    Examples
    --------
    >>> y, cache = batchnorm_forward([[1.0], [3.0]], gamma=[1.0], beta=[0.0], eps=0.0)
    >>> dx, dgamma, dbeta = batchnorm_backward([[1.0], [1.0]], cache)
    >>> dx.ravel().tolist(), dgamma.tolist(), dbeta.tolist()
    ([0.0, 0.0], [0.0], [2.0])
    """
    func = "batchnorm_backward"
    if not isinstance(cache, BatchNormCache):
        raise TypeError(f"{func}: cache must be the BatchNormCache returned by batchnorm_forward; "
                        f"got {type(cache).__name__}")
    dy = as_float_array(dy, func, "dy", ndim=cache.x_hat.ndim)
    if dy.shape != cache.x_hat.shape:
        raise ValueError(f"{func}: dy must have the shape of the forward's x {cache.x_hat.shape}; got {dy.shape}")
    g = _as_rows(dy)
    xh = _as_rows(cache.x_hat)
    dbeta = g.sum(axis=0)
    dgamma = np.einsum("ij,ij->j", g, xh)
    m = cache.m
    with np.errstate(over="ignore", invalid="ignore"):
        dx = (cache.gamma * cache.inv_std) * (g - dbeta / m - xh * (dgamma / m))
    if not (np.isfinite(dx).all() and np.isfinite(dgamma).all() and np.isfinite(dbeta).all()):
        raise ValueError(f"{func}: the gradients must fit float64; got an overflow (inv_std up to "
                         f"{float(np.max(cache.inv_std)):.3g}, |dy| up to {float(np.max(np.abs(g))):.3g}): "
                         f"rescale x or dy")
    return _from_rows(dx, cache.x_hat.shape), dgamma, dbeta


def batchnorm_running_init(num_features: int) -> BatchNormRunning:
    """Framework initial running statistics: mean 0, variance 1, count 0 (PyTorch, Keras).

    >>> batchnorm_running_init(2)
    BatchNormRunning(mean=array([0., 0.]), var=array([1., 1.]), count=0)
    """
    c = check_positive_int(num_features, "batchnorm_running_init", "num_features")
    try:
        return BatchNormRunning(np.zeros(c), np.ones(c), 0)
    except (MemoryError, ValueError):
        raise ValueError(f"batchnorm_running_init: num_features must fit in memory; got {c}") from None


def batchnorm_running_update(running, x, momentum: float = 0.1, *, momentum_weights: str = "new",
                             unbiased: bool = True) -> BatchNormRunning:
    """Fold one training batch into the running statistics by an EMA.

    .. math::

        \\bar\\mu \\leftarrow (1-\\delta)\\,\\bar\\mu + \\delta\\,\\mu_B,\\qquad
        \\bar\\sigma^2 \\leftarrow (1-\\delta)\\,\\bar\\sigma^2 + \\delta\\,s_B^2

    with :math:`\\delta` = ``momentum`` (``momentum_weights="new"``: seed 001, PyTorch,
    default 0.1) or :math:`\\delta = 1 -` ``momentum`` (``"old"``: Keras, default 0.99,
    i.e. PyTorch 0.01; conventions.md section 6). :math:`s_B^2` is the unbiased batch
    variance :math:`\\frac{m}{m-1}\\sigma_B^2` (``unbiased=True``, PyTorch) or the biased
    :math:`\\sigma_B^2` (``unbiased=False``, Keras, seed 001).

    Parameters
    ----------
    running : BatchNormRunning or None
        The statistics so far; ``None`` initialises them from this batch (seed 001:
        :math:`EMA^{(0)} = \\mu_{B^{(0)}}, \\sigma^2_{B^{(0)}}`). Frameworks start from
        :func:`batchnorm_running_init` (0, 1) instead.
    x : array_like, shape (N, C) or (N, C, L)
        The batch, with m >= 2 values per channel.
    momentum : float in [0, 1], default 0.1
    momentum_weights : {"new", "old"}, default "new"
        Which term ``momentum`` weights.
    unbiased : bool, default True

    Returns
    -------
    BatchNormRunning (new arrays; ``running`` is not modified), ``count`` incremented.

    Examples
    --------
    >>> r = batchnorm_running_update(batchnorm_running_init(1), [[1.0], [3.0]], momentum=0.5)
    >>> r.mean.tolist(), r.var.tolist(), r.count
    ([1.0], [1.5], 1)
    """
    return _running_update(running, x, momentum, momentum_weights, unbiased, "batchnorm_running_update", "x")


def _running_update(running, x, momentum, momentum_weights, unbiased, func, name):
    x = _check_x(x, func, training=True, name=name)
    momentum = check_in_range(momentum, func, "momentum", lo=0.0, hi=1.0)
    check_choice(momentum_weights, func, "momentum_weights", ("new", "old"))
    if not isinstance(unbiased, (bool, np.bool_)):
        raise TypeError(f"{func}: unbiased must be a bool; got {unbiased!r}")
    c = x.shape[1]
    if running is not None:
        running = _check_running(running, func, c)
    mo = feature_moments(_as_rows(x))
    mean = (mo.mean_hi + mo.mean_lo) * mo.scale
    var = mo.var * (mo.n / (mo.n - 1)) if unbiased else mo.var
    with np.errstate(over="ignore", under="ignore"):
        var = var * mo.scale * mo.scale
    if not np.isfinite(var).all():
        raise ValueError(f"{func}: the batch variance of {name} must fit float64; got an overflow ({name} up to "
                         f"{float(np.max(np.abs(x))):.3g}, a standard deviation above 1.34e154): rescale it")
    if running is None:
        return BatchNormRunning(mean, var, 1)
    delta = momentum if momentum_weights == "new" else 1.0 - momentum
    # Both statistics are at most float64's maximum: the EMA of two such values cannot overflow
    # when computed on halves (exact).
    new_mean = 2.0 * ema_update(running.mean / 2, mean / 2, delta)
    new_var = 2.0 * ema_update(running.var / 2, var / 2, delta)
    return BatchNormRunning(new_mean, new_var, running.count + 1)


def _check_running(running, func: str, c: int) -> BatchNormRunning:
    """Validated running statistics: (C,) finite float64 mean and var >= 0, count >= 0."""
    if not isinstance(running, BatchNormRunning):
        raise TypeError(f"{func}: running must be a BatchNormRunning or None; got {type(running).__name__}")
    mean = np.asarray(as_float_array(running.mean, func, "running.mean"), dtype=np.float64)
    var = np.asarray(as_float_array(running.var, func, "running.var"), dtype=np.float64)
    if mean.shape != (c,) or var.shape != (c,):
        raise ValueError(f"{func}: running statistics must have shape ({c},) (one per channel of x); "
                         f"got mean {mean.shape}, var {var.shape}")
    if np.any(var < 0):
        raise ValueError(f"{func}: running.var must be >= 0; got minimum {float(var.min())!r}")
    count = check_positive_int(running.count, func, "running.count", minimum=0)
    return BatchNormRunning(mean, var, count)


def batchnorm_running_stats(batches, momentum: float = 0.1, *, momentum_weights: str = "new",
                            unbiased: bool = True, init: str = "batch") -> BatchNormRunning:
    """Running statistics after a sequence of training batches (a fold of
    :func:`batchnorm_running_update`).

    ``init="batch"`` starts from the first batch (seed 001); ``init="zeros_ones"`` from
    mean 0, variance 1 (PyTorch, Keras), so the first batch is folded in by the EMA too.
    The other arguments are those of :func:`batchnorm_running_update`.

    Examples
    --------
    >>> r = batchnorm_running_stats([[[0.0], [2.0]], [[2.0], [4.0]]], momentum=0.5, unbiased=False)
    >>> r.mean.tolist(), r.var.tolist(), r.count
    ([2.0], [1.0], 2)
    """
    func = "batchnorm_running_stats"
    check_choice(init, func, "init", ("batch", "zeros_ones"))
    try:
        batches = list(batches)
    except TypeError:
        raise TypeError(f"{func}: batches must be an iterable of (N, C) or (N, C, L) arrays; "
                        f"got {type(batches).__name__}") from None
    if not batches:
        raise ValueError(f"{func}: batches must contain at least 1 batch; got 0")
    running = None
    if init == "zeros_ones":
        c = as_float_array(batches[0], func, "batches[0]", ndim=(2, 3)).shape[1]
        running = BatchNormRunning(np.zeros(c), np.ones(c), 0)
    for i, b in enumerate(batches):
        running = _running_update(running, b, momentum, momentum_weights, unbiased, func, f"batches[{i}]")
    return running


def batchnorm_inference(x, running_mean, running_var, gamma, beta, eps: float = 1e-5) -> np.ndarray:
    """Batch normalisation in inference mode, with frozen statistics (seed 001).

    .. math::  y = \\gamma \\frac{x - \\bar\\mu}{\\sqrt{\\bar\\sigma^2 + \\epsilon}} + \\beta

    An affine map of each channel, applied to every sample independently (a batch of one is
    fine). ``running_mean``, ``running_var`` (>= 0), ``gamma`` and ``beta`` have shape (C,);
    ``x`` is (N, C) or (N, C, L) with N >= 1.

    Examples
    --------
    >>> batchnorm_inference([[3.0]], running_mean=[1.0], running_var=[4.0], gamma=[1.0], beta=[0.0], eps=0.0).tolist()
    [[1.0]]
    """
    func = "batchnorm_inference"
    x = _check_x(x, func, training=False)
    c = x.shape[1]
    rm = _check_param(running_mean, func, "running_mean", c)
    rv = _check_param(running_var, func, "running_var", c)
    if np.any(rv < 0):
        raise ValueError(f"{func}: running_var must be >= 0; got minimum {float(rv.min())!r}")
    gamma = _check_param(gamma, func, "gamma", c)
    beta = _check_param(beta, func, "beta", c)
    eps = check_in_range(eps, func, "eps", lo=0.0)
    std = np.sqrt(rv + eps)
    scale = gamma / np.where(std == 0, 1.0, std)
    shape = (1, c) if x.ndim == 2 else (1, c, 1)
    x64, rm, scale = np.asarray(x, dtype=np.float64), rm.reshape(shape), scale.reshape(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        y = (x64 - rm) * scale + beta.reshape(shape)
        if not np.isfinite(y).all():
            # x - mean can overflow although y fits: halving is exact (short of subnormals)
            y = np.where(np.isfinite(y), y, (x64 / 2 - rm / 2) * (2 * scale) + beta.reshape(shape))
    return to_result_dtype(y, result_dtype(x), func)
