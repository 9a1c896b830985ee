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


# --- ReLU at its kink -----------------------------------------------------------------------

def _dyadic_with_zero():
    ints = st.integers(-(2**12), 2**12)
    return hnp.arrays(np.int64, st.integers(1, 5), elements=ints).map(lambda a: a.astype(np.float64) / 2**10)


@law(needs=("numerical_gradient", "gradient_check", "relu", "relu_grad"), x=_dyadic_with_zero(), data=st.data(),
     controls=(ctl.forward_difference, ctl.slash_2_times_eps),
     examples=({"x": np.array([0.0]), "data": None}, {"x": np.array([1.0, 0.0, -2.0]), "data": None}))
def relu_kink_centred_difference_is_one_half(t, x, data):
    """At a ReLU kink the centred difference is 1/2 and a subgradient check cannot pass.

    ``(relu(0 + h) - relu(0 - h)) / (2h) = h / 2h = 1/2`` exactly: the average of the
    one-sided slopes 0 and 1. Away from the kink (``|x_i| >= h``) it is 0 or 1. ``x`` is
    dyadic (k / 2^10, |x| <= 4) and ``h = 2^-20``, so every sum in ``f = sum relu(x)`` and
    the difference are exact: the law requires equality. ``relu_grad(0)`` must be a
    subgradient, in [0, 1] (reference: 0, as PyTorch and JAX); unless it is 1/2,
    ``gradient_check`` at a point with one zero coordinate is not "ok" and names that
    coordinate as the worst: check gradients away from kinks.
    """
    h = 2.0 ** -20
    x = np.array(x, dtype=np.float64)
    if data is not None and x.size > 1:
        x[data.draw(st.integers(0, x.size - 1), label="zero_at")] = 0.0
    elif data is None and not np.any(x == 0):
        x[0] = 0.0

    def f(v):
        return float(np.sum(np.asarray(t.relu(v), dtype=np.float64)))

    n = _grad_out(t.numerical_gradient(f, x, h=h), x.shape, "numerical_gradient")
    want = np.where(x == 0, 0.5, np.where(x > 0, 1.0, 0.0))
    if not np.array_equal(n, want):
        raise LawViolation(f"numerical_gradient of sum(relu) at x={x.tolist()} with h=2^-20 is {n.tolist()}; "
                           f"should be exactly {want.tolist()} (1/2 at the kink)")
    sub = np.asarray(t.relu_grad(np.zeros(1)), dtype=np.float64)
    if not (0.0 <= sub[0] <= 1.0):
        raise LawViolation(f"relu_grad(0) = {sub[0]!r} is not a subgradient of relu at 0 (must be in [0, 1])")
    zeros = np.flatnonzero(x == 0)
    if sub[0] != 0.5 and zeros.size == 1:
        res = t.gradient_check(f, lambda v: np.asarray(t.relu_grad(v), dtype=np.float64), x, h=h,
                               good=GOOD, wrong=WRONG)
        if res[1] == "ok" or tuple(res[2]) != (int(zeros[0]),):
            raise LawViolation(f"gradient_check of relu at a kink x={x.tolist()}: verdict {res[1]!r}, worst "
                               f"{tuple(res[2])}, relative error {float(res[0]):.3g}; the centred difference is 1/2 "
                               f"there and relu_grad(0) = {sub[0]!r}, so it must not be 'ok' and must name "
                               f"coordinate {int(zeros[0])}")


# --- every hand-written backward passes the check --------------------------------------------

def _centred(f, x, h):
    x = np.array(x, dtype=np.float64)
    g = np.empty_like(x)
    w = x.copy()
    wf, gf, xf = w.reshape(-1), g.reshape(-1), x.reshape(-1)
    for i in range(wf.size):
        xp, xm = xf[i] + h, xf[i] - h
        wf[i] = xp
        fp = f(w)
        wf[i] = xm
        fm = f(w)
        wf[i] = xf[i]
        gf[i] = (fp - fm) / (xp - xm)
    return g


def _check_backward(what, analytic, f, x, r, h=2.0**-13, context=""):
    """Require ``analytic`` within the two-step oracle band of the centred difference of f.

    ``r`` bounds the rounding error of one evaluation of ``f`` near ``x``.
    """
    analytic = _grad_out(analytic, np.shape(x), what)
    n1, n2 = _centred(f, x, h), _centred(f, x, h / 2)
    tol = 2 * np.abs(n1 - n2) + 4 * r / (h / 2) + 8 * EPS64 * np.abs(n2)
    bad = np.abs(analytic - n2) > tol
    if np.any(bad):
        i = np.unravel_index(int(np.argmax(np.abs(analytic - n2) - tol)), np.shape(x))
        raise LawViolation(f"{what} fails the gradient check at index {tuple(int(v) for v in i)}: analytic "
                           f"{analytic[i]!r}, centred difference {n2[i]!r} (h={h / 2:g}), allowed difference "
                           f"{tol[i]:.3g} {context}")


