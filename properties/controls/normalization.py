"""Negative controls for input normalisation (seeds 000, 003, 004)."""

from __future__ import annotations

import math

import numpy as np

from properties._law import Control


def _zscore_divide_by_variance(x, eps=0.0):
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=0)
    with np.errstate(over="ignore"):  # the wrong formula's own overflow at huge magnitudes is not news
        var = ((x - mu) ** 2).mean(axis=0)
    return (x - mu) / np.where(var == 0, 1.0, var)


def _zscore_frobenius(x, eps=0.0):
    # seed 004: mu = np.mean(X); X = X - mu; sigma = np.linalg.norm(X); X = X / sigma
    x = np.asarray(x, dtype=np.float64)
    x = x - np.mean(x)
    sigma = np.linalg.norm(x)
    return x / (sigma if sigma else 1.0)


def _zscore_global_mean(x, eps=0.0):
    x = np.asarray(x, dtype=np.float64)
    c = x - np.mean(x)
    sd = np.sqrt((c**2).mean(axis=0))
    return c / np.where(sd == 0, 1.0, sd)


def _zscore_naive_moments(x, eps=0.0):
    # One-pass E[x^2] - E[x]^2: cancels catastrophically under an offset, overflows for
    # large magnitudes.
    x = np.asarray(x, dtype=np.float64)
    mu = x.mean(axis=0)
    var = np.maximum((x * x).mean(axis=0) - mu * mu, 0.0)
    sd = np.sqrt(var + eps)
    return (x - mu) / np.where(sd == 0, 1.0, sd)


def _zscore_unbiased(x, eps=0.0):
    x = np.asarray(x, dtype=np.float64)
    sd = x.std(axis=0, ddof=1)
    return (x - x.mean(axis=0)) / np.where(sd == 0, 1.0, sd)


def _zscore_in_place(x, eps=0.0):
    import reference
    out = reference.zscore(x, eps)
    if isinstance(x, np.ndarray) and x.dtype == out.dtype:
        x[...] = out  # modifies the caller's array
        return x
    return out


def _zscore_float32_downcast_everything(x, eps=0.0):
    import reference
    return reference.zscore(x, eps).astype(np.float32)


def _minmax_global(x, feature_range=(0.0, 1.0)):
    x = np.asarray(x, dtype=np.float64)
    lo, hi = feature_range
    span = x.max() - x.min()
    return lo + (hi - lo) * (x - x.min()) / (span if span else 1.0)


def _minmax_by_max(x, feature_range=(0.0, 1.0)):
    # Scale by the maximum only ("divide by the largest value"): no shift to the minimum.
    x = np.asarray(x, dtype=np.float64)
    lo, hi = feature_range
    m = np.abs(x).max(axis=0)
    return lo + (hi - lo) * x / np.where(m == 0, 1.0, m)


def _apply_zscore_refits(stats, x):
    # Ignores the fitted statistics and normalises new data with its own (the leak the seeds
    # warn about: "use the same mu and sigma for the test data").
    import reference
    return reference.zscore(x, stats.eps)


def _apply_minmax_refits(stats, x):
    import reference
    return reference.minmax(x, stats.feature_range)


def _zscore_running_stats(x, eps=0.0):
    # A streaming normaliser that standardises each row with the statistics of the rows
    # seen so far: depends on the row order.
    x = np.asarray(x, dtype=np.float64)
    n = np.arange(1, x.shape[0] + 1)[:, None]
    mu = np.cumsum(x, axis=0) / n
    var = np.maximum(np.cumsum(x * x, axis=0) / n - mu**2, 0.0)
    sd = np.sqrt(var + eps)
    return (x - mu) / np.where(sd == 0, 1.0, sd)


def _minmax_divide_by_max(x, feature_range=(0.0, 1.0)):
    # (x - min) / max instead of (x - min) / (max - min).
    x = np.asarray(x, dtype=np.float64)
    lo, hi = feature_range
    m = x.max(axis=0)
    return lo + (hi - lo) * (x - x.min(axis=0)) / np.where(m == 0, 1.0, m)


def _center_global(x):
    x = np.asarray(x, dtype=np.float64)
    return x - np.mean(x)


