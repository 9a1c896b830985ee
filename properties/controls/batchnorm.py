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


# --- momentum 1, the defaults and the contract laws ---------------------------------------------------

from properties.controls.averages import _as_float_array_nonfinite, _general_step  # noqa: E402
from properties.controls._patch import patched_all, with_patched  # noqa: E402

_RUNNING_NAMES = ("batchnorm_running_update", "batchnorm_running_stats")
_EVERY_BN = ("batchnorm_forward", "batchnorm_inference", *_RUNNING_NAMES)


def _bn_patched(names, **replacements):
    return patched_all(names, "batchnorm", **replacements)


def _with_defaults(name, **defaults):
    """reference ``name`` whose omitted keyword arguments take ``defaults`` (a changed default)."""
    def call(*args, **kw):
        import reference
        return getattr(reference, name)(*args, **{**defaults, **kw})
    return call


def _range_any(value, func, name, *args, **kwargs):
    return float(value)


def _range_type_error(value, func, name, lo=None, hi=None, **kwargs):
    # check_in_range without an upper bound whose message formats f"{None:g}": a TypeError
    from reference._validation import check_finite_scalar, check_in_range
    if hi is not None:
        return check_in_range(value, func, name, lo, hi, **kwargs)
    v = check_finite_scalar(value, func, name)
    if lo is not None and v < lo:
        raise TypeError("unsupported format string passed to NoneType.__format__")
    return v


def _range_hi_two(value, func, name, lo=None, hi=None, **kwargs):
    from reference._validation import check_in_range
    return check_in_range(value, func, name, lo, 2.0 if hi == 1.0 else hi, **kwargs)


def _check_x_any_ndim(x, func, *, training, name="x"):
    from reference._validation import as_float_array
    return as_float_array(x, func, name)


def _check_x_not_training(x, func, *, training, name="x"):
    from reference.batchnorm import _check_x
    return _check_x(x, func, training=False, name=name)


def _inference_clamped(x, running_mean, running_var, gamma, beta, eps=1e-5):
    import reference
    return reference.batchnorm_inference(x, running_mean, np.maximum(np.asarray(running_var, dtype=np.float64), 0.0),
                                         gamma, beta, eps)


def _check_running_no_var(running, func, c):
    # every check of _check_running but running.var >= 0
    from reference.batchnorm import BatchNormRunning, _check_running
    var = np.asarray(running.var, dtype=np.float64)
    checked = _check_running(running._replace(var=np.abs(var)), func, c)
    return BatchNormRunning(checked.mean, var, checked.count)


def _check_running_both(running, func, c):
    # the shape check fires only when mean and var both have the wrong shape ('and' for 'or')
    from reference.batchnorm import BatchNormRunning, _check_running
    mean = np.asarray(running.mean, dtype=np.float64)
    var = np.asarray(running.var, dtype=np.float64)
    if mean.shape != (c,) and var.shape != (c,):
        return _check_running(running, func, c)
    good = _check_running(BatchNormRunning(np.resize(mean, c), np.resize(var, c), running.count), func, c)
    return BatchNormRunning(mean, var, good.count)


def _choice_any_string(value, func, name, allowed):
    if not isinstance(value, str):
        raise ValueError(f"{func}: {name} must be a string; got {value!r}")
    return value


running_ema_step_always_in_general_form = Control(
    "running_ema_step_always_in_general_form",
    "surviving mutant of reference/_numerics.py (ema_update without its alpha = 1 branch)",
    "the running statistics' EMA step computed as avg + delta (v - avg), also at delta = 1, where it rounds",
    _bn_patched(_RUNNING_NAMES, ema_update=_general_step))
defaults_keras_eps = Control(
    "defaults_keras_eps", "plausible bug (Keras's default as the interface's)",
    "batchnorm_forward and batchnorm_inference default to eps = 1e-3 (Keras) instead of 1e-5 (PyTorch)",
    {n: _with_defaults(n, eps=1e-3) for n in ("batchnorm_forward", "batchnorm_inference")})
defaults_biased_running_variance = Control(
    "defaults_biased_running_variance", "surviving mutant of reference/batchnorm.py (unbiased defaults to False)",
    "the running statistics default to the biased batch variance (Keras) instead of the unbiased one (PyTorch)",
    {n: _with_defaults(n, unbiased=False) for n in _RUNNING_NAMES})
defaults_running_from_zeros_ones = Control(
    "defaults_running_from_zeros_ones", "surviving mutant of reference/batchnorm.py (init defaults to 'zeros_ones')",
    "batchnorm_running_stats starts from (0, 1) by default instead of the first batch",
    {"batchnorm_running_stats": _with_defaults("batchnorm_running_stats", init="zeros_ones")})
defaults_momentum_weights_old = Control(
    "defaults_momentum_weights_old", "plausible bug (Keras's convention as the default)",
    "momentum weights the old value by default (0.1 then keeps 10% of the running statistics)",
    {n: _with_defaults(n, momentum_weights="old") for n in _RUNNING_NAMES})
bn_eps_unchecked = Control(
    "bn_eps_unchecked", "surviving mutant of reference/batchnorm.py (the eps >= 0 check removed)",
    "eps used as given: a negative or NaN eps accepted",
    _bn_patched(("batchnorm_forward", "batchnorm_inference"), check_in_range=_range_any))