def _activation_inputs():
    """Inputs in [-6, 6] at least 1e-3 from 0 (ReLU's kink; |x| >= 8 h keeps the oracle
    off it), with weights in [-2, 2] so the loss ``sum w f(x)`` mixes signs."""
    el = st.floats(1e-3, 6.0, allow_nan=False, allow_subnormal=False)
    signed = st.tuples(el, st.sampled_from([-1.0, 1.0])).map(lambda p: p[0] * p[1])
    w = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)
    return st.integers(1, 6).flatmap(lambda n: st.tuples(hnp.arrays(np.float64, n, elements=signed),
                                                         hnp.arrays(np.float64, n, elements=w)))


def _activation_law(t, name, xw):
    x, w = xw
    fwd, grad = getattr(t, name), getattr(t, name + "_grad")

    def loss(v):
        return float(np.sum(w * np.asarray(fwd(v), dtype=np.float64)))

    analytic = w * _grad_out(grad(x), x.shape, name + "_grad")
    # sum of n terms, each |w f(x)| <= 2 * 6 with one rounding in f and one in the product
    r = (x.size + 3) * EPS64 * float(np.sum(np.abs(w) * np.maximum(np.abs(np.asarray(fwd(x))), 1.0)))
    _check_backward(f"{name}_grad", analytic, loss, x, r, context=f"[x={x.tolist()}, w={w.tolist()}]")


@law(needs=("sigmoid", "sigmoid_grad"), xw=_activation_inputs(), controls=(ctl.sigmoid_grad_missing_factor,))
def sigmoid_grad_passes_the_gradient_check(t, xw):
    """``w * sigmoid_grad(x)`` is the gradient of ``sum w sigmoid(x)`` (centred-difference oracle,
    two-step band, see the module docstring). sigma' = sigma (1 - sigma)."""
    _activation_law(t, "sigmoid", xw)


@law(needs=("tanh", "tanh_grad"), xw=_activation_inputs(), controls=(ctl.tanh_grad_missing_square,))
def tanh_grad_passes_the_gradient_check(t, xw):
    """``w * tanh_grad(x)`` is the gradient of ``sum w tanh(x)``; tanh' = 1 - tanh^2."""
    _activation_law(t, "tanh", xw)


@law(needs=("relu", "relu_grad"), xw=_activation_inputs(), controls=(ctl.relu_grad_leaky,))
def relu_grad_passes_the_gradient_check_off_the_kink(t, xw):
    """``w * relu_grad(x)`` is the gradient of ``sum w relu(x)`` for ``|x| >= 1e-3`` (off the
    kink; at 0 see ``relu_kink_centred_difference_is_one_half``)."""
    _activation_law(t, "relu", xw)


def _bn_batches():
    """(x, gamma, beta, w, eps): x (N, C) with N in 2..5, C in 1..3, each channel spread by
    ``0.5 * row index`` so its std is >= ~0.2 (the derivatives of x_hat scale like 1/std and
    the oracle's step must stay far below it), eps in {0, 1e-5, 1e-3}."""
    def build(a):
        n, c, vals, eps = a
        v = np.array(vals[: n * c + 3 * c]).reshape(-1)
        x = v[: n * c].reshape(n, c) + 0.5 * np.arange(n)[:, None]
        return x, 0.5 + np.abs(v[n * c: n * c + c]), v[n * c + c: n * c + 2 * c], v[n * c + 2 * c:], eps
    vals = st.lists(st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False), min_size=24, max_size=24)
    return st.tuples(st.integers(2, 5), st.integers(1, 3), vals, st.sampled_from([0.0, 1e-5, 1e-3])).map(build)


@law(needs=("batchnorm_forward", "batchnorm_backward"), batch=_bn_batches(),
     controls=(ctl.batchnorm_backward_constant_statistics,))
def batchnorm_backward_passes_the_gradient_check(t, batch):
    """``batchnorm_backward(w, cache)`` returns the gradients of ``L = sum w * y`` with
    ``y = batchnorm_forward(x, gamma, beta, eps)[0]`` with respect to x, gamma and beta.

    Centred-difference oracle at two steps (module docstring); round-off of one evaluation
    of L bounded by ``(N + 8) eps kappa sum |w| (|y| + 1)``, ``kappa = 1 + max|x| / std``
    (two-pass moments, the normalisation under the data's conditioning, the weighted sum). Issue 5: "the backward pass passes the gradient check".
    """
    x, gamma, beta, w, eps = batch
    n, c = x.shape
    w = np.resize(w, x.shape) if w.size else np.ones_like(x)

    def y_of(xx, gg, bb):
        return np.asarray(t.batchnorm_forward(xx, gg, bb, eps=eps)[0], dtype=np.float64)

    y, cache = t.batchnorm_forward(x, gamma, beta, eps=eps)
    dx, dgamma, dbeta = t.batchnorm_backward(w.copy(), cache)
    # kappa = 1 + max|x| / std per channel: the rounding of x - mean relative to the spread
    kappa = 1.0 + float(np.max(np.abs(x).max(axis=0) / np.sqrt(x.var(axis=0) + eps)))
    r = (n + 8) * EPS64 * kappa * float(np.sum(np.abs(w) * (np.abs(np.asarray(y)) + 1.0)))
    ctx = f"[x={x.tolist()}, gamma={gamma.tolist()}, beta={beta.tolist()}, w={w.tolist()}, eps={eps}]"
    _check_backward("batchnorm_backward dx", dx, lambda v: float(np.sum(w * y_of(v, gamma, beta))), x, r, context=ctx)
    _check_backward("batchnorm_backward dgamma", dgamma, lambda v: float(np.sum(w * y_of(x, v, beta))), gamma, r,
                    context=ctx)
    _check_backward("batchnorm_backward dbeta", dbeta, lambda v: float(np.sum(w * y_of(x, gamma, v))), beta, r,
                    context=ctx)


