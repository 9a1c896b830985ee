"""Negative controls for Newton-Raphson, gradient-descent rates, test problems, mini-batches,
the ``minimize`` driver and input normalisation as a conditioning device (seed 001)."""

from __future__ import annotations

import numpy as np

from properties._law import Control
from properties.controls.normalization import divide_by_variance, frobenius_norm  # noqa: F401 (re-used)


def _ref():
    import reference
    return reference


# --- Newton ------------------------------------------------------------------------------------

def _newton_step_times_hessian(params, grad, hessian, lr=1.0):
    # theta - eta H g: the Hessian where its inverse belongs.
    p = np.asarray(params, dtype=np.float64)
    return p - lr * (np.asarray(hessian, dtype=np.float64) @ np.asarray(grad, dtype=np.float64))


def _newton_times_hessian(hessian_fn, lr=1.0):
    R = _ref()

    def init(params):
        return R.NewtonState(0)

    def update(grads, state, params=None):
        h = np.asarray(hessian_fn(np.asarray(params, dtype=np.float64)), dtype=np.float64)
        return -lr * (h @ np.asarray(grads, dtype=np.float64)), R.NewtonState(state.count + 1)

    return R.Optimizer(init, update)


def _newton_ignores_lr(hessian_fn, lr=1.0):
    return _ref().newton(hessian_fn, lr=1.0)


def _newton_step_ignores_lr(params, grad, hessian, lr=1.0):
    return _ref().newton_step(params, grad, hessian, lr=1.0)


# --- gradient descent / heavy ball -------------------------------------------------------------

def _sgd_half_lr(lr, *args, **kwargs):
    # Seed 001's quadratic form theta.A.theta has gradient 2 A theta; dropping the 2 (or
    # mixing the 1/2-convention with the seed's) is a step of eta/2.
    R = _ref()
    if callable(lr):
        return R.sgd(lambda k: 0.5 * lr(k), *args, **kwargs)
    return R.sgd(0.5 * lr, *args, **kwargs)


def _sgd_momentum_sign_flipped(lr, momentum=0.0, nesterov=False, dampening=0.0, weight_decay=0.0,
                               lr_inside_velocity=False):
    # u = -gamma u - eta g: the friction term with the wrong sign (seed 001: u = gamma u - eta g).
    R = _ref()
    if not momentum:
        return R.sgd(lr, 0.0, nesterov, dampening, weight_decay, lr_inside_velocity)

    def init(params):
        return (0, np.zeros(np.shape(params)))

    def update(grads, state, params=None):
        count, u = state
        eta = lr(count) if callable(lr) else lr
        g = np.asarray(grads, dtype=np.float64)
        u = -momentum * u - eta * g
        step = (-momentum * u - eta * g) if nesterov else u
        return step, (count + 1, u)

    return R.Optimizer(init, update)


# --- problems ----------------------------------------------------------------------------------

def _quadratic_form_forgets_two(A):
    # Seed 001: L = theta . A theta has gradient 2 A theta and Hessian 2 A; this one drops the 2.
    p = _ref().quadratic_form(A)
    return p._replace(grad=lambda x: 0.5 * p.grad(x), hessian=lambda x: 0.5 * p.hessian(x))


def _least_squares_sum_hessian(X, y):
    # Hessian X^T X (the sum) with the mean loss 1/(2n)||Xw - y||^2 (whose Hessian is X^T X / n).
    p = _ref().least_squares(X, y)
    n = np.shape(X)[0]
    return p._replace(hessian=lambda w: n * p.hessian(w))


def _conditioned_quadratic_sqrt_kappa(d, kappa, rng, minimizer=None):
    # kappa taken as the condition number of the square root (a data matrix X) instead of
    # the Hessian X^T X: the eigenvalues only reach sqrt(kappa).
    p = _ref().conditioned_quadratic(d, float(np.sqrt(kappa)), rng, minimizer)
    return p._replace(eigenvalues=p.eigenvalues ** 2)


# --- mini-batches ------------------------------------------------------------------------------

