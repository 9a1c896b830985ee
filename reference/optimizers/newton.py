"""Newton-Raphson: the step ``-eta H^-1 g``, by solving ``H d = g`` (never inverting H).

Source: seed 001 ("2nd order methods"): the second-order Taylor expansion, set its
gradient to zero, ``theta* - theta = -H^-1 grad L``; with a step ``eta``,
``theta_t = theta_{t-1} - eta H^-1 grad L(theta_{t-1})``. Its example ``L = theta . A theta``
gives ``theta_t = (1 - eta) theta_{t-1}`` ("What??"): on any quadratic the error contracts
by exactly ``1 - eta`` per step, whatever the conditioning, and ``eta = 1`` reaches the
minimiser in one step. Nocedal & Wright (2006), section 3.3 and 3.4 (affine invariance).

Numerics: ``numpy.linalg.solve`` (LU with partial pivoting, backward stable), so the
computed direction has relative error about ``d cond(H) eps``. Forming ``H^-1`` would cost
the same and be less accurate. A Hessian whose smallest singular value is at or below
``d eps`` times its largest is treated as singular (the solve would return rounding noise)
and raises ``ValueError``; so do NaN/inf entries. Indefinite but nonsingular Hessians are
accepted: the step then goes to the saddle or maximum of the local model, as the formula
says (damping or trust regions are beyond this reference).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .._numerics import EPS64, pow2_scale
from .._validation import _short, as_float_array, check_in_range
from ._base import Optimizer

__all__ = ["NewtonState", "newton_step", "newton"]


class NewtonState(NamedTuple):
    """``count``: updates done (Newton keeps no other state)."""

    count: int


def _direction(grad: np.ndarray, hessian, func: str) -> np.ndarray:
    """``H^-1 g`` by a solve, with the singular / non-finite checks of the module."""
    d = grad.shape[0]
    h = as_float_array(hessian, func, "hessian", ndim=2)
    if h.shape != (d, d):
        raise ValueError(f"{func}: hessian must have shape ({d}, {d}) to match grad; got {h.shape}")
    # H / s_h and g / s_g with powers of two (exact): the solve neither overflows nor loses
    # digits to subnormals; H^-1 g = (s_g / s_h) (H / s_h)^-1 (g / s_g). The factor s_g / s_h is
    # applied as a power-of-two exponent (ldexp, one rounding): as a float it overflows (or
    # underflows) whenever the two scales are 2^1024 apart, e.g. g = 1e-68 against a subnormal
    # H = 3e-309, though the step 7e240 is representable.
    s_h, s_g = float(pow2_scale(np.max(np.abs(h)))), float(pow2_scale(np.max(np.abs(grad))))
    h = np.asarray(h, dtype=np.float64) / s_h
    s = np.linalg.svd(h, compute_uv=False)
    if not s[-1] > d * EPS64 * s[0]:
        raise ValueError(f"{func}: hessian must be nonsingular; got singular values in [{s[-1] * s_h:.3g}, "
                         f"{s[0] * s_h:.3g}] (the smallest must exceed d*eps*largest = {d * EPS64 * s[0] * s_h:.3g})")
    shift = int(np.frexp(s_g)[1]) - int(np.frexp(s_h)[1])
    return np.ldexp(np.linalg.solve(h, grad / s_g), shift)


def _step(lr: float, grad: np.ndarray, hessian, func: str, params=None) -> np.ndarray:
    """``-lr * H^-1 g`` (and ``params`` plus it), or a ValueError when it overflows: the
    step is then not representable in float64, e.g. a gradient of 1e200 against a
    curvature of 1e-200."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = -lr * _direction(grad, hessian, func)
        if params is not None:
            out = params + out
    if not np.isfinite(out).all():
        raise ValueError(f"{func}: the step lr * hessian^-1 grad must fit float64; got an overflow "
                         f"(|grad| up to {float(np.max(np.abs(grad))):.3g}, lr = {lr!r}): the Hessian is too "
                         f"flat for this gradient")
    return out


def _vector(x, func: str, name: str) -> np.ndarray:
    return np.asarray(as_float_array(x, func, name, ndim=1), dtype=np.float64)


