"""Findings of pandas (``--target pandas``; properties/targets/pandas.py). Each has a
reproduction that must still fail."""

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
]