_ACTS = ("linear", "sigmoid", "tanh")


def _dense_nets():
    """(weights, biases, x, grad_output, activation, output_activation): 1-3 layers of widths
    in {1, 2, 3} (square layers are frequent), batch 1-3, entries in [-1.5, 1.5]. ReLU is
    left out: a pre-activation within h of 0 would put the oracle on the kink."""
    def build(a):
        widths, batch, vals, act, out_act = a
        it = iter(vals)
        take = lambda shape: np.array([next(it) for _ in range(int(np.prod(shape)))]).reshape(shape)  # noqa: E731
        ws = [take((widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
        bs = [take((widths[i + 1],)) for i in range(len(widths) - 1)]
        return ws, bs, take((batch, widths[0])), take((batch, widths[-1])), act, out_act
    vals = st.lists(st.floats(-1.5, 1.5, allow_nan=False, allow_subnormal=False), min_size=60, max_size=60)
    return st.tuples(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(1, 3), vals,
                     st.sampled_from(_ACTS), st.sampled_from(_ACTS)).map(build)


@law(needs=("dense_forward", "dense_backward"), net=_dense_nets(),
     controls=(ctl.dense_backward_transposed_weight, ctl.dense_backward_derivative_at_output))
def dense_backward_passes_the_gradient_check(t, net):
    """``dense_backward(weights, cache, w)`` returns the gradients of ``S = sum w * out`` with
    respect to every weight matrix, every bias and x, where ``out = dense_forward(weights,
    biases, x).output``.

    Centred-difference oracle at two steps (module docstring); round-off of one evaluation
    of S bounded by ``(L n + 8) eps`` times the magnitude sum ``sum |w| (|out| + 1)``
    scaled by the product of the layers' ``max(1, ||W||_1)`` (the growth of rounding
    through the layers). Activations linear, sigmoid, tanh (ReLU's kink is treated apart).
    """
    ws, bs, x, w, act, out_act = net

    def out(wl, bl, xx):
        c = t.dense_forward(wl, bl, xx, activation=act, output_activation=out_act)
        return np.asarray(c.output if hasattr(c, "output") else c, dtype=np.float64)

    def S(wl, bl, xx):
        return float(np.sum(w * out(wl, bl, xx)))

    cache = t.dense_forward(ws, bs, x, activation=act, output_activation=out_act)
    grads = t.dense_backward(ws, cache, w.copy(), activation=act, output_activation=out_act)
    gw, gb, gx = grads
    growth = float(np.prod([max(1.0, np.abs(m).sum(axis=0).max()) for m in ws]))
    nmax = max(m.shape[1] for m in ws) + 1
    r = (len(ws) * nmax + 8) * EPS64 * growth * float(np.sum(np.abs(w) * (np.abs(out(ws, bs, x)) + 1.0)))
    ctx = (f"[weights={[m.tolist() for m in ws]}, biases={[b.tolist() for b in bs]}, x={x.tolist()}, "
           f"grad_output={w.tolist()}, activation={act!r}, output_activation={out_act!r}]")
    for i in range(len(ws)):
        def f_w(v, i=i):
            return S([v if j == i else m for j, m in enumerate(ws)], bs, x)

        def f_b(v, i=i):
            return S(ws, [v if j == i else b for j, b in enumerate(bs)], x)

        _check_backward(f"dense_backward weights[{i}]", gw[i], f_w, ws[i], r, context=ctx)
        _check_backward(f"dense_backward biases[{i}]", gb[i], f_b, bs[i], r, context=ctx)
    _check_backward("dense_backward x", gx, lambda v: S(ws, bs, v), x, r, context=ctx)


def _pred_targets(labels01=False):
    el = st.floats(-4.0, 4.0, allow_nan=False, allow_subnormal=False)
    lab = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False) if labels01 else el
    shapes = st.tuples(st.integers(1, 4), st.integers(1, 3))
    return shapes.flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=el),
                                              hnp.arrays(np.float64, s, elements=lab)))


