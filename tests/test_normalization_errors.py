"""Bad input to the normalisation reference raises a clear error; inputs are never modified."""

import re

import numpy as np
import pytest

import reference as R
from reference.normalization import MinMaxStats, ZScoreStats

FUNCS = ["zscore", "minmax", "center", "fit_zscore", "fit_minmax"]


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("bad,expect", [
    (np.array([[1.0, np.nan], [2.0, 3.0]]), r"x must be finite; got 1 NaN/inf"),
    (np.array([[1.0, np.inf], [2.0, 3.0]]), r"x must be finite; got 1 NaN/inf"),
    (np.empty((0, 3)), r"x must have at least 1 element"),
    (np.empty((3, 0)), r"x must have at least 1 element"),
    (np.float64(3.0), r"x must be 2-d; got 0-d"),
    (np.ones((2, 2, 2)), r"x must be 2-d; got 3-d"),
    (np.ones(4), r"x must be 2-d; got 1-d .*reshape"),
])
def test_bad_arrays_raise_valueerror_naming_function_and_argument(func, bad, expect):
    with pytest.raises(ValueError, match=rf"^{func}: " if not func.startswith(("zscore", "minmax")) else None) as info:
        getattr(R, func)(bad)
    assert re.search(expect, str(info.value)), str(info.value)
    assert func in str(info.value) or str(info.value).startswith(("fit_", "apply_"))


@pytest.mark.parametrize("bad", [[["a", "b"]], [[1 + 2j]], [[1.0], [1.0, 2.0]], None])
def test_non_numeric_input_raises_typeerror(bad):
    with pytest.raises(TypeError, match=r"x must be"):
        R.zscore(bad)


@pytest.mark.parametrize("rng_", [(1.0, 1.0), (2.0, 1.0), (0.0, np.nan), (0.0, np.inf)])
def test_feature_range_must_be_finite_with_lo_below_hi(rng_):
    with pytest.raises(ValueError, match=r"^minmax: feature_range"):
        R.minmax(np.ones((3, 2)), feature_range=rng_)


@pytest.mark.parametrize("rng_", [1.0, (1.0,), "ab"])
def test_feature_range_must_be_a_pair(rng_):
    with pytest.raises((TypeError, ValueError), match=r"^minmax: feature_range"):
        R.minmax(np.ones((3, 2)), feature_range=rng_)


@pytest.mark.parametrize("eps,exc", [(-1e-8, ValueError), (np.nan, ValueError), (np.inf, ValueError), ("1", TypeError), (True, TypeError)])
def test_eps_must_be_a_finite_nonnegative_number(eps, exc):
    with pytest.raises(exc, match=r"^zscore: eps must be"):
        R.zscore(np.ones((3, 2)), eps=eps)


def test_negative_eps_message_names_value_and_interval():
    with pytest.raises(ValueError) as info:
        R.zscore(np.ones((3, 2)), eps=-0.5)
    assert str(info.value) == "zscore: eps must be in [0, inf); got -0.5"


def test_apply_checks_feature_count_and_stats_type():
    st = R.fit_zscore(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^apply_zscore: x must have 2 feature\(s\).*got shape \(1, 3\)"):
        R.apply_zscore(st, np.ones((1, 3)))
    with pytest.raises(TypeError, match=r"^apply_zscore: stats must be a ZScoreStats"):
        R.apply_zscore({"mean": 0}, np.ones((1, 2)))
    mm = R.fit_minmax(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^apply_minmax: x must have 2 feature"):
        R.apply_minmax(mm, np.ones((1, 3)))
    with pytest.raises(TypeError, match=r"^apply_minmax: stats must be a MinMaxStats"):
        R.apply_minmax(st, np.ones((1, 2)))
    assert isinstance(st, ZScoreStats) and isinstance(mm, MinMaxStats)


def test_constant_feature_gives_zero_not_nan():
    x = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]])
    z = R.zscore(x)
    assert np.all(z[:, 0] == 0.0) and np.all(np.isfinite(z))
    assert np.all(R.minmax(x)[:, 0] == 0.0)
    assert np.all(R.minmax(x, (-1.0, 1.0))[:, 0] == -1.0)


def test_eps_inside_the_root():
    x = np.array([[0.0], [2.0]])  # mean 1, population variance 1
    np.testing.assert_allclose(R.zscore(x, eps=3.0).ravel(), [-0.5, 0.5], rtol=0, atol=1e-15)


def test_fit_zscore_names_itself_in_errors():
    with pytest.raises(ValueError, match=r"^fit_zscore: eps must be in \[0, inf\); got -1.0$"):
        R.fit_zscore(np.ones((3, 2)), eps=-1.0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_zscore_does_not_write_into_its_input_even_when_rescaling(dtype):
    x = (np.arange(12.0).reshape(4, 3) * 1e30).astype(dtype)
    before = x.copy()
    R.zscore(x), R.center(x), R.apply_zscore(R.fit_zscore(x), x)
    assert np.array_equal(x, before)


@pytest.mark.parametrize("x,eps,want", [
    ([[2.22507386e-313], [2.22507386e-313]], 0.0, [0.0, 0.0]),            # constant, subnormal
    ([[1e-310], [-1e-310]], 1e-5, [1e-310 / 1e-5**0.5, -1e-310 / 1e-5**0.5]),  # subnormal, eps dominates
])
def test_subnormal_features_standardise_without_overflow(x, eps, want):
    """zscore's reused frame cannot hold std for subnormal features (std / scale overflows):
    the result must still be apply_zscore's, with no RuntimeWarning (found by the sklearn
    differential test's Hypothesis search)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = R.zscore(x, eps=eps)
        a = R.apply_zscore(R.fit_zscore(x, eps=eps), x)
    np.testing.assert_array_equal(z, a)
    np.testing.assert_allclose(z.ravel(), want, rtol=4 * np.finfo(float).eps, atol=0)
