"""Bad input to Newton-Raphson, the minimize driver and the test problems raises a clear
error (function, argument, value, expectation); divergence follows the documented policy."""

import math

import numpy as np
import pytest

import reference as R

RNG = np.random.default_rng


# --- newton_step / newton --------------------------------------------------------------------

@pytest.mark.parametrize("hessian", [[[0.0]], [[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1e-17]]])
def test_newton_step_rejects_a_singular_hessian(hessian):
    d = len(hessian)
    with pytest.raises(ValueError, match=r"^newton_step: hessian must be nonsingular; got singular values in \[.*\] "
                                         r"\(the smallest must exceed d\*eps\*largest"):
        R.newton_step(np.ones(d), np.ones(d), hessian)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_newton_step_rejects_a_non_finite_hessian(bad):
    with pytest.raises(ValueError, match=r"^newton_step: hessian must be finite; got 1 NaN/inf value"):
        R.newton_step([1.0, 1.0], [1.0, 1.0], [[1.0, 0.0], [0.0, bad]])


@pytest.mark.parametrize("name,args", [("params", ([np.nan], [1.0], [[1.0]])), ("grad", ([1.0], [np.inf], [[1.0]]))])
def test_newton_step_rejects_non_finite_params_and_gradients(name, args):
    with pytest.raises(ValueError, match=rf"^newton_step: {name} must be finite; got 1 NaN/inf"):
        R.newton_step(*args)


def test_newton_step_checks_shapes():
    with pytest.raises(ValueError, match=r"^newton_step: grad must have the shape of params \(1,\); got \(2,\)"):
        R.newton_step([1.0], [1.0, 2.0], [[1.0]])
    with pytest.raises(ValueError, match=r"^newton_step: hessian must have shape \(2, 2\) to match grad; got \(1, 1\)"):
        R.newton_step([1.0, 2.0], [1.0, 2.0], [[1.0]])
    with pytest.raises(ValueError, match=r"^newton_step: params must be 1-d; got 2-d"):
        R.newton_step(np.ones((2, 2)), np.ones((2, 2)), np.eye(2))


@pytest.mark.parametrize("lr,exc", [(0.0, ValueError), (-1.0, ValueError), (np.nan, ValueError), ("1", TypeError)])
def test_newton_lr_must_be_positive_and_finite(lr, exc):
    with pytest.raises(exc, match=r"^newton_step: lr must be"):
        R.newton_step([1.0], [1.0], [[1.0]], lr=lr)
    with pytest.raises(exc, match=r"^newton: lr must be"):
        R.newton(lambda p: np.eye(1), lr=lr)


def test_newton_lr_message_names_value_and_interval():
    with pytest.raises(ValueError) as info:
        R.newton_step([1.0], [1.0], [[1.0]], lr=-0.5)
    assert str(info.value) == "newton_step: lr must be in (0, inf); got -0.5"


def test_newton_optimizer_needs_callable_hessian_params_and_its_state():
    with pytest.raises(TypeError, match=r"^newton: hessian_fn must be callable"):
        R.newton(np.eye(2))
    opt = R.newton(lambda p: np.eye(2))
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"^newton.update: params must be given"):
        opt.update(np.ones(2), state)
    with pytest.raises(TypeError, match=r"^newton.update: state must be the NewtonState"):
        opt.update(np.ones(2), (0,), np.zeros(2))
    with pytest.raises(ValueError, match=r"^newton.update: grads must have the shape of params \(2,\); got \(3,\)"):
        opt.update(np.ones(3), state, np.zeros(2))
    with pytest.raises(ValueError, match=r"^newton.update: hessian must be nonsingular"):
        R.newton(lambda p: np.zeros((2, 2))).update(np.ones(2), state, np.zeros(2))


def test_newton_never_modifies_its_inputs_and_step_matches_update():
    p, g, h = np.array([1.0, 2.0]), np.array([3.0, -1.0]), np.array([[2.0, 1.0], [1.0, 3.0]])
    copies = p.copy(), g.copy(), h.copy()
    out = R.newton_step(p, g, h, lr=0.5)
    assert all(np.array_equal(a, b) for a, b in zip((p, g, h), copies))
    opt = R.newton(lambda x: h, lr=0.5)
    u, s = opt.update(g, opt.init(p), p)
    q = p.copy()
    s2 = opt.step_(q, g, opt.init(p))
    assert np.array_equal(p + u, out) and np.array_equal(q, out) and s.count == s2.count == 1


# --- minimize ---------------------------------------------------------------------------------

