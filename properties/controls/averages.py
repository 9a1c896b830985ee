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


from properties.controls._patch import patched_all  # noqa: E402


# --- alpha = 1, the defaults and the contract laws --------------------------------------------------


def _both_emas(**replacements):
    return patched_all(("ema", "ema_bias_corrected"), "averages", **replacements)


def _every_average(**replacements):
    return patched_all(("ema", "ema_bias_corrected", "sma", "running_mean"), "averages", **replacements)


def _general_step(average, value, alpha):
    return average + alpha * (value - average)


def _ema_first_value_default(values, alpha, v0=None):
    import reference
    return reference.ema(values, alpha, v0=v0)


def _alpha_any(alpha, func):
    return float(alpha)


def _alpha_closed(alpha, func):
    from reference._validation import check_in_range
    return check_in_range(alpha, func, "alpha", lo=0.0, hi=1.0)


def _alpha_type_error(alpha, func):
    # The range check whose message is built from str - str: every refusal becomes a TypeError.
    from reference._validation import check_finite_scalar
    v = check_finite_scalar(alpha, func, "alpha")
    if not 0.0 < v <= 1.0:
        raise TypeError(f"{func}: unsupported operand type(s) for -: 'str' and 'str'")
    return v


def _series_any_ndim(values, func):
    from reference._validation import as_float_array
    return as_float_array(values, func, "values")


def _as_float_array_nonfinite(x, func, name, **kw):
    # every check of as_float_array but the finiteness one
    from reference._validation import as_float_array
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        as_float_array(np.where(np.isfinite(arr), arr, 0.0), func, name, **kw)
        return arr
    return as_float_array(x, func, name, **kw)


def _as_float_array_cast(x, func, name, **kw):
    # np.asarray(x, dtype=float64) first: numerals in strings are parsed, complex parts dropped
    import warnings

    from reference._validation import as_float_array
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return as_float_array(np.asarray(x).astype(np.float64), func, name, **kw)


def _untyped_ema(values, alpha, v0=0.0):
    import reference
    return reference.ema(values, float(alpha), v0=v0)


def _untyped_ema_bc(values, alpha):
    import reference
    return reference.ema_bias_corrected(values, float(alpha))


def _untyped_sma(values, n):
    import reference
    return reference.sma(values, int(n))


ema_step_always_in_general_form = Control(
    "ema_step_always_in_general_form", "surviving mutant of reference/_numerics.py (ema_update without its alpha = 1 branch)",
    "every EMA step computed as avg + alpha (v - avg), also at alpha = 1, where it rounds instead of returning v",
    _both_emas(ema_update=_general_step))
ema_defaults_to_the_first_value = Control(
    "ema_defaults_to_the_first_value", "plausible bug (pandas adjust=False as the default)",
    "ema's v0 defaults to None (start from the first value) instead of 0", {"ema": _ema_first_value_default})
alpha_unchecked = Control(
    "alpha_unchecked", "plausible bug (no argument check)", "alpha used as given: 0, 1.5, NaN are averaged",
    _both_emas(_alpha=_alpha_any))
alpha_zero_accepted = Control(
    "alpha_zero_accepted", "surviving mutant of reference/averages.py (_alpha with lo_open dropped)",
    "alpha checked against the closed interval [0, 1]: alpha = 0 accepted", _both_emas(_alpha=_alpha_closed))
alpha_refused_with_type_error = Control(
    "alpha_refused_with_type_error", "surviving mutant of reference/_validation.py (check_in_range's message from str - str)",
    "an alpha out of range raises TypeError (the error message fails to build) instead of ValueError",
    _both_emas(_alpha=_alpha_type_error))
series_ndim_unchecked = Control(
    "series_ndim_unchecked", "surviving mutant of reference/averages.py (_series without ndim)",
    "values of any number of dimensions accepted", _every_average(_series=_series_any_ndim))
series_finiteness_unchecked = Control(
    "series_finiteness_unchecked", "surviving mutant of reference/_validation.py (as_float_array's finiteness check)",
    "NaN and inf values averaged", _every_average(as_float_array=_as_float_array_nonfinite))
series_cast_to_float = Control(
    "series_cast_to_float", "plausible bug (np.asarray(values, dtype=float) as the check)",
    "values cast to float64 first: numerals in strings parsed, imaginary parts dropped",
    _every_average(as_float_array=_as_float_array_cast))
hyperparameter_types_unchecked = Control(
    "hyperparameter_types_unchecked", "plausible bug (float(alpha), int(n) instead of a type check)",
    "alpha and n converted with float()/int(): '0.5', True and 2.5 accepted",
    {"ema": _untyped_ema, "ema_bias_corrected": _untyped_ema_bc, "sma": _untyped_sma})
