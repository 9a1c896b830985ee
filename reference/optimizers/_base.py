"""The optimiser interface shared by every first-order technique, and its blocked kernel driver.

An optimiser is a pair of pure functions (optax's ``GradientTransformation``, seen in
``optax/_src/base.py``), plus a torch-like in-place fast path:

* ``init(params) -> state``: a small NamedTuple whose fields are named after the maths
  (``count`` is the number of updates done so far; arrays have the shape and floating
  dtype of ``params``).
* ``update(grads, state, params=None) -> (updates, new_state)``: pure; never modifies
  ``grads``, ``state`` or ``params``. ``params + updates`` is the next iterate
  (:func:`apply_updates`).
* ``step_(params, grads, state) -> new_state``: the same arithmetic applied in place, the
  way ``torch.optim.Optimizer.step`` works: ``params`` and the state's arrays are
  overwritten, ``grads`` is not. ``step_`` followed by nothing gives bit for bit the
  ``params`` that ``update`` followed by :func:`apply_updates` gives.

Params are one floating numpy array of any shape (no pytrees). Integer params are not
accepted by ``step_`` (they cannot be updated in place); ``init`` makes float64 state for
them.

Each technique writes its update arithmetic once, as a *kernel* acting on 1-d chunks of
at most :data:`BLOCK` elements with ``out=`` ufunc arguments and preallocated scratch, so
that every intermediate of a chunk stays in the cache and a step streams each array
through memory once. Large arrays are split between two threads (:data:`PARALLEL_WORK`).
``update`` runs the kernel on copies of the state; ``step_`` runs it on the state itself.

NaN policy: ``update`` and ``step_`` raise ``ValueError`` for NaN or infinite gradients
before anything is modified (the check costs one read of ``grads``: a BLAS sum of squares,
:func:`reference._numerics.all_finite`). Gradients above
about 1e154 in magnitude overflow ``g**2`` in the adaptive methods; that is not checked.
"""

from __future__ import annotations

import math
import numbers
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, NamedTuple

import numpy as np

from .._numerics import all_finite as _all_finite
from .._validation import _short, check_in_range

__all__ = ["Optimizer", "apply_updates"]

#: Elements per chunk: 2**17 float64 = 1 MiB per array, so the ~6 arrays a kernel touches
#: (grads, up to three state arrays, scratch, output) stay in the L3 cache between the
#: kernel's passes over a chunk, and each array streams through memory once per step.
#: Smaller chunks would fit the L2 cache, but each numpy ufunc call costs 1.5-2 us here
#: beyond its arithmetic: measured at n = 1e6, SGD float32 takes 690 us with chunks of
#: 2**14, 460 us with 2**17; Adam float32 at 1e5 280 us and 233 us.
BLOCK = 2**17

#: Elements per chunk when two threads share an array. Each ufunc call hands the GIL to the
#: other thread and takes it back, so chunks must be large: on 2**14 the hand-overs cost
#: more than the second core gains; from 2**16 on the split is up to twice as fast.
PARALLEL_BLOCK = 2**17

#: Arrays of up to this many elements get scratch of exactly their size (cached per size);
#: larger ones use slices of the BLOCK-sized scratch, so the cache stays small.
_EXACT_SCRATCH = 4096

#: An array is split in two halves, the second run on a worker thread (numpy releases the
#: GIL inside ufunc loops), when it has at least PARALLEL_MIN elements and a step makes at
#: least PARALLEL_WORK element-passes (elements times the full-array ufunc passes of the
#: technique's kernel, its ``passes``). Waking the worker and meeting at the barrier cost
#: 50-100 us here, so below that one thread is faster: measured, SGD (3 passes) gains from
#: the split from about 2**20 elements, Adam (14 passes) from about 2**18.
PARALLEL_MIN = 2**16
PARALLEL_WORK = 2**21
_WORKERS = min(2, os.cpu_count() or 1)
_POOL: list = []


def _split(n: int, passes: int) -> bool:
    """Whether an array of ``n`` elements is processed by two threads."""
    return n >= PARALLEL_MIN and n * passes >= PARALLEL_WORK and _WORKERS >= 2


def _pool() -> ThreadPoolExecutor:
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference-optimizers"))
    return _POOL[0]


#: A kernel ``kernel(out, g, p, arrays, coef, scratch, accumulate)`` on 1-d chunk views:
#: it advances the state ``arrays`` in place and writes the update into ``out`` (or adds
#: it to ``out`` when ``accumulate``, the in-place path where ``out is p``).
Kernel = Callable


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
    return p + u


# --- validation helpers (once per call; never inside a kernel) ---------------------------------

