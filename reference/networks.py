"""A small dense network (forward and analytic backward), a deep linear network, two losses
with their gradients and a gradient-descent step: enough to state the laws of signal
propagation and of the symmetry of constant initialisation (seeds 001, 002).

Layout: the weights of layer ``l`` are ``W_l`` of shape ``(n_l, n_{l-1})`` (the torch layout
of :mod:`reference.initialization`, the seeds' ``W^[l] in R^{h[l] x h[l-1]}``); a batch is
``x`` of shape ``(batch, n_0)`` with one sample per row, so a layer computes
``z_l = a_{l-1} @ W_l.T + b_l`` and ``a_l = f(z_l)``.

Signatures of the hand-written backward functions (for gradient checking):

* ``dense_backward(weights, cache, grad_output, activation, output_activation) -> DenseGrads``
  is the vector-Jacobian product of :func:`dense_forward`: with ``out = dense_forward(weights,
  biases, x, activation, output_activation).output`` it returns the gradients of the scalar
  ``sum(grad_output * out)`` with respect to every ``W_l`` (``.weights``), every ``b_l``
  (``.biases``) and ``x`` (``.x``), each of the shape of its variable.
* ``mse_loss_grad(pred, y)`` is the gradient of ``mse_loss(pred, y)`` with respect to ``pred``.
* ``bce_with_logits_loss_grad(logits, y)`` is the gradient of ``bce_with_logits_loss(logits, y)``
  with respect to ``logits``.
* ``deep_linear_forward`` has no backward here: it is ``W_L ... W_1 x``, linear in ``x``.

All computation is float64; inputs are never modified.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._numerics import pow2_scale
from ._validation import as_float_array, check_choice, check_in_range, check_same_shape
from .activations import _relu, _relu_grad, _sigmoid, _sigmoid_grad, _tanh_grad

__all__ = [
    "DenseCache",
    "DenseGrads",
    "dense_forward",
    "dense_backward",
    "mse_loss",
    "mse_loss_grad",
    "bce_with_logits_loss",
    "bce_with_logits_loss_grad",
    "gradient_descent_step",
    "deep_linear_forward",
]

ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu")

_FORWARD = {"linear": lambda z: z.copy(), "sigmoid": _sigmoid, "tanh": np.tanh, "relu": _relu}
_DERIVATIVE = {"linear": np.ones_like, "sigmoid": _sigmoid_grad, "tanh": _tanh_grad, "relu": _relu_grad}


class DenseCache(NamedTuple):
    """What :func:`dense_forward` computed: ``z_1..z_L`` and ``a_0 = x, a_1..a_L``."""

    pre_activations: tuple
    activations: tuple

    @property
    def output(self) -> np.ndarray:
        """``a_L``, the network's output, shape ``(batch, n_L)``."""
        return self.activations[-1]


class DenseGrads(NamedTuple):
    """Gradients from :func:`dense_backward`, each of the shape of its variable."""

    weights: tuple
    biases: tuple
    x: np.ndarray


def _check_weights(weights, func: str, *, square: bool = False) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray) or not hasattr(weights, "__len__") or len(weights) == 0:
        raise TypeError(f"{func}: weights must be a non-empty list of 2-d arrays; got {type(weights).__name__}")
    ws = [as_float_array(w, func, f"weights[{i}]", ndim=2).astype(np.float64, copy=False)
          for i, w in enumerate(weights)]
    for i in range(1, len(ws)):
        if ws[i].shape[1] != ws[i - 1].shape[0]:
            raise ValueError(f"{func}: weights[{i}] must have {ws[i - 1].shape[0]} column(s) (the rows of "
                             f"weights[{i - 1}], layout (n_out, n_in)); got shape {ws[i].shape}")
    return ws


def _check_x(x, n_in: int, func: str, ndim=2) -> np.ndarray:
    x = as_float_array(x, func, "x", ndim=ndim).astype(np.float64, copy=False)
    if x.shape[-1] != n_in:
        raise ValueError(f"{func}: x must have {n_in} feature(s) in its last axis (the columns of weights[0]); "
                         f"got shape {x.shape}")
    return x


