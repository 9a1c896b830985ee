"""Laws of convergence: Newton-Raphson, gradient-descent and heavy-ball rates on quadratics,
every optimiser on a budget, mini-batch gradients, and input normalisation as conditioning.

Sources: seed 001 ("2nd order methods", the "What??" slide; "Momentum"; "Input
Normalization" with features on [1000, 2000] and [0.1, 0.2]); Polyak (1964) for the heavy
ball's optimal parameters; Nocedal & Wright (2006) sections 3.3-3.4; van der Sluis (1969)
for column scaling.

Target names used: ``newton_step(params, grad, hessian, lr)``, ``newton(hessian_fn, lr)``,
``minimize(optimizer, grad_fn, x0, *, steps, tol=None, history=False)`` (a result with
``x, steps, converged, grad_norm, history``), ``sgd``, ``adagrad``, ``rmsprop``,
``adadelta``, ``adam``, ``exponential_decay``, the problems ``quadratic``,
``quadratic_form``, ``conditioned_quadratic``, ``rosenbrock``, ``least_squares`` (each
with ``value, grad, hessian, minimizer, min_value``), ``minibatch_gradient`` and ``zscore``.
Oracles are computed here, in closed form, with numpy's eigh/svd/lstsq as independent
linear algebra.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from properties import stats
from properties._law import LawViolation, law
from properties.controls import convergence as ctl
from properties.laws._calls import _adagrad, _adam, _rmsprop, _sgd
from properties.laws._tolerance import EPS64, zscore_condition
from properties.strategies import feature_matrices

# --- helpers ---------------------------------------------------------------------------------


def _rng(seed):
    return np.random.default_rng(seed)


def _orthogonal(rng, d):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def _spd(rng, d, cond):
    """A = Q diag(lam) Q^T with lam from 1 to cond (both ends present)."""
    q = _orthogonal(rng, d)
    lam = np.sort(np.concatenate([[1.0, cond], cond ** rng.uniform(0, 1, max(d - 2, 0))]))[:d]
    if d == 1:
        lam = np.array([1.0])
    a = (q * lam) @ q.T
    return 0.5 * (a + a.T), lam, q


def _signed_unit_mix(rng, d):
    """Coefficients with |c_i| in [0.5, 1] and random signs: every eigen-direction excited."""
    return rng.uniform(0.5, 1.0, d) * rng.choice([-1.0, 1.0], d)


def _cond_gram(m) -> float:
    """cond_2(M^T M) = (s_max / s_min)^2 from the singular values of M (inf if singular)."""
    s = np.linalg.svd(np.asarray(m, dtype=np.float64), compute_uv=False)
    if s[-1] == 0:
        return math.inf
    with np.errstate(over="ignore"):  # s_max / s_min may overflow: cond = inf, said without a warning
        r = float(s[0] / s[-1])
    return r * r  # a float product overflows to inf quietly (** would raise)


def _arr(a):
    return np.asarray(a, dtype=np.float64)


seeds = st.integers(0, 2**32 - 1)

# --- test problems ---------------------------------------------------------------------------


def _oracle(kind, args, x):
    """(f, |f|-bound, grad, |grad|-bound, Hessian, |Hessian|-bound) in closed form.

    The bounds evaluate the same expression with absolute values: the rounding error of a
    sum of m products is at most about ``m eps`` times that bound.
    """
    ax = np.abs(x)
    if kind == "quadratic":
        a, b = args
        g = a @ x - b
        return (0.5 * x @ (a @ x) - b @ x, 0.5 * ax @ (np.abs(a) @ ax) + np.abs(b) @ ax,
                g, np.abs(a) @ ax + np.abs(b), a, np.abs(a))
    if kind == "quadratic_form":
        (a,) = args
        return x @ (a @ x), ax @ (np.abs(a) @ ax), 2 * a @ x, 2 * np.abs(a) @ ax, 2 * a, 2 * np.abs(a)
    if kind == "rosenbrock":
        d, b = args
        r = x[1:] - x[:-1] ** 2
        rabs = ax[1:] + x[:-1] ** 2
        f = float(np.sum(b * r * r + (1 - x[:-1]) ** 2))
        fabs = float(np.sum(b * rabs**2 + (1 + ax[:-1]) ** 2))
        g = np.zeros(d)
        gabs = np.zeros(d)
        g[:-1] = -4 * b * x[:-1] * r - 2 * (1 - x[:-1])
        gabs[:-1] = 4 * b * ax[:-1] * rabs + 2 * (1 + ax[:-1])
        g[1:] += 2 * b * r
        gabs[1:] += 2 * b * rabs
        h = np.zeros((d, d))
        habs = np.zeros((d, d))
        for i in range(d - 1):
            h[i, i] += 12 * b * x[i] ** 2 - 4 * b * x[i + 1] + 2
            habs[i, i] += 12 * b * x[i] ** 2 + 4 * b * ax[i + 1] + 2
            h[i + 1, i + 1] += 2 * b
            habs[i + 1, i + 1] += 2 * b
            h[i, i + 1] = h[i + 1, i] = -4 * b * x[i]
            habs[i, i + 1] = habs[i + 1, i] = 4 * b * ax[i]
        return f, fabs, g, gabs, h, habs
    if kind == "least_squares":
        xm, y = args
        n = xm.shape[0]
        r = xm @ x - y
        rabs = np.abs(xm) @ ax + np.abs(y)
        return (0.5 * r @ r / n, 0.5 * rabs @ rabs / n, xm.T @ r / n, np.abs(xm).T @ rabs / n,
                xm.T @ xm / n, np.abs(xm).T @ np.abs(xm) / n)
    raise ValueError(kind)


@law(needs=("quadratic", "quadratic_form", "rosenbrock", "least_squares"),
     kind=st.sampled_from(["quadratic", "quadratic_form", "quadratic_form_diagonal", "rosenbrock", "least_squares"]),
     seed=seeds, d=st.integers(2, 5),
     controls=(ctl.quadratic_form_forgets_two, ctl.least_squares_sum_hessian))
def problems_match_their_closed_forms(t, kind, seed, d):
    """Each test problem's value, gradient and Hessian are its closed form, and its minimiser
    has zero gradient and the stated minimum value.

    ``quadratic(A, b)``: ``0.5 x'Ax - b'x``, ``Ax - b``, ``A``. ``quadratic_form(A)`` (seed
    001's ``theta . A theta``, diagonal or full): ``2 A theta``, ``2 A`` - the factor 2 the
    seed writes. ``rosenbrock(d, b)``: the chained form. ``least_squares(X, y)``:
    ``1/(2n)||Xw - y||^2``, ``X'(Xw - y)/n``, ``X'X/n``. Tolerance ``8 (m + 4) eps`` times
    the expression evaluated with absolute values (m terms per sum), times ``cond(A)`` for
    the gradient at a minimiser obtained by a solve.
    """
    rng = _rng(seed)
    x = rng.uniform(-2, 2, d)
    cond = 1.0
    if kind == "quadratic":
        a, _, _ = _spd(rng, d, 10 ** rng.uniform(0, 2))
        b = rng.standard_normal(d)
        args, prob, m, cond = (a, b), t.quadratic(a, b), d, np.linalg.cond(a)
    elif kind.startswith("quadratic_form"):
        if kind.endswith("diagonal"):
            diag = rng.uniform(0.1, 10, d)
            a, prob = np.diag(diag), t.quadratic_form(diag)
        else:
            a, _, _ = _spd(rng, d, 10 ** rng.uniform(0, 2))
            prob = t.quadratic_form(a)
        args, m, kind, cond = (a,), d, "quadratic_form", np.linalg.cond(a)
    elif kind == "rosenbrock":
        b = float(rng.choice([1.0, 10.0, 100.0]))
        args, prob, m = (d, b), t.rosenbrock(d, b), d
    else:
        n = int(rng.integers(d, 3 * d + 1))
        xm, y = rng.standard_normal((n, d)), rng.standard_normal(n)
        args, prob, m = (xm, y), t.least_squares(xm, y), n + d
        cond = _cond_gram(xm)
    gamma = 8 * (m + 4) * EPS64
    f, fabs, g, gabs, h, habs = _oracle(kind, args, x)
    got = (float(prob.value(x)), _arr(prob.grad(x)), _arr(prob.hessian(x)))
    for name, val, want, bound in (("value", got[0], f, fabs), ("grad", got[1], g, gabs), ("hessian", got[2], h, habs)):
        if np.shape(val) != np.shape(want) or np.any(np.abs(val - want) > gamma * bound + 1e-300):
            raise LawViolation(f"{kind}{args if kind == 'rosenbrock' else ''}.{name}(x) = {val!r}, but the closed form "
                               f"gives {want!r} (tolerance {gamma:.2g} x |terms|) [x={x!r}, seed={seed}]")
    xs = _arr(prob.minimizer)
    f, fabs, g, gabs, _, _ = _oracle(kind, args, xs)
    if np.any(np.abs(g) > gamma * cond * gabs + 1e-300) or abs(float(prob.min_value) - f) > gamma * cond * fabs + 1e-300:
        raise LawViolation(f"{kind}: minimizer {xs!r} has gradient {g!r} and value {f!r} (min_value says "
                           f"{prob.min_value!r}); should be 0 and equal [seed={seed}]")


@law(needs=("conditioned_quadratic",), d=st.integers(2, 6), kappa=st.floats(1.0, 1e6), seed=seeds,
     controls=(ctl.conditioned_quadratic_sqrt_kappa,))
def conditioned_quadratic_has_condition_number_kappa(t, d, kappa, seed):
    """``conditioned_quadratic(d, kappa, rng)`` has a symmetric Hessian with eigenvalues from
    exactly 1 to exactly kappa (so ``cond = kappa``), ``eigenvalues``/``eigenvectors`` are its
    eigen-decomposition, and the gradient vanishes at ``minimizer``.

    Tolerance ``8 d eps kappa``: the rounding of forming ``Q diag(lambda) Q^T`` (backward
    stable eigensolver on top).
    """
    xs = _rng(seed + 1).standard_normal(d)
    p = t.conditioned_quadratic(d, kappa, _rng(seed), minimizer=xs)
    h = _arr(p.hessian(xs))
    tol = 8 * d * EPS64 * kappa
    lam = np.linalg.eigvalsh(0.5 * (h + h.T))
    ev, vec = _arr(p.eigenvalues), _arr(p.eigenvectors)
    problems = []
    if np.max(np.abs(h - h.T)) > tol:
        problems.append(f"Hessian not symmetric (max |H - H^T| = {np.max(np.abs(h - h.T)):.3g})")
    if abs(lam[0] - 1) > tol or abs(lam[-1] - kappa) > tol:
        problems.append(f"Hessian eigenvalues span [{lam[0]!r}, {lam[-1]!r}], should be [1, {kappa!r}]")
    if ev.shape != (d,) or abs(ev[0] - 1) > tol or abs(ev[-1] - kappa) > tol or np.any(np.diff(ev) < 0):
        problems.append(f"eigenvalues field {ev!r} should ascend from 1 to {kappa!r}")
    elif np.max(np.abs(h @ vec - vec * ev)) > tol or np.max(np.abs(vec.T @ vec - np.eye(d))) > 8 * d * EPS64:
        problems.append("H @ eigenvectors != eigenvectors * eigenvalues (or eigenvectors not orthonormal)")
    g = _arr(p.grad(xs))
    if np.max(np.abs(g)) > tol * (1 + np.max(np.abs(xs))):
        problems.append(f"grad(minimizer) = {g!r}, should be 0")
    if problems:
        raise LawViolation(f"conditioned_quadratic({d}, {kappa!r}): " + "; ".join(problems) + f" [seed={seed}]")


# --- Newton-Raphson --------------------------------------------------------------------------


@law(needs=("newton_step",), d=st.integers(1, 6), log_cond=st.floats(0, 8), seed=seeds,
     controls=(ctl.newton_times_hessian, ctl.newton_ignores_lr))
def newton_step_reaches_quadratic_minimiser_in_one_step(t, d, log_cond, seed):
    """On ``f = 0.5 (x - x*)' A (x - x*)`` with SPD ``A`` one Newton step with ``eta = 1`` lands
    on ``x*``: ``x0 - A^-1 A (x0 - x*) = x*`` (seed 001, "Newton-Raphson"). Also, with
    ``eta = 1/2`` it lands half-way.

    Tolerance ``16 d eps (cond(A) ||x0 - x*|| + ||x0|| + ||x*||)``: a backward-stable solve
    has relative error ``~ d cond(A) eps``, and forming the gradient and the difference
    costs a few roundings of the iterates.
    """
    rng = _rng(seed)
    a, lam, _ = _spd(rng, d, 10.0**log_cond)
    xs, x0 = rng.standard_normal(d), rng.standard_normal(d) * 3
    g = a @ (x0 - xs)
    cond = lam[-1] / lam[0]
    tol = 16 * d * EPS64 * (cond * np.linalg.norm(x0 - xs) + np.linalg.norm(x0) + np.linalg.norm(xs))
    for eta, want in ((1.0, xs), (0.5, 0.5 * (x0 + xs))):
        x1 = _arr(t.newton_step(x0.copy(), g.copy(), a.copy(), lr=eta))
        err = np.linalg.norm(x1 - want)
        if x1.shape != x0.shape or not err <= tol:
            raise LawViolation(f"newton_step(lr={eta}) on a quadratic (cond {cond:.3g}): ||x1 - target|| = {err:.3g} > "
                               f"{tol:.3g}; x1={x1!r}, should be {want!r} [seed={seed}]")


@law(needs=("newton", "minimize"), d=st.integers(1, 5), eta=st.floats(0.05, 1.95), diagonal=st.booleans(),
     seed=seeds, controls=(ctl.newton_times_hessian, ctl.newton_ignores_lr))
def newton_contracts_the_error_by_one_minus_lr_per_step(t, d, eta, diagonal, seed):
    """Seed 001's "What??" slide: on ``L = theta . A theta`` (gradient ``2 A theta``, Hessian
    ``2 A``) Newton with step eta gives ``theta_t = (1 - eta) theta_{t-1}`` exactly, whatever
    the conditioning of A; so after k steps ``theta_k = (1 - eta)^k theta_0``. Checked at
    every step of 8 with a diagonal A (the seed's) or a full SPD A (cond up to 1e4).

    Tolerance ``16 k d eps cond(A) ||theta_0||`` at step k: each solve has relative error
    ``~ d cond eps`` and an error made at one step is then contracted, not amplified.
    """
    rng = _rng(seed)
    if diagonal:
        lam = 10 ** rng.uniform(-2, 2, d)
        a = np.diag(lam)
    else:
        a, lam, _ = _spd(rng, d, 10 ** rng.uniform(0, 4))
    cond = float(np.max(lam) / np.min(lam))
    theta0 = rng.standard_normal(d) * 2
    k = 8
    res = t.minimize(t.newton(lambda th: 2 * a, lr=eta), lambda th: 2 * a @ th, theta0.copy(), steps=k,
                     history=True)
    hist = _arr(res.history)
    for j in range(k + 1):
        want = (1 - eta) ** j * theta0
        tol = 16 * (j + 1) * d * EPS64 * cond * np.linalg.norm(theta0)
        err = np.linalg.norm(hist[j] - want)
        if not err <= tol:
            raise LawViolation(f"Newton with eta={eta!r} on theta.A.theta: step {j} is {hist[j]!r}, should be "
                               f"(1 - eta)^{j} theta_0 = {want!r} (error {err:.3g} > {tol:.3g}) [seed={seed}]")


def _bumpy(a, b):
    """f(x) = 0.5 x'Ax - b'x + 0.25 sum x^4 (strictly convex, non-quadratic) with grad, Hessian."""
    return (lambda x: a @ x - b + x**3, lambda x: a + np.diag(3 * x**2))


@law(needs=("newton_step", "sgd", "minimize"), d=st.integers(2, 4), eta=st.floats(0.25, 1.0), seed=seeds,
     controls=(ctl.newton_times_hessian,))
def newton_is_affine_invariant_gradient_descent_is_not(t, d, eta, seed):
    """For ``g(y) = f(M y + c)`` with invertible M, Newton's iterates map onto each other:
    ``M y_k + c = x_k`` (Nocedal & Wright, section 3.3: ``grad g = M' grad f``,
    ``hess g = M' H M``, so ``M (hess g)^-1 grad g = H^-1 grad f``). Gradient descent's do
    not: its first step maps to ``x0 - eta M M' grad f``, which differs from ``x0 - eta grad
    f`` by ``eta (M M' - I) grad f``, at least ``3 eta ||grad f||`` when M's singular values are
    in [2, 4]. The function is ``0.5 x'Ax - b'x + 0.25 sum x^4`` (not quadratic, so the
    invariance is not the one-step exactness in disguise). Three Newton steps are compared.

    Tolerance ``1e3 k d eps cond(H_y) (||x|| + ||c||)``: the solves in y and in x each err
    by ``~ d cond eps`` and M maps the y-error into x with ``||M|| <= 4``.
    """
    rng = _rng(seed)
    a, _, _ = _spd(rng, d, 10.0)
    b = rng.standard_normal(d)
    m = _orthogonal(rng, d) @ np.diag(rng.uniform(2, 4, d)) @ _orthogonal(rng, d)
    c = rng.standard_normal(d)
    grad_f, hess_f = _bumpy(a, b)
    y = rng.standard_normal(d)
    x = m @ y + c
    x_start = x.copy()
    scale = 1 + np.linalg.norm(x) + np.linalg.norm(c)
    for k in range(1, 4):
        hy = m.T @ hess_f(m @ y + c) @ m
        y = _arr(t.newton_step(y, m.T @ grad_f(m @ y + c), hy, lr=eta))
        x = _arr(t.newton_step(x, grad_f(x), hess_f(x), lr=eta))
        tol = 1e3 * k * d * EPS64 * np.linalg.cond(hy) * scale
        err = np.linalg.norm(m @ y + c - x)
        if not err <= tol:
            raise LawViolation(f"Newton is not affine invariant: after {k} step(s) ||M y_k + c - x_k|| = {err:.3g} > "
                               f"{tol:.3g} [eta={eta!r}, seed={seed}]")
    y0 = np.linalg.solve(m, x_start - c)
    gx = grad_f(x_start)
    y1 = _arr(t.minimize(_sgd(t, eta), lambda yy: m.T @ grad_f(m @ yy + c), y0, steps=1).x)
    x1 = _arr(t.minimize(_sgd(t, eta), grad_f, x_start, steps=1).x)
    gap = np.linalg.norm(m @ y1 + c - x1)
    if not gap >= eta * np.linalg.norm(gx):
        raise LawViolation(f"gradient descent looked affine invariant: ||M y_1 + c - x_1|| = {gap:.3g} < eta ||grad|| = "
                           f"{eta * np.linalg.norm(gx):.3g}; it should differ by eta (M M' - I) grad [seed={seed}]")


# --- gradient descent and heavy ball on quadratics -------------------------------------------


@law(needs=("sgd", "minimize", "conditioned_quadratic"), d=st.integers(2, 5), kappa=st.floats(1.0, 100.0),
     c=st.one_of(st.floats(0.1, 0.95), st.floats(1.05, 1.5)), seed=seeds,
     controls=(ctl.gd_half_lr,))
def gradient_descent_is_stable_iff_lr_below_two_over_lambda_max(t, d, kappa, c, seed):
    """GD with ``eta = c 2/lambda_max`` on a quadratic (eigenvalues [1, kappa]) contracts
    every error at rate ``rho = max|1 - eta lambda_i| < 1`` when c < 1, and when c > 1 the
    error along the top eigenvector grows by ``|1 - eta lambda_max| = 2c - 1 > 1`` per step
    (Nocedal & Wright, section 3.3). Checked over 40 steps: ``||e_40|| <= rho^40 ||e_0||``,
    resp. ``|q_max . e_40| >= (2c - 1)^40 |q_max . e_0|``.

    Tolerance: relative ``1e-9`` (40 steps of rounding of the order ``40 d eps`` each).
    """
    rng = _rng(seed)
    p = t.conditioned_quadratic(d, kappa, _rng(seed))
    lam, vec = np.linalg.eigh(_arr(p.hessian(np.zeros(d))))
    eta = 2 * c / lam[-1]
    e0 = vec @ _signed_unit_mix(rng, d)
    k = 40
    ek = _arr(t.minimize(_sgd(t, eta), p.grad, e0, steps=k).x) - _arr(p.minimizer)
    if c < 1:
        rho = max(abs(1 - eta * lam[0]), abs(1 - eta * lam[-1]))
        bound = rho**k * np.linalg.norm(e0) * (1 + 1e-9) + 1e-9 * np.linalg.norm(e0)
        if not np.linalg.norm(ek) <= bound:
            raise LawViolation(f"GD with eta = {c:.3g} * 2/lambda_max is not contracting at rate {rho:.4g}: ||e_40|| = "
                               f"{np.linalg.norm(ek):.3g} > {bound:.3g} [kappa={kappa!r}, seed={seed}]")
    else:
        top0, topk = vec[:, -1] @ e0, vec[:, -1] @ ek
        need = (2 * c - 1) ** k * abs(top0) * (1 - 1e-9)
        if not abs(topk) >= need:
            raise LawViolation(f"GD with eta = {c:.3g} * 2/lambda_max did not diverge: |q_max . e_40| = {abs(topk):.3g} "
                               f"< (2c - 1)^40 |q_max . e_0| = {need:.3g} [kappa={kappa!r}, seed={seed}]")


@law(needs=("sgd", "minimize", "conditioned_quadratic"), d=st.integers(2, 5), kappa=st.floats(1.0, 1e3),
     c=st.floats(0.05, 0.99), k=st.integers(1, 30), seed=seeds, controls=(ctl.gd_half_lr,))
def gradient_descent_error_along_each_eigenvector_is_one_minus_lr_lambda_to_the_k(t, d, kappa, c, k, seed):
    """On ``f = 0.5 (x - x*)' A (x - x*)``, GD's error is ``e_k = (I - eta A)^k e_0``, so its
    component along eigenvector ``q_i`` is exactly ``(1 - eta lambda_i)^k q_i . e_0``.

    Tolerance ``32 (k + 1) d eps (||e_0|| + ||x*||)``: each step rounds ``x - eta A (x - x*)``
    at the scale of the iterate, and ``I - eta A`` (stable here, ``eta < 2/lambda_max``) does
    not amplify earlier errors; the eigenvectors come from numpy's eigh.
    """
    rng = _rng(seed)
    xs = rng.standard_normal(d)
    p = t.conditioned_quadratic(d, kappa, _rng(seed), minimizer=xs)
    lam, vec = np.linalg.eigh(_arr(p.hessian(xs)))
    eta = 2 * c / lam[-1]
    e0 = vec @ (_signed_unit_mix(rng, d) * 2)
    xk = _arr(t.minimize(_sgd(t, eta), p.grad, xs + e0, steps=k).x)
    got = vec.T @ (xk - xs)
    want = (1 - eta * lam) ** k * (vec.T @ e0)
    tol = 32 * (k + 1) * d * EPS64 * (np.linalg.norm(e0) + np.linalg.norm(xs))
    if not np.all(np.abs(got - want) <= tol):
        raise LawViolation(f"GD eigen-components after {k} steps: {got!r}, should be (1 - eta lambda_i)^k q_i.e_0 = "
                           f"{want!r} (tol {tol:.2g}) [eta={eta!r}, lambda={lam!r}, seed={seed}]")


@law(needs=("sgd", "minimize", "conditioned_quadratic"), d=st.integers(2, 5), kappa=st.floats(4.0, 1e3),
     seed=seeds, controls=(ctl.momentum_sign_flipped, ctl.gd_half_lr))
def heavy_ball_with_optimal_parameters_converges_at_the_sqrt_kappa_rate(t, d, kappa, seed):
    """Heavy ball (seed 001's momentum ``u = gamma u - eta g``) with Polyak's optimal
    ``eta = 4/(sqrt(L) + sqrt(mu))^2``, ``gamma = rho^2``, ``rho = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)``
    on a quadratic with eigenvalues in [mu, L] = [1, kappa]:

    * every eigen-component obeys ``|e_k| <= (1 + k (1 + rho)) rho^k |e_0|`` (the recurrence
      ``e_{k+1} = (1 + gamma - eta lambda) e_k - gamma e_{k-1}`` has roots of modulus rho;
      proof in docs/techniques/convergence.md);
    * along ``lambda = mu`` the error is exactly ``(1 + k (1 - rho)) rho^k e_0`` and along
      ``lambda = L`` exactly ``(1 + k (1 + rho)) (-rho)^k e_0`` (a double root): the rate is
      rho, no better;
    * gradient descent with its optimal ``eta = 2/(L + mu)`` has error exactly
      ``((kappa - 1)/(kappa + 1))^k e_0`` along ``lambda = mu``: the square root of kappa is the
      gain. k = ceil(6 sqrt(kappa)) + 10 steps, where heavy ball's bound is below GD's rate.

    Tolerance ``64 eps (k + 1)^2 ||e_0||``: errors made at one step are propagated by the
    iteration with gain at most ``1 + 2k``.
    """
    rng = _rng(seed)
    p = t.conditioned_quadratic(d, kappa, _rng(seed))
    lam, vec = np.linalg.eigh(_arr(p.hessian(np.zeros(d))))
    mu, big = lam[0], lam[-1]
    sk = math.sqrt(big / mu)
    rho = (sk - 1) / (sk + 1)
    eta, gamma = 4 / (math.sqrt(big) + math.sqrt(mu)) ** 2, rho**2
    k = int(math.ceil(6 * sk)) + 10
    c0 = _signed_unit_mix(rng, d)
    e0 = vec @ c0
    hist = _arr(t.minimize(_sgd(t, eta, momentum=gamma), p.grad, e0, steps=k, history=True).history)
    comps = hist @ vec                       # row j: eigen-components of e_j (x* = 0)
    tol = 64 * EPS64 * (k + 1) ** 2 * np.linalg.norm(e0)
    j = np.arange(k + 1)[:, None]
    bound = (1 + j * (1 + rho)) * rho**j * np.abs(c0)
    if hist.shape[0] != k + 1 or np.any(np.abs(comps) > bound + tol):
        bad = np.argwhere(np.abs(comps) > bound + tol)[0] if hist.shape[0] == k + 1 else (k, 0)
        raise LawViolation(f"heavy ball exceeded (1 + k(1 + rho)) rho^k |e_0| at step {bad[0]}, component {bad[1]}: "
                           f"rho={rho:.6g} [kappa={kappa!r}, seed={seed}]")
    slow = (1 + k * (1 - rho)) * rho**k * c0[0]
    fast = (1 + k * (1 + rho)) * (-rho) ** k * c0[-1]
    if abs(comps[-1, 0] - slow) > tol or abs(comps[-1, -1] - fast) > tol:
        raise LawViolation(f"heavy ball after {k} steps: components along lambda_min, lambda_max = "
                           f"{comps[-1, 0]!r}, {comps[-1, -1]!r}; the double-root solutions give {slow!r}, {fast!r} "
                           f"(tol {tol:.2g}) [kappa={kappa!r}, seed={seed}]")
    rho_gd = (big / mu - 1) / (big / mu + 1)
    gd = _arr(t.minimize(_sgd(t, 2 / (big + mu)), p.grad, e0, steps=k).x) @ vec
    if abs(gd[0] - rho_gd**k * c0[0]) > tol:
        raise LawViolation(f"GD with eta = 2/(L + mu): component along lambda_min after {k} steps is {gd[0]!r}, "
                           f"should be ((kappa-1)/(kappa+1))^k e_0 = {rho_gd**k * c0[0]!r} [seed={seed}]")


# --- every optimiser, on a budget ------------------------------------------------------------

#: (optimiser factory on the target, budget of steps) on the well-conditioned quadratic
#: (eigenvalues [1, 10], x* standard normal, start 0) to ||grad|| <= 1e-6. GD's budget is
#: its worst case: rate 0.9 from ||grad_0|| <= 10 ||x*|| (< 40 here) takes at most
#: ln(4e7)/ln(1/0.9) = 166 steps; the others' are about twice the worst count seen over 40
#: random instances. A decaying schedule where a constant lr hovers (RMSprop).
QUADRATIC_SETTINGS = {
    "sgd": (lambda t: _sgd(t, 0.1), 200),
    "momentum": (lambda t: _sgd(t, 0.05, momentum=0.5), 250),
    "nesterov": (lambda t: _sgd(t, 0.05, momentum=0.5, nesterov=True), 250),
    "adagrad": (lambda t: _adagrad(t, 1.0, eps=1e-10, initial_accumulator_value=0.0, eps_inside_sqrt=False), 1500),
    "rmsprop": (lambda t: _rmsprop(t, _decay(0.1, 0.995), rho=0.99, eps=1e-8, eps_inside_sqrt=False), 1500),
    "adadelta": (lambda t: t.adadelta(0.1, rho=0.9, eps=1e-3), 1500),
    "adam": (lambda t: _adam(t, 0.1, b1=0.9, b2=0.999, eps=1e-8), 1500),
    "newton": (None, 2),
}

#: The same on Rosenbrock (b = 100) from (-1.2, 1) to ||grad|| <= 1e-3 (hence
#: ||x - (1, 1)|| <~ 2.5e-3, the smallest curvature at the minimum being ~0.4), checked as
#: ||x - (1, 1)|| <= 1e-2. Budgets about 1.5 x the count seen.
ROSENBROCK_SETTINGS = {
    "sgd": (lambda t: _sgd(t, 1.2e-3), 20000),
    "momentum": (lambda t: _sgd(t, 1.5e-3, momentum=0.9), 1500),
    "nesterov": (lambda t: _sgd(t, 1e-3, momentum=0.9, nesterov=True), 2500),
    "adagrad": (lambda t: _adagrad(t, 1.0, eps=1e-10, initial_accumulator_value=0.0, eps_inside_sqrt=False), 12500),
    "rmsprop": (lambda t: _rmsprop(t, _decay(1e-2, 0.999), rho=0.99, eps=1e-8, eps_inside_sqrt=False), 13000),
    "adadelta": (lambda t: t.adadelta(_decay(1.0, 0.9995), rho=0.9, eps=1e-6), 19000),
    "adam": (lambda t: _adam(t, _decay(0.1, 0.999), b1=0.9, b2=0.999, eps=1e-8), 4000),
    "newton": (None, 10),
}

def _decay(lr0, rate):
    """The law's own exponential schedule ``lr0 rate^k`` (plain arithmetic, so a jitted
    optimiser can trace it; the target's schedules are the business of the schedule law)."""
    return lambda k: lr0 * rate**k


#: One case per method; each needs its optimiser (and the schedule it uses) besides the driver.
_CASES = {"sgd": ("sgd",), "momentum": ("sgd",), "nesterov": ("sgd",), "adagrad": ("adagrad",),
          "rmsprop": ("rmsprop",), "adadelta": ("adadelta",), "adam": ("adam",), "newton": ("newton",)}


@law(needs=("minimize", "conditioned_quadratic"), cases=_CASES, name=lambda c: st.just(c),
     d=st.integers(2, 6), seed=seeds, controls=(ctl.newton_times_hessian, ctl.gd_half_lr))
def every_optimiser_converges_on_a_well_conditioned_quadratic(t, name, d, seed):
    """sgd, momentum, Nesterov, AdaGrad, RMSprop, AdaDelta, Adam and Newton each reach
    ``||grad|| <= 1e-6`` on a quadratic with eigenvalues [1, 10] within the budget of
    ``QUADRATIC_SETTINGS`` (which also states the hyperparameters); since lambda_min = 1,
    that puts them within 1e-6 of the minimiser (checked too).

    Not every method converges with its default constant learning rate: RMSprop hovers at
    a distance ~ lr (its step tends to ``lr sign(g)``) and needs a decay; AdaDelta with
    lr = 1 (Zeiler's "no learning rate") hovers too - see docs/techniques/convergence.md.
    """
    rng = _rng(seed)
    xs = rng.standard_normal(d)
    p = t.conditioned_quadratic(d, 10.0, _rng(seed), minimizer=xs)
    make, budget = QUADRATIC_SETTINGS[name]
    opt = t.newton(p.hessian) if make is None else make(t)
    res = t.minimize(opt, p.grad, np.zeros(d), steps=budget, tol=1e-6)
    with np.errstate(over="ignore"):
        dist = np.linalg.norm(_arr(res.x) - xs)
    if not (res.converged and dist <= 1e-6 * (1 + 1e-6)):
        raise LawViolation(f"{name} did not converge on a kappa=10 quadratic within {budget} steps: ||grad|| = "
                           f"{res.grad_norm:.3g}, ||x - x*|| = {dist:.3g} after {res.steps} steps [d={d}, seed={seed}]")


@law(needs=("minimize", "rosenbrock"), cases=_CASES, name=lambda c: st.just(c),
     controls=(ctl.newton_times_hessian, ctl.momentum_sign_flipped, ctl.gd_half_lr))
def every_optimiser_converges_on_rosenbrock(t, name):
    """Each optimiser reaches ``||grad|| <= 1e-3`` and ``||x - (1, 1)|| <= 1e-2`` on Rosenbrock
    (b = 100) from (-1.2, 1) within the budget of ``ROSENBROCK_SETTINGS``: Newton in 5
    steps, momentum and Nesterov in ~1e3, Adam ~2.5e3, AdaGrad and RMSprop ~1e4, plain GD
    and AdaDelta ~1.3e4 (the narrow curved valley punishes the first-order methods).
    """
    p = t.rosenbrock(2, 100.0)
    make, budget = ROSENBROCK_SETTINGS[name]
    opt = t.newton(p.hessian) if make is None else make(t)
    res = t.minimize(opt, p.grad, np.array([-1.2, 1.0]), steps=budget, tol=1e-3)
    with np.errstate(over="ignore"):
        dist = np.linalg.norm(_arr(res.x) - 1.0)
    if not (res.converged and dist <= 1e-2):
        raise LawViolation(f"{name} did not converge on Rosenbrock within {budget} steps: ||grad|| = {res.grad_norm:.3g}, "
                           f"||x - (1, 1)|| = {dist:.3g} after {res.steps} steps")


# --- the minimize driver ---------------------------------------------------------------------


@law(needs=("sgd", "minimize", "conditioned_quadratic"), d=st.integers(1, 4), steps=st.integers(0, 60),
     tol=st.one_of(st.none(), st.floats(1e-6, 1.0)), seed=seeds,
     controls=(ctl.minimize_one_step_late, ctl.minimize_in_place))
def minimize_stops_at_the_first_small_gradient_and_reports_it(t, d, steps, tol, seed):
    """``minimize(sgd(eta), grad, x0, steps=K, tol=tol, history=True)`` returns the GD
    iterates ``x_{j+1} = x_j - eta grad(x_j)`` from ``x_0 = x0`` (which it leaves untouched),
    stops at the first j with ``||grad(x_j)|| <= tol`` (converged) or after K updates, and
    reports ``steps = j``, ``grad_norm = ||grad(x)||`` and ``converged`` (False without tol).

    Tolerance: 4 ulps of the iterates (the oracle rounds ``x - eta g`` the same way).
    """
    rng = _rng(seed)
    p = t.conditioned_quadratic(d, 1.0 if d == 1 else 5.0, _rng(seed))
    eta = 0.2
    x0 = rng.standard_normal(d)
    before = x0.copy()
    res = t.minimize(_sgd(t, eta), p.grad, x0, steps=steps, tol=tol, history=True)
    if not np.array_equal(x0, before):
        raise LawViolation(f"minimize modified x0: {before!r} -> {x0!r}")
    xs = [before]
    while len(xs) <= steps and not (tol is not None and np.linalg.norm(p.grad(xs[-1])) <= tol):
        xs.append(xs[-1] - eta * _arr(p.grad(xs[-1])))
    want_steps = len(xs) - 1
    gn = float(np.linalg.norm(p.grad(xs[-1])))
    want_conv = tol is not None and gn <= tol
    hist = _arr(res.history)
    close = hist.shape == (want_steps + 1, d) and np.all(np.abs(hist - np.array(xs)) <= 4 * EPS64 * (1 + np.abs(xs)))
    if res.steps != want_steps or bool(res.converged) != want_conv or not close \
            or abs(res.grad_norm - gn) > 8 * EPS64 * (1 + gn) or np.any(_arr(res.x) != hist[-1]):
        raise LawViolation(f"minimize(steps={steps}, tol={tol!r}) reported steps={res.steps}, converged={res.converged}, "
                           f"grad_norm={res.grad_norm!r}, history shape {hist.shape}; GD stops after {want_steps} steps "
                           f"with converged={want_conv}, grad_norm={gn!r} [seed={seed}]")


# --- mini-batch gradients --------------------------------------------------------------------

#: Batches per check: a bias of half the estimator's standard deviation in a
#: coordinate is caught with probability 1 - 1e-6 at alpha = 1e-7.
N_BATCHES = stats.n_for_mean_shift(0.5)


@law(needs=("least_squares", "minibatch_gradient"), seed=stats.seeds(), statistical=True,
     controls=(ctl.minibatch_sum, ctl.minibatch_fixed_batch))
def minibatch_gradient_is_an_unbiased_estimate_of_the_full_gradient(t, seed):
    """``E[minibatch_gradient(p, w, B)] = p.grad(w)`` for a batch B of m distinct samples drawn
    uniformly (seed 001: "SGD (or MBGD)", the mini-batch loss ``L(B, theta)``); the mean over
    the batch, not the sum.

    Least squares with n in [10, 40], d in [1, 3], m in [1, n - 1]; N_BATCHES batches; a
    t-test per coordinate (alpha = 1e-7 each, so at most 3e-7 for the law), power 1 - 1e-6
    against a bias of 0.5 standard deviations of the estimator. A fixed batch has zero
    variance and a sum is biased by the factor m: both are rejected.
    """
    rng = stats.rng_from(seed)
    n, d = int(rng.integers(10, 41)), int(rng.integers(1, 4))
    m = int(rng.integers(1, n))
    x, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    w = rng.standard_normal(d) * 2
    p = t.least_squares(x, y)
    full = _arr(p.grad(w))
    sample = np.array([_arr(t.minibatch_gradient(p, w, rng.choice(n, m, replace=False))) for _ in range(N_BATCHES)])
    for j in range(d):
        stats.check_mean(sample[:, j], float(full[j]), what=f"mini-batch gradient coordinate {j} (n={n}, m={m})",
                         seed=seed, repro=f"law(load_target('reference'), seed={seed})")


# --- input normalisation as conditioning (seed 001) ------------------------------------------


def _seed001_features(rng, n):
    """Seed 001's features: x1 uniform on [1000, 2000], x2 uniform on [0.1, 0.2]."""
    return np.column_stack([rng.uniform(1000, 2000, n), rng.uniform(0.1, 0.2, n)])


def _relative_suboptimality(xm, y, w, w0, wstar):
    def f(v):
        r = xm @ v - y
        return 0.5 * (r @ r) / len(y)
    fs = f(wstar)
    return (f(w) - fs) / (f(w0) - fs)


@law(needs=("zscore", "least_squares", "sgd", "minimize"), seed=seeds, n=st.integers(50, 200),
     controls=(ctl.divide_by_variance, ctl.frobenius_norm))
def standardising_seed001_features_cuts_conditioning_and_iterations(t, seed, n):
    """Seed 001's "Input Normalization": with x1 on [1000, 2000] and x2 on [0.1, 0.2] the
    least-squares Hessian ``X'X/n`` has condition number ~1e9; z-scoring the features cuts
    it by at least 1e6 (to ~1), and gradient descent at ``eta = 1/lambda_max`` then reaches a
    relative suboptimality of 1e-10 within 40 steps, while on the raw features 25 times as
    many steps (1000) leave it above 1e-3: along the slow eigen-direction GD contracts by
    ``1 - lambda_min/lambda_max ~ 1 - 1e-9`` per step, so the raw problem needs ~1e9 steps.

    y = x1/1000 + 10 x2 + 0.01 noise, so both features matter. Not a rounding question: the
    margins are orders of magnitude.
    """
    rng = _rng(seed)
    xm = _seed001_features(rng, n)
    y = xm[:, 0] / 1000 + 10 * xm[:, 1] + 0.01 * rng.standard_normal(n)
    z = _arr(t.zscore(xm, eps=0.0))
    c_raw, c_std = _cond_gram(xm), _cond_gram(z)
    if not c_raw >= 1e6 * c_std:
        raise LawViolation(f"standardising changed cond(X'X) from {c_raw:.3g} to {c_std:.3g}; seed 001's features "
                           f"should gain at least 1e6 [seed={seed}, n={n}]")
    results = {}
    for label, data, steps in (("standardised", z, 40), ("raw", xm, 1000)):
        lmax = np.linalg.eigvalsh(data.T @ data / n)[-1]
        p = t.least_squares(data, y)
        w0 = np.zeros(2)
        w = _arr(t.minimize(_sgd(t, 1 / lmax), p.grad, w0, steps=steps).x)
        results[label] = _relative_suboptimality(data, y, w, w0, np.linalg.lstsq(data, y, rcond=None)[0])
    if not (results["standardised"] <= 1e-10 and results["raw"] > 1e-3):
        raise LawViolation(f"relative suboptimality after GD: standardised (40 steps) {results['standardised']:.3g} "
                           f"(should be <= 1e-10), raw (1000 steps) {results['raw']:.3g} (should stay > 1e-3) "
                           f"[seed={seed}, n={n}]")


#: Hypothesis's counterexamples to "standardising never raises cond(X'X)": the permuted
#: identity becomes singular (cond 1 -> inf), and with three rows (cond 1 -> 3, finite).
COUNTEREXAMPLE_SINGULAR = np.array([[0.0, 1.0], [1.0, 0.0]])
COUNTEREXAMPLE_FINITE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]])


