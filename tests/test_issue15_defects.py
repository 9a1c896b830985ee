"""Regression tests for the ten defects of issue 15 (hostile inputs), one or more per item.

Each test failed before its fix (items 3 and 8 were fixed by the rewrite of
``reference/optimizers`` for issue 14; tests/test_optimizers_numerics.py holds more of them). Expected values come from the mathematics (exact scaling, the
definition of the z-score, the classification of a diagonal matrix), never from the
implementation's own output.
"""

import math

import numpy as np
import pytest

import reference as R

# --- item 1: classification of critical points with entries near the float64 maximum ---

@pytest.mark.parametrize("diag, tol, kind", [
    # With tol = 0 only the signs of the eigenvalues decide.
    ((1.5e308, 1.0), 0.0, "minimum"),
    ((1.5e308, -1.0), 0.0, "saddle"),
    ((-1.5e308, -1.0), 0.0, "maximum"),
    # The default tol = 8 n eps ||H||_2 treats |lambda| = 1 next to 1.5e308 as zero (the
    # documented rule; the same verdict as for diag(1, 6.7e-309)).
    ((1.5e308, 1.0), None, "degenerate"),
    ((1.5e308, 1e294), None, "minimum"),
    ((1.5e308, -1e294), None, "saddle"),
    ((1.5e308, -1.5e308, 1.0), None, "saddle"),
    ((-1.5e308, -1.7e308), None, "maximum"),
    ((1e-310, 2e-310), None, "minimum"),          # subnormal curvatures: still a definite minimum
])
def test_classify_critical_point_of_extreme_diagonal(diag, tol, kind):
    assert R.classify_critical_point(np.diag(diag), tol=tol) == kind


def test_condition_number_and_tolerance_of_extreme_matrices():
    assert R.condition_number(np.diag([1.5e308, 1.5e307])) == pytest.approx(10.0, rel=1e-15)
    assert R.condition_number(np.diag([1.5e308, 1.5e307]), spd=True) == pytest.approx(10.0, rel=1e-15)
    tol = R.hessian_eigen_tolerance(np.diag([1.5e308, -1.5e308, 1.0]))
    assert tol == pytest.approx(8 * 3 * 2.0**-52 * 1.5e308, rel=1e-15)


# --- item 2: averages of values near the float64 maximum ---

def test_running_mean_does_not_overflow():
    np.testing.assert_array_equal(R.running_mean([1e308, -1e308]), [1e308, 0.0])


def test_ema_from_first_value_does_not_overflow():
    np.testing.assert_array_equal(R.ema([1e308, -1e308], 0.5, v0=None), [1e308, 0.0])
    np.testing.assert_array_equal(R.ema([1.5e308, -1.5e308], 0.5, v0=1.5e308), [1.5e308, 0.0])


def test_ema_bias_corrected_does_not_overflow():
    # hat_2 = (alpha v2 + (1 - alpha) alpha v1) / (1 - (1 - alpha)^2) = (v2 + v1 / 2) / 1.5 at alpha = 1/2
    out = R.ema_bias_corrected([1.5e308, -1.5e308], 0.5)
    assert out[0] == 1.5e308 and out[1] == pytest.approx(-0.5e308, rel=4e-16)


def test_sma_does_not_overflow():
    np.testing.assert_array_equal(R.sma([1e308, 1e308], 2), [1e308])
    np.testing.assert_array_equal(R.sma([[1.5e308, -1.5e308], [1.5e308, 1.5e308]], 2), [[1.5e308, 0.0]])


# --- item 3: float16 adaptive optimisers (wt14) ---

@pytest.mark.parametrize("factory", [R.adam, R.rmsprop, R.adagrad])
def test_float16_adaptive_optimisers_give_finite_updates(factory):
    opt = factory()
    g = np.float16([0.0, 1e-4, 1.0])
    u, _ = opt.update(g, opt.init(np.zeros(3, np.float16)))
    assert np.all(np.isfinite(u))


# --- item 4: subnormal data ---

SUBNORMAL = np.array([[5e-324], [1e-323], [1.5e-323]])      # 1, 2, 3 times 2**-1074
Z_EXACT = np.array([[-math.sqrt(1.5)], [0.0], [math.sqrt(1.5)]])


def test_zscore_of_subnormal_data_is_exact():
    np.testing.assert_allclose(R.zscore(SUBNORMAL), Z_EXACT, rtol=4e-16, atol=0)
    stats = R.fit_zscore(SUBNORMAL)
    np.testing.assert_allclose(R.apply_zscore(stats, SUBNORMAL), Z_EXACT, rtol=4e-16, atol=0)


