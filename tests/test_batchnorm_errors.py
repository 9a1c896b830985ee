"""Bad input to batch normalisation raises a clear error naming function, argument and value."""

import numpy as np
import pytest

import reference as R

X = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 2.0], [0.0, 4.0, 1.0]])
G, B = np.ones(3), np.zeros(3)


@pytest.mark.parametrize("name,gamma,beta", [("gamma", np.ones(2), B), ("beta", G, np.zeros(4)),
                                             ("gamma", np.ones((3, 1)), B)])
def test_gamma_beta_shape_mismatch(name, gamma, beta):
    with pytest.raises(ValueError, match=rf"^batchnorm_forward: {name} must have shape \(3,\) \(one per channel of x\); got shape"):
        R.batchnorm_forward(X, gamma, beta)


def test_inference_parameter_shape_mismatch():
    with pytest.raises(ValueError, match=r"^batchnorm_inference: running_var must have shape \(3,\) \(one per channel of x\); got shape \(2,\)$"):
        R.batchnorm_inference(X, np.zeros(3), np.ones(2), G, B)
    with pytest.raises(ValueError, match=r"^batchnorm_inference: running_var must be >= 0; got minimum -1.0$"):
        R.batchnorm_inference(X, np.zeros(3), -np.ones(3), G, B)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(bad):
    x = X.copy()
    x[1, 2] = bad
    with pytest.raises(ValueError, match=r"^batchnorm_forward: x must be finite; got 1 NaN/inf value\(s\) in an array of shape \(3, 3\)$"):
        R.batchnorm_forward(x, G, B)
    with pytest.raises(ValueError, match=r"^batchnorm_inference: x must be finite"):
        R.batchnorm_inference(x, np.zeros(3), np.ones(3), G, B)
    with pytest.raises(ValueError, match=r"^batchnorm_forward: gamma must be finite"):
        R.batchnorm_forward(X, np.array([1.0, bad, 1.0]), B)


@pytest.mark.parametrize("x", [X[:1], X[:1, :, None]])
def test_batch_of_one_is_an_error_in_training(x):
    with pytest.raises(ValueError, match=r"^batchnorm_forward: x must have at least 2 values per channel in training "
                                         r"\(N \* L >= 2\); got shape \(1, 3(, 1)?\)"):
        R.batchnorm_forward(x, G, B)
    with pytest.raises(ValueError, match=r"^batchnorm_running_update: x must have at least 2 values per channel"):
        R.batchnorm_running_update(None, x)


def test_batch_of_one_is_fine_at_inference_and_as_a_sequence():
    assert R.batchnorm_inference(X[:1], np.zeros(3), np.ones(3), G, B, eps=0.0).tolist() == [X[0].tolist()]
    y, _ = R.batchnorm_forward(X[:1, :, None].repeat(2, axis=2), G, B)  # N = 1, L = 2: m = 2
    assert y.shape == (1, 3, 2)


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2, 2)])
def test_wrong_number_of_dimensions(shape):
    with pytest.raises(ValueError, match=r"^batchnorm_forward: x must be 2-d or 3-d; got"):
        R.batchnorm_forward(np.ones(shape), G, B)


@pytest.mark.parametrize("eps,exc", [(-1e-5, ValueError), (np.nan, ValueError), ("1e-5", TypeError)])
def test_eps_must_be_finite_and_nonnegative(eps, exc):
    with pytest.raises(exc, match=r"^batchnorm_forward: eps must be"):
        R.batchnorm_forward(X, G, B, eps=eps)


@pytest.mark.parametrize("momentum", [-0.1, 1.5, np.nan])
def test_momentum_outside_0_1(momentum):
    with pytest.raises(ValueError, match=r"^batchnorm_running_update: momentum must be"):
        R.batchnorm_running_update(None, X, momentum)


def test_momentum_convention_and_init_must_be_known_choices():
    with pytest.raises(ValueError, match=r"^batchnorm_running_update: momentum_weights must be one of 'new', 'old'; got 'keras'$"):
        R.batchnorm_running_update(None, X, 0.1, momentum_weights="keras")
    with pytest.raises(ValueError, match=r"^batchnorm_running_stats: init must be one of 'batch', 'zeros_ones'; got 'zeros'$"):
        R.batchnorm_running_stats([X], init="zeros")
    with pytest.raises(TypeError, match=r"^batchnorm_running_update: unbiased must be a bool; got 1$"):
        R.batchnorm_running_update(None, X, unbiased=1)


def test_running_state_must_match_the_channels():
    with pytest.raises(ValueError, match=r"^batchnorm_running_update: running statistics must have shape \(3,\)"):
        R.batchnorm_running_update(R.batchnorm_running_init(2), X)
    with pytest.raises(TypeError, match=r"^batchnorm_running_update: running must be a BatchNormRunning or None; got dict$"):
        R.batchnorm_running_update({"mean": 0}, X)


def test_backward_checks_cache_and_dy_shape():
    _, cache = R.batchnorm_forward(X, G, B)
    with pytest.raises(TypeError, match=r"^batchnorm_backward: cache must be the BatchNormCache returned by batchnorm_forward; got tuple$"):
        R.batchnorm_backward(np.ones((3, 3)), tuple(cache))
    with pytest.raises(ValueError, match=r"^batchnorm_backward: dy must have the shape of the forward's x \(3, 3\); got \(3, 2\)$"):
        R.batchnorm_backward(np.ones((3, 2)), cache)


def test_inputs_are_not_modified_and_layouts_agree():
    x3 = np.moveaxis(np.arange(24.0).reshape(2, 4, 3) ** 1.5, 2, 1)  # (N=2, C=3, L=4)
    before = x3.copy()
    y3, cache3 = R.batchnorm_forward(x3, G, B)
    rows = np.moveaxis(x3, 1, 2).reshape(-1, 3)
    y2, cache2 = R.batchnorm_forward(rows, G, B)
    np.testing.assert_allclose(np.moveaxis(y3, 1, 2).reshape(-1, 3), y2, rtol=0, atol=1e-14)
    dx3, dg3, db3 = R.batchnorm_backward(x3, cache3)
    dx2, dg2, db2 = R.batchnorm_backward(rows, cache2)
    np.testing.assert_allclose(np.moveaxis(dx3, 1, 2).reshape(-1, 3), dx2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dg3, dg2, rtol=1e-12)
    assert np.array_equal(x3, before)