@law(needs=("zscore",), x=feature_matrices(min_rows=3, max_rows=12, min_cols=2, max_cols=4, bound=1e4),
     seed=seeds, controls=(ctl.frobenius_norm, ctl.zscore_without_centering),
     examples=({"x": COUNTEREXAMPLE_FINITE, "seed": 0},
               {"x": np.array([[1000.0, 0.1], [1500.0, 0.2], [2000.0, 0.15], [1200.0, 0.11]]), "seed": 1},
               # pinned: seed 004's global-mean Frobenius scaling gives cond 12.7 > 2 * 5.25 here; the
               # derandomised search of the negative-control test found it only in some test orders
               {"x": np.array([[1.0, 0.0], [0.0, 5.0], [0.0, 0.0]]), "seed": 0}))
def standardising_keeps_cond_within_d_of_the_centred_data(t, x, seed):
    """What does hold (van der Sluis 1969): with ``C = X - mean`` the centred data and
    ``Z = zscore(X) = C diag(1/sigma_j)``,

    ``cond(Z'Z) <= d * cond((C D)'(C D))`` for *every* positive diagonal D, in particular D = I.

    Proof: Z's columns all have norm sqrt(n), so ``s_max(Z) <= ||Z||_F = sqrt(n d)``. For
    ``A = C D`` write ``Z = A E`` with E diagonal, ``e_j = sqrt(n)/||a_j||``; then
    ``s_min(Z) >= s_min(A) min_j e_j = sqrt(n) s_min(A) / max_j ||a_j||`` and
    ``max_j ||a_j|| <= s_max(A)``, so ``cond(Z) <= sqrt(d) cond(A)``; square it. Standardising is
    thus within a factor d of the best per-feature rescaling.

    The general claim "standardising never raises the condition number" is **false**
    because centring can: on ``X = [[0, 0], [0, 1], [1, 0]]`` (pinned, found by Hypothesis)
    cond(X'X) = 1 but cond(Z'Z) = 3, and on ``[[0, 1], [1, 0]]`` Z is singular. The bound
    above compares with the centred data, where it holds. Only data with cond(C'C) <= 1e8
    are checked (beyond that the centred data are singular to working precision); a random
    diagonal D is drawn too.

    Tolerance: relative ``64 (n + d) eps kappa_z (sqrt(cond(Z'Z)) + sqrt(cond(C'C)))``, the
    perturbation of the extreme singular values by the rounding of Z (kappa_z is the
    per-feature condition of standardisation, ``max|x| / sigma``).
    """
    x = _arr(x)
    n, d = x.shape
    cen = x - x.mean(axis=0)
    c_c = _cond_gram(cen)
    kz = zscore_condition(x)
    if not (c_c <= 1e8 and np.all(kz <= 1e6)):
        return
    dscale = np.exp(_rng(seed).uniform(-3, 3, d))
    c_best = min(c_c, _cond_gram(cen * dscale))
    z = _arr(t.zscore(x, eps=0.0))
    c_z = _cond_gram(z)
    slack = 1 + 64 * (n + d) * EPS64 * float(np.max(kz)) * (math.sqrt(c_z) + math.sqrt(c_c))
    if not c_z <= d * c_best * slack:
        raise LawViolation(f"cond(zscore(X)'zscore(X)) = {c_z:.6g} exceeds d * cond((C D)'(C D)) = {d} * {c_best:.6g} "
                           f"for the centred data C [x={x!r}, D={dscale!r}]")


