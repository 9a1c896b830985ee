"""Laws of gradient checking (seed 003) and of every hand-written backward of the target.

Target names used: ``numerical_gradient(f, x, h)`` (centred difference, absolute step h),
``relative_error(a, b)`` (``||a - b|| / (||a|| + ||b||)``, 0/0 = 0),
``gradient_check(f, grad_f, x, h, good, wrong)`` returning ``(relative_error, verdict,
worst_index, analytic, numeric)``; the backward laws use ``sigmoid``/``sigmoid_grad``,
``tanh``/``tanh_grad``, ``relu``/``relu_grad`` (derivative at the input, elementwise),
``batchnorm_forward``/``batchnorm_backward`` and the dense network's forward/backward, each
law needing only its own names.

The backward laws compare the target's backward with a centred-difference *oracle computed
here* (not the target's ``numerical_gradient``), at two steps ``h`` and ``h/2``: the
truncation error of the finer one is ``T/4`` with ``n_h - n_(h/2) ~ 3T/4``, so
``2 |n_h - n_(h/2)|`` bounds it, and round-off adds ``4 r / h`` where ``r`` bounds the
rounding of one evaluation of the loss (``c eps`` times the sum of the magnitudes of its
terms). A correct backward lies inside that band; the controls miss it by O(1).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import example
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from properties._law import LawViolation, law
from properties.controls import gradcheck as ctl
from properties.laws._tolerance import EPS64

#: The seed's thresholds, passed explicitly so the laws test the rule, not a default.
GOOD, WRONG = 1e-7, 1e-3


def _vectors(lo=-1.0, hi=1.0, max_size=4):
    return hnp.arrays(np.float64, st.integers(1, max_size),
                      elements=st.floats(lo, hi, allow_nan=False, allow_subnormal=False))


def _sum_exp(v) -> float:
    return float(np.sum(np.exp(v)))


def _grad_out(g, shape, what) -> np.ndarray:
    g = np.asarray(g, dtype=np.float64)
    if g.shape != tuple(shape):
        raise LawViolation(f"{what}: out.shape={g.shape}, but should be {tuple(shape)} (the input's)")
    return g


# --- the numerical gradient ------------------------------------------------------------------

@law(needs=("numerical_gradient",), x=_vectors(), k=st.integers(7, 10),
     controls=(ctl.forward_difference, ctl.slash_2_times_eps))
def centred_difference_error_quarters_when_h_halves(t, x, k):
    """Halving h quarters the error of the centred difference: it is O(h^2).

    For ``f(x) = sum_i exp(x_i)`` the centred difference is exactly
    ``exp(x_i) sinh(h) / h = exp(x_i) (1 + h^2/6 + h^4/120 + ...)``, so the error is
    ``e(h) = exp(x_i) (sinh(h)/h - 1)`` and ``e(h) / e(h/2) = 4 (1 + h^2/16 + ...)``. The
    steps ``h = 2^-k``, k in 7..10 (7.8e-3 .. 9.8e-4) keep truncation (>= 1.5e-8 for
    ``|x| <= 1``) far above round-off ``R(h) = 2 (d + 1) eps F / h`` (``F = f(x)``,
    <= 6e-11): the ratio is required to lie in the interval that ``e(h) +- R(h)`` and
    ``e(h/2) +- R(h/2)`` allow. Below ~1e-5 round-off dominates and the ratio is no longer
    4 (see docs/techniques/gradcheck.md). A forward difference (error ``h f''/2``) gives
    ratio 2; seed 003's ``/ 2*eps`` gives ratio ~1.
    """
    h = 2.0 ** -k
    d = x.size
    F = math.fsum(math.exp(v) for v in x)
    g = np.exp(x)
    e1 = _grad_out(t.numerical_gradient(_sum_exp, x, h=h), x.shape, "numerical_gradient") - g
    e2 = _grad_out(t.numerical_gradient(_sum_exp, x, h=h / 2), x.shape, "numerical_gradient") - g
    for i in range(d):
        T1 = g[i] * (math.sinh(h) / h - 1.0)
        T2 = g[i] * (math.sinh(h / 2) / (h / 2) - 1.0)
        # round-off of f, plus the rounding of x_i +- h if the target divides by 2h
        R1 = (2 * (d + 1) * EPS64 * F + 2 * EPS64 * g[i] * (abs(x[i]) + h)) / h
        R2 = (2 * (d + 1) * EPS64 * F + 2 * EPS64 * g[i] * (abs(x[i]) + h)) / (h / 2)
        lo, hi = (T1 - R1) / (T2 + R2), (T1 + R1) / (T2 - R2)
        ratio = e1[i] / e2[i] if e2[i] != 0 else math.inf
        if not lo <= ratio <= hi:
            raise LawViolation(
                f"numerical_gradient error ratio e(h)/e(h/2) = {ratio:.6g} at h = 2^-{k}, coordinate {i}; "
                f"an O(h^2) centred difference gives {T1 / T2:.6g} (allowed [{lo:.6g}, {hi:.6g}]); "
                f"errors {e1[i]:.3g}, {e2[i]:.3g} [x={x!r}]")


def _spd_quadratics():
    """(A, b, x) with A = B B^T + I (so A_ii >= 1), small dyadic-free floats."""
    def build(args):
        d, data = args
        B = np.array(data[: d * d]).reshape(d, d)
        return B @ B.T + np.eye(d), np.array(data[d * d: d * d + d]), np.array(data[d * d + d: d * d + 2 * d])
    vals = st.lists(st.floats(-2, 2, allow_nan=False, allow_subnormal=False), min_size=24, max_size=24)
    return st.tuples(st.integers(1, 4), vals).map(build)


@law(needs=("numerical_gradient",), q=_spd_quadratics(), h=st.sampled_from([2.0**-4, 1e-3, 2.0**-12, 1e-5]),
     controls=(ctl.forward_difference, ctl.slash_2_times_eps))
def centred_difference_is_exact_on_quadratics(t, q, h):
    """On ``f(x) = x^T A x / 2 + b^T x`` the centred difference is ``A x + b`` for any h.

    The truncation error ``h^2 f'''/6`` vanishes (f''' = 0), so only round-off remains:
    evaluating f costs at most ``(d + 2) eps S`` with ``S = |x|^T |A| |x| / 2 + |b|^T |x|``
    (at the perturbed points, ``|x| + h``), giving the tolerance ``4 (d + 3) eps S / h +
    4 eps |(A x + b)_i|`` per coordinate. A forward difference is off by ``h A_ii / 2 >= h/2``
    (A = B B^T + I); seed 003's ``/ 2*eps`` is off by ~|g_i|.
    """
    A, b, x = q
    d = x.size

    def f(v):
        return float(0.5 * v @ A @ v + b @ v)

    g = A @ x + b
    n = _grad_out(t.numerical_gradient(f, x, h=h), x.shape, "numerical_gradient")
    ax = np.abs(x) + h
    S = 0.5 * ax @ np.abs(A) @ ax + np.abs(b) @ ax
    for i in range(d):
        tol = 4 * (d + 3) * EPS64 * S / h + 4 * EPS64 * abs(g[i])
        if abs(n[i] - g[i]) > tol:
            raise LawViolation(f"numerical_gradient of a quadratic at h={h:g}, coordinate {i}: {n[i]!r}, "
                               f"should be (A x + b)_i = {g[i]!r} within {tol:.2g} (no truncation error) "
                               f"[A={A.tolist()}, b={b.tolist()}, x={x.tolist()}]")


# --- the relative error and the verdict ------------------------------------------------------

def _pairs():
    shapes = st.integers(1, 6)
    # 0 or |v| >= 1e-3, so that scaling by 2^-500 cannot underflow to 0 and change r
    el = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False).map(lambda v: v if abs(v) >= 1e-3 else 0.0)
    return shapes.flatmap(lambda n: st.tuples(hnp.arrays(np.float64, n, elements=el),
                                              hnp.arrays(np.float64, n, elements=el)))


@law(needs=("relative_error",), ab=_pairs(), scale=st.sampled_from([1.0, 2.0**-500, 2.0**500, -3.0]),
     controls=(ctl.squared_difference_norm, ctl.relative_error_nan_at_zero),
     examples=({"ab": (np.zeros(3), np.zeros(3)), "scale": 1.0},
               {"ab": (np.array([1.0, 2.0]), np.array([-1.0, -2.0])), "scale": 1.0},
               {"ab": (np.array([3.0, 0.0]), np.array([3.0, 4.0])), "scale": 1.0}))
def relative_error_is_normwise_and_scale_free(t, ab, scale):
    """``relative_error(a, b) = ||a - b|| / (||a|| + ||b||)`` (Euclidean norms), 0 for a = b = 0.

    Oracle: the same formula with ``math.fsum`` on data divided by ``max(|a|, |b|)`` (exact
    scaling by the scale is a power of two or 3); tolerance ``8 (n + 2) eps`` (a few
    roundings of norms of n terms; the value is in [0, 1]). Evaluated on ``(c a, c b)``
    with ``c`` up to ``2^+-500``, where squaring without scaling would overflow or underflow,
    so the law also says ``r(c a, c b) = r(a, b)`` and ``r`` is symmetric. Seed 003's
    ``sqrt(sum (b_i^2 - a_i^2)^2)`` fails it (e.g. it is 0 for ``b = -a``, where r = 1).
    """
    a, b = (np.asarray(v, dtype=np.float64) for v in ab)
    m = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    if m == 0:
        want = 0.0
    else:
        an, bn = (a / m).tolist(), (b / m).tolist()
        num = math.sqrt(math.fsum((u - v) ** 2 for u, v in zip(an, bn)))
        den = math.sqrt(math.fsum(u * u for u in an)) + math.sqrt(math.fsum(v * v for v in bn))
        want = num / den
    tol = 8 * (a.size + 2) * EPS64
    for args in ((scale * a, scale * b), (scale * b, scale * a)):
        got = float(t.relative_error(*args))
        if not abs(got - want) <= tol:
            raise LawViolation(f"relative_error{'' if args[0] is a else ' (swapped)'} = {got!r} for a={a.tolist()}, "
                               f"b={b.tolist()} scaled by {scale:g}; should be ||a - b|| / (||a|| + ||b||) = "
                               f"{want!r} within {tol:.2g}")


@law(needs=("gradient_check",), x=_vectors(max_size=6), data=st.data(),
     h=st.sampled_from([1e-4, 1e-5, 1e-6, 1e-7]), rho=st.sampled_from([0.0, 1.01, 2.0, 10.0, 1e3, 1e6]),
     controls=(ctl.slash_2_times_eps, ctl.squared_difference_norm),
     examples=({"x": np.array([0.5, -0.25]), "data": None, "h": 1e-6, "rho": 1.01},))
def gradient_check_flags_one_coordinate_off_by_delta(t, x, data, h, rho):
    """A gradient with one coordinate off by ``delta`` is flagged at that coordinate.

    ``f = sum exp(x_i)`` on ``|x_i| <= 1``: the centred difference is within
    ``E(h) = h^2 e / 6 (1 + h^2) + (2 (d + 1) eps F + 3 e eps) / h`` of the gradient per
    coordinate (truncation with ``|f'''| <= e``, round-off of f with ``F = f(x)``, and the
    rounding of ``x_i +- h`` for a target that divides by ``2h``). With ``delta = ±rho D``,
    ``D = max(2 E, (2 good ||g|| + (1 + good) sqrt(d) E) / (1 - good))``,
    the verdict is not "ok" and ``worst_index`` is the perturbed coordinate for every
    ``rho > 1``: that is the detectable delta as a function of h and eps (at the default
    h = 1e-6, ``D ~ 2e-7 ||g||``: the threshold, not the arithmetic, limits detection).
    The unperturbed gradient (``rho = 0``) is "ok" whenever ``sqrt(d) E / (2 ||g|| -
    sqrt(d) E) <= good`` guarantees it. The reported relative error is at least
    ``(|delta| - sqrt(d) E) / (2 ||g|| + |delta| + sqrt(d) E)``.
    """
    d = x.size
    k = data.draw(st.integers(0, d - 1), label="k") if data is not None else 0
    sign = data.draw(st.sampled_from([1.0, -1.0]), label="sign") if data is not None else 1.0
    g = np.exp(x)
    F = math.fsum(g.tolist())
    gnorm = math.sqrt(math.fsum((g * g).tolist()))
    E = h * h * math.e / 6 * (1 + h * h) + (2 * (d + 1) * EPS64 * F + 2 * EPS64 * math.e * 1.5) / h
    D = max(2 * E, (2 * GOOD * gnorm + (1 + GOOD) * math.sqrt(d) * E) / (1 - GOOD))
    delta = sign * rho * D
    wrong_grad = g.copy()
    wrong_grad[k] += delta
    res = t.gradient_check(_sum_exp, lambda v: wrong_grad.copy(), x, h=h, good=GOOD, wrong=WRONG)
    r, verdict, worst = float(res[0]), res[1], tuple(res[2])
    where = f"[x={x.tolist()}, h={h:g}, k={k}, delta={delta:.3g}, D={D:.3g}, E={E:.3g}]"
    if rho == 0.0:
        if math.sqrt(d) * E / (2 * gnorm - math.sqrt(d) * E) <= GOOD and verdict != "ok":
            raise LawViolation(f"gradient_check rejected the exact gradient: relative error {r:.3g}, verdict "
                               f"{verdict!r}; the centred-difference error bound guarantees 'ok' {where}")
        return
    lower = (abs(delta) - math.sqrt(d) * E) / (2 * gnorm + abs(delta) + math.sqrt(d) * E)
    if verdict == "ok" or worst != (k,) or not r >= lower * (1 - 8 * (d + 2) * EPS64):
        raise LawViolation(f"gradient_check with coordinate {k} off by delta = {rho:g} x the detectable {D:.3g}: "
                           f"verdict {verdict!r}, worst_index {worst}, relative error {r:.3g}; should be not 'ok', "
                           f"({k},), and >= {lower:.3g} {where}")
