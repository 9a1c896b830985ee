"""AdaGrad: per-coordinate steps scaled by the root of the sum of squared gradients.

Source: seed 001 ("AdaGrad: approximation by averaging", ``G_i = sqrt(sum_j g_ij^2)``);
Duchi, Hazan & Singer (2011), the diagonal version of eq. (1). Seed 001 divides the
gradient of step t by ``G^(t-1)``, which does not yet contain ``g_t`` (and is 0 on the
first step); the paper and every framework include ``g_t``, as this reference does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_bool, check_eps, check_in_range, check_lr
from ._base import Optimizer, guard_zero, make_optimizer

__all__ = ["AdagradState", "adagrad"]

class AdagradState(NamedTuple):
    """``count``: updates done; ``sum_of_squares``: ``G``, the running sum of ``g**2``
    (plus ``initial_accumulator_value``)."""

    count: int
    sum_of_squares: np.ndarray


def adagrad(lr=1e-2, eps: float = 1e-10, initial_accumulator_value: float = 0.0,
            eps_inside_sqrt: bool = False, lr_decay: float = 0.0) -> Optimizer:
    """AdaGrad.

    .. math::

        G_t = G_{t-1} + g_t^2,\\quad G_0 = G_{init},\\qquad
        \\eta'_t = \\frac{\\eta_t}{1 + (t-1)\\,\\delta},\\qquad
        \\theta_t = \\theta_{t-1} - \\eta'_t\\,\\frac{g_t}{\\sqrt{G_t} + \\epsilon}
        \\quad\\Big(\\text{or } \\frac{g_t}{\\sqrt{G_t + \\epsilon}}\\Big)

    Parameters
    ----------
    lr : float > 0 or schedule, default 1e-2
        ``eta`` (torch's default; Keras 1e-3; optax requires it).
    eps : float >= 0, default 1e-10
        torch 1e-10 (outside the root); optax and Keras 1e-7 (inside).
    initial_accumulator_value : float >= 0, default 0
        ``G_init``: torch 0; optax and Keras 0.1.
    eps_inside_sqrt : bool, default False
        False: ``sqrt(G) + eps`` (torch). True: ``sqrt(G + eps)`` (optax, Keras).
    lr_decay : float >= 0, default 0
        ``delta``; torch only (elsewhere use a schedule).

    With ``eps = 0`` a coordinate whose gradients have all been 0 gets update 0 (the
    limit, and optax's mask), not 0/0.

    float16 params: float32 state and arithmetic (``g**2`` and eps underflow in float16),
    float16 updates.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adagrad(0.1, eps=0.0)
    >>> s = opt.init(np.zeros(3))
    >>> u, s = opt.update(np.array([3.0, -0.5, 0.0]), s); (u + 0.0).tolist()
    [-0.1, 0.1, 0.0]
    """
    func = "adagrad"
    lr = check_lr(lr, func)
    eps = check_eps(eps, func)
    g0 = check_in_range(initial_accumulator_value, func, "initial_accumulator_value", lo=0.0)
    inside = check_bool(eps_inside_sqrt, func, "eps_inside_sqrt")
    decay = check_in_range(lr_decay, func, "lr_decay", lo=0.0)
    guard = eps == 0.0 and g0 == 0.0    # 0/0 is possible only then

    def direction(g, p, t, eta, G):
        G += g * g                                      # G_t = G_{t-1} + g_t^2
        den = np.sqrt(G + eps) if inside else np.sqrt(G) + eps
        if guard:
            guard_zero(den)
        return -eta / (1.0 + (t - 1) * decay) * (g / den)

    fill = {"sum_of_squares": lambda p, dtype: np.full(p.shape, g0, dtype)} if g0 else None
    return make_optimizer(func, AdagradState, direction, lr, ("sum_of_squares",), adaptive=True, fill=fill)
