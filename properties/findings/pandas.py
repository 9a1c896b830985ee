"""Findings of pandas (``--target pandas``; properties/targets/pandas.py). Each has a
reproduction that must still fail."""

import math

import numpy as np

from properties.findings import Finding, violates


def after_a_larger_value(values, window, **_):
    """Some window of ``n = min(window, T)`` values comes after a value more than ``(n + 1) / 2``
    times larger in magnitude than every value of the window (in the same series).

    pandas' rolling mean keeps a running (Kahan-compensated) sum, adding each new value and
    subtracting the one that leaves, so its error is a few eps times the largest magnitude
    *seen so far*; the law allows ``2 (n + 1) eps`` times the window's own largest magnitude.
    """
    v = np.abs(np.asarray(values, dtype=np.float64))
    v = v.reshape(v.shape[0], -1)
    n = min(window, v.shape[0])
    for i in range(1, v.shape[0] - n + 1):
        if np.any(v[:i].max(axis=0) > (n + 1) / 2 * v[i:i + n].max(axis=0)):
            return True
    return False


def sums_beyond_the_maximum(series, alpha, case, **_):
    """Some scaled series reaches the float64 maximum when multiplied by the total weight of
    the sum pandas keeps: n + 1 values for the rolling mean (it adds the new value before it
    subtracts the leaving one), T for the expanding mean, sum_k (1 - alpha)^k (k < T, at most
    1/alpha) for ewm(adjust=True)."""
    ints, ks, _v0, n = series
    length = ints.shape[0]
    weight = {"sma": n + 1, "running_mean": length,
              "ema_bias_corrected": sum((1.0 - alpha) ** k for k in range(length))}[case]
    for j, k in enumerate(ks):
        mag = float(np.max(np.abs(ints[:, j])))
        if mag > 0 and np.log2(mag * weight) + k >= 1024:
            return True
    return False

SCALE = "averages_scale_with_each_series_up_to_the_float64_limits"
ALPHA = "ema_smoothing_factors_outside_zero_one_are_refused"
NONFINITE = "moving_averages_refuse_nan_and_inf_values"
TYPES = "averages_refuse_hyperparameters_of_the_wrong_type"
NON_REAL = "moving_averages_refuse_series_that_are_not_real_numbers"

FINDINGS = [
    Finding(
        "P1", severity="correctness",
        reason="Series.rolling(n).mean() is accurate relative to the largest value seen so far, not to the window: "
               "it updates a running sum (add the new value, subtract the leaving one), so after a value of 1 the "
               "mean of the window [2.3e-291, 0] comes out as 0.0 (pandas issue 28305; pandas' window user guide "
               "warns of this 'numerical imprecision'). Outside such series (no window after a much larger "
               "value) the law holds for pandas and stays active",
        laws={"sma_averages_exactly_the_last_n_values": after_a_larger_value},
        reproduce=violates("sma_averages_exactly_the_last_n_values",
                           values=np.array([[1.0], [1e-3], [2.30160932e-291], [0.0]]), window=2),
    ),
    Finding(
        "P2", severity="correctness",
        reason="pandas' ewm(adjust=True), rolling and expanding means keep running (weighted) sums of the values, "
               "which overflow once the sum of the magnitudes (times the weights) exceeds the float64 maximum, "
               "although the mean fits: the rolling mean (n=2) of [1.7977e308, 1.7977e308, -1.7977e308] gives "
               "[1.7977e308, nan] instead of [1.7977e308, 0]; ewm(adjust=False) (the plain EMA) is a convex update "
               "and passes. Outside such sums the law holds and stays active",
        laws={f"{SCALE}[ema_bias_corrected]": sums_beyond_the_maximum,
              f"{SCALE}[sma]": sums_beyond_the_maximum,
              f"{SCALE}[running_mean]": sums_beyond_the_maximum},
        reproduce=violates(SCALE, case="sma",
                           series=(np.array([[2.0**20 - 1], [2.0**20 - 1], [1 - 2.0**20]]), (1004,),
                                   np.array([0.0]), 2), alpha=0.5),
    ),
    Finding(
        "P3", severity="contract",
        reason="ewm(alpha=nan) is accepted: pandas' check in get_center_of_mass (pandas/core/window/ewm.py) is "
               "'if alpha <= 0 or alpha > 1: raise ValueError', which a NaN passes (every comparison with NaN is "
               "false); ewm(alpha=0), ewm(alpha=-0.0), ewm(alpha=1 + 2^-52) and ewm(alpha=inf) raise ValueError, so "
               "the law holds for every other value and stays active",
        laws={f"{ALPHA}[ema]": lambda alpha, **_: math.isnan(alpha),
              f"{ALPHA}[ema_bias_corrected]": lambda alpha, **_: math.isnan(alpha)},
        reproduce=violates(ALPHA, case="ema", values=np.array([[1.0], [2.0]]), alpha=math.nan),
    ),
    Finding(
        "P4", severity="contract",
        reason="pandas' window operations treat NaN as a missing value and convert +-inf to NaN first "
               "(pandas/core/window/rolling.py, _prep_values: 'Convert inf to nan for C funcs'): ewm() and expanding() "
               "skip it, rolling(n).mean() gives NaN for a window holding one; nothing raises. The pandas target's "
               "ema([[1.], [nan], [3.]], alpha=0.5, v0=0) = [0.5, 0.5, 2.375]",
        laws=tuple(f"{NONFINITE}[{c}]" for c in ("ema", "ema_bias_corrected", "sma", "running_mean")),
        reproduce=violates(NONFINITE, case="ema", values=np.array([[1.0], [math.nan], [3.0]])),
    ),
    Finding(
        "P5", severity="contract",
        reason="pandas checks the type of neither alpha nor the rolling window as the interface does: "
               "ewm(alpha=True) is accepted (a bool compares as 1) and ewm(alpha=None) raises ValueError ('Must pass "
               "one of comass, span, halflife, or alpha'); rolling(n, min_periods=n) raises ValueError ('min_periods "
               "must be an integer', pandas/core/window/rolling.py) for n = 2.0, 2.5, True, '2' and None, where the "
               "interface raises TypeError. A string, list or complex alpha raises TypeError (from the comparison), "
               "as the law requires",
        laws={f"{TYPES}[ema]": lambda value, **_: value is True or value is None,
              f"{TYPES}[ema_bias_corrected]": lambda value, **_: value is True or value is None,
              f"{TYPES}[sma]": None},
        reproduce=violates(TYPES, case="ema", values=np.array([[1.0], [2.0], [4.0]]), value=True),
    ),
    Finding(
        "P6", severity="contract",
        reason="pandas' window means convert their data to float64 (pandas/core/window/rolling.py, _prep_values: "
               "ensure_float64) instead of refusing what is not a real number: numerals in strings are parsed "
               "(ewm(alpha=0.5) of ['1.5', '-2'] gives [1.5, -0.25]) and a complex series loses its imaginary part "
               "with numpy's ComplexWarning; only strings that are no numerals raise, pandas.errors.DataError "
               "('Cannot aggregate non-numeric type'), which is not a TypeError",
        laws=tuple(f"{NON_REAL}[{c}]" for c in ("ema", "ema_bias_corrected", "sma", "running_mean")),
        reproduce=violates(NON_REAL, case="running_mean", values=np.array([["1.5"], ["-2"]])),
    ),
]
