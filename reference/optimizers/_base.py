"""The optimiser interface shared by every first-order technique.

An optimiser is a pair of pure functions (optax's ``GradientTransformation``) plus a
torch-like in-place path:

* ``init(params) -> state``: a NamedTuple whose fields are named after the maths (``count``
  is the number of updates done; arrays have the shape and floating dtype of ``params``).
* ``update(grads, state, params=None) -> (updates, new_state)``: pure, modifies nothing;
  ``params + updates`` is the next iterate (:func:`apply_updates`).
* ``step_(params, grads, state) -> new_state``: ``params`` and the state's arrays
  overwritten (``torch.optim.Optimizer.step``). Both paths run the technique's one
  ``direction`` function, so ``step_`` gives bit for bit ``update`` + ``apply_updates``.

Params are one floating numpy array of any shape; grads and params are cast to the state's
dtype. float16 params: the adaptive methods (AdaGrad, RMSprop, AdaDelta, Adam) keep float32
state and compute in float32, because ``g**2`` and ``eps`` underflow in float16 (``g = 1e-4``
gives ``g**2 = 0``, then ``0/0``); their updates are rounded to float16 (the dtype of
``params``, or of ``grads`` when ``params`` is not given).

NaN policy: ``ValueError`` for NaN/inf ``grads``, and for NaN/inf ``params`` where the update
reads them (weight decay, the look-ahead), before anything is written. The adaptive methods
keep ``g**2`` in their state, which overflows for ``|g|`` above ``sqrt`` of the largest float
(about 1.3e154 in float64, 1.8e19 in float32): such gradients raise ``ValueError``, also before
anything is written. A ragged nested list raises ``ValueError`` naming the argument.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

from .._validation import _short

__all__ = ["Optimizer", "apply_updates"]


class Optimizer(NamedTuple):
    """An optimiser: ``init(params) -> state``, pure ``update(grads, state, params=None) ->
    (updates, state)``, and the in-place ``step_(params, grads, state) -> state``.

    >>> import numpy as np
    >>> from reference.optimizers import sgd, apply_updates
    >>> opt = sgd(0.5)
    >>> p = np.array([1.0, -2.0]); s = opt.init(p)
    >>> u, s = opt.update(np.array([2.0, 2.0]), s, p)
    >>> apply_updates(p, u).tolist()
    [0.0, -3.0]
    """

    init: Callable
    update: Callable
    step_: Callable | None = None


def apply_updates(params, updates) -> np.ndarray:
    """Return ``params + updates`` (a new array; neither argument is modified).

    >>> apply_updates(np.array([1.0, 2.0]), np.array([-0.5, 0.5])).tolist()
    [0.5, 2.5]
    """
    p = _float_array(params, "apply_updates", "params")
    u = _float_array(updates, "apply_updates", "updates")
    if p.shape != u.shape:
        raise ValueError(f"apply_updates: updates must have the shape of params {p.shape}; got {u.shape}")
    if not (np.isfinite(p).all() and np.isfinite(u).all()):
        _raise_non_finite("apply_updates", params=p, updates=u)
    return p + u


def _float_array(x, func: str, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except ValueError:                          # numpy: "inhomogeneous shape" of a ragged list
        raise ValueError(f"{func}: {name} must be a rectangular array of numbers; got a ragged sequence "
                         f"{_short(x)}") from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{func}: {name} must be a real numeric array; got dtype {arr.dtype}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def _raise_non_finite(func: str, **arrays) -> None:
    for name, x in arrays.items():
        bad = 0 if x is None else int(x.size - np.count_nonzero(np.isfinite(x)))
        if bad:
            raise ValueError(f"{func}: {name} must be finite; got {bad} NaN/inf value(s) in an array of shape {x.shape}")


def lr_at(lr, count: int, func: str) -> float:
    """The learning rate of the update that follows ``count`` earlier updates (optax's
    convention: a schedule is called with the 0-based step count)."""
    if not callable(lr):
        return lr
    value = lr(count)
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)) \
            or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{func}: lr schedule must return a positive finite number; got {_short(value)} at step {count}")
    return float(value)


def correction(decay: float, t: int) -> float:
    """``1 - decay**t``, the bias-correction divisor of a zero-initialised EMA whose ``decay``
    weights the old value. Computed as ``-expm1(t log1p(-(1 - decay)))``, the formula of
    :func:`reference._numerics.bias_correction`, because ``1 - decay**t`` loses digits when
    ``decay**t`` is close to 1 (``b2 = 0.999`` early on). Bit for bit the shared helper:

    >>> from reference._numerics import bias_correction
    >>> all(correction(d, t) == float(bias_correction(1.0 - d, t))
    ...     for d in (0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-12) for t in (1, 2, 3, 10, 1000, 10**6, 10**9))
    True
    """
    alpha = 1.0 - decay
    if alpha == 1.0:                           # decay 0 or below eps/2: log1p(-1) = -inf, -expm1(-inf) = 1
        return 1.0
    return -math.expm1(t * math.log1p(-alpha))


def guard_zero(den: np.ndarray) -> np.ndarray:
    """Raise a denominator to the smallest normal number, in place. Used only when every eps
    is 0: a coordinate whose gradients have all been 0 then gets ``0 / tiny = 0``, the limit
    (and optax's mask), instead of ``0 / 0``."""
    return np.maximum(den, np.finfo(den.dtype).tiny, out=den)


def make_optimizer(func: str, state_cls, direction: Callable, lr, arrays: tuple, *, needs_params: bool = False,
                   adaptive: bool = False, fill: dict | None = None) -> Optimizer:
    """Build an :class:`Optimizer` from one technique's update.

    ``direction(g, p, t, eta, *state_arrays) -> updates`` is the technique's formula for
    update number ``t`` (1-based) with learning rate ``eta`` (:func:`lr_at`, checked before
    anything is written): it advances the state's arrays in place and returns the updates as
    a new array. ``state_cls`` is a NamedTuple ``(count, *fields)``; ``init`` makes the fields
    named in ``arrays`` (zeros, or ``fill[name](params, dtype)``), the others are None.
    ``needs_params``: the formula reads ``p`` (it must be given, finite). ``adaptive``: state
    and arithmetic in at least float32 (see the module docstring).
    """
    fields, fill = state_cls._fields[1:], fill or {}

    def state_dtype(p: np.ndarray) -> np.dtype:   # adaptive: float16 -> float32, others unchanged
        return np.promote_types(p.dtype, np.float32) if adaptive else p.dtype

    def init(params):
        p = _float_array(params, f"{func}.init", "params")
        dtype = state_dtype(p)
        return state_cls(0, *[(fill[f](p, dtype) if f in fill else np.zeros(p.shape, dtype)) if f in arrays
                              else None for f in fields])

    def prepare(name, grads, state, params):
        """Check the arguments (nothing is written before this returns); return grads and
        params in the state's dtype, the state's arrays and the dtype of the updates."""
        if not isinstance(state, state_cls):
            raise TypeError(f"{name}: state must be the {state_cls.__name__} made by {func}.init; got {_short(state)}")
        g = _float_array(grads, name, "grads")
        p = None
        if params is not None:
            p = _float_array(params, name, "params")
            if p.shape != g.shape:
                raise ValueError(f"{name}: grads must have the shape of params {p.shape}; got {g.shape}")
        elif needs_params:
            raise ValueError(f"{name}: params must be given (this configuration uses them); got None")
        first = state[1]                        # an array whenever init made any
        if isinstance(first, np.ndarray):
            if first.shape != g.shape:
                raise ValueError(f"{name}: grads must have the shape of the state {first.shape}; got {g.shape}")
            dtype = first.dtype
        else:
            dtype = state_dtype(g if p is None else p)
        if not (np.isfinite(g).all() and (not needs_params or np.isfinite(p).all())):
            _raise_non_finite(name, grads=g, params=p if needs_params else None)
        if adaptive and g.size and float(np.abs(g).max()) > math.sqrt(np.finfo(dtype).max):
            raise ValueError(f"{name}: grads must be at most sqrt({np.finfo(dtype).max:.4g}) in magnitude, or g**2 "
                             f"overflows the {dtype} state; got max |g| = {float(np.abs(g).max()):.4g} "
                             f"(rescale the loss)")
        out = np.dtype(np.float16) if (g if p is None else p).dtype == np.float16 else dtype
        return g.astype(dtype, copy=False), None if p is None else p.astype(dtype, copy=False), state[1:], out

    def update(grads, state, params=None):
        g, p, arrs, out = prepare(f"{func}.update", grads, state, params)
        new = [a.copy() if isinstance(a, np.ndarray) else a for a in arrs]
        t = state[0] + 1
        u = direction(g, p, t, lr_at(lr, t - 1, func), *new)
        return u.astype(out, copy=False), state_cls(t, *new)

    def step_(params, grads, state):
        name = f"{func}.step_"
        if not (isinstance(params, np.ndarray) and params.dtype.kind == "f" and params.flags.c_contiguous
                and params.flags.writeable):
            raise TypeError(f"{name}: params must be a writeable C-contiguous floating numpy array "
                            f"(it is updated in place); got {_short(params)}")
        g, p, arrs, out = prepare(name, grads, state, params)
        if state_dtype(params) != p.dtype:
            raise TypeError(f"{name}: params must have the state's dtype {p.dtype}; got {params.dtype}")
        if not all(a.flags.c_contiguous and a.flags.writeable for a in arrs if isinstance(a, np.ndarray)):
            raise TypeError(f"{name}: state arrays must be writeable and C-contiguous (as made by "
                            f"{func}.init); use update() for a state of views")
        t = state[0] + 1
        params += direction(g, p, t, lr_at(lr, t - 1, func), *arrs).astype(out, copy=False)
        return state_cls(t, *arrs)

    init.__qualname__, update.__qualname__, step_.__qualname__ = f"{func}.init", f"{func}.update", f"{func}.step_"
    return Optimizer(init, update, step_)