@law(needs=("zscore",), x=st.sampled_from([COUNTEREXAMPLE_FINITE, COUNTEREXAMPLE_SINGULAR]),
     controls=(ctl.zscore_without_centering,))
def standardising_can_raise_the_condition_number(t, x):
    """The pinned counterexamples to "standardising never raises cond(X'X)": z-scoring
    ``[[0, 0], [0, 1], [1, 0]]`` raises cond(X'X) from 1 to 3, and ``[[0, 1], [1, 0]]`` from 1
    to infinity (Z is singular). A correct z-score must reproduce them (centring is what
    raises it: a scale-only "standardisation" keeps cond = 1 on both).

    Tolerance: relative 1e-12 on cond = 1 and 3; "singular" means s_min(Z) <= 8 eps s_max(Z).
    """
    x = _arr(x)
    c_x = _cond_gram(x)
    z = _arr(t.zscore(x, eps=0.0))
    s = np.linalg.svd(z, compute_uv=False)
    singular = s[-1] <= 8 * EPS64 * s[0]
    c_z = math.inf if singular else float((s[0] / s[-1]) ** 2)
    want = math.inf if x.shape[0] == 2 else 3.0
    if abs(c_x - 1) > 1e-12 or not (c_z == want or abs(c_z - want) <= 1e-12 * want):
        raise LawViolation(f"z-scoring {x.tolist()} gave cond(Z'Z) = {c_z:.6g} (cond(X'X) = {c_x:.6g}); "
                           f"it should be {want} > 1: standardising raises the condition number here")