def _minibatch_sum(problem, params, batch_idx):
    return len(batch_idx) * _ref().minibatch_gradient(problem, params, batch_idx)


def _minibatch_fixed_batch(problem, params, batch_idx):
    # Always the first |B| samples (a loader that never shuffles), whatever batch was drawn.
    return _ref().minibatch_gradient(problem, params, np.arange(len(batch_idx)))


# --- minimize ----------------------------------------------------------------------------------

def _minimize_one_step_late(optimizer, grad_fn, x0, *, steps, tol=None, history=False):
    # Tests the tolerance only after updating: one step too many once converged.
    R = _ref()
    res = R.minimize(optimizer, grad_fn, x0, steps=steps, tol=tol, history=history)
    if not res.converged or res.steps >= steps:
        return res
    more = R.minimize(optimizer, grad_fn, res.x, steps=1, tol=None, history=history)
    hist = None if res.history is None else np.concatenate([res.history, more.history[1:]])
    gn = float(np.linalg.norm(grad_fn(more.x)))
    return R.MinimizeResult(more.x, res.steps + 1, gn <= tol, gn, hist)


def _minimize_in_place(optimizer, grad_fn, x0, *, steps, tol=None, history=False):
    res = _ref().minimize(optimizer, grad_fn, x0, steps=steps, tol=tol, history=history)
    if isinstance(x0, np.ndarray) and x0.dtype == np.float64:
        x0[...] = res.x  # writes the result into the caller's starting point
    return res


def _minimize_diverging_with(keep_overflow=False, norm_by_squares=False):
    """minimize with a plausible divergence bug: ``keep_overflow`` returns the overflowed
    iterate and counts its step; ``norm_by_squares`` takes ``sqrt(sum g^2)``, which overflows for a
    finite gradient above 1.3e154 and stops the run early (the reference's fault until issue 16)."""
    def minimize(optimizer, grad_fn, x0, *, steps, tol=None, history=False):
        R = _ref()
        x = np.array(x0, dtype=np.float64)
        hist = [x.copy()]
        state = optimizer.init(x.copy())

        def done(xx, k, conv, gn):
            return R.MinimizeResult(xx, k, conv, gn, np.stack(hist) if history else None)

        with np.errstate(all="ignore"):
            for k in range(steps):
                g = np.asarray(grad_fn(x.copy()), dtype=np.float64)
                gn = float(np.sqrt(np.sum(g * g))) if norm_by_squares else R.optimizers.driver._norm(g)
                if not np.isfinite(gn):
                    return done(x, k, False, np.inf)
                if tol is not None and gn <= tol:
                    return done(x, k, True, gn)
                u, state = optimizer.update(g, state, x.copy())
                new = x + np.asarray(u, dtype=np.float64)
                if not np.all(np.isfinite(new)):
                    if keep_overflow:
                        hist.append(new.copy())
                        return done(new, k + 1, False, np.inf)
                    return done(x, k, False, np.inf)
                x = new
                hist.append(x.copy())
        gn = R.optimizers.driver._norm(np.asarray(grad_fn(x.copy()), dtype=np.float64))
        return done(x, steps, tol is not None and gn <= tol, gn)
    return minimize


# --- normalisation as conditioning -------------------------------------------------------------

def _zscore_without_centering(x, eps=0.0):
    # scikit-learn StandardScaler(with_mean=False): divide by the std without subtracting the mean.
    x = np.asarray(x, dtype=np.float64)
    sd = np.sqrt(((x - x.mean(axis=0)) ** 2).mean(axis=0) + eps)
    return x / np.where(sd == 0, 1.0, sd)


newton_times_hessian = Control(
    "newton_times_hessian", "issue 4 (seed 001 writes H^-1)", "Newton step theta - eta H g instead of theta - eta H^-1 g",
    {"newton_step": _newton_step_times_hessian, "newton": _newton_times_hessian},
    correct="theta_t = theta_{t-1} - eta H^-1 grad L, computed by solving H d = grad L")
newton_ignores_lr = Control(
    "newton_ignores_lr", "plausible bug", "always the full Newton step (eta = 1) whatever eta is given",
    {"newton_step": _newton_step_ignores_lr, "newton": _newton_ignores_lr})