def _float_array(x, func: str, name: str) -> np.ndarray:
    if type(x) is np.ndarray and x.dtype.kind == "f":   # the common case, checked first (hot path)
        return x
    arr = x if isinstance(x, np.ndarray) else np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{func}: {name} must be a real numeric array; got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def _writeable_contiguous(a: np.ndarray) -> bool:
    flags = a.flags
    return flags.c_contiguous and flags.writeable


def _state_dtype(params: np.ndarray) -> np.dtype:
    return params.dtype if params.dtype.kind == "f" else np.dtype(np.float64)


def _all_finite_released(g: np.ndarray) -> bool:
    """:func:`_all_finite` for one thread's half of a 1-d array: ``np.isfinite`` chunk by
    chunk, which releases the GIL. scipy's BLAS wrappers hold it, so two threads checking
    with them take turns (measured at 1e7 float64: 7.5 ms on one thread, 7.5 ms on two;
    this: 6.3 ms and 3.6 ms)."""
    buf = np.empty(min(g.size, PARALLEL_BLOCK), bool)
    for lo in range(0, g.size, PARALLEL_BLOCK):
        chunk = g[lo:lo + PARALLEL_BLOCK]
        ok = buf[: chunk.size]
        np.isfinite(chunk, out=ok)
        if not ok.all():
            return False
    return True


def _check_finite(g: np.ndarray, func: str) -> None:
    if _all_finite(g):
        return
    bad = int(g.size - np.count_nonzero(np.isfinite(g)))
    raise ValueError(f"{func}: grads must be finite; got {bad} NaN/inf value(s) in an array of shape {g.shape}")


def check_lr(lr, func: str):
    """A positive finite float, or a schedule (callable ``step -> lr``)."""
    if callable(lr):
        return lr
    return check_in_range(lr, func, "lr", lo=0.0, lo_open=True)


def check_beta(value, func: str, name: str) -> float:
    return check_in_range(value, func, name, lo=0.0, hi=1.0, hi_open=True)


def check_eps(value, func: str, name: str = "eps") -> float:
    return check_in_range(value, func, name, lo=0.0)


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


# --- the generic optimiser built from a kernel ---------------------------------------------------