# --- the eigen-decomposition fields and the stopping test at equality (issue 16) -------------------

@law(needs=("quadratic", "quadratic_form", "conditioned_quadratic", "rosenbrock", "least_squares"),
     kind=st.sampled_from(["quadratic", "quadratic_form", "conditioned_quadratic", "rosenbrock", "least_squares",
                           "least_squares_wide"]),
     seed=seeds, d=st.integers(1, 5),
     controls=(ctl.quadratic_form_eigenvalues_of_a, ctl.least_squares_eigenvalues_of_the_sum,
               ctl.least_squares_eigenvalues_nan, ctl.least_squares_thin_svd),
     examples=({"kind": "least_squares_wide", "seed": 0, "d": 4},))
def problem_eigenvalues_are_those_of_its_hessian(t, kind, seed, d):
    """A quadratic problem's ``eigenvalues`` field (ascending) and ``eigenvectors`` field
    (orthonormal columns) are an eigen-decomposition of its constant Hessian: the eigenvalues
    equal ``eigvalsh(hessian(x))`` at any point x, and ``H V = V diag(eigenvalues)``; a
    non-quadratic problem (Rosenbrock) has ``None`` in both fields (the documentation of
    ``Problem``).

    Hessians: ``A`` (quadratic), ``2 A`` (seed 001's ``theta . A theta``), ``Q diag(lambda) Q^T``
    formed in floating point (conditioned quadratic: its intended lambda differ from the formed
    matrix's by about ``d eps kappa``), ``X^T X / n`` (least squares; with d > n, zeros: the
    "wide" case draws n < d whenever d >= 2).
    Tolerance ``16 (d + 2) eps ||H||_2`` for eigenvalues and residuals (Weyl; the rounding of
    forming H), ``16 (d + 2) eps`` for orthonormality.
    """
    rng = _rng(seed)
    x = rng.uniform(-2, 2, d)
    if kind == "quadratic":
        prob = t.quadratic(_spd(rng, d, 10 ** rng.uniform(0, 3))[0], rng.standard_normal(d))
    elif kind == "quadratic_form":
        prob = t.quadratic_form(_spd(rng, d, 10 ** rng.uniform(0, 3))[0])
    elif kind == "conditioned_quadratic":
        prob = t.conditioned_quadratic(d, 1.0 if d == 1 else 10 ** rng.uniform(0, 4), _rng(seed + 1))
    elif kind == "rosenbrock":
        prob = t.rosenbrock(max(d, 2), 100.0)
        if prob.eigenvalues is not None or prob.eigenvectors is not None:
            raise LawViolation(f"rosenbrock's Hessian is not constant: eigenvalues and eigenvectors should be None; got "
                               f"{prob.eigenvalues!r}, {prob.eigenvectors!r}")
        return
    else:
        n = int(rng.integers(1, max(d - 1, 1) + 1)) if kind == "least_squares_wide" else int(rng.integers(d, 3 * d + 1))
        prob = t.least_squares(rng.standard_normal((n, d)), rng.standard_normal(n))
    h = _arr(prob.hessian(x))
    lam, v = _arr(prob.eigenvalues), _arr(prob.eigenvectors)
    if lam.shape != (d,) or v.shape != (d, d):
        raise LawViolation(f"{kind}: eigenvalues shape {lam.shape}, eigenvectors shape {v.shape}; should be ({d},), ({d}, {d})")
    want = np.linalg.eigvalsh(h)
    norm2 = float(np.max(np.abs(want)))
    tol = 16 * (d + 2) * EPS64 * norm2
    if not (np.all(np.diff(lam) >= 0) and np.all(np.abs(lam - want) <= tol)):  # NaN fails too
        raise LawViolation(f"{kind}: eigenvalues field {lam!r}; the Hessian's (ascending) are {want!r} "
                           f"(tolerance {tol:.3g}) [seed={seed}, d={d}]")
    resid = float(np.max(np.abs(h @ v - v * lam)))
    ortho = float(np.max(np.abs(v.T @ v - np.eye(d))))
    if not (resid <= tol and ortho <= 16 * (d + 2) * EPS64):
        raise LawViolation(f"{kind}: eigenvectors field is not an orthonormal eigenbasis of the Hessian: "
                           f"max|H V - V diag(lambda)| = {resid:.3g} (tol {tol:.3g}), max|V'V - I| = {ortho:.3g} [seed={seed}]")


