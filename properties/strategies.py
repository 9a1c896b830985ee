"""Hypothesis strategies shared by the laws, each restriction with its reason."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["feature_matrices", "dyadic_matrices", "finite_floats", "arrays_of_ndim", "with_a_nonfinite", "non_real"]


def finite_floats(bound: float = 1e6, width: int = 64):
    """Finite floats in [-bound, bound]; no subnormals (they carry less than full precision,
    so relative-error tolerances derived from the machine epsilon do not apply to them)."""
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=width)


def feature_matrices(min_rows: int = 2, max_rows: int = 24, min_cols: int = 1, max_cols: int = 5,
                     bound: float = 1e6, dtype=np.float64):
    """``(n_samples, n_features)`` arrays of finite values.

    Bounded by ``bound`` (default 1e6) so that sums over the rows stay far from overflow in
    the laws' own float64 oracles; the stability laws test huge magnitudes separately.
    """
    width = np.dtype(dtype).itemsize * 8
    shapes = st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))
    return hnp.arrays(dtype, shapes, elements=finite_floats(bound, width))


def dyadic_matrices(min_rows: int = 2, max_rows: int = 24, max_cols: int = 4, bits: int = 20):
    """Matrices of integers / 2**10 with at most ``bits`` significant bits.

    Adding 1e9 (< 2**30) to such a value, or multiplying it by a power of two, is exact in
    float64 (30 + ``bits`` <= 52), so a metamorphic law can shift or scale the input
    without rounding it, and any difference in the output is the algorithm's own error.
    """
    shapes = st.tuples(st.integers(min_rows, max_rows), st.integers(1, max_cols))
    ints = st.integers(-(2**bits) + 1, 2**bits - 1)
    return hnp.arrays(np.int64, shapes, elements=ints).map(lambda a: a.astype(np.float64) / 2**10)


# --- bad input for the contract laws -------------------------------------------------------------

def arrays_of_ndim(ndims):
    """Finite float64 arrays of a number of dimensions in ``ndims`` (sides 1 to 3)."""
    return st.sampled_from(ndims).flatmap(
        lambda k: hnp.arrays(np.float64, st.tuples(*[st.integers(1, 3)] * k), elements=finite_floats(1e3)))


@st.composite
def with_a_nonfinite(draw, shapes):
    """A finite float64 array of a shape from ``shapes`` with one entry NaN, +inf or -inf."""
    a = draw(hnp.arrays(np.float64, shapes, elements=finite_floats(1e3)), label="finite part")
    idx = tuple(draw(st.integers(0, s - 1), label="where") for s in a.shape)
    a[idx] = draw(st.sampled_from([math.nan, math.inf, -math.inf]), label="bad")
    return a


@st.composite
def non_real(draw, shapes):
    """An array of numerals as strings (``'1.5'``: castable, still not numbers) or a complex
    array, of a shape from ``shapes``."""
    a = draw(hnp.arrays(np.float64, shapes, elements=finite_floats(1e3)), label="values")
    if draw(st.booleans(), label="strings"):
        return a.astype(str)
    return a + 1j * draw(st.floats(-1e3, 1e3), label="imaginary part")