@law(needs=("mse_loss", "mse_loss_grad"), py=_pred_targets(), controls=(ctl.mse_loss_grad_missing_two,))
def mse_loss_grad_passes_the_gradient_check(t, py):
    """``mse_loss_grad(p, y)`` is the gradient of ``mse_loss(p, y) = mean((p - y)^2)`` in p.

    Oracle at two steps; round-off ``(n + 4) eps mean((|p| + |y|)^2)``.
    """
    p, y = py
    r = (p.size + 4) * EPS64 * float(np.mean((np.abs(p) + np.abs(y)) ** 2) + 1.0)
    _check_backward("mse_loss_grad", t.mse_loss_grad(p, y), lambda v: float(t.mse_loss(v, y)), p, r,
                    context=f"[pred={p.tolist()}, y={y.tolist()}]")


@law(needs=("bce_with_logits_loss", "bce_with_logits_loss_grad"), zy=_pred_targets(labels01=True),
     controls=(ctl.bce_grad_missing_mean,))
def bce_with_logits_loss_grad_passes_the_gradient_check(t, zy):
    """``bce_with_logits_loss_grad(z, y) = (sigmoid(z) - y) / size`` is the gradient of the mean
    logistic loss on logits. Oracle at two steps; round-off ``(n + 6) eps (max|z| + 1)``."""
    z, y = zy
    r = (z.size + 6) * EPS64 * (float(np.max(np.abs(z))) + 1.0)
    _check_backward("bce_with_logits_loss_grad", t.bce_with_logits_loss_grad(z, y),
                    lambda v: float(t.bce_with_logits_loss(v, y)), z, r,
                    context=f"[logits={z.tolist()}, y={y.tolist()}]")


# --- the whole float64 range, any shape, and the dtype of the computation --------------------

@st.composite
def _dyadic_linear(draw):
    """(m, x, h, E, ret): ``f(v) = 2^E sum m_i v_i`` with odd integers ``|m_i| <= 15``, x in
    ``k/16``, ``|x| <= 4``, any shape of 1-3 dimensions, h in {1/16, 1/4, 1, 4}; E near the
    bottom of float64 (f subnormal), near 0, or at the top (``2^E sum |m_i| (|x_i| + h)``
    and ``2^E max |m_i|`` below 2^1024, so ``f(x+h) - f(x-h)`` can overflow while f and the
    gradient fit); ``ret`` the type f returns."""
    shape = tuple(draw(st.lists(st.integers(1, 2), min_size=1, max_size=3), label="shape"))
    n = math.prod(shape)
    m = np.array(draw(st.lists(st.integers(-7, 7).map(lambda k: 2 * k + 1), min_size=n, max_size=n), label="m"),
                 dtype=np.float64).reshape(shape)
    x = np.array(draw(st.lists(st.integers(-64, 64), min_size=n, max_size=n), label="x"),
                 dtype=np.float64).reshape(shape) / 16
    h = draw(st.sampled_from([1 / 16, 1 / 4, 1.0, 4.0]), label="h")
    # 2^E times the largest |f| and the largest |gradient| stays below 2^1024
    top = 1023 - math.floor(math.log2(max(math.fsum((np.abs(m) * (np.abs(x) + h)).ravel().tolist()),
                                          float(np.max(np.abs(m))))))
    E = draw(st.one_of(st.integers(-1070, -1060), st.integers(-8, 8), st.integers(top - 3, top)), label="E")
    ret = draw(st.sampled_from(["float", "float64", "0-d array", "int"]), label="ret")
    return m, x, h, E, ret


@law(needs=("numerical_gradient",), case=_dyadic_linear(),
     controls=(ctl.numgrad_no_overflow_guard, ctl.numgrad_always_halved),
     examples=({"case": (np.array([3.0]), np.array([0.0]), 4.0, 1020, "float")},
               {"case": (np.array([[1.0, -3.0]]), np.array([[0.5, 2.0]]), 1.0, 4, "int")},
               {"case": (np.array([[1.0, -3.0], [5.0, 1.0]]), np.zeros((2, 2)), 1 / 16, -1070, "float64")}))
