"""Bad input to the optimisers and schedules raises a clear error; the in-place ``step_`` is
the pure ``update`` applied in place, bit for bit."""

import re

import numpy as np
import pytest

import reference as R

OPTS = {
    "sgd": lambda **k: R.sgd(0.1, **k),
    "nesterov_lookahead": lambda **k: R.nesterov_lookahead(0.1, **k),
    "adagrad": R.adagrad, "rmsprop": R.rmsprop, "adadelta": R.adadelta, "adam": R.adam,
}
BETA_ARGS = [("sgd", "momentum"), ("nesterov_lookahead", "momentum"), ("rmsprop", "rho"), ("rmsprop", "momentum"),
             ("adadelta", "rho"), ("adam", "b1"), ("adam", "b2")]


@pytest.mark.parametrize("name", ["sgd", "nesterov_lookahead", "adagrad", "rmsprop", "adadelta", "adam"])
@pytest.mark.parametrize("lr", [0.0, -1e-3, float("nan"), float("inf")])
def test_lr_must_be_positive_and_finite(name, lr):
    with pytest.raises(ValueError, match=rf"^{name}: lr must be (in \(0, inf\)|finite); got"):
        getattr(R, name)(lr)


@pytest.mark.parametrize("lr", ["0.1", None, True])
def test_lr_must_be_a_number_or_schedule(lr):
    with pytest.raises(TypeError, match=r"^adam: lr must be a real number; got"):
        R.adam(lr)


@pytest.mark.parametrize("name,arg", BETA_ARGS)
@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5])
def test_betas_must_lie_in_zero_one(name, arg, value):
    with pytest.raises(ValueError, match=rf"^{name}: {arg} must be in \[0, 1\); got {re.escape(repr(value))}"):
        OPTS[name](**{arg: value})


@pytest.mark.parametrize("name,arg", [("adagrad", "eps"), ("rmsprop", "eps"), ("adadelta", "eps"), ("adam", "eps"),
                                      ("adam", "eps_root")])
def test_eps_must_be_non_negative(name, arg):
    with pytest.raises(ValueError, match=rf"^{name}: {arg} must be in \[0, inf\); got -1e-08"):
        OPTS[name](**{arg: -1e-8})


@pytest.mark.parametrize("kwargs,expect", [
    (dict(dampening=0.5, nesterov=True), r"^sgd: dampening must be 0 with nesterov=True"),
    (dict(weight_decay=-1.0), r"^sgd: weight_decay must be in \[0, inf\); got -1.0"),
    (dict(nesterov=1), r"^sgd: nesterov must be True or False; got 1"),
])
def test_sgd_option_errors(kwargs, expect):
    with pytest.raises((ValueError, TypeError), match=expect):
        R.sgd(0.1, momentum=0.9, **kwargs)


def test_adam_eps_form_must_be_known():
    with pytest.raises(ValueError, match=r"^adam: eps_form must be one of 'sqrt_vhat', 'eps_hat'; got 'keras'"):
        R.adam(eps_form="keras")


@pytest.mark.parametrize("name", list(OPTS))
def test_gradient_shape_must_match_params(name):
    opt = OPTS[name]()
    p = np.zeros((2, 3))
    state = opt.init(p)
    with pytest.raises(ValueError, match=rf"^{name}.update: grads must have the shape of params \(2, 3\); got \(3, 2\)"):
        opt.update(np.zeros((3, 2)), state, p)
    with pytest.raises(ValueError, match=rf"^{name}.step_: grads must have the shape of params \(2, 3\); got \(6,\)"):
        opt.step_(p, np.zeros(6), state)


@pytest.mark.parametrize("name", list(OPTS))
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradients_raise_before_anything_changes(name, bad):
    opt = OPTS[name]()
    p = np.ones(5)
    state = opt.init(p)
    g = np.ones(5)
    g[3] = bad
    with pytest.raises(ValueError, match=rf"^{name}.update: grads must be finite; got 1 NaN/inf value\(s\)"):
        opt.update(g, state, p)
    before = [np.copy(a) for a in state if isinstance(a, np.ndarray)]
    with pytest.raises(ValueError, match=rf"^{name}.step_: grads must be finite"):
        opt.step_(p, g, state)
    assert np.array_equal(p, np.ones(5))
    assert all(np.array_equal(a, b) for a, b in zip(before, [a for a in state if isinstance(a, np.ndarray)]))


