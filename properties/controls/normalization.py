"""Negative controls for input normalisation (seeds 000, 003, 004)."""

from __future__ import annotations

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