bn_eps_refused_with_type_error = Control(
    "bn_eps_refused_with_type_error",
    "surviving mutant of reference/_validation.py (check_in_range formats the missing upper bound with :g)",
    "a negative eps raises TypeError (the message fails to build) instead of ValueError",
    _bn_patched(("batchnorm_forward", "batchnorm_inference"), check_in_range=_range_type_error))
bn_momentum_unchecked = Control(
    "bn_momentum_unchecked", "surviving mutant of reference/batchnorm.py (the momentum check removed)",
    "momentum used as given: -0.1, 1.5 and NaN accepted", _bn_patched(_RUNNING_NAMES, check_in_range=_range_any))
bn_momentum_up_to_two = Control(
    "bn_momentum_up_to_two", "surviving mutant of reference/batchnorm.py (momentum checked against [0, 2])",
    "a momentum in (1, 2] accepted", _bn_patched(_RUNNING_NAMES, check_in_range=_range_hi_two))
bn_ndim_unchecked = Control(
    "bn_ndim_unchecked", "surviving mutant of reference/batchnorm.py (_check_x without ndim)",
    "batches of any number of dimensions accepted", _bn_patched(_EVERY_BN, _check_x=_check_x_any_ndim))
bn_finiteness_unchecked = Control(
    "bn_finiteness_unchecked", "surviving mutant of reference/_validation.py (as_float_array's finiteness check)",
    "NaN and inf in a batch normalised and folded in", _bn_patched(_EVERY_BN, as_float_array=_as_float_array_nonfinite))
running_batch_of_one_accepted = Control(
    "running_batch_of_one_accepted", "surviving mutant of reference/batchnorm.py (_running_update with training=False)",
    "the running statistics fold in a batch of one value per channel",
    _bn_patched(_RUNNING_NAMES, _check_x=_check_x_not_training))
negative_running_variance_clamped = Control(
    "negative_running_variance_clamped", "plausible bug (clamping instead of refusing)",
    "a negative running variance is clamped to 0 in inference and kept as given in the running update",
    {"batchnorm_inference": _inference_clamped,
     "batchnorm_running_update": with_patched("batchnorm_running_update", "batchnorm", _check_running=_check_running_no_var)})
running_shape_checked_only_when_both_wrong = Control(
    "running_shape_checked_only_when_both_wrong",
    "surviving mutant of reference/batchnorm.py (_check_running's shape check with 'and')",
    "a running mean or variance of the wrong shape accepted when the other one is right (length 1 broadcasts)",
    {"batchnorm_running_update": with_patched("batchnorm_running_update", "batchnorm", _check_running=_check_running_both)})
running_options_any_string = Control(
    "running_options_any_string", "surviving mutant of reference/_validation.py (check_choice with 'or')",
    "any string accepted for momentum_weights and init (anything but 'new' weights the old value, anything but "
    "'zeros_ones' starts from the batch)", _bn_patched(_RUNNING_NAMES, check_choice=_choice_any_string))


def _running_update_unchecked_overflow(running, x, momentum, momentum_weights, unbiased, func, name):
    # the reference's _running_update without its check that the batch variance fits float64
    import reference.batchnorm as bn
    from reference._numerics import feature_moments
    x = bn._check_x(x, func, training=True, name=name)
    momentum = bn.check_in_range(momentum, func, "momentum", lo=0.0, hi=1.0)
    bn.check_choice(momentum_weights, func, "momentum_weights", ("new", "old"))
    c = x.shape[1]
    if running is not None:
        running = bn._check_running(running, func, c)
    mo = feature_moments(bn._as_rows(x))
    mean = (mo.mean_hi + mo.mean_lo) * mo.scale
    var = mo.var * (mo.n / (mo.n - 1)) if unbiased else mo.var
    with np.errstate(over="ignore", under="ignore"):
        var = var * mo.scale * mo.scale
    if running is None:
        return bn.BatchNormRunning(mean, var, 1)
    delta = momentum if momentum_weights == "new" else 1.0 - momentum
    with np.errstate(over="ignore", invalid="ignore"):
        return bn.BatchNormRunning(running.mean + delta * (mean - running.mean), running.var + delta * (var - running.var),
                                   running.count + 1)


def _running_update_overflow_type_error(running, x, momentum, momentum_weights, unbiased, func, name):
    # the check's message formatted from np.max(np.abs(None)): a TypeError instead of the ValueError
    import reference.batchnorm as bn
    out = _running_update_unchecked_overflow(running, x, momentum, momentum_weights, unbiased, func, name)
    if not np.isfinite(out.var).all():
        np.abs(None)
    return out


running_variance_overflows_to_inf = Control(
    "running_variance_overflows_to_inf", "plausible bug (no check that the batch variance fits)",
    "a batch variance beyond the float64 maximum folded in as inf",
    _bn_patched(_RUNNING_NAMES, _running_update=_running_update_unchecked_overflow))
running_variance_overflow_refused_with_type_error = Control(
    "running_variance_overflow_refused_with_type_error",
    "surviving mutant of reference/batchnorm.py (_running_update's overflow message from None)",
    "a batch variance beyond the float64 maximum raises TypeError (the message fails to build) instead of ValueError",
    _bn_patched(_RUNNING_NAMES, _running_update=_running_update_overflow_type_error))