@law(needs=("sgd", "minimize"), d=st.integers(1, 3), m=st.integers(-20, 20), steps=st.integers(0, 12), data=st.data(),
     controls=(ctl.minimize_strict_tolerance, ctl.minimize_no_final_check),
     examples=({"d": 1, "m": 0, "steps": 3, "data": None},))
def minimize_counts_a_gradient_norm_equal_to_tol_as_converged(t, d, m, steps, data):
    """``minimize`` stops when ``||grad(x_j)|| <= tol`` (its docstring: "stop when its norm is at
    most tol"), inclusive, and the test also applies to the last iterate, after the last update:
    when the gradient norm equals ``tol`` exactly at iterate j (0 <= j <= steps, including
    j = steps), it returns ``steps = j``, ``converged = True``, ``grad_norm = tol`` and ``x = x_j``.

    Exact by construction: on ``f(x) = x.x / 2`` (gradient x) gradient descent with ``eta = 1/2``
    from ``x_0 = 2^m e_i`` halves the iterate exactly, so ``||grad(x_j)|| = 2^(m - j)`` with no
    rounding; tol is that number for the drawn j (j = steps when pinned).
    """
    j = steps if data is None else data.draw(st.integers(0, steps), label="j")
    x0 = np.zeros(d)
    x0[d - 1] = math.ldexp(1.0, m)
    tol = math.ldexp(1.0, m - j)
    res = t.minimize(_sgd(t, 0.5), lambda x: np.array(x, dtype=np.float64), x0, steps=steps, tol=tol)
    want_x = np.zeros(d)
    want_x[d - 1] = tol
    if res.steps != j or not res.converged or res.grad_norm != tol or np.any(_arr(res.x) != want_x):
        raise LawViolation(f"minimize(steps={steps}, tol={tol!r}) with ||grad(x_{j})|| = tol exactly returned steps="
                           f"{res.steps}, converged={res.converged}, grad_norm={res.grad_norm!r}, x={_arr(res.x)!r}; "
                           f"should stop at step {j}, converged, grad_norm {tol!r}, x = {want_x!r}")


@law(needs=("sgd", "minimize"), m=st.integers(3, 16), sign=st.sampled_from([1.0, -1.0]), history=st.booleans(),
     controls=(ctl.minimize_keeps_the_overflowed_iterate, ctl.minimize_norm_by_squares))
def minimize_stops_at_the_last_finite_iterate_of_a_diverging_run(t, m, sign, history):
    """A run that diverges stops at its last finite iterate (reference/optimizers/driver.py,
    NaN policy): ``converged`` False, ``grad_norm`` inf, ``steps`` the updates that gave finite
    iterates, the history ending there.

    Gradient descent with ``lr = 1 + 2^m`` on ``f(x) = x^2 / 2`` multiplies the iterate by
    ``-2^m`` exactly (``x - (1 + 2^m) x``, powers of two), so from ``x_0 = +-1`` the iterates are
    ``(-2^m)^k`` while ``m k <= 1023`` and the next step overflows: ``k* = floor(1023 / m)``
    updates, the last iterate ``(-2^m)^k*`` exactly. Every gradient before it is finite, up to
    2^1023: a gradient norm computed by squaring (overflow above 1.3e154) stops the run early.
    """
    steps = 4000
    res = t.minimize(_sgd(t, 1.0 + 2.0**m), lambda x: x, np.array([sign]), steps=steps, tol=None, history=history)
    k = 1023 // m
    want = sign * (-(2.0**m)) ** k
    x = np.asarray(res.x, dtype=np.float64)
    what = f"minimize(sgd(1 + 2^{m}), grad x -> x, x0 = {sign}, steps={steps})"
    if bool(res.converged) or not (math.isinf(res.grad_norm) and res.grad_norm > 0):
        raise LawViolation(f"{what}: converged={res.converged!r}, grad_norm={res.grad_norm!r}; a diverging run reports "
                           f"converged=False and grad_norm=inf")
    if res.steps != k or x.shape != (1,) or x[0] != want:
        raise LawViolation(f"{what}: stopped after {res.steps} steps at x = {x!r}; the last finite iterate is "
                           f"x_{k} = {want!r} (|x_k| = 2^{m * k}; the next step overflows)")
    if history:
        h = np.asarray(res.history, dtype=np.float64)
        if h.shape != (k + 1, 1) or h[-1, 0] != want or not np.all(np.isfinite(h)):
            raise LawViolation(f"{what}: history of shape {h.shape} ending at {h[-1]!r}; should be {(k + 1, 1)} ending "
                               f"at {want!r}, all finite")



# --- test problems: mutation testing of reference.problems -------------------------------------------

@law(needs=("quadratic", "quadratic_form", "conditioned_quadratic"),
     kind=st.sampled_from(["quadratic", "quadratic_form", "conditioned_quadratic"]),
     seed=seeds, d=st.integers(1, 5),
     controls=(ctl.conditioned_quadratic_value_plus_minimizer, ctl.conditioned_quadratic_value_three_halves,
               ctl.conditioned_quadratic_min_value_one),
     examples=({"kind": "conditioned_quadratic", "seed": 0, "d": 3},))