def dense_forward(weights, biases, x, activation: str = "tanh", output_activation: str = "linear") -> DenseCache:
    """Forward pass of a dense network, keeping what the backward pass needs.

    .. math::  a_0 = x,\\quad z_l = a_{l-1} W_l^\\top + b_l,\\quad a_l = f(z_l)\\ (l < L),\\quad
               a_L = g(z_L)

    Parameters
    ----------
    weights : list of L arrays, ``weights[l]`` of shape ``(n_{l+1}, n_l)``
    biases : list of L arrays of shape ``(n_{l+1},)``, or None for no biases (zeros)
    x : array, shape ``(batch, n_0)``
    activation : {"linear", "sigmoid", "tanh", "relu"}
        ``f``, applied after every layer but the last.
    output_activation : {"linear", "sigmoid", "tanh", "relu"}
        ``g``, applied after the last layer.

    Returns a :class:`DenseCache`; ``.output`` is ``a_L`` of shape ``(batch, n_L)``.

    >>> c = dense_forward([np.eye(2)], [np.array([1.0, -1.0])], [[0.5, 0.5]], output_activation="relu")
    >>> c.output.tolist()
    [[1.5, 0.0]]
    """
    func = "dense_forward"
    check_choice(activation, func, "activation", ACTIVATIONS)
    check_choice(output_activation, func, "output_activation", ACTIVATIONS)
    ws = _check_weights(weights, func)
    bs = _check_biases(biases, ws, func)
    a = _check_x(x, ws[0].shape[1], func)
    zs, acts = [], [a.copy()]
    for i, (w, b) in enumerate(zip(ws, bs)):
        z = _fits(lambda: a @ w.T + b, func, f"the pre-activation z_{i + 1}")
        f = _FORWARD[output_activation if i == len(ws) - 1 else activation]
        a = f(z)
        zs.append(z)
        acts.append(a)
    return DenseCache(tuple(zs), tuple(acts))


def _fits(compute, func: str, what: str, hint: str = "rescale x or the weights"):
    """``compute()``, or a ValueError naming ``func`` when a value overflows float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = compute()
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{func}: {what} must fit float64; got an overflow ({hint})")
    return out


def _check_biases(biases, ws, func: str) -> list[np.ndarray]:
    if biases is None:
        return [np.zeros(w.shape[0]) for w in ws]
    if isinstance(biases, np.ndarray) or not hasattr(biases, "__len__") or len(biases) != len(ws):
        raise TypeError(f"{func}: biases must be None or a list of {len(ws)} 1-d arrays (one per layer); "
                        f"got {type(biases).__name__}")
    bs = [as_float_array(b, func, f"biases[{i}]", ndim=1).astype(np.float64, copy=False)
          for i, b in enumerate(biases)]
    for i, (w, b) in enumerate(zip(ws, bs)):
        if b.shape != (w.shape[0],):
            raise ValueError(f"{func}: biases[{i}] must have shape ({w.shape[0]},) (the rows of weights[{i}]); "
                             f"got {b.shape}")
    return bs


def _backward(ws, cache, grad_output, derivative, output_derivative) -> DenseGrads:
    """The chain rule, layer by layer; ``derivative`` maps ``z`` to ``f'(z)``."""
    delta = grad_output * output_derivative(cache.pre_activations[-1])
    gws, gbs = [], []
    for i in range(len(ws) - 1, -1, -1):
        gws.append(delta.T @ cache.activations[i])
        gbs.append(delta.sum(axis=0))
        grad_a = delta @ ws[i]
        if i > 0:
            delta = grad_a * derivative(cache.pre_activations[i - 1])
    return DenseGrads(tuple(reversed(gws)), tuple(reversed(gbs)), grad_a)