gd_half_lr = Control(
    "gd_half_lr", "seed 001 (the factor 2 of grad theta.A.theta = 2 A theta dropped)",
    "gradient descent taking the step eta/2 instead of eta", {"sgd": _sgd_half_lr},
    correct="theta_t = theta_{t-1} - eta grad L with grad(theta.A.theta) = 2 A theta")
momentum_sign_flipped = Control(
    "momentum_sign_flipped", "issue 4 (seed 001: u = gamma u - eta grad)",
    "heavy ball with the sign of the momentum term flipped: u = -gamma u - eta grad",
    {"sgd": _sgd_momentum_sign_flipped}, correct="u_t = gamma u_{t-1} - eta grad L, theta_t = theta_{t-1} + u_t")
quadratic_form_forgets_two = Control(
    "quadratic_form_forgets_two", "seed 001 (L = theta . A theta, grad = 2 A theta)",
    "gradient A theta and Hessian A for theta . A theta (the factor 2 dropped)",
    {"quadratic_form": _quadratic_form_forgets_two}, correct="grad(theta . A theta) = 2 A theta, Hessian 2 A")
least_squares_sum_hessian = Control(
    "least_squares_sum_hessian", "plausible bug", "Hessian X^T X for the mean loss 1/(2n)||Xw - y||^2",
    {"least_squares": _least_squares_sum_hessian})
conditioned_quadratic_sqrt_kappa = Control(
    "conditioned_quadratic_sqrt_kappa", "plausible bug (cond(X) vs cond(X^T X))",
    "eigenvalues spread to sqrt(kappa) only, while claiming [1, kappa]",
    {"conditioned_quadratic": _conditioned_quadratic_sqrt_kappa})
minibatch_sum = Control(
    "minibatch_sum", "plausible bug", "mini-batch gradient summed over the batch instead of averaged",
    {"minibatch_gradient": _minibatch_sum})
minibatch_fixed_batch = Control(
    "minibatch_fixed_batch", "plausible bug (a loader that never shuffles)",
    "the gradient of the first |B| samples whatever batch was drawn", {"minibatch_gradient": _minibatch_fixed_batch})
minimize_one_step_late = Control(
    "minimize_one_step_late", "plausible bug", "checks the gradient tolerance after the update: one step too many",
    {"minimize": _minimize_one_step_late})
minimize_in_place = Control(
    "minimize_in_place", "plausible bug", "writes the final iterate into the caller's x0",
    {"minimize": _minimize_in_place})
zscore_without_centering = Control(
    "zscore_without_centering", "plausible bug (StandardScaler(with_mean=False) used for dense data)",
    "divides each feature by its standard deviation without subtracting the mean",
    {"zscore": _zscore_without_centering})


# --- issue 16: the eigen-decomposition fields, the stopping test at equality -----------------------

def _quadratic_form_eigenvalues_of_a(A):
    # seed 001's factor 2 again: the eigenvalues field lists those of A, not of the Hessian 2 A
    p = _ref().quadratic_form(A)
    return p._replace(eigenvalues=p.eigenvalues / 2.0)


def _least_squares_eigenvalues_of_the_sum(X, y):
    # s_i^2 (the eigenvalues of X^T X) for the mean loss, whose Hessian is X^T X / n
    p = _ref().least_squares(X, y)
    return p._replace(eigenvalues=p.eigenvalues * np.shape(X)[0])


def _minimize_with(strict=False, final_check=True):
    def minimize(optimizer, grad_fn, x0, *, steps, tol=None, history=False):
        R = _ref()
        x = np.array(x0, dtype=np.float64)
        hist = [x.copy()]
        state = optimizer.init(x.copy())

        def small(gn):
            return tol is not None and (gn < tol if strict else gn <= tol)

        for k in range(steps):
            g = np.asarray(grad_fn(x.copy()), dtype=np.float64)
            gn = float(np.linalg.norm(g))
            if small(gn):
                return R.MinimizeResult(x, k, True, gn, np.stack(hist) if history else None)
            u, state = optimizer.update(g, state, x.copy())
            x = x + np.asarray(u)
            hist.append(x.copy())
        gn = float(np.linalg.norm(np.asarray(grad_fn(x.copy()), dtype=np.float64)))
        return R.MinimizeResult(x, steps, final_check and small(gn), gn, np.stack(hist) if history else None)
    return minimize


