"""Bad input to the landscape reference raises a clear error; inputs are never modified."""

import math

import numpy as np
import pytest

import reference as R


@pytest.mark.parametrize("func", ["classify_critical_point", "hessian_eigen_tolerance"])
def test_non_square_hessian_is_rejected(func):
    with pytest.raises(ValueError) as info:
        getattr(R, func)(np.ones((2, 3)))
    assert str(info.value) == f"{func}: H must be square; got shape (2, 3)"


def test_non_square_matrix_for_condition_number_is_rejected():
    with pytest.raises(ValueError, match=r"^condition_number: A must be square; got shape \(3, 2\)"):
        R.condition_number(np.ones((3, 2)))


def test_hessian_must_be_2d():
    with pytest.raises(ValueError, match=r"^classify_critical_point: H must be 2-d; got 1-d"):
        R.classify_critical_point(np.ones(3))


def test_non_symmetric_hessian_is_rejected_with_a_hint():
    with pytest.raises(ValueError) as info:
        R.classify_critical_point([[1.0, 0.5], [0.0, 1.0]])
    msg = str(info.value)
    assert msg.startswith("classify_critical_point: H must be symmetric; got max |H - H.T| = 0.5 > ")
    assert "(H + H.T) / 2" in msg
    with pytest.raises(ValueError, match=r"^condition_number: A must be symmetric"):
        R.condition_number([[1.0, 0.5], [0.0, 1.0]], spd=True)


def test_rounding_level_asymmetry_is_accepted():
    H = np.array([[2.0, 1.0], [1.0 + 4e-16, 3.0]])
    assert R.classify_critical_point(H) == "minimum"


def test_non_finite_hessian_is_rejected():
    with pytest.raises(ValueError, match=r"^classify_critical_point: H must be finite; got 1 NaN/inf"):
        R.classify_critical_point([[1.0, np.nan], [0.0, 1.0]])


@pytest.mark.parametrize("tol,exc", [(-1.0, ValueError), (np.nan, ValueError), ("0", TypeError)])
def test_tolerance_must_be_a_non_negative_number(tol, exc):
    with pytest.raises(exc, match=r"^classify_critical_point: tol must be"):
        R.classify_critical_point(np.eye(2), tol=tol)


@pytest.mark.parametrize("d,exc", [(0, ValueError), (5, ValueError), (2.0, TypeError), (True, TypeError)])
def test_goe_minimum_probability_domain(d, exc):
    with pytest.raises(exc, match=r"^goe_minimum_probability: d must be"):
        R.goe_minimum_probability(d)


def test_goe_hessian_needs_a_generator():
    with pytest.raises(TypeError, match=r"^goe_hessian: rng must be a numpy.random.Generator"):
        R.goe_hessian(3, 0)


def test_zero_and_singular_matrices():
    assert R.classify_critical_point(np.zeros((3, 3))) == "degenerate"
    assert R.condition_number(np.zeros((2, 2))) == math.inf
    assert R.condition_number([[1.0, 0.0], [0.0, -1.0]], spd=True) == math.inf
    assert R.condition_number([[1.0, 0.0], [0.0, -1.0]]) == 1.0


def test_inputs_are_not_modified():
    H = np.array([[1.0, 2.0], [2.0 + 1e-16, -1.0]])
    keep = H.copy()
    R.classify_critical_point(H)
    R.condition_number(H)
    assert np.array_equal(H, keep)
