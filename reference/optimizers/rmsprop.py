"""RMSprop: AdaGrad's sum of squared gradients replaced by an exponential moving average.

Source: seed 001 ("RMSprop approximation": ``EMA(g^2)`` replaces the sum); Hinton,
Srivastava & Swersky, Neural Networks for Machine Learning, lecture 6e (2012); centred
variant from Graves (2013), eq. 38-45.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_beta, check_bool, check_eps, check_lr
from ._base import Optimizer, correction, guard_zero, make_optimizer

__all__ = ["RMSpropState", "rmsprop"]


class RMSpropState(NamedTuple):
    """``count``: updates done; ``nu``: EMA of ``g**2``; ``mu``: EMA of ``g`` (``centered``
    only, else None); ``trace``: momentum buffer (``momentum > 0`` only, else None)."""

    count: int
    nu: np.ndarray
    mu: np.ndarray | None
    trace: np.ndarray | None


def rmsprop(lr=1e-2, rho: float = 0.99, eps: float = 1e-8, eps_inside_sqrt: bool = False,
            centered: bool = False, momentum: float = 0.0, bias_correction: bool = False) -> Optimizer:
    """RMSprop (optionally centred, with momentum, with bias correction).

    .. math::

        \\nu_t = \\rho\\,\\nu_{t-1} + (1-\\rho)\\,g_t^2,\\qquad
        \\mu_t = \\rho\\,\\mu_{t-1} + (1-\\rho)\\,g_t \\ (\\text{centered}),\\qquad
        c_t = \\frac{1}{1-\\rho^t} \\text{ if bias\\_correction else } 1

        d_t = \\frac{g_t}{\\sqrt{c_t\\nu_t - (c_t\\mu_t)^2} + \\epsilon}
        \\quad(\\text{or } \\sqrt{\\cdot + \\epsilon}),\\qquad
        b_t = m\\,b_{t-1} + d_t \\ (\\text{momentum } m > 0),\\qquad
        \\theta_t = \\theta_{t-1} - \\eta_t\\,(b_t \\text{ or } d_t)

    Parameters
    ----------
    lr : float > 0 or schedule, default 1e-2
        ``eta`` (torch's default; Keras 1e-3; optax requires it).
    rho : float in [0, 1), default 0.99
        Weight of the OLD value: torch ``alpha=0.99``; optax ``decay`` and Keras ``rho``
        default to 0.9. Seed 001 writes ``gamma g^2 + (1 - gamma) EMA``: its ``gamma`` is
        ``1 - rho``.
    eps : float >= 0, default 1e-8
        torch and optax 1e-8, Keras 1e-7.
    eps_inside_sqrt : bool, default False
        False: ``sqrt(nu) + eps`` (torch). True: ``sqrt(nu + eps)`` (optax's default
        ``eps_in_sqrt=True``, Keras).
    centered : bool, default False
        Divide by the root of the (EMA) variance ``nu - mu**2`` instead of ``nu`` (torch,
        optax, Keras all offer it). Rounding below 0 is clamped to 0.
    momentum : float in [0, 1), default 0
        ``m``; lr outside the buffer as in torch (optax and Keras keep it inside; the same
        for a constant lr).
    bias_correction : bool, default False
        Divide ``nu`` (and ``mu``) by ``1 - rho**t`` (optax's option; not in torch/Keras).
        With it, RMSprop is Adam with ``b1 = 0``.

    float16 params: float32 state and arithmetic (``g**2`` and eps underflow in float16),
    float16 updates.

    Examples
    --------
    >>> import numpy as np
    >>> opt = rmsprop(0.1, rho=0.9, eps=0.0, bias_correction=True)
    >>> s = opt.init(np.zeros(2))
    >>> u, s = opt.update(np.array([4.0, -0.25]), s); u.tolist()
    [-0.1, 0.1]
    """
    func = "rmsprop"
    lr = check_lr(lr, func)
    rho = check_beta(rho, func, "rho")
    eps = check_eps(eps, func)
    inside = check_bool(eps_inside_sqrt, func, "eps_inside_sqrt")
    centered = check_bool(centered, func, "centered")
    mom = check_beta(momentum, func, "momentum")
    bias = check_bool(bias_correction, func, "bias_correction")
    guard = eps == 0.0

    def direction(g, p, t, eta, nu, mu, b):
        # EMAs as decay * old + (1 - decay) * new: exact at decay 0 (see adam.py)
        nu *= rho
        nu += (1.0 - rho) * g * g                       # nu_t = rho nu + (1 - rho) g^2
        c = correction(rho, t) if bias else 1.0         # 1 - rho^t
        if centered:
            mu *= rho
            mu += (1.0 - rho) * g                       # mu_t = rho mu + (1 - rho) g
            var = nu / c - (mu / c) ** 2
            np.maximum(var, 0.0, out=var)               # rounding below 0
        else:
            var = nu / c if bias else nu
        den = np.sqrt(var + eps) if inside else np.sqrt(var) + eps
        if guard:
            guard_zero(den)
        d = g / den
        if not mom:
            return -eta * d
        b *= mom
        b += d                                          # b_t = m b_{t-1} + d_t
        return -eta * b

    arrays = ("nu",) + (("mu",) if centered else ()) + (("trace",) if mom else ())
    return make_optimizer(func, RMSpropState, direction, lr, arrays, adaptive=True)
