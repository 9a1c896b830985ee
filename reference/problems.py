"""Test problems for optimisers: value, gradient and Hessian, and what is known of the minimum.

Sources: seed 001 ("2nd order methods": the quadratic form ``L = theta . A theta`` with a
diagonal positive definite ``A``, gradient ``2 A theta``, Hessian ``2 A``; "Input
Normalization": features on the scales [1000, 2000] and [0.1, 0.2]); Rosenbrock (1960);
Nocedal & Wright, *Numerical Optimization* (2006), section 3.3 (rates on quadratics).

Every problem is a :class:`Problem`: ``value(x)``, ``grad(x)``, ``hessian(x)`` on a 1-d
point of length ``dim``, with the minimiser, the minimum value and, for quadratics, the
(constant) Hessian's eigenvalues and eigenvectors. Finite-sum problems (least squares) also
have ``batch_grad(x, idx)``, used by :func:`minibatch_gradient`.

Conventions: quadratics are written ``0.5 x^T A x - b^T x`` (Hessian ``A``; the form of
Nocedal & Wright and of every rate analysis) except :func:`quadratic_form`, seed 001's
``theta^T A theta`` without the 1/2 (Hessian ``2 A``). Least squares is the *mean*
``1/(2n) ||X w - y||^2`` (Hessian ``X^T X / n``), as scikit-learn's ``SGDRegressor`` loss
and every mini-batch loss in PyTorch (``reduction="mean"``).
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from ._numerics import EPS64
from ._validation import _short, as_float_array, check_in_range, check_positive_int, check_rng

__all__ = [
    "Problem",
    "quadratic",
    "quadratic_form",
    "conditioned_quadratic",
    "rosenbrock",
    "least_squares",
    "minibatch_gradient",
]


class Problem(NamedTuple):
    """A smooth test problem ``f: R^dim -> R``.

    ``value(x) -> float``, ``grad(x) -> (dim,)`` and ``hessian(x) -> (dim, dim)`` take a
    finite 1-d point of length ``dim`` (a ``ValueError`` names the problem otherwise) and
    return new arrays. ``minimizer`` is a global minimiser (the minimum-norm one when it is
    not unique) and ``min_value`` the minimum. ``eigenvalues`` (ascending) and
    ``eigenvectors`` (columns) are those of the constant Hessian of a quadratic, else
    None. ``batch_grad(x, idx)`` is the mean gradient over the samples ``idx`` of a
    finite-sum problem with ``n_samples`` samples, else None.

    At a point so far out that the true value, gradient or Hessian overflows float64, they
    are non-finite (inf, or NaN where two overflows meet), without a warning: that is how
    :func:`reference.optimizers.minimize` recognises a diverging run. The problem's own
    data (minimiser, minimum, eigenvalues) are always finite; a problem whose data would
    overflow is refused when it is built.
    """

    name: str
    dim: int
    value: Callable
    grad: Callable
    hessian: Callable
    minimizer: np.ndarray
    min_value: float
    eigenvalues: np.ndarray | None = None
    eigenvectors: np.ndarray | None = None
    batch_grad: Callable | None = None
    n_samples: int | None = None


def _point(x, dim: int, func: str, name: str = "x") -> np.ndarray:
    p = as_float_array(x, func, name, ndim=1)
    if p.shape != (dim,):
        raise ValueError(f"{func}: {name} must have shape ({dim},); got {p.shape}")
    return np.asarray(p, dtype=np.float64)


def _quiet(compute):
    """``compute()`` without floating-point warnings: a Problem's value, gradient and Hessian
    at a point so far out that the true value overflows are non-finite (documented in
    :class:`Problem`), which is how :func:`reference.optimizers.minimize` sees divergence."""
    with np.errstate(over="ignore", invalid="ignore"):
        return compute()


def _finite(compute, func: str, what: str):
    """``compute()``, or a ValueError naming ``func`` when its true value overflows float64
    (a point or data too large for the problem)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = compute()
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{func}: {what} must fit float64; got an overflow (rescale the data or the point)")
    return out


