"""Bad input to the gradient-checking reference raises a clear error; inputs are never modified."""

import numpy as np
import pytest

import reference as R


def _sq(v):
    return float(np.sum(v * v))


@pytest.mark.parametrize("func", ["numerical_gradient", "gradient_check"])
@pytest.mark.parametrize("h", [0.0, -1e-6])
def test_step_h_must_be_positive(func, h):
    args = (_sq, [1.0, 2.0]) if func == "numerical_gradient" else (_sq, lambda v: 2 * v, [1.0, 2.0])
    with pytest.raises(ValueError) as info:
        getattr(R, func)(*args, h=h)
    assert str(info.value) == f"{func}: h must be in (0, inf); got {h!r}"


@pytest.mark.parametrize("h,exc", [(np.nan, ValueError), (np.inf, ValueError), ("1e-6", TypeError)])
def test_step_h_must_be_a_finite_number(h, exc):
    with pytest.raises(exc, match=r"^numerical_gradient: h must be"):
        R.numerical_gradient(_sq, [1.0], h=h)


@pytest.mark.parametrize("bad", [[1.0, np.nan], [np.inf, 0.0]])
def test_non_finite_x_is_rejected(bad):
    with pytest.raises(ValueError, match=r"^numerical_gradient: x must be finite; got 1 NaN/inf value\(s\)"):
        R.numerical_gradient(_sq, np.array(bad))
    with pytest.raises(ValueError, match=r"^gradient_check: x must be finite"):
        R.gradient_check(_sq, lambda v: 2 * v, np.array(bad))


def test_non_scalar_f_output_is_rejected_with_a_hint():
    with pytest.raises(ValueError) as info:
        R.numerical_gradient(lambda v: v * 2.0, [1.0, 2.0])
    msg = str(info.value)
    assert msg.startswith("numerical_gradient: f must return a scalar (a 0-d value); got an array of shape (2,)")
    assert ".sum()" in msg


def test_non_numeric_or_non_finite_f_output_is_rejected():
    with pytest.raises(TypeError, match=r"^numerical_gradient: f must return a real number; got str"):
        R.numerical_gradient(lambda v: "1.0", [1.0])
    with pytest.raises(ValueError, match=r"^numerical_gradient: f must return a finite value; got nan"):
        R.numerical_gradient(lambda v: float("nan"), [1.0])


def test_grad_f_must_match_the_shape_of_x():
    with pytest.raises(ValueError, match=r"^gradient_check: grad_f must return an array of x's shape \(2,\); got \(3,\)"):
        R.gradient_check(_sq, lambda v: np.zeros(3), [1.0, 2.0])


def test_thresholds_must_be_ordered_in_0_1():
    with pytest.raises(ValueError, match=r"^gradient_check: wrong must be in \[0.001, 1\]; got 1e-05"):
        R.gradient_check(_sq, lambda v: 2 * v, [1.0], good=1e-3, wrong=1e-5)
    with pytest.raises(ValueError, match=r"^gradient_check: good must be in \(0, 1\]; got 0.0"):
        R.gradient_check(_sq, lambda v: 2 * v, [1.0], good=0.0)


def test_relative_error_shapes_must_match():
    with pytest.raises(ValueError, match=r"^relative_error: b must have the shape of a \(2,\); got \(3,\)"):
        R.relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


def test_relative_error_of_two_zero_gradients_is_zero_and_of_opposite_ones_is_one():
    assert R.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert R.relative_error([1.0, -2.0], [-1.0, 2.0]) == 1.0
    assert R.relative_error([1e300, 1e300], [1e300, 1e300]) == 0.0  # no overflow in the norms


def test_x_is_never_modified_and_f_sees_copies():
    x = np.array([1.0, -2.0, 0.5])
    keep = x.copy()
    seen = []
    R.gradient_check(lambda v: seen.append(v) or _sq(v), lambda v: 2 * v, x)
    assert np.array_equal(x, keep)
    assert all(v is not x for v in seen)


def test_relu_at_the_kink_gives_one_half_and_a_failed_check():
    assert R.numerical_gradient(lambda v: float(np.maximum(v, 0.0).sum()), [0.0]).tolist() == [0.5]
    # relu_grad(0) = 0 (the PyTorch/JAX subgradient) against the centred difference 1/2
    res = R.gradient_check(lambda v: float(np.maximum(v, 0.0).sum()), lambda v: (v > 0).astype(float), [0.0, 1.0])
    assert res.verdict == "wrong" and res.worst_index == (0,)


def test_shape_and_scalar_x():
    g = R.numerical_gradient(lambda v: float(np.sum(v ** 2)), np.ones((2, 3)))
    assert g.shape == (2, 3)
    assert R.numerical_gradient(lambda v: float(v) ** 3, 2.0).shape == ()
    assert R.gradient_check(lambda v: float(v) ** 3, lambda v: 3 * v ** 2, 2.0).worst_index == ()