divide_by_variance = Control(
    "divide_by_variance", "seed 003 pseudo-code; seed 000 figure caption X / sigma^2",
    "z-score dividing by the variance instead of the standard deviation",
    {"zscore": _zscore_divide_by_variance},
    correct="x̂_j = (x_j − μ_j) / σ_j with σ_j = sqrt((1/m) Σ_i (x_ij − μ_j)²) (seed 002); "
            "seed 001 puts eps inside the root: (x_j − μ_j) / sqrt(σ_j² + ε)")
frobenius_norm = Control(
    "frobenius_norm", "seed 004", "one global mean, then divide by the Frobenius norm of the whole matrix",
    {"zscore": _zscore_frobenius},
    correct="one mean and one standard deviation per feature (column j): "
            "x̂_ij = (x_ij − μ_j) / σ_j; ‖X − μ‖_F mixes all features and scales with sqrt(m·k)")
global_mean = Control(
    "global_mean", "seed 004 (np.mean(X) without axis)", "one mean over all features instead of one per feature",
    {"zscore": _zscore_global_mean, "center": _center_global},
    correct="μ_j = (1/m) Σ_i x_ij for each feature j: np.mean(X, axis=0), not np.mean(X)")
naive_moments = Control(
    "naive_moments", "plausible bug", "variance as E[x^2] - E[x]^2 in one pass",
    {"zscore": _zscore_naive_moments})
unbiased_std = Control(
    "unbiased_std", "plausible bug (numpy/pandas ddof=1 habit)", "sample (ddof=1) instead of population standard deviation",
    {"zscore": _zscore_unbiased})
modifies_input = Control(
    "modifies_input", "plausible bug", "writes the result into the caller's array",
    {"zscore": _zscore_in_place})
always_float32 = Control(
    "always_float32", "plausible bug", "returns float32 whatever the input dtype",
    {"zscore": _zscore_float32_downcast_everything})
minmax_global = Control(
    "minmax_global", "plausible bug", "one min and max over the whole matrix instead of per feature",
    {"minmax": _minmax_global})
minmax_by_max = Control(
    "minmax_by_max", "plausible bug", "divides by the per-feature max |x| without subtracting the minimum",
    {"minmax": _minmax_by_max})
refit_on_new_data = Control(
    "refit_on_new_data", "seeds 003/004 warn against it", "apply_zscore ignores the fitted statistics and refits",
    {"apply_zscore": _apply_zscore_refits, "apply_minmax": _apply_minmax_refits},
    correct="fit μ, σ (or min, max) on the training set only and transform every set with them: "
            "x̂_test = (x_test − μ_train) / σ_train")
running_stats = Control(
    "running_stats", "plausible bug (streaming normaliser)", "each row standardised with the statistics of the rows before it",
    {"zscore": _zscore_running_stats})
minmax_divide_by_max = Control(
    "minmax_divide_by_max", "plausible bug", "(x - min) / max instead of (x - min) / (max - min)",
    {"minmax": _minmax_divide_by_max})


# --- issue 16: values for float32/float16 input, apply_zscore at extreme magnitudes ---------------

def _zscore_in_input_dtype(x, eps=0.0):
    # Mean and variance accumulated in the input's own dtype: for float16 the sums round at
    # 11 bits and (x - mu)**2 overflows above |x - mu| = 256.
    x = np.asarray(x)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x = x.astype(dt)
    with np.errstate(over="ignore", invalid="ignore"):
        mu = x.mean(axis=0, dtype=dt)
        c = x - mu
        sd = np.sqrt((c * c).mean(axis=0, dtype=dt) + dt.type(eps))
        return (c / np.where(sd == 0, dt.type(1), sd)).astype(dt)


def _minmax_in_input_dtype(x, feature_range=(0.0, 1.0)):
    # x - min and max - min in the input's dtype: a float16 range above 65504 overflows.
    x = np.asarray(x)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x = x.astype(dt)
    lo, hi = feature_range
    with np.errstate(over="ignore", invalid="ignore"):
        lo_x, span = x.min(axis=0), x.max(axis=0) - x.min(axis=0)
        t = (x - lo_x) / np.where(span == 0, dt.type(1), span)
        return (lo + (hi - lo) * t.astype(np.float64)).astype(dt)