@pytest.mark.parametrize("name", list(OPTS))
@pytest.mark.parametrize("where", [5, -3])
def test_non_finite_large_grads_change_nothing(name, where):
    """A NaN near either end of a large array stops the step before anything is written."""
    n = 3 * 2**16
    opt = OPTS[name]()
    p = np.ones(n)
    state = opt.init(p)
    opt.step_(p, np.full(n, 0.5), state)  # non-trivial state
    p_before = p.copy()
    before = [np.copy(a) for a in state if isinstance(a, np.ndarray)]
    g = np.ones(n)
    g[where] = np.nan
    with pytest.raises(ValueError, match=rf"^{name}.update: grads must be finite; got 1 NaN/inf value\(s\)"):
        opt.update(g, state, p)
    with pytest.raises(ValueError, match=rf"^{name}.step_: grads must be finite; got 1 NaN/inf value\(s\)"):
        opt.step_(p, g, state)
    assert np.array_equal(p, p_before)
    assert all(np.array_equal(a, b) for a, b in zip(before, [a for a in state if isinstance(a, np.ndarray)]))


def test_finite_gradients_whose_sum_overflows_are_accepted():
    opt = R.sgd(1e-300)
    u, _ = opt.update(np.array([1e308, 1e308]), opt.init(np.zeros(2)))
    assert np.all(np.isfinite(u))


def test_step_needs_a_writeable_contiguous_float_array():
    opt = R.adam()
    state = opt.init(np.zeros(4))
    for bad in (np.zeros(8)[::2], [0.0, 0.0, 0.0, 0.0], np.zeros(4, dtype=int)):
        with pytest.raises(TypeError, match=r"^adam.step_: params must be a writeable C-contiguous floating"):
            opt.step_(bad, np.ones(4), state)
    with pytest.raises(TypeError, match=r"^adam.step_: params must have the state's dtype float64; got float32"):
        opt.step_(np.zeros(4, np.float32), np.ones(4), state)


def test_step_needs_contiguous_state_arrays():
    opt = R.adam()
    s = opt.init(np.zeros(4))
    s = s._replace(mu=np.zeros(8)[::2])
    with pytest.raises(TypeError, match=r"^adam.step_: state arrays must be writeable and C-contiguous"):
        opt.step_(np.zeros(4), np.ones(4), s)


def test_state_must_come_from_the_same_kind_of_optimizer():
    with pytest.raises(TypeError, match=r"^adam.update: state must be the AdamState made by adam.init"):
        R.adam().update(np.ones(2), R.sgd(0.1, momentum=0.9).init(np.zeros(2)))


def test_params_required_when_used():
    opt = R.adam(weight_decay=0.1)
    with pytest.raises(ValueError, match=r"^adam.update: params must be given"):
        opt.update(np.ones(2), opt.init(np.zeros(2)))


def test_bad_schedule_value_is_reported_with_its_step():
    opt = R.sgd(lambda k: 0.1 if k < 2 else -1.0)
    p = np.zeros(2)
    s = opt.init(p)
    for _ in range(2):
        _, s = opt.update(np.ones(2), s, p)
    with pytest.raises(ValueError, match=r"^sgd: lr schedule must return a positive finite number; got -1.0 at step 2"):
        opt.update(np.ones(2), s, p)