def test_minimize_rejects_bad_arguments():
    sgd = R.sgd(0.1)
    with pytest.raises(TypeError, match=r"^minimize: optimizer must have init and update"):
        R.minimize(None, lambda x: x, [1.0], steps=1)
    with pytest.raises(TypeError, match=r"^minimize: grad_fn must be callable"):
        R.minimize(sgd, 3.0, [1.0], steps=1)
    with pytest.raises(ValueError, match=r"^minimize: x0 must be finite; got 1 NaN/inf"):
        R.minimize(sgd, lambda x: x, [np.nan], steps=1)
    with pytest.raises(ValueError, match=r"^minimize: steps must be an integer >= 0; got -1"):
        R.minimize(sgd, lambda x: x, [1.0], steps=-1)
    with pytest.raises(TypeError, match=r"^minimize: steps must be an integer >= 0; got 2.5"):
        R.minimize(sgd, lambda x: x, [1.0], steps=2.5)
    with pytest.raises(ValueError, match=r"^minimize: tol must be in \[0, inf\); got -1.0"):
        R.minimize(sgd, lambda x: x, [1.0], steps=1, tol=-1.0)
    with pytest.raises(TypeError, match=r"^minimize: history must be True or False"):
        R.minimize(sgd, lambda x: x, [1.0], steps=1, history="yes")


def test_minimize_checks_the_gradient_shape():
    with pytest.raises(ValueError, match=r"^minimize: grad_fn must return an array of the shape of x \(2,\); got \(1,\)"):
        R.minimize(R.sgd(0.1), lambda x: x[:1], [1.0, 2.0], steps=3)


def test_minimize_stops_a_diverging_run_and_reports_it():
    """NaN policy: stop at the first non-finite iterate or gradient, converged False, grad_norm inf."""
    x0 = np.array([1.0])
    res = R.minimize(R.sgd(10.0), lambda x: 10 * x, x0, steps=1000, tol=1e-8, history=True)
    assert not res.converged and res.grad_norm == math.inf and res.steps < 1000
    assert np.all(np.isfinite(res.x)) and res.history.shape == (res.steps + 1, 1)
    assert np.array_equal(res.x, res.history[-1]) and x0.tolist() == [1.0]
    res = R.minimize(R.sgd(0.1), lambda x: x * np.nan, [1.0], steps=5)
    assert (res.steps, res.converged, res.grad_norm) == (0, False, math.inf)


def test_minimize_without_tol_runs_the_budget_and_never_claims_convergence():
    res = R.minimize(R.sgd(0.5), lambda x: x, [1.0], steps=3)
    assert res.steps == 3 and res.converged is False and res.history is None and res.x.tolist() == [0.125]
    res = R.minimize(R.sgd(0.5), lambda x: x, [1.0], steps=0, tol=2.0)
    assert res.steps == 0 and res.converged is True


# --- problems -------------------------------------------------------------------------------------

@pytest.mark.parametrize("A,match", [
    ([[1.0, 0.0], [0.0, -1.0]], r"^quadratic: A must be symmetric positive definite; got eigenvalues in \[-1, 1\]"),
    ([[1.0, 0.0], [0.0, 0.0]], r"^quadratic: A must be symmetric positive definite"),
    ([[1.0, 2.0], [0.0, 1.0]], r"^quadratic: A must be symmetric; got max \|A - A\^T\| = 2"),
    ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], r"^quadratic: A must be square; got shape \(2, 3\)"),
    ([1.0, 2.0], r"^quadratic: A must be 2-d; got 1-d"),
    ([[1.0, np.nan], [np.nan, 1.0]], r"^quadratic: A must be finite"),
])
def test_quadratic_needs_a_symmetric_positive_definite_matrix(A, match):
    with pytest.raises(ValueError, match=match):
        R.quadratic(A)


def test_quadratic_checks_b():
    with pytest.raises(ValueError, match=r"^quadratic: b must have shape \(2,\) to match A; got \(1,\)"):
        R.quadratic(np.eye(2), [1.0])


@pytest.mark.parametrize("A,match", [([1.0, 0.0], r"^quadratic_form: A \(the diagonal\) must be positive; got minimum 0.0"),
                                     ([[1.0, 0.0], [0.0, -2.0]], r"^quadratic_form: A must be symmetric positive definite"),
                                     (np.ones((2, 2, 2)), r"^quadratic_form: A must be 1-d or 2-d; got 3-d")])
def test_quadratic_form_needs_positive_a(A, match):
    with pytest.raises(ValueError, match=match):
        R.quadratic_form(A)


