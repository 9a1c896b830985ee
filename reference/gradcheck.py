"""Gradient checking: centred differences, the relative error and a pass/fail verdict.

Source: seed 003 ("Gradient Check": ``(J(theta + eps) - J(theta - eps)) / (2 eps)`` per
coordinate, then ``||d_num - d|| / (||d_num|| + ||d||)`` with ~1e-7 good, 1e-5 suspicious,
1e-3 wrong). ``conventions.md`` section 9 compares the framework tools.

Errata in the seed that these functions do *not* reproduce (each is a negative control in
``properties/controls/gradcheck.py``): the pseudo-code ``... / 2*eps``, which by operator
precedence *multiplies* by ``eps / 2`` instead of dividing by ``2 eps``; and the "Euclidean
distance" ``sqrt(sum (b_i^2 - a_i^2)^2)``, which is not a distance (it is 0 for ``b = -a``).
The seed's own definition of the derivative, the forward difference ``(f(x+h) - f(x)) / h``,
has error O(h), not O(h^2); it is a control too.

Which rule this mirrors: the numerical gradient is torch's (``torch.autograd.gradcheck``:
the full gradient, one element at a time, by central difference with an absolute step), not
JAX's (``jax.test_util.check_grads``: one random direction). The pass rule is the seed's
*normwise* relative error, neither torch's elementwise ``|a - n| <= atol + rtol |n|``
(atol 1e-5, rtol 1e-3) nor JAX's size-scaled ``allclose``; the numerical gradient is
returned, so either rule can be applied to it.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from ._validation import as_float_array, check_in_range

__all__ = [
    "GradCheckResult",
    "GRADCHECK_GOOD",
    "GRADCHECK_WRONG",
    "numerical_gradient",
    "relative_error",
    "gradient_check",
]

#: Relative error at or below which a gradient is accepted ("ok"; seed 003's 1e-7).
GRADCHECK_GOOD = 1e-7
#: Relative error above which a gradient is declared "wrong" (seed 003's 1e-3).
GRADCHECK_WRONG = 1e-3


class GradCheckResult(NamedTuple):
    """Outcome of :func:`gradient_check`.

    ``relative_error`` is ``||a - n|| / (||a|| + ||n||)``; ``verdict`` is ``"ok"``,
    ``"suspicious"`` or ``"wrong"``; ``worst_index`` is the (multi-)index of the coordinate
    with the largest ``|a_i - n_i|``; ``analytic`` and ``numeric`` are the two gradients.
    """

    relative_error: float
    verdict: str
    worst_index: tuple
    analytic: np.ndarray
    numeric: np.ndarray


def _scalar_output(value, func: str) -> float:
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ValueError(f"{func}: f must return a scalar (a 0-d value); got an array of shape {arr.shape} "
                         f"(reduce it, e.g. with .sum(), before checking its gradient)")
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool) \
            or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{func}: f must return a real number; got {type(value).__name__} {value!r}")
    v = float(arr)
    if not math.isfinite(v):
        raise ValueError(f"{func}: f must return a finite value; got {v!r}")
    return v


def numerical_gradient(f: Callable, x, h: float = 1e-6) -> np.ndarray:
    """Centred-difference gradient of a scalar function of an array, one coordinate at a time.

    .. math::

        \\hat g_i = \\frac{f(x + h e_i) - f(x - h e_i)}{(x_i + h) - (x_i - h)}
        = f'_i(x) + \\frac{h^2}{6} \\partial_i^3 f(x) + O(h^4)

    Parameters
    ----------
    f : callable
        ``f(x) -> float``: a real scalar (0-d) for an array of ``x``'s shape.
    x : array_like, any shape
        The point, finite. It is copied to float64; the caller's array is never modified.
        ``f`` receives a perturbed float64 copy.
    h : float, default 1e-6
        The **absolute** step, > 0 (torch's ``eps`` default; JAX uses 1e-4). The error is
        about ``h^2 |f'''| / 6`` (truncation) plus ``eps |f| / h`` (round-off), smallest near
        ``h = (3 eps |f| / |f'''|)^(1/3)``, ~6e-6 for a well-scaled float64 function.

    Notes
    -----
    The denominator is the step actually taken, ``fl(x_i + h) - fl(x_i - h)``, not ``2h``:
    ``x_i + h`` is rounded, and dividing by the rounded difference removes that error
    (Numerical Recipes, section 5.7). At a kink the result is the average of the one-sided
    slopes: for ReLU at 0 it is exactly 1/2, which no subgradient convention matches (see
    ``docs/techniques/gradcheck.md``). Cost: ``2 x.size`` evaluations of ``f``.

    Examples
    --------
    >>> numerical_gradient(lambda v: float((v ** 2).sum()), [1.0, -2.0]).round(8).tolist()
    [2.0, -4.0]
    """
    return _numerical_gradient(f, x, h, "numerical_gradient")


def _check_callable(f, func: str, name: str, what: str) -> None:
    if not callable(f):
        raise TypeError(f"{func}: {name} must be callable ({what}); got {type(f).__name__} {f!r:.60}")


def _numerical_gradient(f, x, h, func):
    _check_callable(f, func, "f", "x -> float")
    h = check_in_range(h, func, "h", lo=0.0, lo_open=True)
    x0 = np.array(as_float_array(x, func, "x", min_size=1), dtype=np.float64)  # a private copy
    grad = np.empty_like(x0)
    work = x0.copy()
    flat, gflat, x0flat = work.reshape(-1), grad.reshape(-1), x0.reshape(-1)
    for i in range(flat.size):
        xi = x0flat[i]
        with np.errstate(over="ignore"):
            xp, xm = xi + h, xi - h
        if not (math.isfinite(xp) and math.isfinite(xm)):
            raise ValueError(f"{func}: x[{i}] +- h must fit float64; got x[{i}] = {xi!r}, h = {h!r}")
        if xp == xm:
            raise ValueError(f"{func}: h must exceed the precision of x[{i}] = {xi!r} (x + h == x - h); "
                             f"got h = {h!r}, use h >= {2 * math.ulp(xi):.3g}")
        flat[i] = xp
        fp = _scalar_output(f(work), func)
        flat[i] = xm
        fm = _scalar_output(f(work), func)
        flat[i] = xi
        with np.errstate(over="ignore", invalid="ignore"):
            gflat[i] = (fp - fm) / (xp - xm)
            if not math.isfinite(gflat[i]):
                # f(x + h) - f(x - h) overflowed: halving both differences is exact.
                gflat[i] = (fp / 2 - fm / 2) / (xp / 2 - xm / 2)
        if not math.isfinite(gflat[i]):
            raise ValueError(f"{func}: the difference quotient at x[{i}] must fit float64; got "
                             f"(f(x+h) - f(x-h)) / 2h = {gflat[i]!r} with f = {fp!r}, {fm!r} and h = {h!r}")
    return grad


def relative_error(a, b) -> float:
    """Normwise relative error of two gradients (seed 003), symmetric and in [0, 1].

    .. math::

        r(a, b) = \\frac{\\lVert a - b \\rVert_2}{\\lVert a \\rVert_2 + \\lVert b \\rVert_2},
        \\qquad r(0, 0) = 0

    ``||.||`` is the Euclidean norm of the flattened arrays, ``sqrt(sum (a_i - b_i)^2)`` in
    the numerator (not the seed's ``sqrt(sum (b_i^2 - a_i^2)^2)``). Two zero gradients agree
    exactly, so 0/0 is defined as 0. ``r = 1`` when one is 0 and the other not, or ``b = -c a``.
    Norms are computed with ``numpy.linalg.norm`` on data scaled by the largest magnitude, so
    no square overflows or underflows.

    >>> relative_error([1.0, 0.0], [1.0, 0.0]), relative_error([0.0], [0.0]), relative_error([1.0], [-1.0])
    (0.0, 0.0, 1.0)
    """
    func = "relative_error"
    a = np.asarray(as_float_array(a, func, "a", min_size=1), dtype=np.float64)
    b = np.asarray(as_float_array(b, func, "b", min_size=1), dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"{func}: b must have the shape of a {a.shape}; got {b.shape}")
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    if scale == 0.0:
        return 0.0
    a, b = a / scale, b / scale
    num = float(np.linalg.norm((a - b).ravel()))
    den = float(np.linalg.norm(a.ravel())) + float(np.linalg.norm(b.ravel()))
    return min(num / den, 1.0)


def gradient_check(f: Callable, grad_f: Callable, x, h: float = 1e-6, good: float = GRADCHECK_GOOD,
                   wrong: float = GRADCHECK_WRONG) -> GradCheckResult:
    """Compare a hand-written gradient with the centred-difference gradient (seed 003).

    ``r = relative_error(grad_f(x), numerical_gradient(f, x, h))``; the verdict is ``"ok"``
    if ``r <= good``, ``"wrong"`` if ``r > wrong``, else ``"suspicious"``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``, the scalar function (a loss).
    grad_f : callable
        ``grad_f(x) -> array`` of ``x``'s shape: the gradient under test.
    x : array_like, any shape, finite
        The point; it is never modified.
    h : float, default 1e-6
        Absolute centred-difference step, > 0.
    good, wrong : float, defaults 1e-7 and 1e-3
        Seed 003's thresholds, 0 < good <= wrong. Adopted for float64 with h = 1e-6: a
        correct gradient of a well-scaled function (|f|, |f'''| of the order of |f'|) gets
        ``r ~ eps / h + h^2 ~ 1e-10``, three orders below ``good``; seed 003's intermediate
        1e-5 ("take a careful look") falls into "suspicious". Near a minimum, where
        ``||grad|| << |f| / 1``, round-off ``eps |f| / h`` dominates and ``r`` rises: check
        away from stationary points, and away from kinks (ReLU at 0).

    Returns
    -------
    GradCheckResult
        ``(relative_error, verdict, worst_index, analytic, numeric)``.

    Detectable error: the numerical gradient is within
    ``E = h^2 M3 / 6 + 2 eps F / h`` of the truth per coordinate (``M3`` bounds
    ``|f'''|``, ``F`` bounds ``|f|``), so one coordinate off by ``delta`` is the worst
    coordinate once ``|delta| > 2 E``, and is flagged (not "ok") once
    ``|delta| > (2 good ||grad|| + (1 + good) sqrt(n) E) / (1 - good)``.

    Examples
    --------
    >>> res = gradient_check(lambda v: float((v ** 3).sum()), lambda v: 3 * v ** 2, [1.0, 2.0])
    >>> res.verdict, res.relative_error < 1e-9
    ('ok', True)
    >>> gradient_check(lambda v: float((v ** 3).sum()), lambda v: 3 * v, [1.0, 2.0]).verdict
    'wrong'
    """
    func = "gradient_check"
    _check_callable(f, func, "f", "x -> float")
    _check_callable(grad_f, func, "grad_f", "x -> gradient of x's shape")
    h = check_in_range(h, func, "h", lo=0.0, lo_open=True)
    good = check_in_range(good, func, "good", lo=0.0, hi=1.0, lo_open=True)
    wrong = check_in_range(wrong, func, "wrong", lo=good, hi=1.0)
    x0 = np.array(as_float_array(x, func, "x", min_size=1), dtype=np.float64)
    analytic = np.asarray(as_float_array(grad_f(x0.copy()), func, "grad_f(x)", min_size=0), dtype=np.float64)
    if analytic.shape != x0.shape:
        raise ValueError(f"{func}: grad_f must return an array of x's shape {x0.shape}; got {analytic.shape}")
    numeric = _numerical_gradient(f, x0, h, func)
    r = relative_error(analytic, numeric)
    verdict = "ok" if r <= good else ("wrong" if r > wrong else "suspicious")
    worst = np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), x0.shape) if x0.ndim else ()
    return GradCheckResult(r, verdict, tuple(int(i) for i in worst), analytic, numeric)

