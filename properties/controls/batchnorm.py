"""Negative controls for batch normalisation (seed 001 and plausible bugs)."""

from __future__ import annotations

import numpy as np

from properties._law import Control


def _rows(x):
    x = np.asarray(x, dtype=np.float64)
    return x if x.ndim == 2 else np.moveaxis(x, 1, 2).reshape(-1, x.shape[1])


def _unrows(r, shape):
    if len(shape) == 2:
        return r
    n, c, length = shape
    return np.moveaxis(r.reshape(n, length, c), 2, 1)


def _forward_with(var_fn, *, eps_outside=False):
    """A training forward whose batch variance is ``var_fn(centered rows)``."""
    import reference

    def forward(x, gamma, beta, eps=1e-5):
        x64 = np.asarray(x, dtype=np.float64)
        r = _rows(x64)
        if r.shape[0] < 2:
            raise ValueError("batchnorm_forward: x must have at least 2 values per channel")
        mu = r.mean(axis=0)
        c = r - mu
        var = var_fn(c)
        with np.errstate(invalid="ignore", divide="ignore"):
            std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
            inv = 1.0 / std
            xh = c * inv
        g, b = np.asarray(gamma, dtype=np.float64), np.asarray(beta, dtype=np.float64)
        y = xh * g + b
        cache = reference.BatchNormCache(_unrows(xh, x64.shape), inv, g, mu, var, r.shape[0], float(eps))
        return _unrows(y, x64.shape), cache

    return forward


# seed 001: sigma_B^2 = (1/m) sum (x_i - mu_B) -- the square is missing (the sum is ~0).
_fwd_no_square = _forward_with(lambda c: c.mean(axis=0))
_fwd_unbiased = _forward_with(lambda c: (c * c).sum(axis=0) / (c.shape[0] - 1))
_fwd_eps_outside = _forward_with(lambda c: (c * c).mean(axis=0), eps_outside=True)


def _fwd_batch_of_one_returns_beta(x, gamma, beta, eps=1e-5):
    # Accepts a batch of one and returns beta (x_hat = 0): silently degenerate.
    import reference
    x64 = np.asarray(x, dtype=np.float64)
    if _rows(x64).shape[0] == 1:
        return reference.batchnorm_forward(np.concatenate([x64, x64]), gamma, beta, eps)[0][:1], None
    return reference.batchnorm_forward(x, gamma, beta, eps)


def _bwd_no_mean_terms(dy, cache):
    # dx = gamma / sqrt(var + eps) * dy: treats mu_B and sigma_B as constants.
    import reference
    dx, dgamma, dbeta = reference.batchnorm_backward(dy, cache)
    g = _rows(dy)
    return _unrows((cache.gamma * cache.inv_std) * g, np.shape(dy)), dgamma, dbeta


def _bwd_no_xhat_term(dy, cache):
    # Drops the term through sigma_B: dx = gamma/sqrt(var + eps) (dy - mean(dy)).
    import reference
    dx, dgamma, dbeta = reference.batchnorm_backward(dy, cache)
    g = _rows(dy)
    return _unrows((cache.gamma * cache.inv_std) * (g - g.mean(axis=0)), np.shape(dy)), dgamma, dbeta


def _running_update_with(*, delta_on_old=False, ignore_unbiased=False, ignore_weights=False, no_square=False):
    import reference

    def update(running, x, momentum=0.1, *, momentum_weights="new", unbiased=True):
        r = _rows(x)
        m = r.shape[0]
        mean = r.mean(axis=0)
        c = r - mean
        var = c.mean(axis=0) if no_square else (c * c).mean(axis=0)
        if unbiased and not ignore_unbiased:
            var = var * m / (m - 1)
        if running is None:
            return reference.BatchNormRunning(mean, var, 1)
        delta = momentum if (momentum_weights == "new" or ignore_weights) else 1.0 - momentum
        if delta_on_old:
            delta = 1.0 - delta
        return reference.BatchNormRunning((1 - delta) * running.mean + delta * mean,
                                          (1 - delta) * running.var + delta * var, running.count + 1)

    def stats(batches, momentum=0.1, *, momentum_weights="new", unbiased=True, init="batch"):
        batches = list(batches)
        running = reference.batchnorm_running_init(np.shape(batches[0])[1]) if init == "zeros_ones" else None
        for b in batches:
            running = update(running, b, momentum, momentum_weights=momentum_weights, unbiased=unbiased)
        return running

    return {"batchnorm_running_update": update, "batchnorm_running_stats": stats}