def test_conditioned_quadratic_checks_its_arguments():
    with pytest.raises(ValueError, match=r"^conditioned_quadratic: kappa must be in \[1, inf\); got 0.5"):
        R.conditioned_quadratic(3, 0.5, RNG(0))
    with pytest.raises(ValueError, match=r"^conditioned_quadratic: kappa must be 1 when d == 1"):
        R.conditioned_quadratic(1, 2.0, RNG(0))
    with pytest.raises(ValueError, match=r"^conditioned_quadratic: d must be an integer >= 1; got 0"):
        R.conditioned_quadratic(0, 2.0, RNG(0))
    with pytest.raises(TypeError, match=r"^conditioned_quadratic: rng must be a numpy.random.Generator"):
        R.conditioned_quadratic(3, 2.0, 0)
    with pytest.raises(ValueError, match=r"^conditioned_quadratic: minimizer must have shape \(3,\); got \(2,\)"):
        R.conditioned_quadratic(3, 2.0, RNG(0), minimizer=[1.0, 2.0])


def test_rosenbrock_and_least_squares_check_their_arguments():
    with pytest.raises(ValueError, match=r"^rosenbrock: d must be an integer >= 2; got 1"):
        R.rosenbrock(1)
    with pytest.raises(ValueError, match=r"^rosenbrock: b must be in \(0, inf\); got -1.0"):
        R.rosenbrock(2, -1.0)
    with pytest.raises(ValueError, match=r"^least_squares: y must have shape \(3,\) \(one target per row of X\); got \(2,\)"):
        R.least_squares(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"^least_squares: X must be 2-d; got 1-d"):
        R.least_squares(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"^least_squares: X must have at least 1 element"):
        R.least_squares(np.ones((0, 2)), np.ones(0))


@pytest.mark.parametrize("method", ["value", "grad", "hessian"])
def test_problem_functions_check_the_point(method):
    p = R.rosenbrock()
    with pytest.raises(ValueError, match=rf"^rosenbrock.{method}: x must have shape \(2,\); got \(3,\)"):
        getattr(p, method)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=rf"^rosenbrock.{method}: x must be finite; got 1 NaN/inf"):
        getattr(p, method)([np.nan, 1.0])
    q = R.quadratic(np.eye(2))
    with pytest.raises(ValueError, match=rf"^quadratic.{method}: x must have shape \(2,\); got \(1,\)"):
        getattr(q, method)([1.0])


def test_minibatch_gradient_checks_problem_and_indices():
    p = R.least_squares(np.arange(6.0).reshape(3, 2), np.ones(3))
    with pytest.raises(TypeError, match=r"^minibatch_gradient: problem must be a finite-sum Problem with batch_grad"):
        R.minibatch_gradient(R.rosenbrock(), [1.0, 1.0], [0])
    with pytest.raises(ValueError, match=r"^minibatch_gradient: batch_idx must lie in \[0, 3\); got values in \[-1, 3\]"):
        R.minibatch_gradient(p, [1.0, 1.0], [-1, 3])
    for bad in ([], [0.5], [[0, 1]], [True]):
        with pytest.raises(ValueError, match=r"^minibatch_gradient: batch_idx must be a non-empty 1-d array of integer"):
            R.minibatch_gradient(p, [1.0, 1.0], bad)
    with pytest.raises(ValueError, match=r"^minibatch_gradient: params must have shape \(2,\); got \(3,\)"):
        R.minibatch_gradient(p, [1.0, 1.0, 1.0], [0])


def test_problems_never_alias_or_modify_their_inputs():
    a, b = np.array([[2.0, 1.0], [1.0, 2.0]]), np.array([1.0, 0.0])
    p = R.quadratic(a, b)
    a[0, 0] = 100.0
    assert p.hessian(np.zeros(2))[0, 0] == 2.0
    h = p.hessian(np.zeros(2))
    h[0, 0] = -5.0
    assert p.hessian(np.zeros(2))[0, 0] == 2.0
    x, y = np.ones((4, 2)), np.arange(4.0)
    x0, y0 = x.copy(), y.copy()
    ls = R.least_squares(x, y)
    ls.grad(np.zeros(2)), R.minibatch_gradient(ls, np.zeros(2), [0, 0, 3])
    assert np.array_equal(x, x0) and np.array_equal(y, y0)


def test_minibatch_counts_repeated_indices_and_the_full_batch_is_the_gradient():
    p = R.least_squares([[1.0], [3.0]], [0.0, 0.0])
    assert R.minibatch_gradient(p, [1.0], [1, 1, 0]).tolist() == [(9.0 + 9.0 + 1.0) / 3]
    assert R.minibatch_gradient(p, [1.0], [0, 1]).tolist() == p.grad([1.0]).tolist()
