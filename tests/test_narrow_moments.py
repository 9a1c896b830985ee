"""float16/float32 z-scoring is the float64 z-score rounded once to the input's dtype.

These test the reference's own implementation, not a target: the laws in
properties/laws/normalization.py hold for any implementation; here narrow data must give
what the float64 computation gives, rounded once.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import reference as R

NARROW = [np.float16, np.float32]


@st.composite
def narrow_data(draw):
    dtype = draw(st.sampled_from(NARROW))
    cols = draw(st.integers(1, 12))
    rows = draw(st.sampled_from([1, 2, 7, 1000, 5003]))
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
def test_narrow_zscore_is_apply_of_fit_and_keeps_the_dtype(x):
    if x.shape[1] == 0:
        return
    z = R.zscore(x)
    assert z.dtype == x.dtype and z.shape == x.shape
    np.testing.assert_array_equal(z, R.apply_zscore(R.fit_zscore(x), x))
    # and it is the float64 z-score rounded once to the narrow dtype
    np.testing.assert_array_equal(z, R.zscore(x.astype(np.float64)).astype(x.dtype))


@pytest.mark.parametrize("dtype", NARROW)
def test_narrow_zscore_never_modifies_its_input(dtype):
    x = np.random.default_rng(0).standard_normal((3 * 2**16 // 5 + 1, 5)).astype(dtype)
    before = x.copy()
    R.zscore(x)
    R.fit_zscore(x)
    np.testing.assert_array_equal(x, before)