def dense_backward(weights, cache: DenseCache, grad_output, activation: str = "tanh",
                   output_activation: str = "linear") -> DenseGrads:
    """Analytic backward pass of :func:`dense_forward` (a vector-Jacobian product).

    With ``delta_L = grad_output * g'(z_L)`` and ``delta_{l-1} = (delta_l W_l) * f'(z_{l-1})``:

    .. math::  \\frac{\\partial S}{\\partial W_l} = \\delta_l^\\top a_{l-1},\\quad
               \\frac{\\partial S}{\\partial b_l} = \\textstyle\\sum_{batch} \\delta_l,\\quad
               \\frac{\\partial S}{\\partial x} = \\delta_1 W_1,\\qquad
               S = \\textstyle\\sum \\text{grad\\_output} \\odot a_L

    Parameters
    ----------
    weights : the list given to :func:`dense_forward`
    cache : the :class:`DenseCache` it returned
    grad_output : array, shape ``(batch, n_L)``: ``dLoss/d output`` (e.g. :func:`mse_loss_grad`)
    activation, output_activation : the names given to :func:`dense_forward`

    ReLU's derivative at 0 is 0 (see :func:`reference.activations.relu_grad`).

    >>> w = [np.array([[2.0]])]
    >>> c = dense_forward(w, None, [[3.0]], output_activation="linear")
    >>> g = dense_backward(w, c, [[1.0]], output_activation="linear")
    >>> g.weights[0].tolist(), g.biases[0].tolist(), g.x.tolist()
    ([[3.0]], [1.0], [[2.0]])
    """
    func = "dense_backward"
    check_choice(activation, func, "activation", ACTIVATIONS)
    check_choice(output_activation, func, "output_activation", ACTIVATIONS)
    ws = _check_weights(weights, func)
    if not isinstance(cache, DenseCache):
        raise TypeError(f"{func}: cache must be the DenseCache returned by dense_forward; got {type(cache).__name__}")
    if len(cache.pre_activations) != len(ws):
        raise ValueError(f"{func}: cache must come from a network of {len(ws)} layer(s); "
                         f"got one of {len(cache.pre_activations)}")
    g = as_float_array(grad_output, func, "grad_output", ndim=2).astype(np.float64, copy=False)
    check_same_shape(cache.output, g, func, "cache.output", "grad_output")
    with np.errstate(over="ignore", invalid="ignore"):
        grads = _backward(ws, cache, g, _DERIVATIVE[activation], _DERIVATIVE[output_activation])
    if not all(np.all(np.isfinite(v)) for v in (*grads.weights, *grads.biases, grads.x)):
        raise ValueError(f"{func}: the gradients must fit float64; got an overflow (rescale grad_output or the weights)")
    return grads


def _pair(pred, y, func: str, pred_name: str = "pred"):
    p = as_float_array(pred, func, pred_name).astype(np.float64, copy=False)
    t = as_float_array(y, func, "y").astype(np.float64, copy=False)
    check_same_shape(p, t, func, pred_name, "y")
    return p, t


def mse_loss(pred, y) -> float:
    """Mean squared error over all elements: ``mean((pred - y)^2)``.

    The mean runs over every element (torch ``MSELoss(reduction="mean")``; Keras averages
    the last axis, then the batch, which is the same for equal-sized rows). Seed 002 uses
    ``(o - y)^2`` for one sample and one output.

    >>> mse_loss([[1.0, 3.0]], [[0.0, 0.0]])
    5.0
    """
    p, t = _pair(pred, y, "mse_loss")
    # Divided by a power of two (exact) so that neither the difference nor its square overflow.
    s = float(pow2_scale(max(np.max(np.abs(p)), np.max(np.abs(t)))))
    d = p / s - t / s
    return float(_fits(lambda: np.mean(d * d) * s * s, "mse_loss", "the loss", "rescale pred and y"))


def mse_loss_grad(pred, y) -> np.ndarray:
    """Gradient of :func:`mse_loss` with respect to ``pred``: ``2 (pred - y) / pred.size``.

    >>> mse_loss_grad([[1.0, 3.0]], [[0.0, 0.0]]).tolist()
    [[1.0, 3.0]]
    """
    p, t = _pair(pred, y, "mse_loss_grad")
    with np.errstate(over="ignore"):
        d = p - t
    if not np.all(np.isfinite(d)):
        # halving is exact: p - t overflows although the gradient may fit
        return _fits(lambda: (p / 2 - t / 2) / p.size * 4.0, "mse_loss_grad", "the gradient", "rescale pred and y")
    # (2 d) / n, with the doubling last: the same number unless 2 d alone would overflow
    return _fits(lambda: d / p.size * 2.0, "mse_loss_grad", "the gradient", "rescale pred and y")


def _check_labels(t, func):
    if np.any((t < 0) | (t > 1)):
        raise ValueError(f"{func}: y must be in [0, 1] (probabilities or 0/1 labels); "
                         f"got values in [{t.min()!r}, {t.max()!r}]")


def bce_with_logits_loss(logits, y) -> float:
    """Logistic (binary cross-entropy) loss on logits, averaged over all elements.

    .. math::  \\ell(z, y) = -y\\log\\sigma(z) - (1-y)\\log(1-\\sigma(z))
               = \\max(z, 0) - y z + \\log(1 + e^{-|z|})

    The right-hand form never overflows (torch ``BCEWithLogitsLoss``). ``y`` in [0, 1].

    >>> round(bce_with_logits_loss([[0.0]], [[1.0]]), 12) == round(float(np.log(2.0)), 12)
    True
    """
    func = "bce_with_logits_loss"
    z, t = _pair(logits, y, func, "logits")
    _check_labels(t, func)
    terms = np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z)))   # each <= |z| + log 2: finite
    s = float(pow2_scale(np.max(terms)))                                  # their mean is summed scaled
    return float(np.mean(terms / s) * s)