def _fit_zscore_eps_unscaled(x, eps=0.0):
    # The fit's scaled frame (x / s, s a power of two) with eps added unscaled: the divisor
    # is sqrt(var / s^2 + eps) in units of s, i.e. sqrt(var + eps s^2) in natural units.
    import reference
    stats = reference.fit_zscore(x, eps)
    xs = np.asarray(x, dtype=np.float64) / stats.scale
    with np.errstate(over="ignore", under="ignore"):
        divisor = np.hypot(np.sqrt(xs.var(axis=0)), np.sqrt(eps))
    return stats._replace(divisor=np.where(divisor == 0, 1.0 / stats.scale, divisor))


zscore_in_input_dtype = Control(
    "zscore_in_input_dtype", "plausible bug (mean(dtype=x.dtype) where numpy accumulates float16 in float32)",
    "z-score statistics accumulated in the input's dtype (float16 sums and squares)",
    {"zscore": _zscore_in_input_dtype})
minmax_in_input_dtype = Control(
    "minmax_in_input_dtype", "plausible bug", "min-max computed in the input's dtype (a float16 range above 65504 overflows)",
    {"minmax": _minmax_in_input_dtype})
fit_zscore_eps_unscaled = Control(
    "fit_zscore_eps_unscaled", "plausible bug (a rescaled implementation that forgets to rescale eps)",
    "the divisor sqrt(var / s^2 + eps) in the fit's frame scaled by s: eps acts as eps s^2 when |x| is beyond 2^+-400",
    {"fit_zscore": _fit_zscore_eps_unscaled})


# --- the whole float64 range (laws *_across_the_float64_range, center_holds_across_magnitudes) ---

def _global_pow2(*arrays):
    m = max(float(np.max(np.abs(a))) for a in arrays)
    return math.ldexp(1.0, min(math.frexp(m)[1], 1023)) if 0 < m < math.inf else 1.0


def _apply_zscore_fit_frame_only(stats, x):
    # Only the fit's own frame: new data far beyond the training magnitude overflow x / scale.
    x64 = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        return ((x64 / stats.scale - stats.mean_hi) - stats.mean_lo) / stats.divisor


def _apply_zscore_one_scale(stats, x):
    # One power of two for every feature: the small features underflow next to the large ones.
    x64 = np.asarray(x, dtype=np.float64)
    s = _global_pow2(x64, stats.mean, stats.std)
    with np.errstate(all="ignore"):
        return (x64 / s - stats.mean / s) / (stats.std / s)


def _apply_minmax_parts(stats, x, one_scale=False, unscaled=False):
    lo, hi = stats.feature_range
    dmin, dmax = stats.data_min, stats.data_max
    x64 = np.asarray(x, dtype=np.float64)
    if unscaled:
        scale = 1.0
    elif one_scale:
        scale = _global_pow2(x64, dmin, dmax)
    else:
        big = np.maximum(np.abs(x64).max(axis=0), np.maximum(np.abs(dmin), np.abs(dmax)))
        scale = np.ldexp(1.0, np.minimum(np.frexp(np.where(big > 0, big, 1.0))[1], 1023))
    with np.errstate(all="ignore"):
        width = dmax / scale - dmin / scale
        t = (x64 / scale - dmin / scale) / np.where(width == 0, 1.0, width)
        return t, (1.0 - t) * lo + t * hi


def _apply_minmax_without_halving(stats, x):
    # The convex combination as it is: its terms overflow for new data far outside the range.
    return _apply_minmax_parts(stats, x)[1]


def _apply_minmax_one_scale(stats, x):
    return _apply_minmax_parts(stats, x, one_scale=True)[1]


def _apply_minmax_unscaled(stats, x):
    # No rescaling: max - min overflows for data near +-2^1023.
    return _apply_minmax_parts(stats, x, unscaled=True)[1]


def _center_one_scale(x):
    x64 = np.asarray(x, dtype=np.float64)
    s = _global_pow2(x64)
    xs = x64 / s
    return (xs - xs.mean(axis=0)) * s


