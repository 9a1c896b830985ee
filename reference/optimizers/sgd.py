"""Stochastic gradient descent: plain, with (heavy-ball) momentum, and Nesterov's accelerated
gradient in its two formulations.

Source: seed 001 ("Improving optimization": SGD with a decaying learning rate, momentum
``u = gamma u - eta grad``, NAG with the gradient at the look-ahead point); Polyak (1964);
Nesterov (1983); Sutskever, Martens, Dahl & Hinton (2013), eq. 3-4 and the reformulation
in Bengio, Boulanger-Lewandowski & Pascanu (2013), eq. 7, which frameworks implement.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validation import check_beta, check_bool, check_in_range, check_lr
from ._base import Optimizer, make_optimizer

__all__ = ["SGDState", "NesterovLookaheadState", "sgd", "nesterov_lookahead"]


class SGDState(NamedTuple):
    """``count``: updates done. ``velocity``: the momentum buffer (None without momentum).

    With ``lr_inside_velocity=False`` (torch, optax) it is torch's ``momentum_buffer`` ``b``
    in gradient units; with ``lr_inside_velocity=True`` (seed 001, Keras) it is seed 001's
    ``u``, the step itself. Under a constant lr, ``u = -lr * b``.
    """

    count: int
    velocity: np.ndarray | None


class NesterovLookaheadState(NamedTuple):
    """``velocity``: seed 001's ``u``; ``lookahead``: ``theta + gamma u``, the point where
    the caller must evaluate the next gradient."""

    count: int
    velocity: np.ndarray
    lookahead: np.ndarray


def sgd(lr, momentum: float = 0.0, nesterov: bool = False, dampening: float = 0.0,
        weight_decay: float = 0.0, lr_inside_velocity: bool = False) -> Optimizer:
    """SGD, optionally with momentum (heavy ball) or Nesterov momentum in the framework form.

    .. math::

        g' &= g_t + \\lambda\\,\\theta_{t-1} \\\\
        b_t &= \\begin{cases} g' & t = 1 \\\\ \\mu\\, b_{t-1} + (1-\\tau)\\, g' & t > 1\\end{cases} \\\\
        \\theta_t &= \\theta_{t-1} - \\eta_t\\,(g' + \\mu b_t \\text{ if nesterov else } b_t)

    or, with ``lr_inside_velocity=True`` (seed 001's form),

    .. math::

        u_t = \\mu\\, u_{t-1} - \\eta_t g',\\quad u_0 = 0,\\qquad
        \\theta_t = \\theta_{t-1} + (\\mu u_t - \\eta_t g' \\text{ if nesterov else } u_t)

    Parameters
    ----------
    lr : float > 0 or schedule
        ``eta``; a schedule is called with the number of updates done before (0 first).
    momentum : float in [0, 1), default 0
        ``mu`` (seed 001's ``gamma``, the "coefficient of friction"). 0 is plain SGD.
    nesterov : bool, default False
        Nesterov momentum in the reformulated variable ``phi = theta + mu u`` (Bengio et al.
        2013; torch, optax and Keras): the gradient is taken at the current params. It
        tracks the look-ahead point of :func:`nesterov_lookahead`. Unlike torch, allowed
        with ``momentum=0`` (it is then plain SGD).
    dampening : float in [0, 1], default 0
        ``tau``, torch only; like torch it is not applied on the first step. Not allowed
        with ``nesterov`` or ``lr_inside_velocity``.
    weight_decay : float >= 0, default 0
        ``lambda``: coupled L2 added to the gradient before the momentum (torch). Keras
        decouples it; optax has none (chain ``add_decayed_weights``).
    lr_inside_velocity : bool, default False
        False: torch and optax (the whole velocity is rescaled by the current lr). True:
        seed 001 and Keras (old learning rates stay baked into ``u``). Identical for a
        constant lr; they differ under a schedule (conventions.md section 1).

    Defaults are torch's (``optim.SGD``), except that ``lr`` is required (as in optax).

    Examples
    --------
    >>> import numpy as np
    >>> opt = sgd(0.1, momentum=0.9)
    >>> p = np.zeros(2); s = opt.init(p)
    >>> u, s = opt.update(np.ones(2), s, p); u.tolist()
    [-0.1, -0.1]
    >>> u, s = opt.update(np.ones(2), s, p); u.round(12).tolist()
    [-0.19, -0.19]
    """
    func = "sgd"
    lr = check_lr(lr, func)
    mu = check_beta(momentum, func, "momentum")
    nesterov = check_bool(nesterov, func, "nesterov")
    tau = check_in_range(dampening, func, "dampening", lo=0.0, hi=1.0)
    wd = check_in_range(weight_decay, func, "weight_decay", lo=0.0)
    inside = check_bool(lr_inside_velocity, func, "lr_inside_velocity")
    if tau and (nesterov or inside):
        raise ValueError(f"{func}: dampening must be 0 with nesterov=True or lr_inside_velocity=True; got {tau!r}")

    def direction(g, p, t, eta, velocity):
        if wd:
            g = g + wd * p                     # g' = g + lambda theta (coupled L2)
        if not mu:
            return -eta * g
        if inside:                             # seed 001 / Keras: u = mu u - eta g'
            u = velocity
            u *= mu
            u += -eta * g
            return mu * u + -eta * g if nesterov else u.copy()
        b = velocity                           # torch / optax: b = g' at t = 1, then mu b + (1 - tau) g'
        if t == 1:
            b[...] = g
        else:
            b *= mu
            b += (1.0 - tau) * g if tau else g  # dampening tau (torch only)
        return -eta * (g + mu * b if nesterov else b)

    return make_optimizer(func, SGDState, direction, lr, ("velocity",) if mu else (), needs_params=bool(wd))


def nesterov_lookahead(lr, momentum: float = 0.9) -> Optimizer:
    """Nesterov's accelerated gradient in seed 001's form: the gradient at the look-ahead point.

    .. math::

        u_t = \\gamma u_{t-1} - \\eta_t \\nabla L(\\theta_{t-1} + \\gamma u_{t-1}),\\quad u_0 = 0,
        \\qquad \\theta_t = \\theta_{t-1} + u_t

    The caller evaluates the gradient at ``state.lookahead`` (``theta + gamma u``, equal to
    the params after ``init``), not at the params; the update returned is ``u_t``.
    :func:`sgd` with ``nesterov=True`` is the same method in the variable
    ``phi = theta + gamma u`` (its params are this state's look-ahead point): that is the
    law "the two Nesterov formulations agree".

    Parameters
    ----------
    lr : float > 0 or schedule
        ``eta`` (inside the velocity, as in seed 001).
    momentum : float in [0, 1), default 0.9
        ``gamma``. With 0 this is plain SGD.

    Examples
    --------
    >>> import numpy as np
    >>> opt = nesterov_lookahead(0.1, 0.5)
    >>> theta = np.array([1.0]); s = opt.init(theta)
    >>> u, s = opt.update(2 * s.lookahead, s, theta)   # L = theta**2
    >>> theta = theta + u; theta.tolist(), s.lookahead.round(12).tolist()
    ([0.8], [0.7])
    """
    func = "nesterov_lookahead"
    lr = check_lr(lr, func)
    mu = check_beta(momentum, func, "momentum")

    def direction(g, theta, t, eta, u, lookahead):
        u *= mu
        u += -eta * g                          # u = gamma u - eta grad(lookahead)
        np.add(theta + u, mu * u, out=lookahead)   # the next look-ahead: theta_t + gamma u_t
        return u.copy()

    return make_optimizer(func, NesterovLookaheadState, direction, lr, ("velocity", "lookahead"), needs_params=True,
                          fill={"lookahead": lambda p, dtype: p.astype(dtype, copy=True)})