def _spd(a, func: str, name: str = "A"):
    """A symmetric positive definite matrix as float64, with its eigen-decomposition."""
    m = as_float_array(a, func, name, ndim=2)
    d = m.shape[0]
    if m.shape != (d, d):
        raise ValueError(f"{func}: {name} must be square; got shape {m.shape}")
    m = np.array(m, dtype=np.float64)  # a copy: the caller's matrix is never aliased
    mag = np.max(np.abs(m))
    with np.errstate(over="ignore"):
        asym = np.max(np.abs(m - m.T))
    if asym > 8 * d * EPS64 * mag:
        raise ValueError(f"{func}: {name} must be symmetric; got max |{name} - {name}^T| = {asym:.3g}")
    m = m + (m.T - m) / 2          # symmetrised without forming m + m.T (which can overflow)
    evals, evecs = np.linalg.eigh(m)
    # Below d eps lambda_max an eigenvalue is indistinguishable from rounding of A.
    if not evals[0] > d * EPS64 * evals[-1]:
        raise ValueError(f"{func}: {name} must be symmetric positive definite; got eigenvalues in "
                         f"[{evals[0]:.3g}, {evals[-1]:.3g}] (the smallest must exceed d*eps*largest)")
    return m, evals, evecs


def _quadratic_problem(name, h, evals, evecs, grad_of_point, value_of_point, xstar, fstar) -> Problem:
    d = h.shape[0]

    def value(x):
        x = _point(x, d, f"{name}.value")
        return float(_quiet(lambda: value_of_point(x)))

    def grad(x):
        x = _point(x, d, f"{name}.grad")
        return _quiet(lambda: grad_of_point(x))

    def hessian(x):
        _point(x, d, f"{name}.hessian")
        return h.copy()

    return Problem(name, d, value, grad, hessian, xstar, float(fstar), evals, evecs)


def quadratic(A, b=None) -> Problem:
    """The quadratic ``f(x) = 0.5 x^T A x - b^T x`` with a symmetric positive definite ``A``.

    .. math::  \\nabla f = A x - b,\\qquad \\nabla^2 f = A,\\qquad x^* = A^{-1} b,
               \\qquad f^* = -\\tfrac12 b^T x^*

    Parameters
    ----------
    A : array_like, shape (d, d)
        Symmetric (to ``8 d eps max|A|``) positive definite, finite. Copied.
    b : array_like, shape (d,), default zeros
        Linear term; ``x*`` is computed by a solve (never an inverse).

    ``eigenvalues`` / ``eigenvectors`` are ``numpy.linalg.eigh(A)``. For seed 001's form
    without the 1/2 see :func:`quadratic_form`.

    >>> p = quadratic([[2.0, 0.0], [0.0, 4.0]], [2.0, 4.0])
    >>> p.minimizer.tolist(), p.min_value, p.grad([0.0, 0.0]).tolist()
    ([1.0, 1.0], -3.0, [-2.0, -4.0])
    """
    func = "quadratic"
    a, evals, evecs = _spd(A, func)
    d = a.shape[0]
    if b is None:
        bb = np.zeros(d)
    else:
        bb = np.array(as_float_array(b, func, "b", ndim=1), dtype=np.float64)
        if bb.shape != (d,):
            raise ValueError(f"{func}: b must have shape ({d},) to match A; got {bb.shape}")
    xstar = _finite(lambda: np.linalg.solve(a, bb), func, "the minimiser A^-1 b")
    fstar = _finite(lambda: -0.5 * (bb @ xstar), func, "the minimum -b^T A^-1 b / 2")
    return _quadratic_problem(func, a, evals, evecs, lambda x: a @ x - bb,
                              lambda x: 0.5 * (x @ (a @ x)) - bb @ x, xstar, fstar)