def centred_difference_is_exact_on_dyadic_linear_functions(t, case):
    """On ``f(v) = 2^E sum_i m_i v_i`` the centred difference is exactly ``2^E m``, for every
    E from the subnormal range to the top of float64 and x of any shape.

    Every quantity is exact: ``m_i v_i`` and their sum are multiples of 1/16 below 2^11,
    times ``2^E`` (E >= -1070) a multiple of 2^-1074 below 2^1024, so ``f(x +- h e_i)`` are
    float64 numbers; ``(x_i + h) - (x_i - h) = 2h`` exactly; ``f(x + h e_i) - f(x - h e_i)
    = 2^(E+1) h m_i`` exactly (a difference of multiples of 2^-1074) unless it overflows,
    and the quotient ``2^E m_i`` is a float64 number. The law requires equality: no
    tolerance. At the top of the range the difference overflows while the quotient fits
    (halving both differences first is exact there); in the subnormal range halving
    ``f`` first is not exact. f returns a Python float, a numpy float64, a 0-d array, or a
    Python int when every value is an integer (all are real scalars). Explicit examples: an
    overflowing difference at h = 4 (divisor 8, so a fall-back that multiplies is caught), a
    subnormal f, an int-valued f.
    """
    m, x, h, E, ret = case

    def f(v):
        s = math.ldexp(math.fsum((m * np.asarray(v, dtype=np.float64)).ravel().tolist()), E)
        if ret == "int" and s == int(s) and abs(s) < 2**53:
            return int(s)
        return {"float": s, "float64": np.float64(s), "0-d array": np.array(s)}.get(ret, s)

    want = np.ldexp(m, E)
    got = _grad_out(t.numerical_gradient(f, x, h=h), x.shape, "numerical_gradient")
    if not np.array_equal(got, want):
        i = tuple(int(v) for v in np.argwhere(got != want)[0])
        raise LawViolation(f"numerical_gradient of f(v) = 2^{E} sum m v at x={x.tolist()}, h={h}: coordinate {i} "
                           f"is {got[i]!r}; should be exactly 2^{E} m_i = {want[i]!r} (f returns {ret}) "
                           f"[m={m.tolist()}]")


@law(needs=("numerical_gradient",), x=hnp.arrays(st.sampled_from([np.float32, np.float16, np.int64]),
                                                  st.integers(1, 4), elements={"min_value": -3, "max_value": 3}),
     h=st.sampled_from([1e-3, 1e-4, 1e-6]), controls=(ctl.numgrad_input_dtype,))
def numerical_gradient_of_float32_input_is_computed_in_float64(t, x, h):
    """x of dtype float32, float16 or int64 is copied to float64: f receives float64 arrays
    and the result equals the numerical gradient at the same values given as float64.

    Both calls are deterministic, so the results must be equal (no tolerance): a float32
    computation would take the steps ``x_i +- h`` in float32 (a relative error of 6e-8 on
    each, i.e. on the divisor ``2h`` about ``6e-8 |x_i| / h``) and evaluate f in float32.
    """
    seen = []

    def f(v):
        seen.append(np.asarray(v).dtype)
        return float(np.sum(np.exp(v)))

    got = _grad_out(t.numerical_gradient(f, x, h=h), x.shape, "numerical_gradient")
    if any(d != np.float64 for d in seen):
        raise LawViolation(f"numerical_gradient of a {x.dtype} x called f on arrays of dtype "
                           f"{sorted(set(map(str, seen)))}; f must receive float64 copies [x={x.tolist()}]")
    want = np.asarray(t.numerical_gradient(f, x.astype(np.float64), h=h), dtype=np.float64)
    if not np.array_equal(got, want):
        raise LawViolation(f"numerical_gradient of {x.dtype} x={x.tolist()} (h={h:g}) is {got.tolist()}; the same "
                           f"values as float64 give {want.tolist()}: the computation must be float64")