def quadratic_problem_value_is_its_minimum_plus_half_the_hessian_norm_of_the_error(t, kind, seed, d):
    """A quadratic problem of dimension ``dim = d`` has ``value(x) = f* + (x - x*)^T H (x - x*) / 2``
    at every x, H its Hessian (exact: the second-order Taylor expansion at the minimiser, where
    the gradient vanishes).

    f* is the problem's ``min_value``; x* its ``minimizer`` for ``quadratic(A, b)``, and the
    documented one elsewhere: 0 for ``quadratic_form(A)``, x0 for ``conditioned_quadratic(d, kappa, rng, minimizer=x0)`` (f* = 0).
    Tolerance ``8 (d + 4) eps cond(H) B`` with ``B = (|x| + |x*|)^T |H| (|x| + |x*|) + |b|^T (|x|
    + |x*|)``: every term of either side is at most B, sums of d + 4 terms round by ``(d + 4)
    eps`` each, and a minimiser from a solve carries ``cond eps |x*|``.
    """
    rng = _rng(seed)
    b = np.zeros(d)
    x0 = None
    if kind == "conditioned_quadratic":
        x0 = rng.standard_normal(d)
        p = t.conditioned_quadratic(d, 1.0 if d == 1 else 10 ** rng.uniform(0, 3), _rng(seed + 1), minimizer=x0)
    else:
        a = _spd(rng, d, 10 ** rng.uniform(0, 2))[0]
        if kind == "quadratic":
            b = rng.standard_normal(d)
            p = t.quadratic(a, b)
        else:
            p = t.quadratic_form(a)
    if p.dim != d:
        raise LawViolation(f"{kind}: dim = {p.dim!r}; should be {d}")
    x = rng.uniform(-2, 2, p.dim)
    h = _arr(p.hessian(x))
    xs = _arr(p.minimizer) if kind == "quadratic" else (np.zeros(d) if x0 is None else x0)
    fs = float(p.min_value)
    e = x - xs
    want = fs + 0.5 * float(e @ (h @ e))
    got = float(p.value(x))
    m = np.abs(x) + np.abs(xs)
    # cond(H) only where x* comes from a solve (quadratic(A, b)); the other minimisers are exact
    kappa = float(np.linalg.cond(h)) if kind == "quadratic" else 1.0
    tol = 8 * (d + 4) * EPS64 * kappa * (float(m @ (np.abs(h) @ m)) + float(np.abs(b) @ m))
    if not abs(got - want) <= tol:
        raise LawViolation(f"{kind}: value(x) = {got!r}; f* + (x - x*)^T H (x - x*) / 2 = {want!r} (x* = {xs.tolist()}, "
                           f"f* = {fs!r}, tolerance {tol:.3g}) [seed={seed}, d={d}]")


@law(needs=("conditioned_quadratic",), d=st.integers(1, 6), kappa=st.floats(1.0, 1e6), seed=seeds,
     controls=(ctl.conditioned_quadratic_middle_ones, ctl.conditioned_quadratic_linear_spacing),
     examples=({"d": 3, "kappa": 100.0, "seed": 0},))
def conditioned_quadratic_eigenvalues_are_kappa_to_the_i_over_d_minus_one(t, d, kappa, seed):
    """``conditioned_quadratic(d, kappa, rng)`` has the geometrically spaced eigenvalues
    ``lambda_i = kappa^(i / (d - 1))``, i = 0..d-1 (1 when d = 1): its ``eigenvalues`` field, and
    the eigenvalues of its Hessian (so the rates between the extreme ones are attained too).

    Tolerance: ``4 eps (1 + ln kappa) lambda_i`` on the field (a power rounds its exponent
    ``i / (d - 1)`` and its result); ``8 d eps kappa`` on the Hessian's (forming ``Q diag(lambda)
    Q^T`` in floating point, then a backward-stable eigensolver).
    """
    if d == 1:
        kappa = 1.0
    p = t.conditioned_quadratic(d, kappa, _rng(seed))
    want = np.ones(1) if d == 1 else kappa ** (np.arange(d) / (d - 1))
    ev = _arr(p.eigenvalues)
    lam = np.linalg.eigvalsh(_arr(p.hessian(np.zeros(d))))
    tol = 4 * EPS64 * (1 + math.log(kappa)) * want
    if ev.shape != (d,) or not (np.all(np.abs(ev - want) <= tol) and np.all(np.abs(lam - want) <= 8 * d * EPS64 * kappa)):
        raise LawViolation(f"conditioned_quadratic({d}, {kappa!r}): eigenvalues field {ev!r}, Hessian eigenvalues "
                           f"{lam!r}; should be kappa^(i/(d-1)) = {want!r} [seed={seed}]")


@law(needs=("quadratic", "quadratic_form", "rosenbrock", "least_squares"),
     kind=st.sampled_from(["quadratic", "quadratic_form", "rosenbrock", "least_squares"]), seed=seeds,
     d=st.integers(2, 5),
     controls=(ctl.rosenbrock_in_point_dtype, ctl.quadratic_in_data_dtype),
     examples=({"kind": "rosenbrock", "seed": 0, "d": 3}, {"kind": "quadratic", "seed": 0, "d": 3},
               {"kind": "least_squares", "seed": 0, "d": 3}))
def problems_treat_float32_data_and_points_as_their_float64_values(t, kind, seed, d):
    """A problem built from float32 data, evaluated at a float32 point, is the problem built from
    the same numbers in float64 (every float32 is exactly a float64): value, gradient, Hessian,
    minimiser, minimum and eigenvalues agree.

    Tolerance ``64 (d + n) eps`` relative to the largest magnitude of each result (times
    ``cond`` for the minimiser, a solve): a float64 computation of the same numbers in another
    order stays within it, a float32 one misses by ~ ``6e-8``, 10^5 times more.
    """
    rng = _rng(seed)
    x64 = rng.uniform(-2, 2, d).astype(np.float32).astype(np.float64)
    n = d
    cond = 1.0
    if kind == "quadratic":
        a, b = _spd(rng, d, 10.0)[0].astype(np.float32), rng.standard_normal(d).astype(np.float32)
        a = 0.5 * (a + a.T)
        pair = (t.quadratic(a, b), t.quadratic(a.astype(np.float64), b.astype(np.float64)))
        cond = float(np.linalg.cond(a.astype(np.float64)))
    elif kind == "quadratic_form":
        a = _spd(rng, d, 10.0)[0].astype(np.float32)
        a = 0.5 * (a + a.T)
        pair = (t.quadratic_form(a), t.quadratic_form(a.astype(np.float64)))
        cond = float(np.linalg.cond(a.astype(np.float64)))
    elif kind == "rosenbrock":
        pair = (t.rosenbrock(d, 100.0), t.rosenbrock(d, 100.0))
    else:
        n = 2 * d
        xm, y = rng.standard_normal((n, d)).astype(np.float32), rng.standard_normal(n).astype(np.float32)
        pair = (t.least_squares(xm, y), t.least_squares(xm.astype(np.float64), y.astype(np.float64)))
        cond = _cond_gram(xm.astype(np.float64))
    p32, p64 = pair
    x32 = x64.astype(np.float32)
    got = {"value": p32.value(x32), "grad": p32.grad(x32), "hessian": p32.hessian(x32), "minimizer": p32.minimizer,
           "min_value": p32.min_value, "eigenvalues": p32.eigenvalues}
    want = {"value": p64.value(x64), "grad": p64.grad(x64), "hessian": p64.hessian(x64), "minimizer": p64.minimizer,
            "min_value": p64.min_value, "eigenvalues": p64.eigenvalues}
    gamma = 64 * (d + n) * EPS64
    for name in got:
        if want[name] is None:
            continue
        g, w = _arr(got[name]), _arr(want[name])
        tol = gamma * (cond if name in ("minimizer", "min_value") else 1.0) * max(float(np.max(np.abs(w))), 1e-300)
        if g.shape != w.shape or not np.all(np.abs(g - w) <= tol):
            raise LawViolation(f"{kind} from float32 data at a float32 point: {name} = {g!r}; from the same numbers in "
                               f"float64 {w!r} (tolerance {tol:.3g}) [seed={seed}, d={d}]")


@law(needs=("quadratic", "quadratic_form"), kind=st.sampled_from(["quadratic", "quadratic_form"]), seed=seeds,
     d=st.integers(2, 5), k=st.sampled_from([-40, 0, 40]),
     controls=(ctl.quadratic_refuses_rounding_asymmetry, ctl.quadratic_not_the_symmetric_part),
     examples=({"kind": "quadratic", "seed": 0, "d": 3, "k": 40}, {"kind": "quadratic", "seed": 0, "d": 3, "k": -40}))
def quadratic_accepts_asymmetry_up_to_eight_d_eps_and_symmetrises(t, kind, seed, d, k):
    """``quadratic(A)`` and ``quadratic_form(A)`` accept an A symmetric to ``8 d eps max|A|``
    (the documented bound, inclusive: a computed Hessian is symmetric only up to rounding), at
    any scale, and use its symmetric part ``(A + A^T) / 2``: the Hessian is exactly symmetric
    and equals it (times 2 for seed 001's form).

    Exact by construction: ``A = 2^k diag(a)`` with ``a`` in [0.5, 1] and ``a_0 = 1``, plus
    ``delta = 8 d eps 2^k`` in one entry above the diagonal (``max|A - A^T| = 8 d eps max|A|``
    exactly, all powers of two times small integers); ``(A + A^T) / 2`` is then exact and
    positive definite (Gershgorin); every way of forming it (``(A + A^T) / 2``, ``A / 2 + A^T / 2``)
    gives the same floats, so the law compares exactly.
    """
    rng = _rng(seed)
    c = math.ldexp(1.0, k)
    diag = rng.uniform(0.5, 1.0, d)
    diag[0] = 1.0
    a = np.diag(diag * c)
    i, j = sorted(rng.choice(d, 2, replace=False).tolist())
    a[i, j] = 8 * d * EPS64 * c
    sym = 0.5 * (a + a.T)
    try:
        p = t.quadratic(a) if kind == "quadratic" else t.quadratic_form(a)
    except ValueError as exc:
        raise LawViolation(f"{kind} refused A with max|A - A^T| = 8 d eps max|A| (2^{k} scale, d = {d}), within the "
                           f"documented bound: {exc}") from None
    h = _arr(p.hessian(np.zeros(d)))
    want = sym if kind == "quadratic" else 2.0 * sym
    if np.any(h != h.T) or not np.array_equal(h, want):
        raise LawViolation(f"{kind}: Hessian {h!r} for A = {a!r}; should be the symmetric part "
                           f"{'' if kind == 'quadratic' else '2 '}(A + A^T) / 2 = {want!r}, exactly symmetric")


@law(needs=("quadratic",), seed=seeds, d=st.integers(1, 5), controls=(ctl.quadratic_default_b_ones,))
def quadratic_defaults_to_no_linear_term(t, seed, d):
    """``quadratic(A)`` is ``quadratic(A, b=0)`` (the documented default): the same dimension,
    minimiser, minimum and the same value, gradient and Hessian at a random point (the same
    computation: exact equality)."""
    rng = _rng(seed)
    a = _spd(rng, d, 10 ** rng.uniform(0, 2))[0]
    x = rng.uniform(-2, 2, d)
    p, q = t.quadratic(a), t.quadratic(a, np.zeros(d))
    if p.dim != q.dim or float(p.min_value) != float(q.min_value) or np.any(_arr(p.minimizer) != _arr(q.minimizer)):
        raise LawViolation(f"quadratic(A) has dim {p.dim!r}, minimizer {_arr(p.minimizer)!r}, min_value {p.min_value!r}; "
                           f"quadratic(A, zeros) has {q.dim!r}, {_arr(q.minimizer)!r}, {q.min_value!r} [A={a!r}]")
    for name in ("value", "grad", "hessian"):
        g, w = _arr(getattr(p, name)(x)), _arr(getattr(q, name)(x))
        if g.shape != w.shape or np.any(g != w):
            raise LawViolation(f"quadratic(A).{name}(x) = {g!r}; quadratic(A, zeros) gives {w!r} (b = 0 is the "
                               f"default) [A={a!r}, x={x!r}]")


