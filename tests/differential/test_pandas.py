"""Differential: pandas' window functions against the reference's moving averages.

The reference is configured with pandas' conventions (``properties/targets/pandas.py``
CONVENTIONS): ``alpha`` weights the new value in both;

* ``Series.ewm(alpha, adjust=False).mean()`` starts from the first value:
  :func:`reference.ema` with ``v0=None``;
* ``ewm(alpha, adjust=True).mean()`` (pandas' default) is the weighted mean
  ``sum_k (1-a)^k x_{t-k} / sum_k (1-a)^k``: :func:`reference.ema_bias_corrected`;
* ``rolling(n, min_periods=n).mean()`` from row ``n - 1`` on: :func:`reference.sma`;
* ``expanding(min_periods=1).mean()``: :func:`reference.running_mean`.

Tolerances (float64, ``EPS = 2**-52``). Every output is a convex combination of the values so
far, so it is bounded by ``M = max |x|`` over the series. Each recursion step of either
implementation rounds a few products and sums of magnitude at most ``M`` (at most ``4 EPS M``
per step), and the damping factors are at most 1, so after ``t`` steps each is within
``4 t EPS M`` of the exact value: ``8 (T + 1) EPS M`` covers both. pandas' rolling mean keeps a
running (Kahan-compensated) sum, adding the new value and subtracting the one that leaves the
window, so its error is relative to the largest value *seen so far*, not to the window's own
values: the bound above holds (it uses the series' ``M``), and finding P1 of the pandas target
is the region where that is not enough for the law about each window.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

pd = pytest.importorskip("pandas")

from reference import ema, ema_bias_corrected, running_mean, sma  # noqa: E402

pytestmark = pytest.mark.differential

EPS = np.finfo(np.float64).eps


@st.composite
def series(draw):
    """A float64 series of shape (T,) or (T, d), finite, |x| <= 1e6."""
    t = draw(st.integers(1, 40), label="T")
    d = draw(st.sampled_from([None, 1, 3]), label="d")
    shape = (t,) if d is None else (t, d)
    return draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e6, 1e6, allow_subnormal=False)),
                label="values")


ALPHAS = st.sampled_from([1.0, 0.5, 0.1, 0.01]) | st.floats(1e-3, 1.0, exclude_min=True)


def _frame(v):
    return pd.Series(v) if v.ndim == 1 else pd.DataFrame(v)


def _close(got, want, v, what):
    tol = 8 * (v.shape[0] + 1) * EPS * max(float(np.abs(v).max()), np.finfo(np.float64).tiny)
    err = float(np.abs(got - want).max())
    assert err <= tol, f"{what}: max |pandas - reference| = {err:.3g} > tol {tol:.3g}"


@given(v=series(), alpha=ALPHAS)
def test_ewm_adjust_false_is_the_ema_started_at_the_first_value(v, alpha):
    got = _frame(v).ewm(alpha=alpha, adjust=False, min_periods=0, ignore_na=False).mean().to_numpy()
    _close(got, ema(v, alpha, v0=None), v, f"ewm(alpha={alpha}, adjust=False)")


@given(v=series(), alpha=ALPHAS)
def test_ewm_adjust_true_is_the_bias_corrected_ema(v, alpha):
    got = _frame(v).ewm(alpha=alpha, adjust=True, min_periods=0, ignore_na=False).mean().to_numpy()
    _close(got, ema_bias_corrected(v, alpha), v, f"ewm(alpha={alpha}, adjust=True)")


@given(v=series(), data=st.data())
def test_rolling_mean_is_the_sma_of_full_windows(v, data):
    n = data.draw(st.integers(1, v.shape[0]), label="n")
    got = _frame(v).rolling(n, min_periods=n).mean().to_numpy()[n - 1:]
    _close(got, sma(v, n), v, f"rolling({n}).mean()")


@given(v=series())
def test_expanding_mean_is_the_running_mean(v):
    got = _frame(v).expanding(min_periods=1).mean().to_numpy()
    _close(got, running_mean(v), v, "expanding().mean()")


def test_rolling_mean_error_is_relative_to_the_largest_value_seen():
    """Finding P1's mechanism, shown on pandas itself: after a value of 1, a window of two
    values ~1e-40 is returned as 0 (the reference averages each window on its own)."""
    v = np.array([1.0, 0.99999, 7.02084263e-40, 0.0])
    got = pd.Series(v).rolling(2, min_periods=2).mean().to_numpy()[1:]
    want = sma(v, 2)
    assert want[-1] == v[2] / 2                     # the exact mean of [v[2], 0]
    assert got[-1] != want[-1] and abs(got[-1] - want[-1]) <= 8 * 5 * EPS * 1.0