quadratic_form_eigenvalues_of_a = Control(
    "quadratic_form_eigenvalues_of_a", "seed 001 (theta . A theta has Hessian 2 A)",
    "quadratic_form's eigenvalues field lists the eigenvalues of A instead of those of the Hessian 2 A",
    {"quadratic_form": _quadratic_form_eigenvalues_of_a},
    correct="the Hessian of theta . A theta is 2 A: its eigenvalues are twice those of A")
least_squares_eigenvalues_of_the_sum = Control(
    "least_squares_eigenvalues_of_the_sum", "plausible bug", "least_squares' eigenvalues are s_i^2 (of X^T X), not s_i^2 / n",
    {"least_squares": _least_squares_eigenvalues_of_the_sum})
minimize_strict_tolerance = Control(
    "minimize_strict_tolerance", "plausible bug (mutation: <= written <)",
    "stops only when ||grad|| < tol, so a gradient norm equal to tol is not converged",
    {"minimize": _minimize_with(strict=True)})
minimize_no_final_check = Control(
    "minimize_no_final_check", "plausible bug", "converged is only set inside the loop: a gradient norm <= tol at the "
    "last iterate (after the last update) is reported as not converged", {"minimize": _minimize_with(final_check=False)})
minimize_keeps_the_overflowed_iterate = Control(
    "minimize_keeps_the_overflowed_iterate", "plausible bug",
    "a diverging run returns the overflowed (infinite) iterate and counts its step",
    {"minimize": _minimize_diverging_with(keep_overflow=True)})
minimize_norm_by_squares = Control(
    "minimize_norm_by_squares", "the reference's own fault until issue 16 (np.linalg.norm squares)",
    "the gradient norm sqrt(sum g^2) overflows for a finite gradient above 1.3e154 and stops the run early",
    {"minimize": _minimize_diverging_with(norm_by_squares=True)})



# --- mutation testing of reference.problems ---------------------------------------------------------

def _least_squares_eigenvalues_nan(X, y):
    # mutation testing (evals[:k] = None survived: NaN eigenvalues passed every comparison)
    p = _ref().least_squares(X, y)
    return p._replace(eigenvalues=np.full(p.dim, np.nan))


def _least_squares_thin_svd(X, y):
    # mutation testing (svd(full_matrices=False) survived): with d > n the thin SVD has only n right
    # singular vectors, so the null space of X is missing from the eigenvectors field
    p = _ref().least_squares(X, y)
    x = np.asarray(X, dtype=np.float64)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    evals = np.zeros(p.dim)
    evals[: s.size] = s**2 / x.shape[0]
    order = np.argsort(evals, kind="stable")
    v = np.zeros((p.dim, p.dim))
    v[:, : s.size] = vt.T
    return p._replace(eigenvalues=evals[order], eigenvectors=v[:, order])


def _conditioned_quadratic_with(value=None, min_value=None, spectrum=None):
    def build(d, kappa, rng, minimizer=None):
        R = _ref()
        p = R.conditioned_quadratic(d, kappa, rng, minimizer=minimizer)
        xs = np.asarray(p.minimizer, dtype=np.float64)
        if spectrum is not None:
            lam = spectrum(d, float(kappa))
            q = np.asarray(p.eigenvectors)
            a = (q * lam) @ q.T
            a = 0.5 * (a + a.T)
            return p._replace(eigenvalues=lam, hessian=lambda x: a.copy(), grad=lambda x: a @ (np.asarray(x) - xs),
                              value=lambda x: 0.5 * float((np.asarray(x) - xs) @ (a @ (np.asarray(x) - xs))))
        if value is not None:
            h = np.asarray(p.hessian(xs))
            p = p._replace(value=lambda x: value(np.asarray(x, dtype=np.float64), xs, h))
        if min_value is not None:
            p = p._replace(min_value=min_value)
        return p
    return build


