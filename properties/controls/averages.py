"""Negative controls for moving averages (seed 001 and plausible bugs)."""

from __future__ import annotations

import numpy as np

from properties._law import Control


def _f64(values):
    return np.asarray(values, dtype=np.float64)


def _sma_n_plus_one_terms(values, n):
    # seed 001: (1/n) sum_{k=T-n}^{T} v_k -- n + 1 terms divided by n. At T = n the term
    # v_0 does not exist, so the first window has n terms; every later one has n + 1.
    v = _f64(values)
    out = []
    for end in range(n, v.shape[0] + 1):
        start = max(0, end - n - 1)
        out.append(v[start:end].sum(axis=0) / n)
    return np.array(out)


def _ema_alpha_weights_old(values, alpha, v0=0.0):
    # alpha applied to the old average instead of the new value (Keras/optax convention
    # used where seed 001's is meant).
    v = _f64(values)
    avg = np.broadcast_to(_f64(v[0] if v0 is None else v0), v.shape[1:]).copy()
    out = np.empty_like(v)
    for i in range(v.shape[0]):
        avg = alpha * avg + (1 - alpha) * v[i]
        out[i] = avg
    return out


def _ema_undamped(values, alpha, v0=0.0):
    # avg <- (1 - alpha) avg + v (SGD-momentum style without dampening): weights sum to 1/alpha.
    v = _f64(values)
    avg = np.broadcast_to(_f64(v[0] if v0 is None else v0), v.shape[1:]).copy()
    out = np.empty_like(v)
    for i in range(v.shape[0]):
        avg = (1 - alpha) * avg + v[i]
        out[i] = avg
    return out


def _ema_ignores_v0(values, alpha, v0=0.0):
    # Starts from the first value whatever v0 says.
    import reference
    return reference.ema(values, alpha, v0=None)


def _ema_bias_corrected_t_minus_1(values, alpha):
    # Divisor 1 - (1 - alpha)^(t - 1): off by one step (0 at t = 1).
    import reference
    m = _f64(reference.ema(values, alpha, v0=0.0))
    t = np.arange(1, m.shape[0] + 1).reshape((-1,) + (1,) * (m.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return m / (1 - (1 - alpha) ** (t - 1))


def _ema_no_bias_correction(values, alpha):
    import reference
    return reference.ema(values, alpha, v0=0.0)


def _ema_bias_corrected_from_first_value(values, alpha):
    # The EMA started at the first value (pandas' adjust=False) passed off as the corrected
    # one: equal on a constant series, not on any other.
    import reference
    return reference.ema(values, alpha, v0=None)


def _running_mean_off_by_one(values):
    # mean_T = mean_{T-1} + (v_T - mean_{T-1}) / (T + 1), from mean_0 = 0.
    v = _f64(values)
    avg = np.zeros(v.shape[1:])
    out = np.empty_like(v)
    for i in range(v.shape[0]):
        avg = avg + (v[i] - avg) / (i + 2)
        out[i] = avg
    return out


def _ema_none_starts_at_zero(values, alpha, v0=0.0):
    # v0=None read as "no start given", i.e. the default 0.
    import reference
    return reference.ema(values, alpha, v0=0.0 if v0 is None else v0)


def _ema_unscaled(values, alpha, v0=0.0):
    # avg + alpha (v - avg) in natural units (torch's lerp): v - avg overflows for values of
    # opposite signs near the float64 maximum.
    v = _f64(values)
    avg = np.broadcast_to(_f64(v[0] if v0 is None else v0), v.shape[1:]).copy()
    out = np.empty_like(v)
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(v.shape[0]):
            avg = avg + alpha * (v[i] - avg)
            out[i] = avg
    return out


def _running_mean_one_scale(values):
    # One power-of-two scale for all series (the largest magnitude of any): a series far
    # smaller than another underflows in those units (a surviving mutant of the reference).
    import reference
    v = _f64(values)
    big = float(np.max(np.abs(v)))
    s = 1.0 if big == 0 else float(np.ldexp(1.0, int(np.frexp(big)[1])))
    return reference.running_mean(v / s) * s


sma_n_plus_one_terms = Control(
    "sma_n_plus_one_terms", "seed 001 (SMA sum from k = T - n to T)",
    "SMA summing n + 1 values and dividing by n",
    {"sma": _sma_n_plus_one_terms},
    correct="SMA_T = (1/n) Σ_{k=T−n+1}^{T} v_k (exactly n terms)")
ema_alpha_weights_old = Control(
    "ema_alpha_weights_old", "plausible bug (convention mix-up, conventions.md 1 and 6)",
    "EMA with alpha weighting the old average: alpha*avg + (1 - alpha)*v",
    {"ema": _ema_alpha_weights_old})
ema_undamped = Control(
    "ema_undamped", "plausible bug (SGD-momentum buffer without dampening)",
    "avg <- (1 - alpha)*avg + v: the weights sum to 1/alpha, not 1",
    {"ema": _ema_undamped})
ema_ignores_v0 = Control(
    "ema_ignores_v0", "plausible bug", "EMA starting from the first value whatever v0 is",
    {"ema": _ema_ignores_v0})
bias_correction_t_minus_1 = Control(
    "bias_correction_t_minus_1", "plausible bug (off-by-one step count)",
    "bias-corrected EMA dividing by 1 - (1 - alpha)^(t - 1)",
    {"ema_bias_corrected": _ema_bias_corrected_t_minus_1})
no_bias_correction = Control(
    "no_bias_correction", "plausible bug", "zero-initialised EMA returned without the bias correction",
    {"ema_bias_corrected": _ema_no_bias_correction})
bias_corrected_ema_from_first_value = Control(
    "bias_corrected_ema_from_first_value", "plausible bug (convention mix-up: pandas adjust=False)",
    "the EMA started at the first value returned as the bias-corrected EMA",
    {"ema_bias_corrected": _ema_bias_corrected_from_first_value})
running_mean_off_by_one = Control(
    "running_mean_off_by_one", "plausible bug", "incremental mean dividing by T + 1 instead of T",
    {"running_mean": _running_mean_off_by_one})
ema_none_starts_at_zero = Control(
    "ema_none_starts_at_zero", "plausible bug", "EMA with v0=None starting from 0 instead of the first value",
    {"ema": _ema_none_starts_at_zero})
ema_overflows_near_the_float64_maximum = Control(
    "ema_overflows_near_the_float64_maximum", "plausible bug (torch.lerp-style update in natural units)",
    "EMA update avg + alpha (v - avg) without rescaling: v - avg overflows near the float64 maximum",
    {"ema": _ema_unscaled})
averages_scaled_across_series = Control(
    "averages_scaled_across_series", "surviving mutant of reference/averages.py (_scaled with axis=None)",
    "running mean computed in units of one power of two for all series: a small series beside a huge one "
    "underflows", {"running_mean": _running_mean_one_scale})


def _running_mean_float64(values):
    # Computed in float64 and returned as such, whatever the input's floating dtype.
    import reference
    return np.asarray(reference.running_mean(values), dtype=np.float64)


running_mean_always_float64 = Control(
    "running_mean_always_float64", "plausible bug", "running mean returned in float64 for float32 input",
    {"running_mean": _running_mean_float64})