def _relerr_oracle(a, b) -> float:
    """``||a - b|| / (||a|| + ||b||)`` with ``math.fsum`` on data divided by the largest magnitude."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    m = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    if m == 0:
        return 0.0
    an, bn = (a / m).ravel().tolist(), (b / m).ravel().tolist()
    num = math.sqrt(math.fsum((u - v) ** 2 for u, v in zip(an, bn)))
    den = math.sqrt(math.fsum(u * u for u in an)) + math.sqrt(math.fsum(v * v for v in bn))
    return num / den


def _float32_pairs():
    el = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False, width=32)
    return st.integers(1, 6).flatmap(lambda n: st.tuples(hnp.arrays(np.float32, n, elements=el),
                                                         hnp.arrays(np.float32, n, elements=el)))


@law(needs=("relative_error",), ab=_float32_pairs(), controls=(ctl.relative_error_input_dtype,))
def relative_error_of_float32_input_is_computed_in_float64(t, ab):
    """``relative_error`` of float32 gradients is the float64 value of the formula at those
    values: within ``8 (n + 2) eps64`` of the oracle (as in
    ``relative_error_is_normwise_and_scale_free``). A float32 computation is off by ~1e-7,
    about 1e8 times that."""
    a, b = ab
    want = _relerr_oracle(a, b)
    got = float(t.relative_error(a, b))
    tol = 8 * (a.size + 2) * EPS64
    if not abs(got - want) <= tol:
        raise LawViolation(f"relative_error of float32 a={a.tolist()}, b={b.tolist()} = {got!r}; the formula in "
                           f"float64 gives {want!r} (allowed {tol:.2g})")


@law(needs=("relative_error",),
     a=hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)
                  .filter(lambda v: abs(v) >= 1e-3)),
     c=st.floats(1e-3, 1e3, allow_nan=False), controls=(ctl.relative_error_unclamped,),
     examples=({"a": np.array([0.507, -3.795]), "c": 4.863}, {"a": np.array([-6.03, -8.185]), "c": 5.808}))
def relative_error_of_opposite_gradients_is_one(t, a, c):
    """``relative_error(a, -c a) = 1`` for every ``c > 0``, and never more than 1.

    ``||a + c a|| = (1 + c) ||a|| = ||a|| + ||c a||``: the triangle inequality is an
    equality, so r = 1, its largest value (the docstring's range [0, 1]). Rounding of the
    two norms may put the quotient a few eps above 1; the result must still be <= 1 (exactly),
    and at least ``1 - 8 (n + 2) eps``.
    """
    b = -c * a
    got = float(t.relative_error(a, b))
    if not (1.0 - 8 * (a.size + 2) * EPS64 <= got <= 1.0):
        raise LawViolation(f"relative_error(a, -c a) = {got!r} for a={a.tolist()}, c={c!r}; should be 1 (in "
                           f"[1 - {8 * (a.size + 2)} eps, 1]: r never exceeds 1)")


@law(needs=("gradient_check", "numerical_gradient", "relative_error"),
     x=hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64]), st.integers(1, 4),
                  elements={"min_value": -1, "max_value": 1}),
     rel=st.sampled_from([1e-9, 1e-6, 1e-4, 0.1, 3.0]), h=st.sampled_from([1e-4, 1e-6]),
     where=st.sampled_from(["at good", "between", "beyond wrong"]), out=st.sampled_from([np.float64, np.float32]),
     controls=(ctl.gradient_check_strict_good, ctl.gradient_check_never_wrong,
               ctl.gradient_check_analytic_in_input_dtype, ctl.gradient_check_analytic_unconverted))
def gradient_check_is_relative_error_of_grad_f_and_numerical_gradient(t, x, rel, h, where, out):
    """``gradient_check(f, grad_f, x, h, good, wrong)`` returns ``analytic = grad_f(x)`` (x as
    float64), ``numeric = numerical_gradient(f, x, h)``, ``r = relative_error(analytic,
    numeric)``, the verdict ``"ok"`` iff ``r <= good``, ``"wrong"`` iff ``r > wrong``, else
    ``"suspicious"``, and ``worst_index = argmax |analytic - numeric|``.

    A composition of the target's own functions, all deterministic: equality, no tolerance.
    The thresholds are placed at r itself (``good = wrong = r``: "ok"; ``good = r/2, wrong
    = r``: "suspicious"; ``good = r/4, wrong = r/2``: "wrong"), so the boundary cases of
    both comparisons are tested. f = sum exp, grad_f = ``exp(v) (1 + rel (1 + index))``
    (a wrong gradient, so r > 0) returned as float64 or float32; x of dtype float64, float32
    or int64.
    """
    x64 = x.astype(np.float64)
    scale = 1.0 + rel * (1.0 + np.arange(x.size).reshape(x.shape))

    def grad_f(v):
        return (np.exp(v) * scale).astype(out)

    analytic = np.asarray(grad_f(x64), dtype=np.float64)
    numeric = np.asarray(t.numerical_gradient(_sum_exp, x64, h=h), dtype=np.float64)
    r = float(t.relative_error(analytic, numeric))
    if not 0.0 < r <= 1.0:   # for rel >= 1e-9 and |x| <= 1 the error of numeric is below 1e-10
        raise LawViolation(f"premise: relative_error(grad_f(x), numerical_gradient) = {r!r} for x = {x.tolist()!r}, "
                           f"rel = {rel!r}, h = {h!r}; it must lie in (0, 1] to place the thresholds around it")
    good, wrong = {"at good": (r, r), "between": (r / 2, r), "beyond wrong": (r / 4, r / 2)}[where]
    verdict = {"at good": "ok", "between": "suspicious", "beyond wrong": "wrong"}[where]
    res = t.gradient_check(_sum_exp, grad_f, x, h=h, good=good, wrong=wrong)
    got_r, got_v, got_w = float(res[0]), res[1], tuple(int(i) for i in res[2])
    got_a, got_n = np.asarray(res[3], dtype=np.float64), np.asarray(res[4], dtype=np.float64)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), x.shape))
    ctx = f"[x={x.tolist()} ({x.dtype}), h={h:g}, rel={rel:g}, good={good!r}, wrong={wrong!r}, grad_f -> {out.__name__}]"
    dtypes = (np.asarray(res[3]).dtype, np.asarray(res[4]).dtype)
    if not (np.array_equal(got_a, analytic) and np.array_equal(got_n, numeric)) or dtypes != (np.float64,) * 2:
        raise LawViolation(f"gradient_check returned analytic {got_a.tolist()}, numeric {got_n.tolist()} (dtypes "
                           f"{dtypes[0]}, {dtypes[1]}); should be float64 grad_f(x as float64) = {analytic.tolist()} "
                           f"and numerical_gradient(f, x, h) = "
                           f"{numeric.tolist()} {ctx}")
    if got_r != r or got_v != verdict or got_w != worst:
        raise LawViolation(f"gradient_check returned r={got_r!r}, verdict {got_v!r}, worst_index {got_w}; should be "
                           f"relative_error(analytic, numeric) = {r!r}, {verdict!r} (ok iff r <= good, wrong iff "
                           f"r > wrong), {worst} {ctx}")


@law(needs=("numerical_gradient", "gradient_check"), x=_vectors(), controls=(ctl.default_step_jax,))
def gradcheck_default_step_is_1e_minus_6(t, x):
    """Without ``h``, ``numerical_gradient`` and ``gradient_check`` use the absolute step
    ``h = 1e-6`` (torch's ``gradcheck`` eps, seed 003's order of magnitude; JAX uses 1e-4).

    A law about a default: the target is called without ``h`` and compared, bit for bit, with
    the same deterministic call given ``h=1e-6`` (f = sum exp, whose centred difference
    depends on h through ``sinh(h)/h``: a step of 1e-4 changes it by ~1.7e-9 relative).
    """
    want = np.asarray(t.numerical_gradient(_sum_exp, x, h=1e-6), dtype=np.float64)
    got = np.asarray(t.numerical_gradient(_sum_exp, x), dtype=np.float64)
    res = t.gradient_check(_sum_exp, lambda v: np.exp(v), x, good=GOOD, wrong=WRONG)
    numeric = np.asarray(res[4], dtype=np.float64)
    if not (np.array_equal(got, want) and np.array_equal(numeric, want)):
        raise LawViolation(f"numerical gradient with the default step: {got.tolist()} (numerical_gradient), "
                           f"{numeric.tolist()} (gradient_check); with h=1e-6: {want.tolist()} [x={x.tolist()}]")


# --- contract: the documented argument domains of the finite-difference functions --------------------

from properties.laws._contract import refuses, unchanged  # noqa: E402

_NAN, _INF = float("nan"), float("inf")
_FD_CASES = {"numerical_gradient": ("numerical_gradient",), "gradient_check": ("gradient_check",)}


class _Counted:
    """A function that counts its calls (so a law can demand a refusal before evaluation)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, x):
        self.calls += 1
        return self.fn(x)