def _center_divided_by_scale(x):
    # The scaled centred data divided by the scale again instead of multiplied back.
    x64 = np.asarray(x, dtype=np.float64)
    big = np.abs(x64).max(axis=0)
    s = np.where((big > 2.0**-400) & (big < 2.0**400) | (big == 0), 1.0,
                 np.ldexp(1.0, np.frexp(np.where(big > 0, big, 1.0))[1]))
    xs = x64 / s
    return (xs - xs.mean(axis=0)) / s


apply_zscore_fit_frame_only = Control(
    "apply_zscore_fit_frame_only", "plausible bug (mutation survivor: the overflow fall-back of apply_zscore skipped)",
    "apply_zscore only in the fit's frame x / scale: new data 2^1000 times the training magnitude overflow it",
    {"apply_zscore": _apply_zscore_fit_frame_only})
apply_zscore_one_scale_for_all_features = Control(
    "apply_zscore_one_scale_for_all_features", "plausible bug (mutation survivor: np.max(..., axis=None))",
    "one power-of-two scale for all features: features 2^1900 smaller than the largest underflow to 0",
    {"apply_zscore": _apply_zscore_one_scale})
apply_minmax_without_halving = Control(
    "apply_minmax_without_halving", "plausible bug (mutation survivor: the halving fall-back skipped)",
    "(1 - t) lo + t hi evaluated as it is: for t ~ 2^1022 and (lo, hi) = (2, 3) a term overflows, the sum fits",
    {"apply_minmax": _apply_minmax_without_halving})
apply_minmax_one_scale_for_all_features = Control(
    "apply_minmax_one_scale_for_all_features", "plausible bug (mutation survivor: np.max(..., axis=None))",
    "one power-of-two scale for all features: a feature at 2^-1000 beside one at 2^1000 underflows",
    {"apply_minmax": _apply_minmax_one_scale})
apply_minmax_unscaled = Control(
    "apply_minmax_unscaled", "plausible bug (mutation survivor: pow2_scale(None), no rescaling)",
    "x - min and max - min in natural units: the range of data at +-1.5 * 2^1023 overflows",
    {"apply_minmax": _apply_minmax_unscaled})
center_one_scale_for_all_features = Control(
    "center_one_scale_for_all_features", "plausible bug (mutation survivor in feature_moments: np.max(x, axis=None))",
    "one power-of-two scale for all features: a feature at 2^-900 beside one at 2^900 underflows to 0",
    {"center": _center_one_scale})
center_divided_by_scale = Control(
    "center_divided_by_scale", "plausible bug (mutation survivor: centered / scale instead of * scale)",
    "the centred data divided by the power-of-two scale instead of multiplied back: wrong beyond 2^+-400",
    {"center": _center_divided_by_scale})


def _apply_minmax_constant_in_scaled_units(stats, x):
    # A constant feature's x - min left in the units of the batch's power-of-two scale (the
    # range taken as 1 in those units): the value depends on the largest |x| of the batch.
    return _apply_minmax_parts(stats, x)[1]


def _apply_minmax_constant_to_lo(stats, x):
    # Every value of a constant feature mapped to lo, new data included.
    import reference
    out = np.asarray(reference.apply_minmax(stats, x), dtype=np.float64)
    const = stats.data_max == stats.data_min
    return np.where(const, stats.feature_range[0], out)


apply_minmax_constant_feature_in_scaled_units = Control(
    "apply_minmax_constant_feature_in_scaled_units", "plausible bug (the reference before this law: range 1 in "
    "the units of a rescaled batch)",
    "new data on a constant feature map to lo + (hi - lo) (x - c) / s, s the batch's power-of-two scale "
    "(s = 2^501 for data near 2^500): the value depends on the other rows",
    {"apply_minmax": _apply_minmax_constant_in_scaled_units},
    correct="lo + (hi - lo) (x - c): the zero range counts as 1 in natural units")
apply_minmax_constant_feature_maps_to_lo = Control(
    "apply_minmax_constant_feature_maps_to_lo", "plausible bug",
    "every value of a constant feature, new data included, mapped to lo",
    {"apply_minmax": _apply_minmax_constant_to_lo})