def _quadratic_default_b_ones(A, b=None):
    # the default linear term taken as ones instead of zeros
    if b is None:
        b = np.ones(np.shape(A)[0])
    return _ref().quadratic(A, b)


conditioned_quadratic_value_plus_minimizer = Control(
    "conditioned_quadratic_value_plus_minimizer", "mutation testing (e = x - xstar -> x + xstar survived)",
    "conditioned_quadratic's value measures x + x* instead of x - x*",
    {"conditioned_quadratic": _conditioned_quadratic_with(value=lambda x, xs, h: 0.5 * float((x + xs) @ h @ (x + xs)))})
conditioned_quadratic_value_three_halves = Control(
    "conditioned_quadratic_value_three_halves", "mutation testing (0.5 -> 1.5 survived)",
    "conditioned_quadratic's value is 1.5 (x - x*)^T A (x - x*)",
    {"conditioned_quadratic": _conditioned_quadratic_with(value=lambda x, xs, h: 1.5 * float((x - xs) @ h @ (x - xs)))})
conditioned_quadratic_min_value_one = Control(
    "conditioned_quadratic_min_value_one", "mutation testing (fstar 0.0 -> 1.0 survived)",
    "conditioned_quadratic reports min_value 1 for a function whose minimum is 0",
    {"conditioned_quadratic": _conditioned_quadratic_with(min_value=1.0)})
quadratic_default_b_ones = Control(
    "quadratic_default_b_ones", "plausible bug (mutation testing: bb = None for the default b survived)",
    "quadratic(A) without b uses b = ones instead of b = 0", {"quadratic": _quadratic_default_b_ones})
conditioned_quadratic_middle_ones = Control(
    "conditioned_quadratic_middle_ones", "mutation testing (np.ones(d) if (d == 1) or True survived)",
    "conditioned_quadratic's eigenvalues 1, 1, ..., 1, kappa (only the ends set) instead of a geometric spacing",
    {"conditioned_quadratic": _conditioned_quadratic_with(
        spectrum=lambda d, k: np.concatenate([np.ones(d - 1), [k]]) if d > 1 else np.ones(1))})
conditioned_quadratic_linear_spacing = Control(
    "conditioned_quadratic_linear_spacing", "plausible bug", "conditioned_quadratic's eigenvalues linspace(1, kappa, d)",
    {"conditioned_quadratic": _conditioned_quadratic_with(spectrum=lambda d, k: np.linspace(1.0, k, d))})
least_squares_eigenvalues_nan = Control(
    "least_squares_eigenvalues_nan", "mutation testing (evals[:k] = None survived)",
    "least_squares' eigenvalues field is NaN", {"least_squares": _least_squares_eigenvalues_nan})
least_squares_thin_svd = Control(
    "least_squares_thin_svd", "mutation testing (svd(x, full_matrices=False) survived)",
    "least_squares with d > n: the eigenvectors of the zero eigenvalues (the null space of X) are zero columns",
    {"least_squares": _least_squares_thin_svd})


def _rosenbrock_in_point_dtype(d=2, b=100.0):
    # mutation testing (_point's np.asarray(p, dtype=None) survived): a float32 point evaluated in float32
    p = _ref().rosenbrock(d, b)

    def value(x):
        x = np.asarray(x)
        if x.dtype != np.float32:
            return p.value(x)
        r = x[1:] - x[:-1] ** 2
        return float(np.sum(np.float32(b) * r * r + (np.float32(1) - x[:-1]) ** 2))
    return p._replace(value=value)


def _quadratic_in_data_dtype(A, b=None):
    # mutation testing (_spd's np.array(m, dtype=None) survived): a float32 A decomposed in float32
    p = _ref().quadratic(A, b)
    a = np.asarray(A)
    if a.dtype != np.float32:
        return p
    evals, evecs = np.linalg.eigh(a)
    return p._replace(eigenvalues=evals, eigenvectors=evecs, hessian=lambda x: a.copy())