def _fd_call(t, name, f, x, **kw):
    """``numerical_gradient(f, x, **kw)`` or ``gradient_check(f, ones, x, **kw)`` (grad_f a constant: only the refusal matters)."""
    if name == "numerical_gradient":
        return None, lambda: t.numerical_gradient(f, x, **kw)
    g = _Counted(lambda v: np.ones_like(np.asarray(v, dtype=np.float64)))
    return g, lambda: t.gradient_check(f, g, x, **kw)


@law(needs=(), cases=_FD_CASES, tier="contract", max_examples=10, name=lambda c: st.just(c),
     h=st.sampled_from([0.0, -0.0, -1e-6, -5e-324, _NAN, _INF, -_INF]) | st.floats(max_value=0.0),
     examples=tuple({"_case": c, "name": c, "h": v} for c in _FD_CASES for v in (0.0, -1e-6)),
     controls=(ctl.fd_step_unchecked, ctl.fd_step_zero_accepted))
def finite_differences_refuse_a_step_that_is_not_positive_and_finite(t, name, h):
    """``numerical_gradient`` and ``gradient_check`` refuse a step ``h`` outside (0, inf) with
    ``ValueError`` (the documented "absolute centred-difference step, > 0"; 0 divides 0 by 0,
    a negative step only flips the sign of both differences, NaN and inf give no number), and
    they refuse it at the call, before ``f`` or ``grad_f`` is evaluated (a user's function
    may be expensive or have side effects). ``x`` stays unchanged.
    """
    f = _Counted(lambda v: float(np.sum(np.asarray(v, dtype=np.float64) ** 2)))
    x = np.array([0.5, -1.0])
    g, call = _fd_call(t, name, f, x, h=h)
    refuses(call, f"{name}(h={h!r}): h must be in (0, inf)")
    calls = f.calls + (g.calls if g is not None else 0)
    if calls:
        raise LawViolation(f"{name}(h={h!r}) evaluated f or grad_f {calls} time(s) before refusing h")
    unchanged(np.array([0.5, -1.0]), x, f"{name}: x")


#: Thresholds outside gradient_check's domain 0 < good <= wrong <= 1 (the open bound at 0,
#: both bounds at 1, wrong below good, non-finite values).
_BAD_THRESHOLDS = [("good", v) for v in (0.0, -0.0, -1e-7, 1.0000000000000002, 1.5, 2.0, _NAN, _INF)] + \
                  [("wrong", v) for v in (0.5e-7, 0.0, -1e-3, 1.0000000000000002, 1.5, 2.0, _NAN, _INF)]


@law(needs=("gradient_check",), tier="contract", max_examples=10, bad=st.sampled_from(_BAD_THRESHOLDS),
     examples=tuple({"bad": b} for b in _BAD_THRESHOLDS), controls=(ctl.thresholds_unchecked, ctl.thresholds_closed))