def _apply_zscore_constant_to_zero(stats, x):
    # Every value of a constant feature (eps = 0) mapped to 0, the training data's z-score.
    import reference
    out = np.asarray(reference.apply_zscore(stats, x), dtype=np.float64)
    return np.where(np.asarray(stats.var) == 0, 0.0, out)


apply_zscore_constant_feature_maps_to_zero = Control(
    "apply_zscore_constant_feature_maps_to_zero", "plausible bug",
    "every value of a constant feature (eps = 0), new data included, mapped to 0",
    {"apply_zscore": _apply_zscore_constant_to_zero})


def _apply_zscore_always_float64(stats, x):
    import reference
    return np.asarray(reference.apply_zscore(stats, x), dtype=np.float64)


apply_zscore_always_float64 = Control(
    "apply_zscore_always_float64", "plausible bug (mutation survivor: the statistics' float64 decides the dtype)",
    "apply_zscore returns float64 whatever the dtype of x (the dtype of the fitted statistics)",
    {"apply_zscore": _apply_zscore_always_float64})


# --- the defaults and the contract laws ---------------------------------------------------------------

from properties.controls.averages import _as_float_array_cast, _as_float_array_nonfinite  # noqa: E402
from properties.controls._patch import patched_all, with_patched  # noqa: E402


def _every_normaliser(**replacements):
    return patched_all(("zscore", "fit_zscore", "apply_zscore", "minmax", "fit_minmax", "apply_minmax", "center"),
                       "normalization", **replacements)


def _fit_zscore_eps_one(x, eps=1.0):
    import reference
    return reference.fit_zscore(x, eps)


def _zscore_eps_one(x, eps=1.0):
    import reference
    return reference.zscore(x, eps)


def _fit_minmax_symmetric(x, feature_range=(-1.0, 1.0)):
    import reference
    return reference.fit_minmax(x, feature_range)


def _minmax_symmetric(x, feature_range=(-1.0, 1.0)):
    import reference
    return reference.minmax(x, feature_range)


def _check_2d_any(x, func, name="x"):
    from reference._validation import as_float_array
    return as_float_array(x, func, name, min_rows=1)


def _eps_any(value, func, name, *args, **kwargs):
    return float(value)


def _eps_type_error(value, func, name, lo=None, hi=None, **kwargs):
    # check_in_range without an upper bound whose message formats f"{None:g}": a TypeError
    from reference._validation import check_finite_scalar
    v = check_finite_scalar(value, func, name)
    if lo is not None and v < lo:
        raise TypeError("unsupported format string passed to NoneType.__format__")
    return v


def _range_closed(feature_range, func):
    lo, hi = (float(v) for v in feature_range)
    if lo > hi:
        raise ValueError(f"{func}: feature_range must satisfy lo <= hi; got ({lo!r}, {hi!r})")
    return lo, hi


def _range_any(feature_range, func):
    lo, hi = feature_range
    return float(lo), float(hi)


def _apply_zscore_broadcast(stats, x):
    # (x - mean) / std broadcast against the fitted statistics, no feature count check
    x = np.asarray(x, dtype=np.float64)
    return (x - stats.mean[: x.shape[1]] if x.shape[1] < stats.mean.shape[0] else x - stats.mean) / (
        stats.std[: x.shape[1]] if x.shape[1] < stats.std.shape[0] else stats.std)


def _apply_minmax_index_error(stats, x):
    # the check's message reads data_min.shape[1] of a 1-d array: IndexError instead of ValueError
    import reference
    arr = np.asarray(x)
    if arr.ndim == 2 and arr.shape[1] != stats.data_min.shape[0]:
        raise IndexError("tuple index out of range")
    return reference.apply_minmax(stats, x)


zscore_eps_default_one = Control(
    "zscore_eps_default_one", "surviving mutant of reference/normalization.py (fit_zscore's default eps 1.0)",
    "fit_zscore and zscore default to eps = 1 instead of 0", {"fit_zscore": _fit_zscore_eps_one, "zscore": _zscore_eps_one})
minmax_default_range_symmetric = Control(
    "minmax_default_range_symmetric", "plausible bug (tanh-style target range as the default)",
    "fit_minmax and minmax default to feature_range (-1, 1) instead of (0, 1)",
    {"fit_minmax": _fit_minmax_symmetric, "minmax": _minmax_symmetric})