def _quadratic_refuses_rounding_asymmetry(A, b=None):
    # exact symmetry demanded: a numerical Hessian/matrix with rounding-level asymmetry is refused
    a = np.asarray(A, dtype=np.float64)
    if np.any(a != a.T):
        raise ValueError("quadratic: A must be symmetric")
    return _ref().quadratic(A, b)


def _quadratic_upper_triangle(A, b=None):
    # mutation testing (m + (m.T - m) / 2 -> m - (m.T - m) / 2 survived): not the symmetric part
    a = np.asarray(A, dtype=np.float64)
    u = np.triu(a) + np.triu(a, 1).T
    p = _ref().quadratic(u, b)
    return p._replace(hessian=lambda x: a - (a.T - a) / 2)


rosenbrock_in_point_dtype = Control(
    "rosenbrock_in_point_dtype", "mutation testing (np.asarray(p, dtype=None) survived)",
    "rosenbrock's value at a float32 point computed in float32", {"rosenbrock": _rosenbrock_in_point_dtype})
quadratic_in_data_dtype = Control(
    "quadratic_in_data_dtype", "mutation testing (np.array(m, dtype=None) survived)",
    "quadratic with a float32 A keeps float32: Hessian and eigen-decomposition in float32",
    {"quadratic": _quadratic_in_data_dtype})
quadratic_refuses_rounding_asymmetry = Control(
    "quadratic_refuses_rounding_asymmetry", "plausible bug", "quadratic demands A == A^T exactly",
    {"quadratic": _quadratic_refuses_rounding_asymmetry})
quadratic_not_the_symmetric_part = Control(
    "quadratic_not_the_symmetric_part", "mutation testing (m + (m.T - m) / 2 -> m - (m.T - m) / 2 survived)",
    "quadratic's Hessian is A - (A^T - A) / 2 for a slightly asymmetric A, not (A + A^T) / 2",
    {"quadratic": _quadratic_upper_triangle})


def _rosenbrock_defaults(d_default, b_default):
    def build(d=d_default, b=b_default):
        return _ref().rosenbrock(d, b)
    return build


rosenbrock_default_three_dimensional = Control(
    "rosenbrock_default_three_dimensional", "mutation testing (d: int = 3 survived)",
    "rosenbrock() is three-dimensional", {"rosenbrock": _rosenbrock_defaults(3, 100.0)})
rosenbrock_default_b_one = Control(
    "rosenbrock_default_b_one", "plausible bug ((a - x)^2 + b (y - x^2)^2 with a = 1, b = 100: the constants swapped)",
    "rosenbrock()'s default b is 1", {"rosenbrock": _rosenbrock_defaults(2, 1.0)})


def _rosenbrock_warns_far_out(d=2, b=100.0):
    # mutation testing (np.errstate(over="ignore", ...) -> without over survived): a warning on overflow
    p = _ref().rosenbrock(d, b)

    def value(x):
        import warnings
        v = p.value(x)
        if not np.isfinite(v):
            warnings.warn("overflow encountered in multiply", RuntimeWarning)
        return v
    return p._replace(value=value)


rosenbrock_warns_far_out = Control(
    "rosenbrock_warns_far_out", "mutation testing (errstate without over= survived)",
    "rosenbrock's value warns (RuntimeWarning) when it overflows", {"rosenbrock": _rosenbrock_warns_far_out})


# --- contract: removed or weakened argument checks (problems, Newton, the driver) ----------------------
from types import SimpleNamespace  # noqa: E402

from properties.controls._patch import lenient_range, lenient_range_closed, original, patched_all  # noqa: E402


def _lenient_int(value, func, name, minimum=1):
    return int(value)


def _spd_unchecked(a, func, name="A"):
    """Any matrix taken as it is: its eigen-decomposition, nothing refused."""
    m = np.array(a, dtype=np.float64)
    evals, evecs = np.linalg.eigh(m)
    return m, evals, evecs


