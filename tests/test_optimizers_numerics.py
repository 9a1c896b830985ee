"""Optimisers never return silent garbage (issue 15, items 3 and 8): float16 params get finite,
accurate updates from the adaptive methods, and NaN/inf params are refused before anything
is written."""

import numpy as np
import pytest

import reference as R

#: float16 values whose squares (and the default eps) underflow in float16.
G16 = np.float16([0.0, 1e-4, -3e-3, 1.0, -250.0])

#: One rounding of a float32 result to float16 (half an ulp) plus a few float32 roundings
#: (about 1e-6 relative): well inside one float16 ulp, ``finfo(float16).eps`` relative.
RTOL16 = float(np.finfo(np.float16).eps)


def _first_step_oracles():
    """The first update of each adaptive method from zero state, in float64 from the float16
    gradient's exact values (the formulas of the docstrings with t = 1)."""
    g = G16.astype(np.float64)
    return {
        # m_hat = g, v_hat = g^2: -lr g / (|g| + eps)
        "adam": (R.adam(), -1e-3 * g / (np.abs(g) + 1e-8)),
        # nu = (1 - rho) g^2: -lr g / (sqrt(nu) + eps)
        "rmsprop": (R.rmsprop(), -1e-2 * g / (np.sqrt(0.01 * g * g) + 1e-8)),
        # G = g^2: -lr g / (sqrt(G) + eps)
        "adagrad": (R.adagrad(), -1e-2 * g / (np.abs(g) + 1e-10)),
        # E[g^2] = (1 - rho) g^2, E[Delta^2] = 0: -lr sqrt(eps / (E[g^2] + eps)) g
        "adadelta": (R.adadelta(), -1.0 * np.sqrt(1e-6 / (0.1 * g * g + 1e-6)) * g),
    }


@pytest.mark.parametrize("name", ["adam", "rmsprop", "adagrad", "adadelta"])
@pytest.mark.parametrize("with_params", [True, False])
def test_float16_adaptive_first_step_is_finite_and_accurate(name, with_params):
    opt, expected = _first_step_oracles()[name]
    p = np.zeros(G16.shape, np.float16)
    state = opt.init(p)
    u, state = opt.update(G16, state, p if with_params else None)
    assert u.dtype == np.float16, f"{name}: updates dtype {u.dtype}, should be float16 (params' dtype)"
    assert np.all(np.isfinite(u)), f"{name}: float16 updates {u.tolist()} are not finite"
    err = np.abs(u.astype(np.float64) - expected)
    assert np.all(err <= RTOL16 * np.abs(expected)), \
        f"{name}: float16 updates {u.tolist()}, should be {expected.tolist()} within {RTOL16:g} relative"


@pytest.mark.parametrize("name", ["adam", "rmsprop", "adagrad", "adadelta"])
def test_float16_adaptive_state_is_float32_and_step_matches_update(name):
    """The documented choice: float32 state for float16 params; ``step_`` still gives the
    bits of ``update`` + ``apply_updates``."""
    opt, _ = _first_step_oracles()[name]
    rng = np.random.default_rng(3)
    p = rng.standard_normal(50).astype(np.float16)
    q = p.copy()
    s, s2 = opt.init(p), opt.init(q)
    assert all(a.dtype == np.float32 for a in s if isinstance(a, np.ndarray))
    for _ in range(3):
        g = (rng.standard_normal(50) * 1e-3).astype(np.float16)
        u, s = opt.update(g, s, p)
        p = R.apply_updates(p, u)
        s2 = opt.step_(q, g, s2)
    assert p.dtype == q.dtype == np.float16
    assert np.array_equal(p, q)
    for a, b in zip(s, s2):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b)


#: The configurations whose update reads params (weight decay, the look-ahead point).
OPTS = {
    "sgd": lambda: R.sgd(0.1, weight_decay=0.01), "sgd_momentum": lambda: R.sgd(0.1, 0.9, weight_decay=0.01),
    "nesterov_lookahead": lambda: R.nesterov_lookahead(0.1), "adam": lambda: R.adam(weight_decay=0.1),
}


@pytest.mark.parametrize("key", list(OPTS))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_params_raise_before_anything_changes(key, bad):
    name = key.removesuffix("_momentum")
    opt = OPTS[key]()
    state = opt.init(np.ones(2))
    state = opt.step_(np.ones(2), np.full(2, 0.5), state)       # non-trivial state
    before = [np.copy(a) for a in state if isinstance(a, np.ndarray)]
    p = np.array([bad, 1.0])
    with pytest.raises(ValueError, match=rf"^{name}.update: params must be finite; got 1 NaN/inf value\(s\) "
                                         r"in an array of shape \(2,\)"):
        opt.update(np.ones(2), state, p)
    with pytest.raises(ValueError, match=rf"^{name}.step_: params must be finite; got 1 NaN/inf value\(s\)"):
        opt.step_(p, np.ones(2), state)
    assert np.array_equal(p, [bad, 1.0], equal_nan=True)
    assert all(np.array_equal(a, b) for a, b in zip(before, [a for a in state if isinstance(a, np.ndarray)]))


@pytest.mark.parametrize("make", [lambda lr: R.sgd(lr, momentum=0.9), R.adagrad, R.rmsprop, R.adadelta, R.adam,
                                  lambda lr: R.nesterov_lookahead(lr)])
def test_bad_schedule_value_changes_nothing_in_place(make):
    """The learning rate of step t is checked before ``step_`` writes the state or params."""
    opt = make(lambda k: 0.1 if k < 1 else float("nan"))
    p = np.ones(3)
    state = opt.step_(p, np.full(3, 0.5), opt.init(p))
    p_before = p.copy()
    before = [np.copy(a) for a in state if isinstance(a, np.ndarray)]
    with pytest.raises(ValueError, match=r"lr schedule must return a positive finite number; got nan at step 1"):
        opt.step_(p, np.ones(3), state)
    assert np.array_equal(p, p_before)
    assert all(np.array_equal(a, b) for a, b in zip(before, [a for a in state if isinstance(a, np.ndarray)]))