def test_batchnorm_of_subnormal_data():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, cache = R.batchnorm_forward(SUBNORMAL, [1.0], [0.0], eps=0.0)
        np.testing.assert_allclose(y, Z_EXACT, rtol=4e-16, atol=0)
        # dx = gamma / sigma * (...) with sigma ~ 4e-324 is ~1e323: not representable, so an error
        with pytest.raises(ValueError, match=r"^batchnorm_backward: .*overflow"):
            R.batchnorm_backward(np.array([[1.0], [0.0], [0.0]]), cache)


# --- item 5: Newton's overflowing step ---

def test_newton_step_overflow_is_an_error():
    with pytest.raises(ValueError, match=r"^newton_step: .*overflow"):
        R.newton_step([1.0, 1.0], [1e200, 1e200], 1e-200 * np.eye(2))
    opt = R.newton(lambda p: 1e-200 * np.eye(2))
    with pytest.raises(ValueError, match=r"^newton.update: .*overflow"):
        opt.update(np.array([1e200, 1e200]), opt.init(np.ones(2)), np.ones(2))


# --- item 6: h below the precision of x ---

def test_numerical_gradient_step_below_precision_is_an_error():
    with pytest.raises(ValueError, match=r"^numerical_gradient: h .*precision of x\[0\]"):
        R.numerical_gradient(lambda v: float(v.sum()), [1e10], h=1e-7)
    with pytest.raises(ValueError, match=r"^gradient_check: h .*precision of x\[0\]"):
        R.gradient_check(lambda v: float(v.sum()), lambda v: np.ones_like(v), [1e10], h=1e-7)


def test_numerical_gradient_of_huge_values_does_not_overflow():
    # f(v) = 1e308 v at x = 0 with h = 1: f(x + h) - f(x - h) = 2e308 overflows, but the
    # centred difference 2e308 / 2 = 1e308 is representable.
    g = R.numerical_gradient(lambda v: float(1e308 * v[0]), [0.0], h=1.0)
    assert g.tolist() == [1e308]


# --- item 7: initialisers square the gain ---

def test_initialisers_do_not_square_the_gain():
    rng = np.random.default_rng(0)
    w = R.glorot_normal((3, 2), rng, gain=1e300)
    assert np.all(np.isfinite(w)) and np.any(w != 0)
    b = 1e155 * math.sqrt(3 / 2)
    w = R.lecun_uniform((3, 2), rng, gain=1e155)
    assert np.all(np.abs(w) <= b) and np.any(w != 0)
    w = R.glorot_uniform((3, 2), rng, gain=1e-170)
    assert np.all(np.abs(w) <= 1e-170 * math.sqrt(6 / 5)) and np.all(w != 0)


def test_initialiser_bound_beyond_float64_is_an_error():
    with pytest.raises(ValueError, match=r"^lecun_uniform: gain"):
        R.lecun_uniform((3, 1), np.random.default_rng(0), gain=1.5e308)


# --- item 8: optimisers do not check params (wt14) ---

def test_sgd_rejects_nan_params():
    opt = R.sgd(0.1, weight_decay=0.01)
    with pytest.raises(ValueError, match=r"^sgd.update: params"):
        opt.update(np.ones(2), opt.init(np.zeros(2)), np.array([np.nan, 1.0]))


# --- item 9: wrong exception or message ---

def test_batchnorm_running_update_accepts_lists_and_rejects_nan():
    r = R.batchnorm_running_update(R.BatchNormRunning([0.0], [1.0], 0), [[1.0], [3.0]], momentum=0.5)
    assert r.mean.tolist() == [1.0] and r.var.tolist() == [1.5] and r.count == 1
    with pytest.raises(ValueError, match=r"^batchnorm_running_update: running.mean must be finite"):
        R.batchnorm_running_update(R.BatchNormRunning(np.array([np.nan]), np.ones(1), 0), [[1.0], [3.0]])
    with pytest.raises(ValueError, match=r"^batchnorm_running_update: running.var must be >= 0"):
        R.batchnorm_running_update(R.BatchNormRunning(np.zeros(1), -np.ones(1), 0), [[1.0], [3.0]])
    with pytest.raises(TypeError, match=r"^batchnorm_running_update: running.count"):
        R.batchnorm_running_update(R.BatchNormRunning(np.zeros(1), np.ones(1), 0.5), [[1.0], [3.0]])


