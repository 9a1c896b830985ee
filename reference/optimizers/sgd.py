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

from ._base import (check_beta, check_bool, check_lr, emit, emit_raw, lr_at, make_optimizer, Optimizer)
from .._validation import check_in_range

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

    def coefficients(t):
        return lr_at(lr, t - 1, func), t == 1

    def decayed(g, p, s):
        if not wd:
            return g
        np.multiply(p, wd, out=s)
        np.add(s, g, out=s)
        return s

    def plain(out, g, p, arrays, coef, scratch, acc):
        eta, _ = coef
        emit(out, decayed(g, p, scratch[0]), -eta, acc, scratch[1])

    def heavy_ball(out, g, p, arrays, coef, scratch, acc):
        eta, first = coef
        (b,), (s0, s1, _) = arrays, scratch
        gp = decayed(g, p, s0)
        if first:
            np.copyto(b, gp)
        else:
            np.multiply(b, mu, out=b)
            if tau:
                np.multiply(gp, 1.0 - tau, out=s1)
                np.add(b, s1, out=b)
            else:
                np.add(b, gp, out=b)
        if nesterov:
            np.multiply(b, mu, out=s1)
            np.add(s1, gp, out=s1)
            emit(out, s1, -eta, acc, s1)
        else:
            emit(out, b, -eta, acc, s1)

    def velocity_form(out, g, p, arrays, coef, scratch, acc):
        eta, _ = coef
        (u,), (s0, s1, s2) = arrays, scratch
        gp = decayed(g, p, s0)
        np.multiply(gp, -eta, out=s1)          # -eta g'
        np.multiply(u, mu, out=u)
        np.add(u, s1, out=u)                   # u = mu u - eta g'
        if nesterov:
            np.multiply(u, mu, out=s2)
            np.add(s2, s1, out=s2)
            emit_raw(out, s2, acc)
        else:
            emit_raw(out, u, acc)

    if not mu:
        kernel, arrays = plain, ()
    else:
        kernel, arrays = (velocity_form if inside else heavy_ball), ("velocity",)
    return make_optimizer(func, SGDState, arrays, kernel, coefficients, 3, needs_params=bool(wd),
                          passes=3 + 2 * bool(wd) + (2 + 2 * nesterov) * bool(mu))


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

    def coefficients(t):
        return lr_at(lr, t - 1, func)

    def kernel(out, g, p, arrays, eta, scratch, acc):
        (u, look), (s0,) = arrays, scratch
        np.multiply(g, -eta, out=s0)
        np.multiply(u, mu, out=u)
        np.add(u, s0, out=u)                   # u = gamma u - eta g
        if acc:                                # p is out: theta += u, then look = theta + gamma u
            np.add(p, u, out=p)
            np.add(p, np.multiply(u, mu, out=s0), out=look)
        else:
            np.copyto(out, u)
            np.add(p, u, out=look)
            np.add(look, np.multiply(u, mu, out=s0), out=look)

    opt = make_optimizer(func, NesterovLookaheadState, ("velocity", "lookahead"), kernel, coefficients, 1,
                         needs_params=True, passes=7)
    init = opt.init

    def init_lookahead(params):
        return init(params, _init_values={"lookahead": lambda p, dtype: np.array(p, dtype=dtype, copy=True)})

    init_lookahead.__qualname__ = f"{func}.init"
    return opt._replace(init=init_lookahead)