@law(needs=("rosenbrock",), seed=seeds, controls=(ctl.rosenbrock_default_three_dimensional, ctl.rosenbrock_default_b_one))
def rosenbrock_defaults_to_the_classic_two_dimensional_valley(t, seed):
    """``rosenbrock()`` is Rosenbrock's (1960) function ``100 (y - x^2)^2 + (1 - x)^2``: d = 2,
    b = 100 (the documented defaults): dimension 2 and the same value, gradient and Hessian as
    ``rosenbrock(2, 100.0)`` at a random point (the same computation: exact equality)."""
    x = _rng(seed).uniform(-2, 2, 2)
    p, q = t.rosenbrock(), t.rosenbrock(2, 100.0)
    if p.dim != 2:
        raise LawViolation(f"rosenbrock() has dim {p.dim!r}; the default is the classic 2-d function")
    for name in ("value", "grad", "hessian"):
        g, w = _arr(getattr(p, name)(x)), _arr(getattr(q, name)(x))
        if g.shape != w.shape or np.any(g != w):
            raise LawViolation(f"rosenbrock().{name}(x) = {g!r}; rosenbrock(2, 100.0) gives {w!r} (b = 100 is the "
                               f"default) [x={x!r}]")


@law(needs=("rosenbrock", "quadratic"), kind=st.sampled_from(["rosenbrock", "quadratic"]), d=st.integers(2, 4),
     m=st.sampled_from([1e160, 1e200, 1e300]), sign=st.sampled_from([1.0, -1.0]),
     controls=(ctl.rosenbrock_warns_far_out,), examples=({"kind": "rosenbrock", "d": 3, "m": 1e200, "sign": 1.0},))
def problems_overflow_to_non_finite_values_without_a_warning(t, kind, d, m, sign):
    """At a point so far out that the true value overflows float64, ``value``, ``grad`` and
    ``hessian`` return (non-finite where they overflow: ``value`` always here) without a
    warning (the documentation of ``Problem``): that is how a driver sees a diverging run, and
    a warning would be an error under ``-W error``.

    ``x = m sign (1, ..., 1)`` with m >= 1e160: Rosenbrock's ``b (x_2 - x_1^2)^2`` and the
    quadratic ``x^T A x / 2`` (``A = I + 0.5 1 1^T``, eigenvalues >= 1) exceed 1e308; Rosenbrock's
    gradient meets ``inf - inf`` (a NaN: two overflows).
    """
    import warnings
    x = np.full(d, sign * m)
    p = t.rosenbrock(d, 100.0) if kind == "rosenbrock" else t.quadratic(np.eye(d) + 0.5 * np.ones((d, d)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        v = float(p.value(x))
        p.grad(x)
        p.hessian(x)
    if caught or math.isfinite(v):
        raise LawViolation(f"{kind} at x = {sign * m:g} (1, ..., 1): value = {v!r} with warnings "
                           f"{[str(w.message) for w in caught]}; the value overflows: non-finite, without a warning")


# --- contract: the documented argument domains of the test problems, Newton and the driver -----------

from types import SimpleNamespace  # noqa: E402

from properties.laws._contract import refuses, unchanged  # noqa: E402

_NAN, _INF = float("nan"), float("inf")
#: Values outside each parameter's documented range: Rosenbrock's d >= 2 (integer) and b > 0,
#: conditioned_quadratic's kappa >= 1 (finite).
_PROBLEM_PARAMETERS = {
    "rosenbrock-d": st.sampled_from([1, 0, -1, -7]),
    "rosenbrock-b": st.sampled_from([0.0, -0.0, -1.0, -5e-324, _NAN, _INF, -_INF]) | st.floats(max_value=0.0),
    "conditioned_quadratic-kappa": st.sampled_from([0.9999999999999999, 0.5, 0.0, -1.0, _NAN, _INF])
    | st.floats(max_value=1.0, exclude_max=True),
}


@law(needs=(), cases={"rosenbrock-d": ("rosenbrock",), "rosenbrock-b": ("rosenbrock",),
                      "conditioned_quadratic-kappa": ("conditioned_quadratic",)},
     tier="contract", max_examples=10, which=lambda c: st.just(c), value=lambda c: _PROBLEM_PARAMETERS[c],
     seed=seeds, examples=({"_case": "rosenbrock-d", "which": "rosenbrock-d", "value": 1, "seed": 0},
                           {"_case": "rosenbrock-b", "which": "rosenbrock-b", "value": 0.0, "seed": 0},
                           {"_case": "conditioned_quadratic-kappa", "which": "conditioned_quadratic-kappa",
                            "value": 0.9999999999999999, "seed": 0}),
     controls=(ctl.problem_parameters_unchecked, ctl.rosenbrock_b_zero_accepted))
def test_problems_refuse_a_parameter_outside_its_range(t, which, value, seed):
    """The parametrised test problems refuse a parameter outside its documented range with
    ``ValueError``: ``rosenbrock``'s ``d >= 2`` (d = 1 has no term: the function is 0) and
    ``b > 0`` (b = 0 leaves ``sum (1 - x_i)^2`` without the valley, b < 0 is unbounded below;
    NaN, inf refused), ``conditioned_quadratic``'s ``kappa >= 1`` and finite (the condition
    number ``lambda_max / lambda_min`` is at least 1 by definition).
    """
    if which == "rosenbrock-d":
        refuses(lambda: t.rosenbrock(d=value), f"rosenbrock(d={value!r}): d must be an integer >= 2")
    elif which == "rosenbrock-b":
        refuses(lambda: t.rosenbrock(d=2, b=value), f"rosenbrock(b={value!r}): b must be in (0, inf)")
    else:
        refuses(lambda: t.conditioned_quadratic(3, value, stats.rng_from(seed)),
                f"conditioned_quadratic(3, kappa={value!r}): kappa must be in [1, inf)")


_EPS = float(np.finfo(np.float64).eps)
#: Matrices outside quadratic's domain "symmetric positive definite (up to 8 d eps max|A| of
#: asymmetry, smallest eigenvalue above d eps lambda_max)", each of its kind.
_NOT_SPD = {
    "0-d": np.float64(2.0),
    "3-d": np.eye(2)[None],
    "not square": np.ones((2, 3)),
    "asymmetric by 8.5 d eps max|A|": np.array([[4.0, 8.5 * 2 * _EPS * 4.0], [0.0, 4.0]]),
    "asymmetric by 1e-3": np.array([[2.0, 1e-3], [0.0, 1.0]]),
    "A - A^T overflows": np.array([[1.0, 1e308], [-1e308, 1.0]]),
    "indefinite": np.array([[1.0, 0.0], [0.0, -1.0]]),
    "singular": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "smallest eigenvalue d eps lambda_max": np.diag([2 * _EPS, 1.0]),
}


@law(needs=(), cases={"quadratic": ("quadratic",), "quadratic_form": ("quadratic_form",)},
     tier="contract", max_examples=10, name=lambda c: st.just(c), kind=st.sampled_from(sorted(_NOT_SPD)),
     scale=st.sampled_from([1.0, 2.0**-600, 2.0**300]),
     examples=tuple({"_case": c, "name": c, "kind": k, "scale": 1.0} for c in ("quadratic", "quadratic_form")
                    for k in _NOT_SPD),
     controls=(ctl.spd_unchecked, ctl.spd_symmetry_bound_nine))
def quadratic_problems_refuse_a_matrix_that_is_not_symmetric_positive_definite(t, name, kind, scale):
    """``quadratic(A)`` and ``quadratic_form(A)`` refuse, with ``ValueError``, an ``A`` that is
    not a square 2-d matrix, is asymmetric beyond ``8 d eps max|A|`` (rounding of a computed
    Hessian; ``A - A^T`` overflowing included), or whose smallest eigenvalue is not above
    ``d eps lambda_max`` (indefinite, singular, or indistinguishable from singular: the bound is
    strict). The documented domain is symmetric positive definite; the minimiser ``A^-1 b``
    of anything else is not a minimiser. Scaled by exact powers of two (the tests are
    scale-invariant; the overflowing one is not scaled). ``A`` stays unchanged.
    """
    a = np.array(_NOT_SPD[kind], dtype=np.float64) * (1.0 if kind == "A - A^T overflows" else scale)
    before = a.copy()
    refuses(lambda: getattr(t, name)(a), f"{name}(A): A {kind} (scaled by {scale!r}): {a.tolist()}")
    unchanged(before, a, f"{name}: A")


#: Finite-sum problems whose values do not fit float64: least_squares data whose X^T X / n
#: overflows, and a mini-batch gradient at a point far out (an overflow, and a 0 * inf).
@law(needs=(), cases={"least_squares": ("least_squares",), "minibatch_gradient": ("least_squares", "minibatch_gradient")},
     tier="contract", max_examples=5, name=lambda c: st.just(c), sign=st.sampled_from([1.0, -1.0]),
     big=st.sampled_from([1e200, 1.5e250, 1e308]), controls=(ctl.finite_sum_overflow_returned,))
def finite_sum_problems_refuse_values_that_overflow(t, name, sign, big):
    """``least_squares(X, y)`` refuses data whose ``X^T X / n`` does not fit float64, and
    ``minibatch_gradient`` a point where the mini-batch gradient does not, with ``ValueError``
    and no warning (the documented "values must fit float64": rescale the data or the point).
    The inputs stay unchanged.
    """
    if name == "least_squares":
        x, y = np.array([[sign * big, 1.0], [0.0, 1.0]]), np.array([0.0, 1.0])
        before = x.copy()
        refuses(lambda: t.least_squares(x, y), f"least_squares(X = {x.tolist()}): X^T X / n overflows")
        unchanged(before, x, "least_squares: X")
        return
    p = t.least_squares(np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0.0, 0.0]))
    w = np.array([sign * max(big, 1e308), 0.0])
    refuses(lambda: t.minibatch_gradient(p, w, np.array([0])),
            f"minibatch_gradient at params {w.tolist()}: the gradient 2 X^T (X w) overflows (and 0 * inf)")
    unchanged(np.array([sign * max(big, 1e308), 0.0]), w, "minibatch_gradient: params")


_BAD_BATCHES = {"a negative index": [0, -1], "the index n": [1, 4], "an empty batch": [],
                "float indices": [0.0, 1.0], "a 2-d batch": [[0], [1]], "bool indices": [True, False, True, False]}


@law(needs=("least_squares", "minibatch_gradient"), tier="contract", max_examples=10,
     kind=st.sampled_from(sorted(_BAD_BATCHES)), seed=seeds,
     examples=tuple({"kind": k, "seed": 0} for k in _BAD_BATCHES), controls=(ctl.batch_unchecked,))
def minibatch_gradient_refuses_a_batch_that_is_not_indices_of_the_samples(t, kind, seed):
    """``minibatch_gradient(problem, params, batch_idx)`` refuses, with ``ValueError``, a batch
    that is not a non-empty 1-d array of integer indices in ``[0, n)``: a negative index (numpy
    would count from the end), the index n, an empty batch (a mean over nothing), float or
    bool indices (a bool array is a mask, not indices), a 2-d batch. n = 4 samples.
    """
    rng = stats.rng_from(seed)
    p = t.least_squares(rng.standard_normal((4, 2)), rng.standard_normal(4))
    idx = np.array(_BAD_BATCHES[kind], dtype=np.int64 if kind == "an empty batch" else None)
    refuses(lambda: t.minibatch_gradient(p, np.zeros(2), idx), f"minibatch_gradient(batch_idx={idx.tolist()}): {kind}")


@law(needs=("minibatch_gradient",), tier="contract", max_examples=5,
     problem=st.sampled_from([None, "least_squares", {"grad": None}, 3.0]), controls=(ctl.batch_problem_unchecked,))