def test_numerical_gradient_rejects_non_callable():
    with pytest.raises(TypeError, match=r"^numerical_gradient: f must be callable"):
        R.numerical_gradient(3, [1.0])
    with pytest.raises(TypeError, match=r"^gradient_check: grad_f must be callable"):
        R.gradient_check(lambda v: 0.0, 3, [1.0])


def test_huge_initialiser_shape_names_the_function():
    with pytest.raises(ValueError, match=r"^he_normal: shape"):
        R.he_normal((10**12, 10**12), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^zeros_init: shape"):
        R.zeros_init((10**12, 10**12), np.random.default_rng(0))


# --- item 10: lower severity ---

def test_fit_zscore_var_beyond_float64_is_documented_inf():
    stats = R.fit_zscore([[1e300], [-1e300]])
    assert stats.std.tolist() == [1e300]
    assert stats.var.tolist() == [math.inf]          # 1e600: documented in ZScoreStats
    assert "inf" in R.ZScoreStats.__doc__


def test_narrow_output_that_overflows_is_an_error():
    with pytest.raises(ValueError, match=r"^minmax: .*float16"):
        R.minmax(np.float16([[0.0], [1.0]]), feature_range=(0.0, 1e6))
    with pytest.raises(ValueError, match=r"^batchnorm_forward: .*float16"):
        R.batchnorm_forward(np.float16([[0.0], [1.0]]), [1e6], [0.0])


def test_batchnorm_of_huge_values():
    x = np.array([[1e200], [-1e200]])
    y, cache = R.batchnorm_forward(x, [1.0], [0.0], eps=0.0)
    assert y.ravel().tolist() == [1.0, -1.0]
    assert cache.var.tolist() == [math.inf]          # 1e400: documented in BatchNormCache
    with pytest.raises(ValueError, match=r"^batchnorm_running_update: .*overflow"):
        R.batchnorm_running_update(None, x)


def test_batchnorm_cache_owns_gamma():
    gamma = np.array([2.0])
    y, cache = R.batchnorm_forward([[-1.0], [0.0], [1.0]], gamma, [0.0], eps=0.0)
    gamma[0] = 5.0
    dx, _, _ = R.batchnorm_backward([[1.0], [0.0], [0.0]], cache)
    # dx_i = gamma / (m s) (m dy_i - sum dy - x_hat_i sum dy x_hat) with m = 3, s = sqrt(2/3),
    # x_hat = x / s: gamma / (3 s) * (0.5, -1, 0.5) with the forward's gamma = 2
    s = math.sqrt(2 / 3)
    np.testing.assert_allclose(dx.ravel(), 2.0 / (3 * s) * np.array([0.5, -1.0, 0.5]), rtol=1e-14)


# --- defects beyond the list, found by tests/test_hostile_inputs.py ---

def test_choices_and_flags_given_an_array_name_the_function():
    with pytest.raises(ValueError, match=r"^fan_in_fan_out: layout must be one of"):
        R.fan_in_fan_out((3, 2), layout=np.array([0.5, 0.5]))
    with pytest.raises(TypeError, match=r"^condition_number: spd must be True or False"):
        R.condition_number(np.eye(2), spd=np.array([0.5, 0.5]))


def test_batchnorm_running_stats_names_itself_and_the_batch():
    with pytest.raises(ValueError, match=r"^batchnorm_running_stats: batches\[1\] must be finite"):
        R.batchnorm_running_stats([[[0.0], [1.0]], [[np.nan], [1.0]]])


def test_minibatch_gradient_names_params():
    prob = R.least_squares([[1.0], [2.0]], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"^minibatch_gradient: params must have shape"):
        R.minibatch_gradient(prob, [1.0, 2.0], [0])


@pytest.mark.parametrize("call", [
    lambda: R.goe_hessian(10**30, np.random.default_rng(0)),
    lambda: R.batchnorm_running_init(10**30),
    lambda: R.rosenbrock(10**30),
    lambda: R.conditioned_quadratic(10**30, 10.0, np.random.default_rng(0)),
])
def test_huge_dimensions_name_the_function(call):
    with pytest.raises(ValueError, match=r"^(goe_hessian|batchnorm_running_init|rosenbrock|conditioned_quadratic): "
                                         r"(d|num_features)"):
        call()


def test_newton_step_of_subnormal_gradient_and_hessian_is_accurate():
    # H and g are exact subnormal multiples of 2**-1070 of a well-conditioned system: the
    # step is that of the unscaled system (the old solve lost 3% on subnormal LU factors).
    h, g = np.array([[2.625, -0.125], [-0.125, 2.25]]), np.array([-1.5, -3.75])
    step = R.newton_step([0.0, 0.0], np.ldexp(g, -1070), np.ldexp(h, -1070))
    np.testing.assert_allclose(step, -np.linalg.solve(h, g), rtol=4 * 2.0**-52)


def test_overflowing_network_and_problem_values_are_errors():
    with pytest.raises(ValueError, match=r"^dense_forward: the pre-activation z_1 must fit float64"):
        R.dense_forward([np.array([[1.5e308, 1.5e308]])], None, [[1.0, 1.0]])
    with pytest.raises(ValueError, match=r"^gradient_descent_step: params\[0\] - lr \* grads\[0\] must fit"):
        R.gradient_descent_step([np.array([1.5e308])], [np.array([-1.5e308])], lr=1.0)
    # (a Problem's value at such a point is documented as inf: minimize's divergence signal)
    assert R.rosenbrock().value([1e200, 1.0]) == math.inf
    with pytest.raises(ValueError, match=r"^least_squares: X\^T X / n"):
        R.least_squares([[1e200]], [1.0])


def test_losses_whose_mean_is_representable_do_not_overflow():
    # mean((1.4e154)**2, 0) = 0.98e308: the square alone overflows
    assert R.mse_loss([[1.4e154, 0.0]], [[0.0, 0.0]]) == pytest.approx(0.98e308, rel=1e-15)
    # terms max(z, 0) - y z + log1p(e^-|z|) = 1.5e308 each: their mean is 1.5e308
    assert R.bce_with_logits_loss([[1.5e308, 1.5e308]], [[0.0, 0.0]]) == 1.5e308


def test_deep_linear_forward_gives_inf_or_the_true_value_never_nan():
    # (1.5e308, 1.5e308) -> W1 = [[1, 1], [1, -1]] -> (3e308: inf, 0) -> W2 = [[0, 1]] -> 0
    w1, w2 = np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    assert R.deep_linear_forward([w1, w2], [1.5e308, 1.5e308]).tolist() == [0.0, math.inf]


def test_mse_loss_grad_doubles_last():
    # 2 (1e308 - 0) / 2 = 1e308 fits although 2 * 1e308 does not (found in the thorough profile)
    assert R.mse_loss_grad([[1e308, 0.0]], [[0.0, 0.0]]).tolist() == [[1e308, 0.0]]
    with pytest.raises(ValueError, match=r"^mse_loss_grad: the gradient must fit float64"):
        R.mse_loss_grad([[1e308]], [[0.0]])


# --- beyond the list: found by the hostile-input property after merging the optimiser rewrite ---

def test_adam_with_a_subnormal_b1_gives_the_b1_zero_update():
    """b1 = 5e-324 rounds 1 - b1 to 1, where log1p(-1) raised math's domain error; the bias
    correction 1 - b1**t is then 1, so the update equals that of b1 = 0."""
    g = np.array([3.0, -0.5])
    tiny, zero = R.adam(0.1, b1=5e-324, eps=0.0), R.adam(0.1, b1=0.0, eps=0.0)
    assert np.array_equal(tiny.update(g, tiny.init(g))[0], zero.update(g, zero.init(g))[0])


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_ragged_lists_are_refused_with_the_argument_named(opt):
    make = R.sgd if opt == "sgd" else R.adam
    with pytest.raises(ValueError, match=rf"^{opt}\.init: params must be a rectangular array"):
        make(0.1).init([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match=r"^apply_updates: params must be a rectangular array"):
        R.apply_updates([[1.0, 2.0], [3.0]], [[0.0, 0.0], [0.0]])


def test_apply_updates_refuses_nan():
    with pytest.raises(ValueError, match=r"^apply_updates: updates must be finite"):
        R.apply_updates(np.ones(2), np.array([np.nan, 0.0]))


def test_adaptive_optimisers_refuse_gradients_whose_square_overflows_before_writing():
    p = np.ones(2)
    opt = R.adam(0.1)
    state = opt.init(p)
    with pytest.raises(ValueError, match=r"^adam\.step_: grads must be at most sqrt"):
        opt.step_(p, np.array([1e200, 1.0]), state)
    assert np.array_equal(p, np.ones(2)) and not state.nu.any()
