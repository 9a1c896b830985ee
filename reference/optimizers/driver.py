"""``minimize``: run any :class:`Optimizer` on a gradient function, with a step budget.

The loop every law and example needs, written once: evaluate the gradient, stop when its
norm is at most ``tol``, otherwise ask the optimiser for ``updates`` and apply them.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from .._validation import _short, as_float_array, check_in_range, check_positive_int
from ._base import Optimizer, apply_updates

__all__ = ["MinimizeResult", "minimize"]


class MinimizeResult(NamedTuple):
    """``x``: the last iterate; ``steps``: updates applied; ``converged``: ``tol`` was given
    and ``grad_norm <= tol``; ``grad_norm``: ``||grad_fn(x)||_2`` (inf when the run
    diverged); ``history``: the iterates ``x_0 .. x_steps`` as a ``(steps + 1, *x.shape)``
    array when requested, else None."""

    x: np.ndarray
    steps: int
    converged: bool
    grad_norm: float
    history: np.ndarray | None


def minimize(optimizer: Optimizer, grad_fn: Callable, x0, *, steps: int, tol: float | None = None,
             history: bool = False) -> MinimizeResult:
    """Iterate ``x_{k+1} = x_k + update(grad_fn(x_k))`` for at most ``steps`` updates.

    .. code-block:: text

        x = copy(x0); state = optimizer.init(x)
        repeat steps times:
            g = grad_fn(x)
            if tol is not None and ||g|| <= tol: stop (converged)
            updates, state = optimizer.update(g, state, x); x = x + updates
        converged = tol is not None and ||grad_fn(x)|| <= tol

    Parameters
    ----------
    optimizer : Optimizer
        Anything with ``init(params)`` and ``update(grads, state, params)`` (optax style).
    grad_fn : callable
        ``x -> gradient`` of the shape of ``x``.
    x0 : array_like
        Starting point, finite; copied (never modified). Integers become float64.
    steps : int >= 0
        Budget of updates.
    tol : float >= 0 or None, default None
        Stop as soon as ``||grad_fn(x)||_2 <= tol``. None: run the whole budget (then
        ``converged`` is False).
    history : bool, default False
        Also return every iterate.

    The gradient is evaluated at the iterate ``x``. ``nesterov_lookahead`` (seed 001's form)
    wants it at ``state.lookahead`` instead; drive it by hand, or use the equivalent
    ``sgd(lr, momentum, nesterov=True)``, whose iterates are that look-ahead point.

    NaN policy: a run that produces a non-finite iterate or gradient *stops* there and
    returns ``converged=False`` and ``grad_norm=inf``; ``x`` and ``history`` end at the last
    finite iterate (``steps`` counts the updates that gave finite iterates). Overflow
    warnings inside that divergent step are suppressed, since the result reports it.

    >>> from reference.optimizers import sgd
    >>> res = minimize(sgd(0.25), lambda x: 2 * x, [4.0], steps=3)
    >>> res.x.tolist(), res.steps, res.grad_norm
    ([0.5], 3, 1.0)
    """
    func = "minimize"
    if not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise TypeError(f"{func}: optimizer must have init and update (an Optimizer); got {_short(optimizer)}")
    if not callable(grad_fn):
        raise TypeError(f"{func}: grad_fn must be callable (x -> gradient); got {_short(grad_fn)}")
    x = np.array(as_float_array(x0, func, "x0"), dtype=np.float64)
    steps = check_positive_int(steps, func, "steps", minimum=0)
    if tol is not None:
        tol = check_in_range(tol, func, "tol", lo=0.0)
    if not isinstance(history, (bool, np.bool_)):
        raise TypeError(f"{func}: history must be True or False; got {_short(history)}")

    def gradient(at):
        g = np.asarray(grad_fn(at.copy()), dtype=np.float64)
        if g.shape != at.shape:
            raise ValueError(f"{func}: grad_fn must return an array of the shape of x {at.shape}; got {g.shape}")
        return g

    hist = [x.copy()] if history else None
    state = optimizer.init(x.copy())
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            g = gradient(x)
            gn = _norm(g)
            if not math.isfinite(gn):
                return _result(x, k, False, math.inf, hist)
            if tol is not None and gn <= tol:
                return _result(x, k, True, gn, hist)
            updates, state = optimizer.update(g, state, x.copy())
            updates = np.asarray(updates, dtype=np.float64)
            if not np.all(np.isfinite(updates)):            # the step itself overflowed
                return _result(x, k, False, math.inf, hist)
            new = apply_updates(x, updates)
            if not np.all(np.isfinite(new)):
                return _result(x, k, False, math.inf, hist)
            x = new
            if hist is not None:
                hist.append(x.copy())
        g = gradient(x)
        gn = _norm(g)
    if not math.isfinite(gn):
        return _result(x, steps, False, math.inf, hist)
    return _result(x, steps, tol is not None and gn <= tol, gn, hist)


def _norm(g: np.ndarray) -> float:
    """``||g||_2`` scaled by the largest magnitude: ``np.linalg.norm`` squares, which overflows
    for a finite gradient above 1.3e154 (and would stop the run as if it diverged) and
    underflows below 1e-154 (a zero norm would meet any tol)."""
    largest = float(np.max(np.abs(g), initial=0.0))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    return largest * float(np.linalg.norm(g / largest))


def _result(x, steps, converged, gn, hist) -> MinimizeResult:
    return MinimizeResult(x, steps, bool(converged), gn, None if hist is None else np.stack(hist))
