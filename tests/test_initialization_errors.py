"""Bad input to the initialisers, activations and networks raises a clear error naming the
function, the argument, the value and what was expected; inputs are never modified."""

import re

import numpy as np
import pytest

import reference as R

RNG = np.random.default_rng(0)
FAN_INITS = ["lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform"]


@pytest.mark.parametrize("func", FAN_INITS)
@pytest.mark.parametrize("shape", [(5,), 5, ()])
def test_one_d_and_scalar_shapes_are_rejected_with_a_hint(func, shape):
    with pytest.raises(ValueError) as info:
        getattr(R, func)(shape, RNG)
    msg = str(info.value)
    assert msg.startswith(f"{func}: shape must have at least 2 dimensions"), msg
    assert "zeros_init or constant_init" in msg and "got" in msg


@pytest.mark.parametrize("func", FAN_INITS + ["fan_in_fan_out"])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (4, 3, 0)])
def test_zero_fans_are_rejected(func, shape):
    args = (shape,) if func == "fan_in_fan_out" else (shape, RNG)
    with pytest.raises(ValueError, match=rf"^{func}: shape must have dimensions >= 1 \(every fan must be >= 1\); "
                                         rf"got {re.escape(str(shape))}"):
        getattr(R, func)(*args)


@pytest.mark.parametrize("shape,exc", [((3, -1), ValueError), ((3, 2.0), TypeError), ((3, True), TypeError),
                                       ("ab", TypeError), (None, TypeError)])
def test_malformed_shapes(shape, exc):
    with pytest.raises(exc, match=r"^he_normal: shape must"):
        R.he_normal(shape, RNG)


@pytest.mark.parametrize("func", ["lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform"])
@pytest.mark.parametrize("gain", [-1.0, 0.0])
def test_non_positive_gain_is_rejected(func, gain):
    with pytest.raises(ValueError) as info:
        getattr(R, func)((3, 4), RNG, gain=gain)
    assert str(info.value) == f"{func}: gain must be in (0, inf); got {gain!r}"


@pytest.mark.parametrize("func", ["he_normal", "he_uniform"])
def test_unknown_mode_lists_the_allowed_values(func):
    with pytest.raises(ValueError) as info:
        getattr(R, func)((3, 4), RNG, mode="fan_avg")
    assert str(info.value) == f"{func}: mode must be one of 'fan_in', 'fan_out'; got 'fan_avg'"


def test_unknown_mode_and_distribution_of_variance_scaling():
    with pytest.raises(ValueError, match=r"^variance_scaling: mode must be one of 'fan_in', 'fan_out', 'fan_avg'; got 'in'"):
        R.variance_scaling((3, 4), RNG, mode="in")
    with pytest.raises(ValueError, match=r"^variance_scaling: distribution must be one of 'normal', "
                                         r"'truncated_normal', 'uniform'; got 'cauchy'"):
        R.variance_scaling((3, 4), RNG, distribution="cauchy")
    with pytest.raises(ValueError, match=r"^variance_scaling: scale must be in \(0, inf\); got -2.0"):
        R.variance_scaling((3, 4), RNG, scale=-2.0)


@pytest.mark.parametrize("func", ["he_normal", "he_uniform"])
def test_unknown_nonlinearity_lists_the_allowed_values(func):
    with pytest.raises(ValueError) as info:
        getattr(R, func)((3, 4), RNG, nonlinearity="gelu")
    msg = str(info.value)
    assert msg.startswith(f"{func}: nonlinearity must be one of 'linear'") and "'leaky_relu'" in msg
    assert msg.endswith("got 'gelu'")


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match=r"^calculate_gain: nonlinearity must be one of .*'selu'; got 'swish'"):
        R.calculate_gain("swish")
    with pytest.raises(TypeError, match=r"^calculate_gain: nonlinearity must be a string"):
        R.calculate_gain(None)
    with pytest.raises(TypeError, match=r"^calculate_gain: param must be a real number; got 'a'"):
        R.calculate_gain("leaky_relu", "a")
    with pytest.raises(ValueError, match=r"^calculate_gain: param must be finite; got nan"):
        R.calculate_gain("leaky_relu", float("nan"))