def make_optimizer(func: str, state_cls, arrays: tuple, kernel: Kernel, coefficients: Callable,
                   n_scratch: int, needs_params: bool = False, passes: int = 8) -> Optimizer:
    """Build an :class:`Optimizer` from one technique's pieces.

    ``state_cls`` is a NamedTuple whose first field is ``count``; ``arrays`` names the
    array fields that ``init`` allocates as zeros (a field absent from ``arrays`` is None).
    ``coefficients(t)`` returns the scalars of update number ``t`` (1-based), computed once
    per call in Python. ``n_scratch`` scratch chunks of :data:`BLOCK` elements are kept per
    dtype by this optimiser (they hold no state between calls).
    """
    fields = state_cls._fields[1:]
    field_index = range(1, len(fields) + 1)
    update_name, step_name = f"{func}.update", f"{func}.step_"
    scratch_cache: dict = {}

    def init(params, *, _init_values: dict | None = None):
        p = _float_array(params, f"{func}.init", "params")
        dtype = _state_dtype(p)
        vals = {f: (np.zeros(p.shape, dtype) if f in arrays else None) for f in fields}
        if _init_values:
            for f, fill in _init_values.items():
                vals[f] = fill(p, dtype)
        return state_cls(0, **vals)

    def _scratch(dtype, n: int) -> list:
        # ``n_scratch`` chunks of ``n`` elements, one set per (dtype, size, thread), so
        # concurrent calls (and the worker half) never share scratch. Sizes: the array's
        # own up to _EXACT_SCRATCH, else BLOCK or PARALLEL_BLOCK (shorter chunks are
        # slices of those).
        key = (dtype, n, threading.get_ident())
        s = scratch_cache.get(key)
        if s is None:
            if len(scratch_cache) >= 64:           # many sizes seen: start again
                scratch_cache.clear()
            s = scratch_cache[key] = list(np.empty((n_scratch, n), dtype))   # row views
        return s

    def _state_arrays(state) -> list:
        # one entry per field after count: the array, or None (fields init left None)
        return [a if isinstance(a := state[i], np.ndarray) else None for i in field_index]

    def _prepare(name, grads, state, params, inplace):
        if not isinstance(state, state_cls):
            raise TypeError(f"{name}: state must be the {state_cls.__name__} made by {func}.init; got {_short(state)}")
        g = _float_array(grads, name, "grads")
        arrs = _state_arrays(state)
        if params is not None:
            p = params if inplace else _float_array(params, name, "params")
            if p.shape != g.shape:
                raise ValueError(f"{name}: grads must have the shape of params {p.shape}; got {g.shape}")
        elif needs_params:
            raise ValueError(f"{name}: params must be given (this configuration uses them); got None")
        else:
            p = None
        for a in arrs:                             # state fields are arrays or None (as init made them)
            if a is not None:
                if g.shape != a.shape:
                    raise ValueError(f"{name}: grads must have the shape of the state {a.shape}; got {g.shape}")
                dtype = a.dtype
                break
        else:
            dtype = p.dtype if p is not None and p.dtype.kind == "f" else _state_dtype(g)
        if not _split(g.size, passes):                     # else _run checks each half on its own thread
            _check_finite(g, name)                 # before anything is written
        return g, p, arrs, dtype

    def _chunks(dtype, of, gf, pf, af, coef, accumulate, start, stop, block):
        scratch = _scratch(dtype, block)
        for lo in range(start, stop, block):
            hi = min(lo + block, stop)
            sl = slice(lo, hi)
            kernel(of[sl], gf[sl], None if pf is None else pf[sl], [None if a is None else a[sl] for a in af],
                   coef, scratch if hi - lo == block else [s[: hi - lo] for s in scratch], accumulate)

    def _run(name, out, g, p, arrs, coef, dtype, accumulate):
        # Every array here is C-contiguous (ravel is a view) or a fresh copy (update's
        # state, out), except g and p, which ravel copies if they are not.
        n = out.size
        if out.ndim == 1 and n <= _EXACT_SCRATCH:  # the common small case: no reshaping
            kernel(out, g, p, arrs, coef, _scratch(dtype, n), accumulate)
            return
        of, gf = out.ravel(), g.ravel()
        pf = None if p is None else p.ravel()
        af = [None if a is None else a.ravel() for a in arrs]
        if n <= BLOCK:
            scratch = _scratch(dtype, n) if n <= _EXACT_SCRATCH else [s[:n] for s in _scratch(dtype, BLOCK)]
            kernel(of, gf, pf, af, coef, scratch, accumulate)
            return
        if not _split(n, passes):
            _chunks(dtype, of, gf, pf, af, coef, accumulate, 0, n, BLOCK)
            return
        # Two threads, each first checking its half of grads for NaN/inf (one read, spread
        # over both cores), then, only when both halves are finite (the barrier makes each
        # thread wait for the other's verdict), updating its half in chunks of
        # PARALLEL_BLOCK. Element-wise: the split changes no bit.
        mid = n // 2 // 64 * 64                    # a cache-line boundary
        finite = [False, False]
        barrier = threading.Barrier(2)

        def half(i, start, stop):
            try:
                finite[i] = _all_finite_released(gf[start:stop])
                barrier.wait()
            except BaseException:
                barrier.abort()                    # never leave the other thread waiting
                raise
            if finite[0] and finite[1]:
                _chunks(dtype, of, gf, pf, af, coef, accumulate, start, stop, PARALLEL_BLOCK)

        second = _pool().submit(half, 1, mid, n)
        try:
            half(0, 0, mid)
        except threading.BrokenBarrierError:
            second.result()                        # the worker failed first: raise its error
            raise
        finally:
            second.exception()                     # always wait for the worker
        second.result()
        if not (finite[0] and finite[1]):
            _check_finite(g, name)                 # raises, counting the bad values

    def update(grads, state, params=None):
        g, p, arrs, dtype = _prepare(update_name, grads, state, params, False)
        t = state[0] + 1
        coef = coefficients(t)
        new = [None if a is None else a.copy() for a in arrs]
        out = np.empty(g.shape, dtype)
        _run(update_name, out, g, p, new, coef, dtype, False)
        return out, state_cls(t, *[s if a is None else a for s, a in zip(state[1:], new)])

    def step_(params, grads, state):
        if not isinstance(params, np.ndarray) or params.dtype.kind != "f" or not _writeable_contiguous(params):
            raise TypeError(f"{step_name}: params must be a writeable C-contiguous floating numpy array "
                            f"(it is updated in place); got {_short(params)}")
        g, p, arrs, dtype = _prepare(step_name, grads, state, params, True)
        if p.dtype != dtype:
            raise TypeError(f"{step_name}: params must have the state's dtype {dtype}; got {p.dtype}")
        for a in arrs:
            if a is not None and not _writeable_contiguous(a):
                raise TypeError(f"{step_name}: state arrays must be writeable and C-contiguous (as made by "
                                f"{func}.init); use update() for a state of views")
        t = state[0] + 1
        _run(step_name, p, g, p, arrs, coefficients(t), dtype, True)
        return state_cls(t, *state[1:])

    init.__name__, update.__name__, step_.__name__ = "init", "update", "step_"
    init.__qualname__, update.__qualname__, step_.__qualname__ = f"{func}.init", f"{func}.update", f"{func}.step_"
    return Optimizer(init, update, step_)


