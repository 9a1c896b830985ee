"""AdaDelta: RMSprop with the learning rate replaced by the RMS of past updates.

Source: seed 001 ("AdaDelta approximation": ``D = sqrt(EMA(Delta theta^2))`` multiplies
``G^-1``); Zeiler (2012), Algorithm 1. Seed 001 still multiplies by ``eta``; Zeiler's
Algorithm 1 has no learning rate, which is ``lr = 1`` here (torch's default).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_beta, check_eps, check_lr
from ._base import Optimizer, guard_zero, make_optimizer

__all__ = ["AdadeltaState", "adadelta"]


class AdadeltaState(NamedTuple):
    """``count``: updates done; ``e_g``: EMA of ``g**2``; ``e_x``: EMA of ``Delta**2``
    (the squared updates before ``lr``)."""

    count: int
    e_g: np.ndarray
    e_x: np.ndarray


def adadelta(lr=1.0, rho: float = 0.9, eps: float = 1e-6) -> Optimizer:
    """AdaDelta (Zeiler 2012, Algorithm 1, times an optional ``lr``).

    .. math::

        E[g^2]_t = \\rho E[g^2]_{t-1} + (1-\\rho) g_t^2,\\qquad
        \\Delta_t = \\sqrt{\\frac{E[\\Delta^2]_{t-1} + \\epsilon}{E[g^2]_t + \\epsilon}}\\; g_t

        E[\\Delta^2]_t = \\rho E[\\Delta^2]_{t-1} + (1-\\rho) \\Delta_t^2,\\qquad
        \\theta_t = \\theta_{t-1} - \\eta_t \\Delta_t

    Parameters
    ----------
    lr : float > 0 or schedule, default 1.0
        ``eta``: torch 1.0 (Zeiler's method has none); Keras 1e-3; optax requires it.
        ``E[Delta^2]`` accumulates ``Delta`` *before* ``lr`` in all three.
    rho : float in [0, 1), default 0.9
        Weight of the old value: torch and optax 0.9, Keras 0.95.
    eps : float >= 0, default 1e-6
        Inside both roots (all three frameworks): torch and optax 1e-6, Keras 1e-7. With
        ``eps = 0`` the first step is 0 (``E[Delta^2]_0 = 0``) and the method never moves.

    float16 params: float32 state and arithmetic (``g**2`` and eps underflow in float16),
    float16 updates.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adadelta()
    >>> s = opt.init(np.zeros(1))
    >>> u, s = opt.update(np.array([1.0]), s); u.round(9).tolist()
    [-0.003162262]
    """
    func = "adadelta"
    lr = check_lr(lr, func)
    rho = check_beta(rho, func, "rho")
    eps = check_eps(eps, func)
    guard = eps == 0.0

    def direction(g, p, t, eta, e_g, e_x):
        # EMAs as decay * old + (1 - decay) * new: exact at decay 0 (see adam.py)
        e_g *= rho
        e_g += (1.0 - rho) * g * g                      # E[g^2]_t
        den = e_g + eps
        if guard:
            guard_zero(den)
        delta = np.sqrt((e_x + eps) / den) * g         # Delta_t, with E[Delta^2]_{t-1}
        e_x *= rho
        e_x += (1.0 - rho) * delta * delta              # E[Delta^2]_t (Delta before lr)
        return -eta * delta

    return make_optimizer(func, AdadeltaState, direction, lr, ("e_g", "e_x"), adaptive=True)