def _spd_with_bound(factor, strict=True):
    def spd(a, func, name="A"):
        from reference._numerics import EPS64
        m = np.array(a, dtype=np.float64)
        d = m.shape[0]
        if m.ndim != 2 or m.shape != (d, d):
            raise ValueError(f"{func}: {name} must be square")
        mag = np.max(np.abs(m))
        with np.errstate(over="ignore"):
            asym = np.max(np.abs(m - m.T))
        if asym > factor * d * EPS64 * mag:
            raise ValueError(f"{func}: {name} must be symmetric")
        m = m + (m.T - m) / 2
        evals, evecs = np.linalg.eigh(m)
        if not (evals[0] > d * EPS64 * evals[-1] if strict else evals[0] >= d * EPS64 * evals[-1]):
            raise ValueError(f"{func}: {name} must be positive definite")
        return m, evals, evecs
    return spd


def _finite_returned(compute, func, what):
    with np.errstate(over="ignore", invalid="ignore"):
        return compute()


def _minibatch_unchecked(problem, params, batch_idx):
    """The mean per-sample gradient over any index array numpy accepts."""
    if problem is None or problem.batch_grad is None:
        raise TypeError("minibatch_gradient: problem must be a finite-sum Problem")
    return problem.batch_grad(np.asarray(params, dtype=np.float64), np.asarray(batch_idx))


def _minibatch_any_problem(problem, params, batch_idx):
    """No type check: the problem's batch_grad is read directly (AttributeError for None)."""
    return problem.batch_grad(np.asarray(params, dtype=np.float64), np.asarray(batch_idx))


def _direction_unchecked(grad, hessian, func):
    return np.linalg.solve(np.asarray(hessian, dtype=np.float64), grad)


def _direction_closed(grad, hessian, func):
    """The singular-value test with ``>=`` (a Hessian exactly at the bound accepted)."""
    from reference._numerics import EPS64
    h = np.asarray(hessian, dtype=np.float64)
    d = grad.shape[0]
    if h.shape != (d, d):
        raise ValueError(f"{func}: hessian must have shape ({d}, {d})")
    s = np.linalg.svd(h, compute_uv=False)
    if not s[-1] >= d * EPS64 * s[0] or s[0] == 0:
        raise ValueError(f"{func}: hessian must be nonsingular")
    return np.linalg.solve(h, grad)


def _vector_any(x, func, name):
    return np.asarray(x, dtype=np.float64)


def _step_returned(lr, grad, hessian, func, params=None):
    with np.errstate(over="ignore", invalid="ignore"):
        out = -lr * original("optimizers.newton", "_direction")(grad, hessian, func)
        return out if params is None else params + out


def _newton_step__any(hessian_fn, lr=1.0):
    """``newton`` whose ``step_`` writes into any array-like params."""
    import reference
    opt = reference.newton(hessian_fn, lr=lr)

    def step_(params, grads, state):
        u, state = opt.update(grads, state, np.asarray(params, dtype=np.float64))
        params[...] = params + u
        return state
    return reference.Optimizer(opt.init, opt.update, step_)


def _minimize_either(optimizer, grad_fn, x0, **kw):
    """The Optimizer check with ``or``: one of init and update suffices (the other a stand-in)."""
    import reference
    if not (hasattr(optimizer, "init") or hasattr(optimizer, "update")):
        raise TypeError("minimize: optimizer must have init and update")
    opt = SimpleNamespace(init=getattr(optimizer, "init", lambda x: 0),
                          update=getattr(optimizer, "update", lambda g, s, x=None: (np.zeros_like(g), s)))
    return reference.minimize(opt, grad_fn, x0, **kw)


problem_parameters_unchecked = Control(
    "problem_parameters_unchecked", "plausible bug", "rosenbrock's d and b and conditioned_quadratic's kappa unchecked",
    patched_all(("rosenbrock", "conditioned_quadratic"), "problems", check_in_range=lenient_range,
                check_positive_int=_lenient_int))
rosenbrock_b_zero_accepted = Control(
    "rosenbrock_b_zero_accepted", "plausible bug (mutant: b >= 0)", "rosenbrock accepts b = 0",
    patched_all(("rosenbrock",), "problems", check_in_range=lenient_range_closed))
