"""Weight initialisation: fans, LeCun / Glorot (Xavier) / He (Kaiming), zeros and constant.

Sources: seed 002 (``Var(Y) = n Var(W) Var(X)``, so ``Var(W) = 1/n_in`` keeps the forward
variance; ``1/n_out`` keeps the backward one; Glorot & Bengio 2010 take the compromise
``2/(n_in + n_out)``; He et al. 2015 double it for ReLU), seeds 000, 001, 003, 004 (the same
rules written as ``randn(shape) * sqrt(k / n)``), and ``conventions.md`` section 7.

Every random initialiser is the one shared rule :func:`variance_scaling` (Keras / JAX call it
that too): a zero-mean distribution with

.. math::  \\operatorname{Var}(W) = \\frac{\\text{scale}}{\\text{fan}},\\qquad
           \\text{fan} \\in \\{\\text{fan\\_in},\\ \\text{fan\\_out},\\ (\\text{fan\\_in}+\\text{fan\\_out})/2\\}

drawn as a normal (std ``sqrt(scale/fan)``), a uniform on ``[-b, b]`` with
``b = sqrt(3 scale/fan)``, or a normal truncated at ``+-2 sigma0`` with
``sigma0 = sqrt(scale/fan) / 0.87962566103423978`` so that the *truncated* variable has the
target variance (Keras and JAX; 0.8796... is the std of N(0, 1) truncated to [-2, 2]).

Weight layout (``layout=``). The default is **"torch"**: ``[out, in, *kernel]`` (a dense
weight is ``(n_out, n_in)`` and a layer computes ``W @ x``, the seeds' ``W^[l] in
R^{h[l] x h[l-1]}``). ``layout="keras"`` is Keras / JAX's ``[*kernel, in, out]`` (a dense
kernel is ``(n_in, n_out)``, ``x @ W``). Both give ``fan_in = in * prod(kernel)`` and
``fan_out = out * prod(kernel)``; applying the torch formula to a Keras-layout array gives
wrong fans (conventions.md 7a). Fewer than 2 dimensions are rejected (as torch and JAX do;
Keras uses ``fan_in = fan_out = shape[0]`` for a 1-d shape): a bias has no fan, initialise
it with :func:`zeros_init` or :func:`constant_init`. PyTorch's ConvTranspose weights are
stored ``[in, out/groups, *k]``: pass them with the first two axes swapped.

Errata in the seeds that these functions do *not* reproduce (negative controls in
``properties/controls/initialization.py``): ``np.random.rand(shape) * sqrt(1/n)`` (seed 003:
uniform on [0, 1), mean not 0), ``sqrt(2/(n + 1))`` called "Xavier" (seed 000), and seeds
002-004 calling ``Var(W) = 1/n_in`` "Xavier" (that is LeCun's rule; Glorot's is
``2/(n_in + n_out)``).

Every function takes ``rng: numpy.random.Generator`` and returns a new float64 array.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validation import _short, check_choice, check_in_range, check_finite_scalar, check_rng

__all__ = [
    "fan_in_fan_out",
    "calculate_gain",
    "variance_scaling",
    "zeros_init",
    "constant_init",
    "lecun_normal",
    "lecun_uniform",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
]

#: Standard deviation of N(0, 1) truncated to [-2, 2] (``truncnorm(-2, 2).std()``),
#: the constant Keras and JAX divide by.
TRUNCATED_NORMAL_STD = 0.87962566103423978

LAYOUTS = ("torch", "keras")
MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")
NONLINEARITIES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")


def _check_shape(shape, func: str, *, min_ndim: int = 0, min_dim: int = 0) -> tuple[int, ...]:
    """``shape`` as a tuple of ints; an int ``n`` means ``(n,)``."""
    if isinstance(shape, (numbers.Integral, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"{func}: shape must be a tuple of non-negative integers; got {_short(shape)}") from None
    if any(isinstance(d, bool) or not isinstance(d, (numbers.Integral, np.integer)) for d in dims):
        raise TypeError(f"{func}: shape must be a tuple of non-negative integers; got {_short(shape)}")
    dims = tuple(int(d) for d in dims)
    if any(d < 0 for d in dims):
        raise ValueError(f"{func}: shape must have non-negative dimensions; got {dims}")
    if len(dims) < min_ndim:
        raise ValueError(f"{func}: shape must have at least {min_ndim} dimensions ([out, in, *kernel] for "
                         f"layout 'torch', [*kernel, in, out] for 'keras'); got {dims} (a 1-d bias has no "
                         f"fan: use zeros_init or constant_init)")
    if any(d < min_dim for d in dims):
        raise ValueError(f"{func}: shape must have dimensions >= {min_dim} (every fan must be >= 1); got {dims}")
    return dims


def _fans(shape, layout: str, func: str) -> tuple[int, int, tuple[int, ...]]:
    """(fan_in, fan_out, dims) of a validated weight shape."""
    check_choice(layout, func, "layout", LAYOUTS)
    dims = _check_shape(shape, func, min_ndim=2, min_dim=1)
    if layout == "torch":
        receptive = math.prod(dims[2:])
        return dims[1] * receptive, dims[0] * receptive, dims
    receptive = math.prod(dims[:-2])
    return dims[-2] * receptive, dims[-1] * receptive, dims


def fan_in_fan_out(shape, layout: str = "torch") -> tuple[int, int]:
    """Fan-in and fan-out of a dense or convolution weight of shape ``shape``.

    .. math::  \\text{fan\\_in} = n_{in} \\prod_i k_i,\\qquad \\text{fan\\_out} = n_{out} \\prod_i k_i

    Parameters
    ----------
    shape : tuple of int, at least 2 dimensions, every dimension >= 1
        ``[out, in, *kernel]`` for ``layout="torch"`` (default; PyTorch Linear / Conv, the
        seeds' ``W in R^{n_out x n_in}``), ``[*kernel, in, out]`` for ``layout="keras"``
        (Keras 3 Dense / Conv and ``jax.nn.initializers`` defaults).
    layout : {"torch", "keras"}

    A 1-d shape is rejected (torch and JAX raise too; Keras would use ``shape[0]`` for both).

    >>> fan_in_fan_out((64, 32, 3, 3)), fan_in_fan_out((3, 3, 32, 64), layout="keras")
    ((288, 576), (288, 576))
    """
    fan_in, fan_out, _ = _fans(shape, layout, "fan_in_fan_out")
    return fan_in, fan_out


def calculate_gain(nonlinearity: str, param=None) -> float:
    """Recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``.

    ======================  ===================================
    nonlinearity            gain
    ======================  ===================================
    linear, conv*, sigmoid  1
    tanh                    5/3
    relu                    sqrt(2)
    leaky_relu              sqrt(2 / (1 + s^2)), s = param (0.01 if None)
    selu                    3/4
    ======================  ===================================

    ``param`` is used only by ``leaky_relu`` (any finite real) and ignored otherwise, as in
    torch. Keras and JAX have no gain: use ``variance_scaling(scale=gain**2)``.

    >>> calculate_gain("relu") == math.sqrt(2), calculate_gain("tanh")
    (True, 1.6666666666666667)
    """
    func = "calculate_gain"
    if not isinstance(nonlinearity, str):
        raise TypeError(f"{func}: nonlinearity must be a string, one of {', '.join(map(repr, NONLINEARITIES))}; "
                        f"got {_short(nonlinearity)}")
    check_choice(nonlinearity, func, "nonlinearity", NONLINEARITIES)
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_finite_scalar(param, func, "param")
        return math.sqrt(2.0 / (1.0 + slope * slope))
    if nonlinearity == "selu":
        return 0.75
    return 1.0


def _truncated_standard_normal(rng: np.random.Generator, shape) -> np.ndarray:
    """N(0, 1) conditioned on [-2, 2], by rejection (acceptance 0.954 per draw)."""
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2.0
    while np.any(bad):
        z[bad] = rng.standard_normal(int(np.count_nonzero(bad)))
        bad = np.abs(z) > 2.0
    return z


def _sample(shape, rng, std: float, distribution: str, func: str, arg: str) -> np.ndarray:
    """Zero-mean samples of standard deviation ``std`` (the square root of the variance,
    never squared: a gain of 1e300 or 1e-170 must not overflow or underflow)."""
    if distribution == "uniform":
        bound = math.sqrt(3.0) * std
        if not math.isfinite(bound):
            raise ValueError(f"{func}: {arg} must give a bound sqrt(3) * std that fits float64; got std = {std!r}")
        draw = lambda: rng.uniform(-1.0, 1.0, size=shape) * bound  # noqa: E731  (high - low cannot overflow)
    elif distribution == "truncated_normal":
        draw = lambda: _truncated_standard_normal(rng, shape) * (std / TRUNCATED_NORMAL_STD)  # noqa: E731
    else:
        draw = lambda: rng.standard_normal(shape) * std  # noqa: E731
    try:
        with np.errstate(over="ignore"):
            w = draw()
    except (MemoryError, ValueError):
        raise ValueError(f"{func}: shape must fit in memory; got {shape} ({math.prod(shape)} values)") from None
    if not np.isfinite(w).all():
        raise ValueError(f"{func}: {arg} must give samples that fit float64; got an overflow with std = {std!r}")
    return w


def _scaled(func, shape, rng, gain, mode, distribution, layout, arg: str = "gain") -> np.ndarray:
    """Samples with ``std = gain / sqrt(fan)`` (``Var(W) = gain^2 / fan``)."""
    check_rng(rng, func)
    check_choice(mode, func, "mode", MODES)
    check_choice(distribution, func, "distribution", DISTRIBUTIONS)
    fan_in, fan_out, dims = _fans(shape, layout, func)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    return _sample(dims, rng, gain / math.sqrt(fan), distribution, func, arg)


def variance_scaling(shape, rng: np.random.Generator, *, scale: float = 1.0, mode: str = "fan_in",
                     distribution: str = "normal", layout: str = "torch") -> np.ndarray:
    """Zero-mean weights with ``Var(W) = scale / fan`` (the rule behind every initialiser here).

    .. math::  \\operatorname{Var}(W) = \\frac{\\text{scale}}{n},\\quad
               n = \\text{fan\\_in},\\ \\text{fan\\_out}\\ \\text{or}\\ \\tfrac12(\\text{fan\\_in}+\\text{fan\\_out})

    Parameters
    ----------
    shape : tuple of int (>= 2 dimensions, each >= 1), see :func:`fan_in_fan_out`
    rng : numpy.random.Generator
    scale : float > 0
    mode : {"fan_in", "fan_out", "fan_avg"}
    distribution : {"normal", "truncated_normal", "uniform"}
        ``"normal"`` is untruncated (torch, JAX); note that Keras maps its ``"normal"`` to
        ``"truncated_normal"``. ``"truncated_normal"`` truncates at ``+-2 sigma0`` with
        ``sigma0 = sqrt(scale/n) / 0.87962566103423978``; ``"uniform"`` is
        ``U(-sqrt(3 scale/n), sqrt(3 scale/n))``.
    layout : {"torch", "keras"}

    >>> w = variance_scaling((3, 4), np.random.default_rng(0), scale=2.0)
    >>> w.shape, w.dtype
    ((3, 4), dtype('float64'))
    """
    func = "variance_scaling"
    scale = check_in_range(scale, func, "scale", lo=0.0, lo_open=True)
    return _scaled(func, shape, rng, math.sqrt(scale), mode, distribution, layout, arg="scale")


def _gain(gain, func) -> float:
    return check_in_range(gain, func, "gain", lo=0.0, lo_open=True)


def _normal(truncated, func) -> str:
    if not isinstance(truncated, (bool, np.bool_)):
        raise TypeError(f"{func}: truncated must be a bool; got {_short(truncated)}")
    return "truncated_normal" if truncated else "normal"


def zeros_init(shape, rng: np.random.Generator) -> np.ndarray:
    """All zeros (any shape, including 1-d biases and 0-d). ``rng`` is unused but required,
    so every initialiser has the signature ``(shape, rng, *, ...)``.

    Zero (or any constant) weights make the hidden units of a layer identical forever
    (seed 002); they are right for biases and for linear / logistic regression.

    >>> zeros_init((2, 3), np.random.default_rng(0)).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    check_rng(rng, "zeros_init")
    return _full(_check_shape(shape, "zeros_init"), 0.0, "zeros_init")


def constant_init(shape, rng: np.random.Generator, *, value: float) -> np.ndarray:
    """Every entry equal to ``value`` (a finite real); any shape. ``rng`` is unused.

    >>> constant_init(2, np.random.default_rng(0), value=0.5).tolist()
    [0.5, 0.5]
    """
    func = "constant_init"
    check_rng(rng, func)
    v = check_finite_scalar(value, func, "value")
    return _full(_check_shape(shape, func), v, func)


def _full(dims, value: float, func: str) -> np.ndarray:
    try:
        return np.full(dims, value, dtype=np.float64)
    except (MemoryError, ValueError):
        raise ValueError(f"{func}: shape must fit in memory; got {dims} ({math.prod(dims)} values)") from None


def lecun_normal(shape, rng: np.random.Generator, *, gain: float = 1.0, layout: str = "torch",
                 truncated: bool = False) -> np.ndarray:
    """LeCun normal: ``W ~ N(0, gain^2 / fan_in)`` (LeCun et al. 1998, "Efficient BackProp").

    .. math::  \\operatorname{Var}(W) = \\frac{\\text{gain}^2}{\\text{fan\\_in}}

    Keeps ``Var(W x) = Var(x)`` for zero-mean i.i.d. ``x`` (seed 002's derivation, which it
    calls "Xavier"; so do seeds 003 and 004). ``truncated=True`` is the Keras / JAX
    ``lecun_normal`` (truncated at ``+-2 sigma0``, same variance); torch has no LeCun
    initialiser (``kaiming_normal_(nonlinearity="linear")`` is the untruncated one).
    ``gain > 0``.

    >>> lecun_normal((5, 3), np.random.default_rng(0)).shape
    (5, 3)
    """
    func = "lecun_normal"
    g = _gain(gain, func)
    return _scaled(func, shape, rng, g, "fan_in", _normal(truncated, func), layout)


def lecun_uniform(shape, rng: np.random.Generator, *, gain: float = 1.0, layout: str = "torch") -> np.ndarray:
    """LeCun uniform: ``U(-b, b)`` with ``b = gain * sqrt(3 / fan_in)``, so ``Var = gain^2/fan_in``.

    >>> float(np.abs(lecun_uniform((4, 3), np.random.default_rng(0))).max()) <= 1.0
    True
    """
    func = "lecun_uniform"
    g = _gain(gain, func)
    return _scaled(func, shape, rng, g, "fan_in", "uniform", layout)


def glorot_normal(shape, rng: np.random.Generator, *, gain: float = 1.0, layout: str = "torch",
                  truncated: bool = False) -> np.ndarray:
    """Glorot / Xavier normal: ``W ~ N(0, gain^2 * 2 / (fan_in + fan_out))`` (Glorot & Bengio 2010).

    .. math::  \\operatorname{Var}(W) = \\text{gain}^2\\,\\frac{2}{\\text{fan\\_in} + \\text{fan\\_out}}

    The compromise between ``1/fan_in`` (forward variance kept) and ``1/fan_out`` (backward
    variance kept), seed 002. ``truncated=False`` is torch ``xavier_normal_``;
    ``truncated=True`` is Keras ``GlorotNormal`` / JAX ``glorot_normal`` (same variance,
    no values beyond ``2 sigma0 ~ 2.27 sigma``). Also known as Xavier initialisation.

    >>> glorot_normal((5, 3), np.random.default_rng(0), truncated=True).shape
    (5, 3)
    """
    func = "glorot_normal"
    g = _gain(gain, func)
    return _scaled(func, shape, rng, g, "fan_avg", _normal(truncated, func), layout)


def glorot_uniform(shape, rng: np.random.Generator, *, gain: float = 1.0, layout: str = "torch") -> np.ndarray:
    """Glorot / Xavier uniform: ``U(-b, b)``, ``b = gain * sqrt(6 / (fan_in + fan_out))``.

    torch ``xavier_uniform_``, Keras ``GlorotUniform`` (Keras' default Dense kernel init),
    JAX ``glorot_uniform``; all agree.

    >>> w = glorot_uniform((2, 4), np.random.default_rng(0))
    >>> bool(np.all(np.abs(w) <= 1.0))
    True
    """
    func = "glorot_uniform"
    g = _gain(gain, func)
    return _scaled(func, shape, rng, g, "fan_avg", "uniform", layout)


def _he_gain(mode, nonlinearity, negative_slope, func) -> float:
    check_choice(mode, func, "mode", ("fan_in", "fan_out"))
    if not isinstance(nonlinearity, str) or nonlinearity not in NONLINEARITIES:
        raise ValueError(f"{func}: nonlinearity must be one of {', '.join(map(repr, NONLINEARITIES))}; "
                         f"got {_short(nonlinearity)}")
    slope = check_finite_scalar(negative_slope, func, "negative_slope")
    return calculate_gain(nonlinearity, slope)


def he_normal(shape, rng: np.random.Generator, *, mode: str = "fan_in", nonlinearity: str = "relu",
              negative_slope: float = 0.0, layout: str = "torch", truncated: bool = False) -> np.ndarray:
    """He / Kaiming normal: ``W ~ N(0, gain^2 / fan)``, gain = ``calculate_gain(nonlinearity, negative_slope)``.

    .. math::  \\operatorname{Var}(W) = \\frac{2}{\\text{fan\\_in}}\\quad\\text{(ReLU, mode="fan_in")}

    He et al. 2015: a ReLU zeroes half of a symmetric input, halving its second moment; the
    factor 2 restores it, so the signal neither shrinks nor grows with depth.
    ``mode="fan_out"`` keeps the backward variance instead. ``negative_slope`` is torch's
    ``a`` (used by ``nonlinearity="leaky_relu"``: gain ``sqrt(2/(1+a^2))``; torch's default
    ``kaiming_normal_(a=0, nonlinearity="leaky_relu")`` equals ``"relu"`` here).
    ``truncated=False`` is torch ``kaiming_normal_``; ``truncated=True`` is Keras
    ``HeNormal`` / JAX ``he_normal``. Also known as Kaiming initialisation.

    >>> he_normal((5, 3), np.random.default_rng(0), mode="fan_out").shape
    (5, 3)
    """
    func = "he_normal"
    gain = _he_gain(mode, nonlinearity, negative_slope, func)
    return _scaled(func, shape, rng, gain, mode, _normal(truncated, func), layout)


def he_uniform(shape, rng: np.random.Generator, *, mode: str = "fan_in", nonlinearity: str = "relu",
               negative_slope: float = 0.0, layout: str = "torch") -> np.ndarray:
    """He / Kaiming uniform: ``U(-b, b)``, ``b = gain * sqrt(3 / fan)`` (= ``sqrt(6/fan_in)`` for ReLU).

    torch ``kaiming_uniform_``, Keras ``HeUniform``, JAX ``he_uniform`` agree. (torch's
    *default* Linear / Conv init is ``kaiming_uniform_(a=sqrt(5))``, i.e.
    ``U(+-1/sqrt(fan_in))``: ``he_uniform(..., nonlinearity="leaky_relu", negative_slope=5**0.5)``.)

    >>> w = he_uniform((2, 6), np.random.default_rng(0))
    >>> bool(np.all(np.abs(w) <= 1.0))
    True
    """
    func = "he_uniform"
    gain = _he_gain(mode, nonlinearity, negative_slope, func)
    return _scaled(func, shape, rng, gain, mode, "uniform", layout)
