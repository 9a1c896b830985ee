"""Adam and its variants AdamW (decoupled weight decay) and AMSGrad.

Source: seed 001 ("Adam: combining Hessian approximation and momentum"); Kingma & Ba
(2015), Algorithm 1 and section 2.1; Loshchilov & Hutter (2019), Algorithm 2 (AdamW);
Reddi, Kale & Kumar (2018), Algorithm 2 (AMSGrad).

Seed 001 writes ``m = beta1 g + (1 - beta1) m`` (its ``beta1`` weights the NEW value) and
corrects with ``1 - (1 - beta1)**t``: with ``b1 = 1 - beta1`` that is exactly the form here,
``m = b1 m + (1 - b1) g`` with correction ``1 - b1**t``. Seed 001 then steps with
``m_hat^(t-1) / sqrt(r_hat^(t-1))``, the moments of the *previous* step; Algorithm 1 (and
every framework) uses the moments that include ``g_t``, as this reference does.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._validation import check_beta, check_bool, check_choice, check_eps, check_in_range, check_lr
from ._base import Optimizer, correction, guard_zero, make_optimizer

__all__ = ["AdamState", "adam"]


class AdamState(NamedTuple):
    """``count``: updates done ``t``; ``mu``: EMA of ``g`` (``m``); ``nu``: EMA of ``g**2``
    (``v``, seed 001's ``r``); ``nu_max``: running max of ``nu`` (``amsgrad`` only)."""

    count: int
    mu: np.ndarray
    nu: np.ndarray
    nu_max: np.ndarray | None


def adam(lr=1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, eps_root: float = 0.0,
         eps_form: str = "sqrt_vhat", amsgrad: bool = False, weight_decay: float = 0.0) -> Optimizer:
    """Adam with bias correction (Kingma & Ba, Algorithm 1), optionally AdamW and AMSGrad.

    .. math::

        m_t = \\beta_1 m_{t-1} + (1-\\beta_1) g_t,\\qquad
        v_t = \\beta_2 v_{t-1} + (1-\\beta_2) g_t^2,\\qquad
        \\hat m_t = \\frac{m_t}{1-\\beta_1^t},\\quad \\hat v_t = \\frac{v_t}{1-\\beta_2^t}

        \\theta_t = \\theta_{t-1} - \\eta_t\\Big(\\frac{\\hat m_t}{\\sqrt{\\hat v_t + \\epsilon_{root}} + \\epsilon}
        + \\lambda\\,\\theta_{t-1}\\Big)

    Parameters
    ----------
    lr : float > 0 or schedule, default 1e-3
        ``eta`` (torch and Keras 1e-3; optax requires it).
    b1, b2 : float in [0, 1), default 0.9, 0.999
        Weights of the OLD moment (all frameworks). Seed 001's ``beta`` is ``1 - b``.
    eps : float >= 0, default 1e-8
        torch and optax 1e-8, Keras 1e-7.
    eps_root : float >= 0, default 0
        optax's eps inside the root; torch and Keras have none. Only with ``"sqrt_vhat"``.
    eps_form : {"sqrt_vhat", "eps_hat"}, default "sqrt_vhat"
        ``"sqrt_vhat"``: eps added to ``sqrt(v_hat)`` (Algorithm 1; torch, optax).
        ``"eps_hat"``: Kingma & Ba's section-2 "epsilon hat" form used by Keras,
        ``eta sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``: eps added to the root of
        the *uncorrected* ``v`` (equal to Algorithm 1 with ``eps_t = eps / sqrt(1 - b2^t)``).
    amsgrad : bool, default False
        Divide by the running max of the raw ``v`` (torch and Keras); optax takes the max
        of ``v_hat`` instead, which gives other trajectories.
    weight_decay : float >= 0, default 0
        ``lambda``, decoupled (AdamW: torch ``AdamW`` default 1e-2, optax ``adamw`` 1e-4,
        Keras ``AdamW`` 4e-3). torch ``Adam(weight_decay=...)`` is coupled L2 instead
        (add ``lambda theta`` to the gradient yourself to get it).

    float16 params: float32 state and arithmetic (``g**2`` and eps underflow in float16),
    float16 updates.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adam(0.1, eps=0.0)
    >>> s = opt.init(np.zeros(2))
    >>> u, s = opt.update(np.array([3.0, -1e-3]), s); u.tolist()
    [-0.1, 0.1]
    """
    func = "adam"
    lr = check_lr(lr, func)
    b1 = check_beta(b1, func, "b1")
    b2 = check_beta(b2, func, "b2")
    eps = check_eps(eps, func)
    eps_root = check_eps(eps_root, func, "eps_root")
    check_choice(eps_form, func, "eps_form", ("sqrt_vhat", "eps_hat"))
    hat = eps_form == "eps_hat"
    if hat and eps_root:
        raise ValueError(f"{func}: eps_root must be 0 with eps_form='eps_hat'; got {eps_root!r}")
    amsgrad = check_bool(amsgrad, func, "amsgrad")
    wd = check_in_range(weight_decay, func, "weight_decay", lo=0.0)
    guard = eps == 0.0 and eps_root == 0.0

    def direction(g, p, t, eta, m, v, v_max):
        # Each EMA as decay * old + (1 - decay) * new, in place: exact at decay 0 (b1 = 0
        # gives m = g, so Adam is RMSprop with bias correction bit for bit), where the
        # form old + (1 - decay) * (new - old) rounds.
        m *= b1
        m += (1.0 - b1) * g                             # m_t = b1 m + (1 - b1) g
        v *= b2
        v += (1.0 - b2) * g * g                         # v_t = b2 v + (1 - b2) g^2
        if amsgrad:
            np.maximum(v_max, v, out=v_max)             # the max of the raw v (torch, Keras)
            v = v_max
        bc1, bc2 = correction(b1, t), correction(b2, t)
        if hat:                                         # eta sqrt(bc2) / bc1 * m / (sqrt(v) + eps)
            den = np.sqrt(v) + eps
            step_size = eta * math.sqrt(bc2) / bc1
        else:                                           # (m / bc1) / (sqrt(v / bc2 + eps_root) + eps)
            den = np.sqrt(v / bc2 + eps_root) + eps
            step_size = eta / bc1                       # m_hat's 1 / bc1 applied with lr (torch)
        if guard:
            guard_zero(den)
        u = -step_size * (m / den)
        if wd:
            u -= eta * wd * p                           # decoupled: - eta lambda theta
        return u

    arrays = ("mu", "nu") + (("nu_max",) if amsgrad else ())
    return make_optimizer(func, AdamState, direction, lr, arrays, needs_params=bool(wd), adaptive=True)