def quadratic_form(A) -> Problem:
    """Seed 001's quadratic form ``L(theta) = theta . A theta``, centred at the origin.

    .. math::  \\nabla L = 2 A \\theta,\\qquad \\nabla^2 L = 2 A,\\qquad \\theta^* = 0

    **The factor 2**: without the conventional 1/2 the gradient is ``2 A theta`` and the
    Hessian ``2 A`` (seed 001 writes both), so gradient descent with step ``eta`` multiplies
    the error along eigenvector ``i`` by ``1 - 2 eta a_i`` and is stable for
    ``eta < 1 / a_max`` (not ``2 / a_max``). Newton's step ``(2A)^-1 2 A theta = theta`` is
    unaffected: with step ``eta`` it gives seed 001's ``theta_t = (1 - eta) theta_{t-1}``.
    ``eigenvalues`` are those of the Hessian ``2 A``.

    Parameters
    ----------
    A : array_like, shape (d,) or (d, d)
        A 1-d array is the diagonal ``(a_1, ..., a_d)`` of seed 001's diagonal ``A``
        (all ``a_i > 0``); a 2-d array must be symmetric positive definite.

    >>> p = quadratic_form([1.0, 3.0])
    >>> p.grad([1.0, 1.0]).tolist(), p.hessian([0.0, 0.0]).tolist(), p.value([1.0, 1.0])
    ([2.0, 6.0], [[2.0, 0.0], [0.0, 6.0]], 4.0)
    """
    func = "quadratic_form"
    arr = as_float_array(A, func, "A", ndim=(1, 2))
    if arr.ndim == 1:
        if not np.all(arr > 0):
            raise ValueError(f"{func}: A (the diagonal) must be positive; got minimum {float(np.min(arr))!r}")
        arr = np.diag(np.asarray(arr, dtype=np.float64))
    a, evals, evecs = _spd(arr, func)
    h = 2.0 * a
    d = a.shape[0]
    return _quadratic_problem(func, h, 2.0 * evals, evecs, lambda x: h @ x, lambda x: x @ (a @ x),
                              np.zeros(d), 0.0)


def conditioned_quadratic(d: int, kappa: float, rng: np.random.Generator, minimizer=None) -> Problem:
    """A random quadratic with Hessian eigenvalues from 1 to ``kappa`` (condition number kappa).

    .. math::

        f(x) = \\tfrac12 (x - x^*)^T A (x - x^*),\\quad A = Q\\,\\mathrm{diag}(\\lambda)\\,Q^T,
        \\quad \\lambda_i = \\kappa^{i/(d-1)},\\ i = 0..d-1

    ``Q`` is a Haar-random orthogonal matrix (QR of a Gaussian matrix with the signs of
    ``diag(R)`` fixed, Mezzadri 2007). ``lambda_0 = 1`` and ``lambda_{d-1} = kappa`` exactly;
    the geometric spacing puts eigenvalues at both ends and in between, so the extreme rates
    of gradient descent, ``(kappa - 1)/(kappa + 1)``, and of heavy ball,
    ``(sqrt(kappa) - 1)/(sqrt(kappa) + 1)``, are attained.

    ``eigenvalues`` are the intended ``lambda`` and ``eigenvectors`` is ``Q``; ``A`` is
    formed in floating point, so its own eigenvalues differ from ``lambda`` by at most
    about ``d eps kappa``. The gradient is computed as ``A (x - x*)``.

    Parameters
    ----------
    d : int >= 1
        Dimension (``kappa`` must be 1 when ``d == 1``).
    kappa : float >= 1
        Condition number ``lambda_max / lambda_min``.
    rng : numpy.random.Generator
        Source of ``Q``.
    minimizer : array_like, shape (d,), default zeros
        ``x*``.

    >>> p = conditioned_quadratic(3, 100.0, np.random.default_rng(0))
    >>> p.eigenvalues.tolist(), bool(np.allclose(p.hessian(np.zeros(3)), p.eigenvectors @ np.diag([1, 10, 100]) @ p.eigenvectors.T))
    ([1.0, 10.0, 100.0], True)
    """
    func = "conditioned_quadratic"
    d = check_positive_int(d, func, "d")
    kappa = check_in_range(kappa, func, "kappa", lo=1.0)
    rng = check_rng(rng, func)
    if d == 1 and kappa != 1.0:
        raise ValueError(f"{func}: kappa must be 1 when d == 1 (one eigenvalue); got {kappa!r}")
    try:
        z = rng.standard_normal((d, d))
    except (MemoryError, ValueError):
        raise ValueError(f"{func}: d must give a (d, d) matrix that fits in memory; got {d}") from None
    if minimizer is None:
        xstar = np.zeros(d)
    else:
        xstar = np.array(as_float_array(minimizer, func, "minimizer", ndim=1), dtype=np.float64)
        if xstar.shape != (d,):
            raise ValueError(f"{func}: minimizer must have shape ({d},); got {xstar.shape}")
    q, r = np.linalg.qr(z)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    lam = np.ones(d) if d == 1 else kappa ** (np.arange(d) / (d - 1))
    lam[0], lam[-1] = 1.0, kappa
    a = (q * lam) @ q.T
    a = 0.5 * (a + a.T)

    def grad_of(x):
        return a @ (x - xstar)

    def value_of(x):
        e = x - xstar
        return 0.5 * (e @ (a @ e))

    return _quadratic_problem(func, a, lam, q, grad_of, value_of, xstar, 0.0)