def emit(out, d, scale: float, accumulate: bool, tmp) -> None:
    """Write ``scale * d`` into ``out`` (pure path), or add it to ``out`` (in place), using
    the scratch chunk ``tmp`` (which may be ``d`` itself when ``d`` is scratch).

    Both paths round ``scale * d`` identically, so ``step_`` and ``update`` followed by
    :func:`apply_updates` agree bit for bit.
    """
    if accumulate:
        np.multiply(d, scale, out=tmp)
        np.add(out, tmp, out=out)
    else:
        np.multiply(d, scale, out=out)


def emit_raw(out, d, accumulate: bool) -> None:
    """Write ``d`` into ``out``, or add it to ``out`` in place."""
    if accumulate:
        np.add(out, d, out=out)
    else:
        np.copyto(out, d)


def check_bool(value, func: str, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{func}: {name} must be True or False; got {_short(value)}")
    return bool(value)


# --- shared numerics of the adaptive methods (written once, used by every kernel) -----------------

_TINY = {np.dtype(d): np.finfo(d).tiny for d in (np.float16, np.float32, np.float64)}


def ema_(avg, x, decay: float, tmp) -> None:
    """``avg <- decay * avg + (1 - decay) * x`` in place (``decay`` weights the OLD value:
    torch's ``alpha``/``betas``, optax's ``decay``/``b1``/``b2``, Keras's ``rho``/``beta_1``).

    Seed 001 writes ``beta * new + (1 - beta) * old``: its ``beta`` is ``1 - decay`` here,
    and its correction ``1 - (1 - beta)**t`` is ``1 - decay**t``. Evaluated as two products
    and a sum, which is exact at ``decay = 0`` (``avg <- x``; Adam with ``b1 = 0`` is then
    RMSprop bit for bit). :func:`reference._numerics.ema_update`'s form
    ``avg + alpha (x - avg)`` is not: ``avg + (x - avg)`` rounds when ``x`` is much smaller
    than ``avg``.
    """
    np.multiply(x, 1.0 - decay, out=tmp)
    np.multiply(avg, decay, out=avg)
    np.add(avg, tmp, out=avg)


def correction(decay: float, t: int) -> float:
    """``1 - decay**t``, the bias-correction divisor of a zero-initialised EMA: the formula of
    the shared :func:`reference._numerics.bias_correction` (``-expm1(t log1p(-alpha))`` with
    ``alpha = 1 - decay``, accurate when ``decay**t`` is close to 1), evaluated on Python
    floats with :mod:`math` (the same libm functions, a tenth of the cost of numpy's scalar
    path and its ``errstate``; it runs once or twice per step). Bit for bit the shared helper:

    >>> from reference._numerics import bias_correction
    >>> all(correction(d, t) == float(bias_correction(1.0 - d, t))
    ...     for d in (0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-12) for t in (1, 2, 3, 10, 1000, 10**6, 10**9))
    True
    """
    if decay == 0.0:
        return 1.0                             # log1p(-1) = -inf; -expm1(-inf) = 1
    return -math.expm1(t * math.log1p(-(1.0 - decay)))


def ema_sq_(avg, x, decay: float, tmp) -> None:
    """``avg <- decay * avg + (1 - decay) * x**2`` in place, evaluated as torch does
    (``mul_(decay).addcmul_(x, x, value=1 - decay)``); see :func:`ema_`."""
    np.multiply(x, 1.0 - decay, out=tmp)
    np.multiply(tmp, x, out=tmp)
    np.multiply(avg, decay, out=avg)
    np.add(avg, tmp, out=avg)


def rms_denominator(v, scale: float, eps_root: float, eps: float, guard: bool, out) -> None:
    """``out <- sqrt(scale * v + eps_root) + eps``, the adaptive methods' denominator.

    ``scale`` is a bias correction ``1 / (1 - decay**t)`` (or 1). eps inside the root is
    ``eps_root`` (optax/Keras RMSprop and Adagrad put their eps there), outside is ``eps``
    (torch). With ``guard`` (only needed when both eps are 0) the result is raised to the
    smallest normal number, so a coordinate with ``v = 0`` (hence ``g = 0``) divides 0 by
    it and gets update 0 instead of 0/0.
    """
    src = v
    if scale != 1.0:
        np.multiply(v, scale, out=out)
        src = out
    if eps_root:
        np.add(src, eps_root, out=out)
        src = out
    np.sqrt(src, out=out)
    if eps:
        np.add(out, eps, out=out)
    if guard:
        np.maximum(out, _TINY[out.dtype], out=out)