def newton_step(params, grad, hessian, lr: float = 1.0) -> np.ndarray:
    """One damped Newton-Raphson step ``params - lr * solve(hessian, grad)``.

    .. math::  \\theta_t = \\theta_{t-1} - \\eta\\, H^{-1} \\nabla L(\\theta_{t-1})

    Parameters
    ----------
    params : array_like, shape (d,)
        ``theta_{t-1}``, finite.
    grad : array_like, shape (d,)
        ``grad L(theta_{t-1})``, finite.
    hessian : array_like, shape (d, d)
        ``H`` at ``theta_{t-1}``, finite and nonsingular (see the module docstring).
    lr : float > 0, default 1.0
        ``eta``: 1 is the full Newton step; seed 001 calls it the learning rate.

    Returns a new float64 array; no argument is modified.

    >>> newton_step([1.0, 1.0], [2.0, 6.0], [[2.0, 0.0], [0.0, 6.0]], lr=0.5).tolist()
    [0.5, 0.5]
    """
    func = "newton_step"
    p = _vector(params, func, "params")
    g = _vector(grad, func, "grad")
    if g.shape != p.shape:
        raise ValueError(f"{func}: grad must have the shape of params {p.shape}; got {g.shape}")
    lr = check_in_range(lr, func, "lr", lo=0.0, lo_open=True)
    return _step(lr, g, hessian, func, params=p)


def newton(hessian_fn: Callable, lr: float = 1.0) -> Optimizer:
    """Newton-Raphson as an :class:`Optimizer`: ``updates = -lr * solve(hessian_fn(params), grads)``.

    ``update(grads, state, params)`` needs ``params`` (the Hessian is evaluated there);
    ``step_`` applies the same update in place. See :func:`newton_step` for the formula,
    the parameters and the singular-Hessian policy.

    >>> from reference.problems import quadratic_form
    >>> prob = quadratic_form([1.0, 100.0])
    >>> opt = newton(prob.hessian, lr=0.5)
    >>> theta = np.array([1.0, 1.0]); state = opt.init(theta)
    >>> u, state = opt.update(prob.grad(theta), state, theta)
    >>> (theta + u).tolist(), state.count
    ([0.5, 0.5], 1)
    """
    func = "newton"
    if not callable(hessian_fn):
        raise TypeError(f"{func}: hessian_fn must be callable (params -> (d, d) Hessian); got {_short(hessian_fn)}")
    lr = check_in_range(lr, func, "lr", lo=0.0, lo_open=True)

    def init(params):
        _vector(params, f"{func}.init", "params")
        return NewtonState(0)

    def _updates(name, grads, state, params):
        if not isinstance(state, NewtonState):
            raise TypeError(f"{name}: state must be the NewtonState made by {func}.init; got {_short(state)}")
        if params is None:
            raise ValueError(f"{name}: params must be given (the Hessian is evaluated there); got None")
        p = _vector(params, name, "params")
        g = _vector(grads, name, "grads")
        if g.shape != p.shape:
            raise ValueError(f"{name}: grads must have the shape of params {p.shape}; got {g.shape}")
        return _step(lr, g, hessian_fn(p), name)

    def update(grads, state, params=None):
        return _updates(f"{func}.update", grads, state, params), NewtonState(state.count + 1)

    def step_(params, grads, state):
        name = f"{func}.step_"
        if not (isinstance(params, np.ndarray) and params.dtype == np.float64 and params.ndim == 1
                and params.flags.writeable):
            raise TypeError(f"{name}: params must be a writeable 1-d float64 numpy array "
                            f"(it is updated in place); got {_short(params)}")
        u = _updates(name, grads, state, params)
        with np.errstate(over="ignore"):
            new = params + u
        if not np.isfinite(new).all():
            raise ValueError(f"{name}: params + update must fit float64; got an overflow (params is unchanged)")
        params[...] = new
        return NewtonState(state.count + 1)

    init.__qualname__, update.__qualname__, step_.__qualname__ = f"{func}.init", f"{func}.update", f"{func}.step_"
    return Optimizer(init, update, step_)