def _inference_beta_on_the_last_axis(x, running_mean, running_var, gamma, beta, eps=1e-5):
    """Frozen-statistics batch norm whose beta is added with shape (C,): right for (N, C),
    broadcast along L for (N, C, L) (a surviving mutant of the reference, issue 16)."""
    x = np.asarray(x, dtype=np.float64)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
    scale = (np.asarray(gamma, dtype=np.float64) / np.sqrt(np.asarray(running_var, dtype=np.float64) + eps)).reshape(shape)
    return (x - np.asarray(running_mean, dtype=np.float64).reshape(shape)) * scale + np.asarray(beta, dtype=np.float64)


def _inference_uses_batch_statistics(x, running_mean, running_var, gamma, beta, eps=1e-5):
    import reference
    return reference.batchnorm_forward(x, gamma, beta, eps)[0]


def _inference_eps_outside(x, running_mean, running_var, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
    s = (np.sqrt(np.asarray(running_var)) + eps).reshape(shape)
    return (x - np.asarray(running_mean).reshape(shape)) / s * np.asarray(gamma).reshape(shape) + np.asarray(beta).reshape(shape)


no_guard_at_eps_0 = Control(
    "no_guard_at_eps_0", "plausible bug (torch's F.batch_norm formula without its eps > 0 requirement)",
    "x_hat = (x - mean) / sqrt(var + eps) evaluated as written: a constant channel at eps = 0 gives 0/0 = NaN",
    {"batchnorm_forward": _forward_with(lambda c: (c * c).mean(axis=0))},
    correct="the eps -> 0 limit: x_hat = 0, y = beta")
variance_without_square = Control(
    "variance_without_square", "seed 001 (sigma_B^2 = 1/m sum (x_i - mu_B))",
    "batch variance written without the square (a sum of deviations, ~0)",
    {"batchnorm_forward": _fwd_no_square, **_running_update_with(no_square=True)},
    correct="σ²_B = (1/m) Σ_i (x_i − μ_B)² (biased, per feature)")
unbiased_forward = Control(
    "unbiased_forward", "plausible bug (ddof=1 habit; torch stores it, but normalises with the biased one)",
    "training forward normalising with the unbiased m/(m-1) variance",
    {"batchnorm_forward": _fwd_unbiased})
eps_outside_sqrt = Control(
    "eps_outside_sqrt", "plausible bug", "x_hat = (x - mu) / (sqrt(var) + eps), training and inference",
    {"batchnorm_forward": _fwd_eps_outside, "batchnorm_inference": _inference_eps_outside})
batch_of_one_returns_beta = Control(
    "batch_of_one_returns_beta", "plausible bug", "training on a batch of one silently returns beta",
    {"batchnorm_forward": _fwd_batch_of_one_returns_beta})
dx_without_mean_terms = Control(
    "dx_without_mean_terms", "plausible bug (treating the batch statistics as constants)",
    "dx = gamma / sqrt(var + eps) * dy", {"batchnorm_backward": _bwd_no_mean_terms})
dx_without_xhat_term = Control(
    "dx_without_xhat_term", "plausible bug", "dx missing the -x_hat * mean(dy * x_hat) term (through sigma_B)",
    {"batchnorm_backward": _bwd_no_xhat_term})
momentum_on_old_value = Control(
    "momentum_on_old_value", "plausible bug (Keras's convention where PyTorch's is asked, conventions.md 6)",
    "the momentum weights the old running value instead of the new batch",
    _running_update_with(delta_on_old=True))
running_var_biased = Control(
    "running_var_biased", "plausible bug", "running variance folds in the biased variance even when unbiased=True",
    _running_update_with(ignore_unbiased=True))
momentum_convention_ignored = Control(
    "momentum_convention_ignored", "plausible bug", "momentum_weights='old' treated like 'new'",
    _running_update_with(ignore_weights=True))
inference_uses_batch_statistics = Control(
    "inference_uses_batch_statistics", "plausible bug (forgetting eval mode)",
    "inference normalises with the batch's own statistics instead of the frozen ones",
    {"batchnorm_inference": _inference_uses_batch_statistics})


# --- issue 16: a large channel shift in float32 ------------------------------------------------------

def _fwd_one_pass_in_input_dtype(x, gamma, beta, eps=1e-5):
    # One-pass moments E[x^2] - E[x]^2 accumulated in the input's dtype (a float32 kernel): under
    # an offset the difference cancels to noise, negative as often as not (then NaN).
    import reference
    x = np.asarray(x)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    r = x.astype(dt) if x.ndim == 2 else np.moveaxis(x, 1, 2).reshape(-1, x.shape[1]).astype(dt)
    if r.shape[0] < 2:
        raise ValueError("batchnorm_forward: x must have at least 2 values per channel")
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = r.mean(axis=0, dtype=dt)
        var = (r * r).mean(axis=0, dtype=dt) - mu * mu
        inv = 1 / np.sqrt(var + dt.type(eps))
        xh = (r - mu) * inv
    g, b = np.asarray(gamma, dtype=np.float64), np.asarray(beta, dtype=np.float64)
    y = (xh.astype(np.float64) * g + b).astype(dt)
    cache = reference.BatchNormCache(_unrows(xh.astype(np.float64), x.shape), inv.astype(np.float64), g,
                                     mu.astype(np.float64), var.astype(np.float64), r.shape[0], float(eps))
    return _unrows(y, x.shape), cache


one_pass_moments_in_float32 = Control(
    "one_pass_moments_in_float32", "plausible bug (a single-precision kernel with one-pass moments)",
    "batch variance as E[x^2] - E[x]^2 accumulated in the input's dtype (float32)",
    {"batchnorm_forward": _fwd_one_pass_in_input_dtype},
    correct="two passes (mean, then the mean of squared deviations), or Welford, accumulated in at least float32 "
            "(the reference: corrected two-pass in float64)")
inference_beta_on_the_last_axis = Control(
    "inference_beta_on_the_last_axis", "surviving mutant of reference/batchnorm.py (issue 16)",
    "beta added with shape (C,), which broadcasts along L for (N, C, L) input",
    {"batchnorm_inference": _inference_beta_on_the_last_axis})


def _inference_without_overflow_fallback(x, running_mean, running_var, gamma, beta, eps=1e-5):
    # gamma (x - mean) / sqrt(var + eps) + beta as written: x - mean overflows for x and mean of
    # opposite signs near the float64 maximum, although y fits.
    x = np.asarray(x, dtype=np.float64)
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
    ch = lambda v: np.asarray(v, dtype=np.float64).reshape(shape)  # noqa: E731
    with np.errstate(over="ignore", invalid="ignore"):
        return (x - ch(running_mean)) * (ch(gamma) / np.sqrt(ch(running_var) + eps)) + ch(beta)


inference_without_overflow_fallback = Control(
    "inference_without_overflow_fallback", "plausible bug (the affine map evaluated as written)",
    "inference batch norm computing x - mean in natural units: inf where x and the mean lie on opposite sides "
    "near the float64 maximum, although y fits",
    {"batchnorm_inference": _inference_without_overflow_fallback})


def _running_stats_count_from_one(batches, momentum=0.1, *, momentum_weights="new", unbiased=True, init="batch"):
    # The first batch counted twice when it initialises the statistics (count 1, then + 1 per batch).
    import reference
    r = reference.batchnorm_running_stats(batches, momentum, momentum_weights=momentum_weights, unbiased=unbiased,
                                          init=init)
    return r._replace(count=r.count + 1) if init == "batch" else r


running_count_from_one = Control(
    "running_count_from_one", "plausible bug (off-by-one batch count)",
    "running statistics started from the first batch count it twice: count = batches + 1",
    {"batchnorm_running_stats": _running_stats_count_from_one})


def _forward_cache_var_in_scaled_units(x, gamma, beta, eps=1e-5):
    # The cache's variance left in the units of the power-of-two scale the moments were computed
    # in (a surviving mutant of the reference: var * scale / scale).
    import reference
    from reference._numerics import pow2_scale
    y, cache = reference.batchnorm_forward(x, gamma, beta, eps)
    r = _rows(x)
    s = pow2_scale(np.max(np.abs(r), axis=0))
    return y, cache._replace(var=cache.var / (s * s))


cache_statistics_in_scaled_units = Control(
    "cache_statistics_in_scaled_units", "surviving mutant of reference/batchnorm.py",
    "the cache's batch variance left in the units of the power-of-two scale of the moments (wrong outside "
    "[2^-400, 2^400])",
    {"batchnorm_forward": _forward_cache_var_in_scaled_units})


def _inference_float64(x, running_mean, running_var, gamma, beta, eps=1e-5):
    import reference
    return np.asarray(reference.batchnorm_inference(x, running_mean, running_var, gamma, beta, eps), dtype=np.float64)


inference_always_float64 = Control(
    "inference_always_float64", "plausible bug", "inference batch norm returned in float64 for float32 input",
    {"batchnorm_inference": _inference_float64})