def minibatch_gradient_refuses_what_is_not_a_problem(t, problem):
    """``minibatch_gradient`` refuses a ``problem`` that is not a :class:`Problem` (None, a
    name, a dict, a number) with ``TypeError``: the documented argument is a finite-sum
    Problem (with ``batch_grad``), e.g. ``least_squares(X, y)``.
    """
    refuses(lambda: t.minibatch_gradient(problem, np.zeros(2), np.array([0])),
            f"minibatch_gradient(problem={problem!r})", expect=TypeError)


def _newton_call(t, name, params, grad, hessian, lr=1.0):
    """``newton_step(params, grad, hessian, lr)``, or the ``newton`` optimiser's update (or
    in-place step) at ``params`` with ``hessian_fn`` returning ``hessian``."""
    if name == "newton_step":
        return lambda: t.newton_step(params, grad, hessian, lr=lr)
    opt = t.newton(lambda _p: hessian, lr=lr)
    if name == "newton.step_":
        return lambda: opt.step_(params, grad, opt.init(params))
    return lambda: opt.update(grad, opt.init(params), params)


_NEWTON_CASES = {"newton_step": ("newton_step",), "newton": ("newton",)}


@law(needs=(), cases=_NEWTON_CASES, tier="contract", max_examples=10, name=lambda c: st.just(c),
     lr=st.sampled_from([0.0, -0.0, -1.0, -5e-324, _NAN, _INF, -_INF]) | st.floats(max_value=0.0),
     examples=tuple({"_case": c, "name": c, "lr": 0.0} for c in _NEWTON_CASES),
     controls=(ctl.newton_lr_unchecked, ctl.newton_lr_zero_accepted))
def newton_refuses_a_learning_rate_that_is_not_positive_and_finite(t, name, lr):
    """``newton_step`` and ``newton`` refuse ``lr`` outside (0, inf) with ``ValueError`` (the
    documented ``lr > 0``): 0 (no step; the bound is open), negatives (a step away from the
    stationary point of the model), NaN and inf. ``newton`` refuses it when it is built.
    """
    if name == "newton":
        refuses(lambda: t.newton(lambda p: np.eye(2), lr=lr), f"newton(hessian_fn, lr={lr!r}): lr must be in (0, inf)")
        return
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    refuses(lambda: t.newton_step(p, g, np.eye(2), lr=lr), f"newton_step(lr={lr!r}): lr must be in (0, inf)")


#: Hessians outside newton_step's domain for d = 2 (and a 1x1 for d = 1): singular, with the
#: smallest singular value exactly d eps times the largest (the bound is strict), of another
#: size, not square, not 2-d.
_BAD_HESSIANS = {
    "singular 1x1": (1, [[0.0]]),
    "singular": (2, [[1.0, 2.0], [2.0, 4.0]]),
    "zero": (2, [[0.0, 0.0], [0.0, 0.0]]),
    "s_min = d eps s_max": (2, np.diag([1.0, 2 * _EPS]).tolist()),
    "3x3 for d = 2": (2, np.eye(3).tolist()),
    "2x3": (2, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
    "1-d": (2, [1.0, 1.0]),
}


@law(needs=(), cases={**_NEWTON_CASES, "newton.step_": ("newton",)}, tier="contract", max_examples=10,
     name=lambda c: st.just(c), kind=st.sampled_from(sorted(_BAD_HESSIANS)),
     scale=st.sampled_from([1.0, 2.0**-500, 2.0**500]),
     examples=tuple({"_case": c, "name": c, "kind": k, "scale": 1.0}
                    for c in ("newton_step", "newton", "newton.step_") for k in _BAD_HESSIANS),
     controls=(ctl.newton_hessian_unchecked, ctl.newton_singular_bound_closed))
def newton_refuses_a_hessian_that_is_singular_or_of_the_wrong_shape(t, name, kind, scale):
    """``newton_step``, and the ``newton`` optimiser's update and in-place step, refuse with
    ``ValueError`` a Hessian that is singular (smallest singular value at or below ``d eps``
    times the largest: the solve would return rounding noise; the bound is strict), a 1x1
    zero included, or whose shape is not ``(d, d)`` for ``d`` parameters (documented: "finite
    and nonsingular", shape ``(d, d)``). Scaled by exact powers of two (the test is
    scale-invariant). The parameters stay unchanged.
    """
    d, h = _BAD_HESSIANS[kind]
    h = np.array(h, dtype=np.float64) * scale
    params, grad = np.linspace(1.0, 2.0, d), np.linspace(-1.0, 0.5, d)
    before = params.copy()
    refuses(_newton_call(t, name, params, grad, h), f"{name}: hessian {kind} (scaled by {scale!r}) for d = {d}")
    unchanged(before, params, f"{name}: params")


@law(needs=(), cases=_NEWTON_CASES, tier="contract", max_examples=10, name=lambda c: st.just(c),
     shape=st.sampled_from([(2, 1), (1, 2), (), (1, 1, 2)]), controls=(ctl.newton_params_of_any_ndim,))
def newton_refuses_params_that_are_not_vectors(t, name, shape):
    """``newton_step`` and the ``newton`` optimiser refuse ``params`` and ``grad`` that are not
    1-d (a column ``(d, 1)``, a row ``(1, d)``, a scalar, a 3-d array) with ``ValueError``:
    the documented shapes are ``(d,)`` and the Hessian ``(d, d)``; a column would be solved as
    a matrix right-hand side. ``d`` = the size of the array.
    """
    size = int(np.prod(shape)) if shape else 1
    params, grad = np.linspace(1.0, 2.0, size).reshape(shape), np.linspace(-1.0, 0.5, size).reshape(shape)
    refuses(_newton_call(t, name, params, grad, 2.0 * np.eye(size)), f"{name}: params and grad of shape {shape}")


@law(needs=("newton",), tier="contract", max_examples=6,
     kind=st.sampled_from(["float32", "2-d", "read-only", "a list"]), controls=(ctl.newton_step__any_params,))
def newton_in_place_step_refuses_params_it_cannot_update(t, kind):
    """``newton(...).step_(params, grads, state)`` refuses, with ``TypeError``, ``params`` that
    are not a writeable 1-d float64 numpy array (float32, 2-d, read-only, a list): it
    updates ``params`` in place, which the others cannot hold (rounding, broadcasting, a write
    error) or do not allow. ``params`` stays unchanged.
    """
    p = np.array([1.0, 2.0])
    params = {"float32": p.astype(np.float32), "2-d": p.reshape(1, 2), "read-only": p.copy(), "a list": [1.0, 2.0]}[kind]
    if kind == "read-only":
        params.flags.writeable = False
    grads = np.array([0.5, -1.0]).reshape(np.shape(params))
    opt = t.newton(lambda _p: 2.0 * np.eye(2), lr=1.0)
    state = opt.init(p)
    before = np.array(params, copy=True)
    refuses(lambda: opt.step_(params, grads, state), f"newton.step_: params {kind}", expect=TypeError)
    unchanged(before, params, "newton.step_: params")


@law(needs=(), cases={**_NEWTON_CASES, "newton.step_": ("newton",)}, tier="contract", max_examples=6,
     name=lambda c: st.just(c), sign=st.sampled_from([1.0, -1.0]), controls=(ctl.newton_overflow_returned,))
def newton_refuses_a_step_that_overflows(t, name, sign):
    """``newton_step`` and the ``newton`` optimiser refuse, with ``ValueError`` and no warning,
    a step ``lr H^-1 g`` that does not fit float64 (a gradient of 1e200 against a curvature of
    1e-200: the documented "the step must fit float64"), and the in-place step ``params +
    update`` beyond the range (params 1e308 and an update of 1e308). ``params`` stays unchanged.
    """
    if name == "newton.step_":
        params, grad, h = np.array([sign * 1e308, 1.0]), np.array([-sign * 1e308, 0.0]), np.eye(2)
    else:
        params, grad, h = np.array([0.0, 1.0]), np.array([sign * 1e200, 1.0]), np.diag([1e-200, 2e-200])
    before = params.copy()
    refuses(_newton_call(t, name, params, grad, h), f"{name}: params {params.tolist()}, grad {grad.tolist()}, "
                                                    f"hessian diag {np.diag(h).tolist()}: the step overflows")
    unchanged(before, params, f"{name}: params")


def _still(lr=0.1):
    """A minimal optimiser (init and update), so the driver's laws need nothing but ``minimize``."""
    return SimpleNamespace(init=lambda x: 0, update=lambda g, s, x=None: (-lr * np.asarray(g), s + 1))


@law(needs=("minimize",), tier="contract", max_examples=10,
     tol=st.sampled_from([-1e-12, -1.0, -5e-324, _NAN, -_INF]) | st.floats(max_value=0.0, exclude_max=True),
     examples=({"tol": -5e-324},), controls=(ctl.minimize_tol_unchecked,))
def minimize_refuses_a_negative_tol(t, tol):
    """``minimize(..., tol=...)`` refuses a ``tol`` below 0 (or NaN) with ``ValueError``: the
    documented ``tol >= 0 or None`` (a negative tolerance can never be met, so it silently
    means "no tolerance", which is ``None``). 0 is allowed (stop at an exact zero gradient).
    """
    x0 = np.array([1.0, -1.0])
    refuses(lambda: t.minimize(_still(), lambda x: x, x0, steps=3, tol=tol), f"minimize(tol={tol!r})")
    unchanged(np.array([1.0, -1.0]), x0, "minimize: x0")


@law(needs=("minimize",), tier="contract", max_examples=5,
     optimizer=st.sampled_from(["init only", "update only", "neither"]), controls=(ctl.minimize_optimizer_either,))
def minimize_refuses_an_optimizer_without_init_and_update(t, optimizer):
    """``minimize`` refuses, with ``TypeError``, an ``optimizer`` that lacks ``init`` or
    ``update`` (the documented Optimizer interface: both are called)."""
    full = _still()
    opt = SimpleNamespace(**{"init only": {"init": full.init}, "update only": {"update": full.update},
                             "neither": {}}[optimizer])
    refuses(lambda: t.minimize(opt, lambda x: x, np.array([1.0]), steps=2), f"minimize: an optimizer with {optimizer}",
            expect=TypeError)


_BAD_DATA = {"X 0-d": (np.float64(1.0), [1.0]), "X 1-d": ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
             "X 3-d": (np.ones((1, 3, 2)), [1.0, 2.0, 3.0]), "y 0-d": (np.eye(3, 2), np.float64(1.0)),
             "y 2-d": (np.eye(3, 2), np.ones((3, 1))), "y of another length": (np.eye(3, 2), [1.0, 2.0])}


@law(needs=("least_squares",), tier="contract", max_examples=6, kind=st.sampled_from(sorted(_BAD_DATA)),
     examples=tuple({"kind": k} for k in _BAD_DATA), controls=(ctl.least_squares_reshaped,))
def least_squares_refuses_data_that_is_not_a_matrix_and_a_target_vector(t, kind):
    """``least_squares(X, y)`` refuses, with ``ValueError``, an ``X`` that is not 2-d ``(n, d)``
    and a ``y`` that is not 1-d of length n (the documented shapes: one row of X and one
    target per sample; a 1-d X is ambiguous between one sample and one feature).
    """
    x, y = _BAD_DATA[kind]
    refuses(lambda: t.least_squares(x, y), f"least_squares: {kind} (X shape {np.shape(x)}, y shape {np.shape(y)})")
