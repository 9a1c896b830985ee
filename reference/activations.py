"""Activations sigmoid, tanh, ReLU and their derivatives (seeds 001, 002).

Signatures (every function is elementwise, returns a new array of the input's shape, and
keeps a floating input's dtype; integers and bools give float64; ``x`` must be finite):

* ``sigmoid(x)``, ``tanh(x)``, ``relu(x)``: the activation ``f(x)``.
* ``sigmoid_grad(x)``, ``tanh_grad(x)``, ``relu_grad(x)``: the derivative ``f'(x)`` with
  respect to the **input** ``x`` (not the output), evaluated at ``x``. The chain rule for an
  upstream gradient ``g = dL/df(x)`` is ``dL/dx = g * f_grad(x)``.

Bounds used by the vanishing-gradient argument (seed 001): ``0 < sigmoid'(x) <= 1/4`` with
the maximum at 0, ``0 < tanh'(x) <= 1`` with the maximum at 0, ``relu'(x) in {0, 1}``.

The derivatives are evaluated in a form that keeps full relative precision in the tails
(``e / (1 + e)^2`` with ``e = exp(-|x|)`` rather than ``s (1 - s)``, which is 0 for x > 37),
and no function overflows for any finite input.
"""

from __future__ import annotations

import math

import numpy as np

from ._numerics import result_dtype
from ._validation import as_float_array

__all__ = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad"]


_LN4 = math.log(4.0)


def _arr(x, func: str) -> np.ndarray:
    return as_float_array(x, func, "x", min_size=0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_grad(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    # Near 0 the rounded quotient can exceed the true maximum 1/4 by an ulp (x = 1e-12 gives
    # 0.25000000000000006); the exact value never does, so clipping only removes error.
    return np.minimum(e / ((1.0 + e) * (1.0 + e)), 0.25)


def _tanh_grad(x: np.ndarray) -> np.ndarray:
    a = 2.0 * np.abs(x)
    e = np.exp(-a)
    # 4 e rounded once: where e is subnormal, 4 * e would scale an already rounded value (up to
    # two units of the smallest subnormal lost at |x| ~ 360), so take exp(ln 4 - 2|x|) there.
    four_e = np.where(e < np.finfo(e.dtype).tiny, np.exp(_LN4 - a), 4.0 * e)
    return np.minimum(four_e / ((1.0 + e) * (1.0 + e)), 1.0)  # clipped to the bound, as above


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def _relu_grad(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)


def sigmoid(x) -> np.ndarray:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow.

    .. math::  \\sigma(x) = \\frac{1}{1 + e^{-x}}

    >>> sigmoid([0.0, 1000.0, -1000.0]).tolist()
    [0.5, 1.0, 0.0]
    """
    x = _arr(x, "sigmoid")
    return _sigmoid(x).astype(result_dtype(x), copy=False)


def sigmoid_grad(x) -> np.ndarray:
    """Derivative of the sigmoid at ``x``: ``sigma(x) (1 - sigma(x))``, at most 1/4 (at 0).

    .. math::  \\sigma'(x) = \\sigma(x)(1 - \\sigma(x)) = \\frac{e^{-|x|}}{(1 + e^{-|x|})^2}

    ``x`` is the sigmoid's *input*.

    >>> sigmoid_grad([0.0]).tolist()
    [0.25]
    """
    x = _arr(x, "sigmoid_grad")
    return _sigmoid_grad(x).astype(result_dtype(x), copy=False)


def tanh(x) -> np.ndarray:
    """Hyperbolic tangent (``numpy.tanh``).

    >>> tanh([0.0]).tolist()
    [0.0]
    """
    x = _arr(x, "tanh")
    return np.tanh(x).astype(result_dtype(x), copy=False)


def tanh_grad(x) -> np.ndarray:
    """Derivative of tanh at ``x``: ``1 - tanh(x)^2 = sech(x)^2``, in (0, 1], 1 at 0.

    .. math::  \\tanh'(x) = 1 - \\tanh^2 x = \\frac{4 e^{-2|x|}}{(1 + e^{-2|x|})^2}

    >>> tanh_grad([0.0]).tolist()
    [1.0]
    """
    x = _arr(x, "tanh_grad")
    return _tanh_grad(x).astype(result_dtype(x), copy=False)


def relu(x) -> np.ndarray:
    """Rectified linear unit ``max(x, 0)``.

    >>> relu([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 3.0]
    """
    x = _arr(x, "relu")
    return _relu(x).astype(result_dtype(x), copy=False)


def relu_grad(x) -> np.ndarray:
    """Derivative of ReLU at ``x``: 1 where ``x > 0``, else 0.

    **Convention at 0: relu_grad(0) = 0** (the subgradient PyTorch's ``relu`` backward and
    ``jax.nn.relu``'s custom derivative use; any value in [0, 1] is a valid subgradient).

    >>> relu_grad([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 1.0]
    """
    x = _arr(x, "relu_grad")
    return _relu_grad(x).astype(result_dtype(x), copy=False)