normaliser_ndim_unchecked = Control(
    "normaliser_ndim_unchecked", "surviving mutant of reference/normalization.py (_check_2d without ndim=2)",
    "data of any number of dimensions accepted", _every_normaliser(_check_2d=_check_2d_any))
normaliser_finiteness_unchecked = Control(
    "normaliser_finiteness_unchecked", "surviving mutant of reference/_validation.py (as_float_array's finiteness check)",
    "NaN and inf data normalised", _every_normaliser(as_float_array=_as_float_array_nonfinite))
normaliser_data_cast_to_float = Control(
    "normaliser_data_cast_to_float", "plausible bug (np.asarray(x, dtype=float) as the check)",
    "data cast to float64 first: numerals in strings parsed, imaginary parts dropped",
    _every_normaliser(as_float_array=_as_float_array_cast))
zscore_eps_unchecked = Control(
    "zscore_eps_unchecked", "surviving mutant of reference/normalization.py (_fit_zscore's eps check without lo)",
    "eps used as given: a negative eps accepted",
    {n: with_patched(n, "normalization", check_in_range=_eps_any) for n in ("fit_zscore", "zscore")})
zscore_eps_refused_with_type_error = Control(
    "zscore_eps_refused_with_type_error",
    "surviving mutant of reference/_validation.py (check_in_range formats the missing upper bound with :g)",
    "a negative eps raises TypeError (the message fails to build) instead of ValueError",
    {n: with_patched(n, "normalization", check_in_range=_eps_type_error) for n in ("fit_zscore", "zscore")})
minmax_range_lo_equal_hi_accepted = Control(
    "minmax_range_lo_equal_hi_accepted", "surviving mutant of reference/normalization.py (_check_range with lo <= hi)",
    "feature_range checked with lo <= hi (and no finiteness check): (1, 1) accepted",
    {n: with_patched(n, "normalization", _check_range=_range_closed) for n in ("fit_minmax", "minmax")})
minmax_range_unchecked = Control(
    "minmax_range_unchecked", "plausible bug (no argument check)", "any feature_range used as given",
    {n: with_patched(n, "normalization", _check_range=_range_any) for n in ("fit_minmax", "minmax")})
apply_zscore_broadcasts_features = Control(
    "apply_zscore_broadcasts_features", "plausible bug (no feature-count check)",
    "apply_zscore broadcasts (x - mean) / std: data with fewer features use the first statistics, a single "
    "feature is standardised by every feature's statistics", {"apply_zscore": _apply_zscore_broadcast})
apply_minmax_feature_check_index_error = Control(
    "apply_minmax_feature_check_index_error",
    "surviving mutant of reference/normalization.py (_apply_minmax's message reads data_min.shape[1])",
    "a feature-count mismatch raises IndexError instead of ValueError", {"apply_minmax": _apply_minmax_index_error})


def _to_dtype_inf(out, dtype, func, name="the result"):
    with np.errstate(over="ignore"):
        return out.astype(np.dtype(dtype), copy=False)


def _to_dtype_type_error(out, dtype, func, name="the result"):
    # to_result_dtype whose message reads np.isfinite(None): a TypeError instead of the ValueError
    with np.errstate(over="ignore"):
        res = out.astype(np.dtype(dtype), copy=False)
    if not np.isfinite(res).all():
        np.isfinite(None)
    return res


result_overflows_to_inf = Control(
    "result_overflows_to_inf", "plausible bug (a cast without a range check)",
    "the normalised values cast to the input's dtype as they are: beyond 65504 a float16 output is inf",
    {n: with_patched(n, "normalization", to_result_dtype=_to_dtype_inf) for n in ("minmax", "apply_zscore", "apply_minmax")})
result_overflow_refused_with_type_error = Control(
    "result_overflow_refused_with_type_error",
    "surviving mutant of reference/_numerics.py (to_result_dtype's message from np.isfinite(None))",
    "a result beyond the output dtype raises TypeError (the message fails to build) instead of ValueError",
    {n: with_patched(n, "normalization", to_result_dtype=_to_dtype_type_error)
     for n in ("minmax", "apply_zscore", "apply_minmax")})