spd_unchecked = Control(
    "spd_unchecked", "plausible bug", "quadratic and quadratic_form take any matrix (eigh of it)",
    patched_all(("quadratic", "quadratic_form"), "problems", _spd=_spd_unchecked))
spd_symmetry_bound_nine = Control(
    "spd_symmetry_bound_nine", "plausible bug (mutant: 9 d eps for 8 d eps)",
    "the symmetry bound 9 d eps max|A| and the eigenvalue bound closed",
    patched_all(("quadratic", "quadratic_form"), "problems", _spd=_spd_with_bound(9, strict=False)))
finite_sum_overflow_returned = Control(
    "finite_sum_overflow_returned", "plausible bug", "least_squares and minibatch_gradient return inf / NaN on overflow",
    patched_all(("least_squares", "minibatch_gradient"), "problems", _finite=_finite_returned))
batch_unchecked = Control(
    "batch_unchecked", "plausible bug (numpy fancy indexing)", "minibatch_gradient indexes with any batch_idx",
    {"minibatch_gradient": _minibatch_unchecked})
batch_problem_unchecked = Control(
    "batch_problem_unchecked", "plausible bug", "minibatch_gradient reads problem.batch_grad without a type check",
    {"minibatch_gradient": _minibatch_any_problem})
newton_lr_unchecked = Control(
    "newton_lr_unchecked", "plausible bug", "newton_step and newton take any lr",
    patched_all(("newton_step", "newton"), "optimizers.newton", check_in_range=lenient_range))
newton_lr_zero_accepted = Control(
    "newton_lr_zero_accepted", "plausible bug (mutant: lr >= 0)", "newton_step and newton accept lr = 0",
    patched_all(("newton_step", "newton"), "optimizers.newton", check_in_range=lenient_range_closed))
newton_hessian_unchecked = Control(
    "newton_hessian_unchecked", "plausible bug (numpy.linalg.solve's own check only)",
    "the Newton direction is solve(H, g) without the singular-value test",
    patched_all(("newton_step", "newton"), "optimizers.newton", _direction=_direction_unchecked))
newton_singular_bound_closed = Control(
    "newton_singular_bound_closed", "plausible bug (mutant: >= for >)",
    "a Hessian whose smallest singular value is exactly d eps times the largest is accepted",
    patched_all(("newton_step", "newton"), "optimizers.newton", _direction=_direction_closed))
newton_params_of_any_ndim = Control(
    "newton_params_of_any_ndim", "plausible bug", "newton_step and newton take params and grads of any ndim",
    patched_all(("newton_step", "newton"), "optimizers.newton", _vector=_vector_any))
newton_step__any_params = Control(
    "newton_step__any_params", "plausible bug", "newton's step_ writes into any params (float32, 2-d, read-only)",
    {"newton": _newton_step__any})
newton_overflow_returned = Control(
    "newton_overflow_returned", "plausible bug", "newton_step and newton.update return an overflowing step as inf",
    patched_all(("newton_step", "newton"), "optimizers.newton", _step=_step_returned))
minimize_tol_unchecked = Control(
    "minimize_tol_unchecked", "plausible bug", "minimize takes any tol", patched_all(("minimize",), "optimizers.driver",
                                                                              check_in_range=lenient_range))
minimize_optimizer_either = Control(
    "minimize_optimizer_either", "plausible bug (mutant: or for and)", "minimize accepts an optimizer with init or update",
    {"minimize": _minimize_either})


def _least_squares_reshaped(X, y):
    """A 0-d or 1-d X taken as one row (np.atleast_2d), y raveled."""
    import reference
    return reference.least_squares(np.atleast_2d(X) if np.ndim(X) < 2 else X, np.ravel(y))


least_squares_reshaped = Control(
    "least_squares_reshaped", "plausible bug (numpy's atleast_2d / ravel)", "least_squares reshapes X and y instead of "
    "refusing them", {"least_squares": _least_squares_reshaped})