def rosenbrock(d: int = 2, b: float = 100.0) -> Problem:
    """The (chained) Rosenbrock function, a curved narrow valley with minimum at ``(1, ..., 1)``.

    .. math::

        f(x) = \\sum_{i=1}^{d-1} b\\,(x_{i+1} - x_i^2)^2 + (1 - x_i)^2,\\qquad
        x^* = \\mathbf 1,\\ f^* = 0

    The gradient and the tridiagonal Hessian are written out in closed form (Nocedal &
    Wright, eq. 2.22 for d = 2). The classic start is ``(-1.2, 1)``.

    Parameters
    ----------
    d : int >= 2, default 2
    b : float > 0, default 100

    >>> p = rosenbrock()
    >>> p.value([1.0, 1.0]), p.grad([0.0, 0.0]).tolist(), p.hessian([1.0, 1.0]).tolist()
    (0.0, [-2.0, 0.0], [[802.0, -400.0], [-400.0, 200.0]])
    """
    func = "rosenbrock"
    d = check_positive_int(d, func, "d", minimum=2)
    b = check_in_range(b, func, "b", lo=0.0, lo_open=True)

    def value_at(x):
        r = x[1:] - x[:-1] ** 2
        return float(np.sum(b * r * r + (1.0 - x[:-1]) ** 2))

    def grad_at(x):
        r = x[1:] - x[:-1] ** 2
        g = np.zeros(d)
        g[:-1] = -4.0 * b * x[:-1] * r - 2.0 * (1.0 - x[:-1])
        g[1:] += 2.0 * b * r
        return g

    def hessian_at(x):
        diag = np.zeros(d)
        diag[:-1] = 12.0 * b * x[:-1] ** 2 - 4.0 * b * x[1:] + 2.0
        diag[1:] += 2.0 * b
        off = -4.0 * b * x[:-1]
        return np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)

    def value(x):
        x = _point(x, d, f"{func}.value")
        return _quiet(lambda: value_at(x))

    def grad(x):
        x = _point(x, d, f"{func}.grad")
        return _quiet(lambda: grad_at(x))

    def hessian(x):
        x = _point(x, d, f"{func}.hessian")
        return _quiet(lambda: hessian_at(x))

    try:
        minimizer = np.ones(d)
    except (MemoryError, ValueError):
        raise ValueError(f"{func}: d must fit in memory; got {d}") from None
    return Problem(func, d, value, grad, hessian, minimizer, 0.0)