def bce_with_logits_loss_grad(logits, y) -> np.ndarray:
    """Gradient of :func:`bce_with_logits_loss` w.r.t. ``logits``: ``(sigmoid(z) - y) / z.size``.

    >>> bce_with_logits_loss_grad([[0.0, 0.0]], [[1.0, 0.0]]).tolist()
    [[-0.25, 0.25]]
    """
    func = "bce_with_logits_loss_grad"
    z, t = _pair(logits, y, func, "logits")
    _check_labels(t, func)
    return (_sigmoid(z) - t) / z.size


def gradient_descent_step(params, grads, lr: float) -> list:
    """One step of plain gradient descent: ``p_new = p - lr * g`` for each parameter.

    Parameters
    ----------
    params, grads : lists of arrays of matching shapes (e.g. ``weights + biases`` and
        ``list(g.weights) + list(g.biases)`` from :func:`dense_backward`)
    lr : float > 0

    Returns a new list of new float64 arrays; ``params`` is not modified.

    >>> gradient_descent_step([np.array([1.0])], [np.array([2.0])], lr=0.25)[0].tolist()
    [0.5]
    """
    func = "gradient_descent_step"
    lr = check_in_range(lr, func, "lr", lo=0.0, lo_open=True)
    if (isinstance(params, np.ndarray) or isinstance(grads, np.ndarray) or not hasattr(params, "__len__")
            or not hasattr(grads, "__len__") or len(params) != len(grads)):
        raise TypeError(f"{func}: params and grads must be lists of arrays of the same length; got "
                        f"{type(params).__name__} and {type(grads).__name__}")
    out = []
    for i, (p, g) in enumerate(zip(params, grads)):
        p = as_float_array(p, func, f"params[{i}]", min_size=0).astype(np.float64, copy=False)
        g = as_float_array(g, func, f"grads[{i}]", min_size=0).astype(np.float64, copy=False)
        check_same_shape(p, g, func, f"params[{i}]", f"grads[{i}]")
        out.append(_fits(lambda: p - lr * g, func, f"params[{i}] - lr * grads[{i}]", "reduce lr"))
    return out


def deep_linear_forward(weights, x) -> np.ndarray:
    """Output of a deep linear network (identity activations, no biases), seed 001:

    .. math::  \\hat y = W_L W_{L-1} \\cdots W_1 x

    applied layer by layer (``L`` matrix products, never the product matrix), so that each
    layer's rounding is that of one product. ``weights[l]`` has shape ``(n_{l+1}, n_l)``;
    ``x`` is one sample ``(n_0,)`` or a batch ``(batch, n_0)`` (rows are samples); the
    result has the same number of dimensions. Values may overflow to inf for exploding
    weights (that is the phenomenon): an entry is ``+-inf`` exactly when its true value is
    beyond the float64 range, never NaN, and no warning is raised.

    >>> deep_linear_forward([1.5 * np.eye(2)] * 3, [1.0, -2.0]).tolist()
    [3.375, -6.75]
    """
    func = "deep_linear_forward"
    ws = _check_weights(weights, func)
    a = _check_x(x, ws[0].shape[1], func, ndim=(1, 2))
    # a @ w.T is at most n max|a| max|w|: where that could overflow, a is divided by a power
    # of two first (exact) and the exponent kept aside, so no intermediate product overflows
    # (which could give inf - inf = NaN); the result is scaled back at the end. A kept exponent
    # is folded back into a as soon as a and the next product have room for it (shift < 0), so that
    # shrinking layers after exploding ones do not underflow a while the exponent waits.
    exponent = 0
    for w in ws:
        e_a = int(np.frexp(np.max(np.abs(a)))[1])
        bits = e_a + np.frexp(np.max(np.abs(w)))[1] + np.frexp(w.shape[1])[1]
        shift = max(-exponent, int(bits) - 1023, e_a - 1023)   # neither a 2^-shift nor the product overflows
        a = np.ldexp(a, -shift) @ w.T
        exponent += shift
    with np.errstate(over="ignore"):
        return np.ldexp(a, exponent)