def gradient_check_refuses_thresholds_outside_their_range(t, bad):
    """``gradient_check`` refuses thresholds outside ``0 < good <= wrong <= 1`` with
    ``ValueError`` (the documented domain): ``good = 0`` (nothing but an exact match would be
    "ok"; the bound is open), negatives, ``good`` or ``wrong`` above 1 (a relative error is at
    most 1: a threshold above never triggers), ``wrong`` below ``good`` (the "suspicious" band
    would be empty and the verdict order inverted), NaN and inf. The other threshold is its
    default (good 1e-7, wrong 1e-3), or 1 when ``good`` is above 1e-3.
    """
    which, value = bad
    kw = {which: value}
    if which == "good" and not value <= 1e-3:
        kw["wrong"] = 1.0
    f = lambda v: float(np.sum(np.asarray(v, dtype=np.float64) ** 2))  # noqa: E731
    refuses(lambda: t.gradient_check(f, lambda v: 2.0 * np.asarray(v, dtype=np.float64), np.array([0.5, -1.0]), **kw),
            f"gradient_check({', '.join(f'{k}={v!r}' for k, v in kw.items())}): needs 0 < good <= wrong <= 1")


#: Points where x +- h is not two distinct float64 numbers: h below the precision of x (x + h
#: == x - h), or x + h (or x - h) beyond the float64 range.
_STILL_POINTS = [([1e20, 1.0], 1e-6), ([1.0, -3e17], 1e-3), ([1.7e308, 0.0], 1e308), ([0.0, -1.7e308], 1e308),
                 ([1.7976931348623157e308], 2e292)]


@law(needs=(), cases=_FD_CASES, tier="contract", max_examples=10, name=lambda c: st.just(c),
     point=st.sampled_from(_STILL_POINTS),
     examples=tuple({"_case": c, "name": c, "point": p} for c in _FD_CASES for p in _STILL_POINTS),
     controls=(ctl.fd_without_point_checks,))
def finite_differences_refuse_a_step_that_does_not_give_two_points(t, name, point):
    """``numerical_gradient`` and ``gradient_check`` refuse, with ``ValueError`` (and no
    warning), a step for which ``x_i + h`` and ``x_i - h`` are not two distinct finite float64
    numbers: ``h`` below the precision of ``x_i`` (the difference ``f(x+h) - f(x-h)`` would be 0
    over a step of 0) or ``x_i + h`` or ``x_i - h`` beyond the float64 range (one side is
    enough: the step is then not centred). ``f = sum(tanh(x))`` is finite everywhere, so only
    the step's check refuses. ``x`` stays unchanged.
    """
    xs, h = point
    x = np.array(xs, dtype=np.float64)
    f = lambda v: float(np.sum(np.tanh(np.asarray(v, dtype=np.float64))))  # noqa: E731  (finite even at inf)
    _g, call = _fd_call(t, name, f, x, h=h)
    refuses(call, f"{name}(x={xs}, h={h!r}): x +- h are not two finite float64 numbers")
    unchanged(np.array(xs, dtype=np.float64), x, f"{name}: x")


@law(needs=(), cases=_FD_CASES, tier="contract", max_examples=6, name=lambda c: st.just(c),
     big=st.sampled_from([1e308, 1.7e308, 8e307]), h=st.sampled_from([1e-3, 1e-6, 2.0**-10]),
     controls=(ctl.fd_quotient_returned,))
def finite_differences_refuse_a_difference_quotient_that_overflows(t, name, big, h):
    """``numerical_gradient`` and ``gradient_check`` refuse, with ``ValueError`` (and no
    warning), a point where the difference quotient ``(f(x+h) - f(x-h)) / 2h`` does not fit
    float64 (a step of height ``2 big`` over ``2h``): the documented "values must fit float64".
    """
    f = lambda v: big if float(np.asarray(v, dtype=np.float64)[0]) > 0 else -big  # noqa: E731
    _g, call = _fd_call(t, name, f, np.array([0.0]), h=h)
    refuses(call, f"{name}: f jumps from {-big!r} to {big!r} across 2h = {2 * h!r}: the quotient overflows")


@law(needs=(), cases=_FD_CASES, tier="contract", max_examples=8, name=lambda c: st.just(c),
     value=st.sampled_from([1.5 + 2j, np.complex128(1.0), "1.5", b"1", None, object()]),
     controls=(ctl.fd_any_output,))
def finite_differences_refuse_a_function_whose_value_is_not_a_real_number(t, name, value):
    """``numerical_gradient`` and ``gradient_check`` refuse, with ``TypeError``, an ``f`` whose
    value is not a real number: a complex number (even with imaginary part 0: the gradient
    of a complex function is not this difference quotient), a string, bytes, None, an object
    (the documented ``f(x) -> float``).
    """
    f = lambda v: value  # noqa: E731
    _g, call = _fd_call(t, name, f, np.array([0.5, -1.0]), h=1e-6)
    refuses(call, f"{name}: f returns {value!r}", expect=TypeError)
