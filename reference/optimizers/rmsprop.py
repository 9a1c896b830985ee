"""RMSprop: AdaGrad's sum of squared gradients replaced by an exponential moving average.

Source: seed 001 ("RMSprop approximation": ``EMA(g^2)`` replaces the sum); Hinton,
Srivastava & Swersky, Neural Networks for Machine Learning, lecture 6e (2012); centred
variant from Graves (2013), eq. 38-45.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._base import (Optimizer, check_beta, check_bool, check_eps, check_lr, ema_, ema_sq_, emit, lr_at,
                    correction, make_optimizer, rms_denominator)

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
    eps_root, eps_out = (eps, 0.0) if inside else (0.0, eps)
    guard = eps == 0.0

    def coefficients(t):
        return lr_at(lr, t - 1, func), (1.0 / correction(rho, t) if bias else 1.0)

    def kernel(out, g, p, arrays, coef, scratch, acc):
        eta, c = coef
        (nu, mu, b), (s0, s1) = arrays, scratch
        ema_sq_(nu, g, rho, s0)
        if centered:
            ema_(mu, g, rho, s0)
            np.multiply(mu, c, out=s1)
            np.multiply(s1, s1, out=s1)          # mu_hat**2
            np.multiply(nu, c, out=s0)
            np.subtract(s0, s1, out=s0)
            np.maximum(s0, 0.0, out=s0)
            rms_denominator(s0, 1.0, eps_root, eps_out, guard, s0)
        else:
            rms_denominator(nu, c, eps_root, eps_out, guard, s0)
        np.divide(g, s0, out=s0)
        if mom:
            np.multiply(b, mom, out=b)
            np.add(b, s0, out=b)
            emit(out, b, -eta, acc, s0)
        else:
            emit(out, s0, -eta, acc, s0)

    arrays = ("nu",) + (("mu",) if centered else ()) + (("trace",) if mom else ())
    return make_optimizer(func, RMSpropState, arrays, kernel, coefficients, 2,
                          passes=10 + 6 * bool(centered) + 2 * bool(mom))