@pytest.mark.parametrize("make,expect", [
    (lambda: R.step_decay(0.1, 0.0, 3), r"^step_decay: decay_rate must be in \(0, 1\]; got 0.0"),
    (lambda: R.step_decay(0.1, 0.5, 0), r"^step_decay: step_size must be an integer >= 1; got 0"),
    (lambda: R.exponential_decay(-1.0, 0.5), r"^exponential_decay: init_lr must be in \(0, inf\); got -1.0"),
    (lambda: R.inverse_time_decay(0.1, -0.5), r"^inverse_time_decay: decay_rate must be in \[0, inf\); got -0.5"),
    (lambda: R.constant_schedule(0.1)(-1), r"^constant_schedule: step must be an integer >= 0; got -1"),
    (lambda: R.step_decay(0.1, 0.5, 2)(1.5), r"^step_decay: step must be an integer >= 0; got 1.5"),
])
def test_schedule_errors(make, expect):
    with pytest.raises(ValueError, match=expect):
        make()


CONFIGS = [R.sgd(0.1), R.sgd(0.1, momentum=0.9, dampening=0.2, weight_decay=0.1),
           R.sgd(0.1, momentum=0.9, nesterov=True), R.sgd(R.step_decay(0.1, 0.5, 2), momentum=0.9, lr_inside_velocity=True,
                                                          nesterov=True),
           R.nesterov_lookahead(0.1, 0.9), R.adagrad(lr_decay=0.1), R.adagrad(eps=0.0, initial_accumulator_value=0.1,
                                                                              eps_inside_sqrt=True),
           R.rmsprop(), R.rmsprop(centered=True, momentum=0.5, bias_correction=True, eps_inside_sqrt=True),
           R.adadelta(), R.adam(), R.adam(amsgrad=True, weight_decay=0.1), R.adam(eps_form="eps_hat")]


@pytest.mark.parametrize("opt", CONFIGS)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (40000,), (2, 70001)])
def test_step_in_place_equals_update_bit_for_bit(opt, shape):
    rng = np.random.default_rng(0)
    p = rng.standard_normal(shape)
    q = p.copy()
    s, s2 = opt.init(p), opt.init(q)
    for _ in range(4):
        g = rng.standard_normal(shape)
        u, s = opt.update(g, s, p)
        p = R.apply_updates(p, u)
        s2 = opt.step_(q, g, s2)
    assert np.array_equal(p, q)
    assert s.count == s2.count == 4
    for a, b in zip(s, s2):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b)


def test_float32_params_keep_float32_state_and_updates():
    opt = R.adam(0.1)
    p = np.zeros(3, np.float32)
    s = opt.init(p)
    u, s = opt.update(np.ones(3), s, p)
    assert u.dtype == s.mu.dtype == s.nu.dtype == np.float32


def test_large_arrays_checked_too():
    opt = R.sgd(1e-300)
    s = opt.init(np.zeros(100_000))
    g = np.full(100_000, 1e308)
    u, _ = opt.update(g, s)                  # the sum overflows, every value is finite
    assert np.all(np.isfinite(u))
    g[-1] = np.nan
    with pytest.raises(ValueError, match=r"^sgd.update: grads must be finite; got 1 NaN/inf value\(s\) in an array of shape \(100000,\)"):
        opt.update(g, s)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
@pytest.mark.parametrize("n", [1, 8192, 8193, 3 * 8192 + 5])
def test_all_finite_agrees_with_isfinite(dtype, n):
    """The NaN check says what ``np.isfinite(g).all()`` says: for a NaN or inf in the first, a
    middle or the last element, and for finite values whose squares overflow."""
    from reference import _numerics

    big = np.finfo(dtype).max / 2
    for fill in (1.0, big):
        g = np.full(n, fill, dtype)
        assert _numerics.all_finite(g)
        for where in {0, n // 2, n - 1}:
            for bad in (np.nan, np.inf, -np.inf):
                h = g.copy()
                h[where] = bad
                assert not _numerics.all_finite(h)
                assert not _numerics.all_finite(np.stack([g, h]))        # 2-d
                assert not _numerics.all_finite(np.stack([h, g]).T)      # not C-contiguous
                assert _numerics.all_finite(np.stack([h, g])[1])         # a clean row of it
    assert _numerics.all_finite(np.zeros(0, dtype))