def least_squares(X, y) -> Problem:
    """Mean squared-error linear regression ``f(w) = 1/(2n) ||X w - y||^2``.

    .. math::

        \\nabla f = \\tfrac1n X^T (X w - y),\\qquad \\nabla^2 f = \\tfrac1n X^T X
        \\ \\text{(the normal equations' matrix)}

    The mean (not the sum) makes the Hessian, hence the stable learning rates, independent
    of the number of samples; :func:`minibatch_gradient` is the same mean over a batch.
    ``eigenvalues`` are ``s_i^2 / n`` from the singular values of ``X`` (zeros when
    ``d > n``), ``eigenvectors`` the right singular vectors; ``minimizer`` is the
    minimum-norm least-squares solution (``numpy.linalg.lstsq``), unique when ``X`` has full
    column rank. No intercept is added: append a column of ones for one.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Finite features, at least one row.
    y : array_like, shape (n,)
        Finite targets.

    >>> p = least_squares([[1.0, 0.0], [0.0, 2.0]], [1.0, 2.0])
    >>> p.minimizer.round(12).tolist(), p.hessian([0.0, 0.0]).tolist(), p.grad([0.0, 0.0]).tolist()
    ([1.0, 1.0], [[0.5, 0.0], [0.0, 2.0]], [-0.5, -2.0])
    """
    func = "least_squares"
    x = np.array(as_float_array(X, func, "X", ndim=2, min_rows=1), dtype=np.float64)
    yy = np.array(as_float_array(y, func, "y", ndim=1), dtype=np.float64)
    n, d = x.shape
    if yy.shape != (n,):
        raise ValueError(f"{func}: y must have shape ({n},) (one target per row of X); got {yy.shape}")
    _, s, vt = np.linalg.svd(x, full_matrices=True)
    evals = np.zeros(d)
    evals[: s.size] = _finite(lambda: s**2 / n, func, "X^T X / n (its eigenvalues)")
    order = np.argsort(evals, kind="stable")
    evals, evecs = evals[order], vt.T[:, order]
    h = _finite(lambda: (x.T @ x) / n, func, "X^T X / n")
    h = 0.5 * (h + h.T)
    wstar = np.linalg.lstsq(x, yy, rcond=None)[0]
    res = _finite(lambda: x @ wstar - yy, func, "the residual X w* - y")
    fstar = float(_finite(lambda: 0.5 * float(res @ res) / n, func, "the minimum (1/2n)||X w* - y||^2"))

    def value(w):
        w = _point(w, d, f"{func}.value")
        return _quiet(lambda: 0.5 * float((x @ w - yy) @ (x @ w - yy)) / n)

    def grad(w):
        w = _point(w, d, f"{func}.grad")
        return _quiet(lambda: x.T @ (x @ w - yy) / n)

    def hessian(w):
        _point(w, d, f"{func}.hessian")
        return h.copy()

    def batch_grad(w, idx):
        xb = x[idx]
        return xb.T @ (xb @ w - yy[idx]) / len(idx)

    return Problem(func, d, value, grad, hessian, wstar, fstar, evals, evecs, batch_grad, n)


def minibatch_gradient(problem: Problem, params, batch_idx) -> np.ndarray:
    """The mini-batch gradient: the mean per-sample gradient over the rows ``batch_idx``.

    .. math::  g_B(w) = \\frac1{|B|} \\sum_{i \\in B} \\nabla f_i(w)

    Seed 001 ("SGD (or MBGD)": the gradient of ``L(B, theta)`` on a mini-batch, possibly a
    singleton). With ``B`` drawn uniformly (with or without replacement) it is an unbiased
    estimate of the full gradient ``(1/n) sum_i grad f_i``; a *sum* over the batch is biased
    by the factor ``|B|``. Repeated indices count with their multiplicity.

    Parameters
    ----------
    problem : Problem
        A finite-sum problem (one with ``batch_grad``, e.g. :func:`least_squares`).
    params : array_like, shape (problem.dim,)
    batch_idx : array_like of int, shape (m,), m >= 1
        Sample indices in ``[0, problem.n_samples)``.

    >>> p = least_squares([[1.0], [3.0]], [0.0, 0.0])
    >>> minibatch_gradient(p, [1.0], [1]).tolist(), p.grad([1.0]).tolist()
    ([9.0], [5.0])
    """
    func = "minibatch_gradient"
    if not isinstance(problem, Problem) or problem.batch_grad is None:
        raise TypeError(f"{func}: problem must be a finite-sum Problem with batch_grad "
                        f"(e.g. least_squares(X, y)); got {_short(problem)}")
    w = _point(params, problem.dim, func, "params")
    idx = np.asarray(batch_idx)
    if idx.ndim != 1 or idx.size == 0 or not (np.issubdtype(idx.dtype, np.integer) and idx.dtype != bool):
        raise ValueError(f"{func}: batch_idx must be a non-empty 1-d array of integer indices; got {_short(batch_idx)}")
    n = problem.n_samples
    if idx.min() < 0 or idx.max() >= n:
        raise ValueError(f"{func}: batch_idx must lie in [0, {n}); got values in [{idx.min()}, {idx.max()}]")
    return _finite(lambda: problem.batch_grad(w, idx), func, "the mini-batch gradient at params")
