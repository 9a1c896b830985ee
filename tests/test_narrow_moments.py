"""float16/float32 z-scoring without a float64 copy (reference._numerics._narrow_moments and
the blocked output pass of reference.zscore) agrees with the float64 path.

These test the reference's own implementation, not a target: the laws in
properties/laws/normalization.py hold for any implementation; here the blocked narrow path
must give what the full float64 computation gives, on data that span several row blocks.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import reference as R
from reference import _numerics

NARROW = [np.float16, np.float32]


@st.composite
def narrow_data(draw):
    dtype = draw(st.sampled_from(NARROW))
    cols = draw(st.integers(1, 12))
    rows_per_block = _numerics.ROW_BLOCK_ELEMENTS // cols
    rows = draw(st.sampled_from([1, 2, 7, rows_per_block, rows_per_block + 1, 2 * rows_per_block + 3]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    top = 4.0 if dtype == np.float16 else 30.0          # log10 of the largest offset / spread
    offset = 10.0 ** rng.uniform(-top, top, cols) * rng.choice([-1, 1], cols)
    spread = 10.0 ** rng.uniform(-top, top, cols)
    x = offset + spread * rng.standard_normal((rows, cols))
    if draw(st.booleans()):
        x[:, 0] = offset[0]                            # a constant feature
    with np.errstate(over="ignore"):
        x = x.astype(dtype)
    return x[:, np.isfinite(x).all(axis=0)] if not np.isfinite(x).all() else x


@settings(max_examples=40, deadline=None)
@given(narrow_data())
def test_narrow_moments_match_the_float64_path(x):
    if x.shape[1] == 0:
        return
    narrow = _numerics.feature_moments(x, need_centered=False)
    wide = _numerics.feature_moments(x.astype(np.float64))
    assert narrow.centered is None and np.all(narrow.scale == 1.0) and np.all(wide.scale == 1.0)
    np.testing.assert_array_equal(narrow.mean_hi, wide.mean_hi)   # the same float64 sums, row by row
    # Both paths sum the same float64 d = x - mean_hi, in a different order (block partial
    # sums): each is within the recursive-summation bound n * eps * max|d| of the exact
    # correction, so they differ by at most twice that.
    n = x.shape[0]
    max_d = np.max(np.abs(x.astype(np.float64) - wide.mean_hi), axis=0)
    assert np.all(np.abs(narrow.mean_lo - wide.mean_lo) <= 2 * n * _numerics.EPS64 * max_d)
    # var: S2/n - c**2 against sum((d - c)**2)/n from the same d; c**2 is negligible next to
    # the spread of a float16/float32 feature, and each sum of squares is within n * eps
    # (relative) of the exact one.
    assert np.all(np.abs(narrow.var - wide.var) <= 4 * n * _numerics.EPS64 * (np.abs(wide.var) + max_d**2))


@settings(max_examples=40, deadline=None)
@given(narrow_data())
def test_blocked_zscore_is_apply_of_fit_and_keeps_the_dtype(x):
    if x.shape[1] == 0:
        return
    z = R.zscore(x)
    assert z.dtype == x.dtype and z.shape == x.shape
    np.testing.assert_array_equal(z, R.apply_zscore(R.fit_zscore(x), x))
    # and it is the float64 z-score rounded once to the narrow dtype
    np.testing.assert_array_equal(z, R.zscore(x.astype(np.float64)).astype(x.dtype))


@pytest.mark.parametrize("dtype", NARROW)
def test_blocked_zscore_never_modifies_its_input(dtype):
    x = np.random.default_rng(0).standard_normal((3 * _numerics.ROW_BLOCK_ELEMENTS // 5 + 1, 5)).astype(dtype)
    before = x.copy()
    R.zscore(x)
    R.fit_zscore(x)
    np.testing.assert_array_equal(x, before)