@pytest.mark.parametrize("layout", ["tf", "jax", None])
def test_unknown_layout(layout):
    with pytest.raises(ValueError, match=rf"^fan_in_fan_out: layout must be one of 'torch', 'keras'; got {layout!r}"):
        R.fan_in_fan_out((3, 4), layout=layout)


@pytest.mark.parametrize("func", FAN_INITS + ["zeros_init"])
@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0)])
def test_rng_must_be_a_generator(func, rng):
    with pytest.raises(TypeError, match=rf"^{func}: rng must be a numpy.random.Generator"):
        getattr(R, func)((3, 4), rng)


def test_truncated_must_be_bool_and_constant_value_finite():
    with pytest.raises(TypeError, match=r"^glorot_normal: truncated must be a bool; got 'yes'"):
        R.glorot_normal((3, 4), RNG, truncated="yes")
    with pytest.raises(ValueError, match=r"^constant_init: value must be finite; got inf"):
        R.constant_init((3,), RNG, value=float("inf"))


def test_zeros_and_constant_accept_bias_shapes():
    assert R.zeros_init(4, RNG).shape == (4,)
    assert R.constant_init((2, 3), RNG, value=0.5).tolist() == [[0.5] * 3] * 2


def test_fans_of_the_conventions_example():
    assert R.fan_in_fan_out((64, 32, 3, 3)) == (288, 576)
    assert R.fan_in_fan_out((3, 3, 32, 64), layout="keras") == (288, 576)
    assert R.fan_in_fan_out((3, 3, 32, 64)) == (6144, 6144)  # the torch formula on a Keras array


@pytest.mark.parametrize("func", ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad"])
def test_activations_reject_non_finite_and_keep_input(func):
    with pytest.raises(ValueError, match=rf"^{func}: x must be finite"):
        getattr(R, func)(np.array([1.0, np.nan]))
    x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
    before = x.copy()
    out = getattr(R, func)(x)
    assert out.dtype == np.float32 and np.array_equal(x, before)


def test_network_shape_errors():
    w = [np.ones((3, 2)), np.ones((1, 3))]
    with pytest.raises(ValueError, match=r"^dense_forward: x must have 2 feature\(s\) in its last axis"):
        R.dense_forward(w, None, np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"^dense_forward: weights\[1\] must have 3 column\(s\)"):
        R.dense_forward([np.ones((3, 2)), np.ones((1, 2))], None, np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"^dense_forward: biases\[0\] must have shape \(3,\)"):
        R.dense_forward(w, [np.ones(2), np.ones(1)], np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"^dense_forward: activation must be one of 'linear', 'sigmoid', 'tanh', "
                                         r"'relu'; got 'gelu'"):
        R.dense_forward(w, None, np.ones((4, 2)), activation="gelu")
    cache = R.dense_forward(w, None, np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"^dense_backward: grad_output must have the shape of cache.output"):
        R.dense_backward(w, cache, np.ones((4, 2)))
    with pytest.raises(TypeError, match=r"^dense_backward: cache must be the DenseCache"):
        R.dense_backward(w, {"z": 1}, np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"^gradient_descent_step: lr must be in \(0, inf\); got -0.1"):
        R.gradient_descent_step([np.ones(2)], [np.ones(2)], -0.1)
    with pytest.raises(ValueError, match=r"^bce_with_logits_loss: y must be in \[0, 1\]"):
        R.bce_with_logits_loss([[0.0]], [[2.0]])
    with pytest.raises(ValueError, match=r"^mse_loss: y must have the shape of pred"):
        R.mse_loss([[0.0, 1.0]], [[0.0]])


def test_network_never_modifies_inputs():
    rng = np.random.default_rng(3)
    w = [rng.standard_normal((3, 2)), rng.standard_normal((1, 3))]
    b = [rng.standard_normal(3), rng.standard_normal(1)]
    x = rng.standard_normal((4, 2))
    copies = [a.copy() for a in w + b + [x]]
    cache = R.dense_forward(w, b, x, activation="relu")
    R.dense_backward(w, cache, np.ones((4, 1)), activation="relu")
    R.gradient_descent_step(w + b, w + b, 0.1)
    R.deep_linear_forward(w[:1], x)
    assert all(np.array_equal(a, c) for a, c in zip(w + b + [x], copies))
