"""Laws of batch normalisation (seed 001; Ioffe & Szegedy 2015; conventions.md section 6).

Target names used:

* ``batchnorm_forward(x, gamma, beta, eps) -> (y, cache)`` (training mode; ``cache`` is
  opaque to the laws except through ``batchnorm_backward``, and for one law that reads its
  batch variance ``cache.var`` and so also needs the class ``BatchNormCache``);
* ``batchnorm_backward(dy, cache) -> (dx, dgamma, dbeta)``;
* ``batchnorm_inference(x, running_mean, running_var, gamma, beta, eps) -> y``;
* ``batchnorm_running_update(running, x, momentum, *, momentum_weights, unbiased)`` with
  ``running`` None (start from this batch) or a state from ``batchnorm_running_init(C)``
  or a previous update, exposing ``.mean`` and ``.var``;
* ``batchnorm_running_stats(batches, momentum, *, momentum_weights, unbiased, init)``.

``x`` is ``(N, C)`` or ``(N, C, L)``; statistics are per channel over the m = N (N * L)
values, with the biased variance and eps inside the root in training.

Tolerances: like z-scoring (``properties/laws/normalization.py``), the normalised values
carry an error of about ``(m + 2) eps kappa`` with ``kappa = max|x| / sqrt(var + eps)``, the
conditioning of the channel; channels with kappa > 1e6 are "constant within rounding" and
only finiteness is required of them.

A target may raise ``NotImplementedError`` for an option it does not have (PyTorch stores
only the unbiased running variance); the running-statistics laws then check it on the
options it has.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from properties import stats
from properties._law import LawViolation, law, per_technique
from properties.controls import batchnorm as ctl
from properties.laws._contract import refuses, unchanged
from properties.laws._tolerance import EPS64, column_stats
from properties.strategies import dyadic_matrices, feature_matrices, finite_floats

KAPPA_MAX = 1e6
EPSILONS = st.sampled_from([0.0, 1e-5, 1e-3, 0.1, 1.0])


def _gamma_beta(data, c):
    mags = hnp.arrays(np.float64, (c,), elements=st.floats(0.1, 4.0))
    signs = hnp.arrays(np.float64, (c,), elements=st.sampled_from([-1.0, 1.0]))
    gamma = data.draw(mags, label="|gamma|") * data.draw(signs, label="sign(gamma)")
    beta = data.draw(hnp.arrays(np.float64, (c,), elements=st.floats(-5.0, 5.0)), label="beta")
    return gamma, beta


def _to_3d(rows):
    """(m, C) rows -> (m // 2, C, 2) with the same values per channel (m even)."""
    m, c = rows.shape
    return np.moveaxis(rows.reshape(m // 2, 2, c), 2, 1)


def _rows(a, shape, what):
    a = np.asarray(a, dtype=np.float64)
    if a.shape != shape:
        raise LawViolation(f"{what}: out.shape={a.shape}, but should be {shape}")
    if not np.all(np.isfinite(a)):
        raise LawViolation(f"{what}: returned non-finite values for finite input: {a!r}")
    return a if a.ndim == 2 else np.moveaxis(a, 1, 2).reshape(-1, a.shape[1])


def _oracle(x, eps):
    """Exactly rounded per-channel mean and biased variance, x_hat, kappa (float64)."""
    mu, var, mag = column_stats(x)
    s = np.sqrt(var + eps)
    if eps == 0:
        # sqrt of a subnormal variance has few digits (x ~ 1e-160): take the root of the
        # variance of the channel scaled by a power of two near its magnitude (exact), then scale back
        p = np.ldexp(1.0, np.frexp(np.where(mag > 0, mag, 1.0))[1])
        s = np.sqrt(column_stats(np.asarray(x, dtype=np.float64) / p)[1]) * p
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(s > 0, mag / np.where(s > 0, s, 1.0), np.inf)
        xh = (x - mu) / np.where(s > 0, s, 1.0)
    return mu, var, s, kappa, xh


def _avoid_constant_channel_at_eps_0(x, eps):
    """Laws about something else draw no constant channel at eps = 0: that premise (0/0) is
    the law ``batchnorm_of_a_constant_channel_at_eps_0_is_beta``."""
    if eps == 0 and np.any(np.ptp(np.asarray(x), axis=0) == 0):
        reject()


def _layout(x, as_3d):
    return _to_3d(x) if as_3d and x.shape[0] % 2 == 0 else x


@law(needs=("batchnorm_forward",), x=feature_matrices(max_rows=16, max_cols=4, bound=1e3), eps=EPSILONS,
     as_3d=st.booleans(), data=st.data(),
     controls=(ctl.variance_without_square, ctl.unbiased_forward, ctl.eps_outside_sqrt))
def batchnorm_training_output_has_mean_beta_and_variance_gamma2_s2_over_s2_plus_eps(t, x, eps, as_3d, data):
    """Per channel, the training output has mean ``beta`` and population variance
    ``gamma^2 s^2 / (s^2 + eps)``, s^2 the biased batch variance (seed 001; Ioffe & Szegedy
    2015, Algorithm 1).

    Tolerances per channel: mean ``8 (m + 2) eps (|gamma| kappa + |beta|)`` and variance
    ``16 (m + 2) eps (gamma^2 kappa + |gamma| |beta|)``: the x_hat error ``(m + 2) eps kappa``
    scaled by gamma, plus the rounding of ``gamma x_hat + beta``.
    """
    _avoid_constant_channel_at_eps_0(x, eps)
    c = x.shape[1]
    gamma, beta = _gamma_beta(data, c)
    xin = _layout(x, as_3d)
    y, _ = t.batchnorm_forward(xin, gamma, beta, eps=eps)
    yr = _rows(y, xin.shape, f"batchnorm_forward(eps={eps})")
    _, var, _, kappa, _ = _oracle(x, eps)
    my, vy, _ = column_stats(yr)
    m = x.shape[0]
    for j in np.flatnonzero(kappa <= KAPPA_MAX):
        g, b = abs(gamma[j]), abs(beta[j])
        tol_m = 8 * (m + 2) * EPS64 * (g * kappa[j] + b)
        # the ratio first: gamma^2 * var rounds in the subnormal range when var is tiny
        # (x[:, 0] = [2.67e-160, 0], eps = 0: 2.24993 instead of 2.25); at eps = 0 the ratio is
        # exactly 1 (no constant channel is drawn then), even where var itself underflows to 0
        want_v = gamma[j] ** 2 * (1.0 if eps == 0 else var[j] / (var[j] + eps))
        tol_v = 16 * (m + 2) * EPS64 * (g * g * kappa[j] + g * b)
        if abs(my[j] - beta[j]) > tol_m or abs(vy[j] - want_v) > tol_v:
            raise LawViolation(f"batchnorm_forward(eps={eps}) channel {j}: mean {my[j]!r}, variance {vy[j]!r}; should be "
                               f"beta={beta[j]!r} and gamma^2 s^2/(s^2 + eps)={want_v!r} (tol {tol_m:.2g}, {tol_v:.2g}) "
                               f"[x[:, {j}]={x[:, j]!r}, gamma={gamma[j]!r}]")


@law(needs=("batchnorm_forward",), x=dyadic_matrices(max_rows=16, max_cols=4), eps=st.sampled_from([0.0, 1e-5, 1e-3, 0.5]),
     data=st.data(), controls=(ctl.variance_without_square, ctl.eps_outside_sqrt))
def batchnorm_output_is_invariant_to_positive_affine_maps_of_each_channel(t, x, eps, data):
    """``BN(a x + b; eps) = BN(x; eps / a^2)`` for a > 0 per channel: exact invariance when
    eps = 0 (the normalisation removes any per-channel shift and positive scale), and with
    eps > 0 the scale only rescales eps (a common a for all channels then, since eps is one
    number).

    The data are dyadic, a is a power of two and b dyadic, so ``a x + b`` and ``eps / a^2``
    are exact and any difference is the target's rounding: tolerance
    ``16 (m + 2) eps kappa |gamma| + 4 eps |beta|`` with kappa the worse of the two inputs.
    """
    _avoid_constant_channel_at_eps_0(x, eps)
    c = x.shape[1]
    gamma, beta = _gamma_beta(data, c)
    ks = np.array(data.draw(st.lists(st.integers(-6, 6), min_size=c, max_size=c), label="log2(a)"))
    if eps > 0:
        ks[:] = ks[0]
    a = np.ldexp(1.0, ks)
    b = np.array(data.draw(st.lists(st.sampled_from([0.0, -3.0, 7.5, 1024.0]), min_size=c, max_size=c), label="b"))
    eps2 = eps / float(a[0]) ** 2 if eps > 0 else 0.0
    y1 = _rows(t.batchnorm_forward(a * x + b, gamma, beta, eps=eps)[0], x.shape, f"batchnorm_forward(a*x + b, eps={eps})")
    y0 = _rows(t.batchnorm_forward(x, gamma, beta, eps=eps2)[0], x.shape, f"batchnorm_forward(x, eps={eps2})")
    k0 = _oracle(x, eps2)[3]
    k1 = _oracle(a * x + b, eps)[3]
    _, var, _ = column_stats(x)
    m = x.shape[0]
    for j in range(c):
        kappa = max(k0[j], k1[j])
        if var[j] == 0 or kappa > KAPPA_MAX:
            continue
        tol = 16 * (m + 2) * EPS64 * kappa * abs(gamma[j]) + 4 * EPS64 * abs(beta[j])
        err = np.max(np.abs(y1[:, j] - y0[:, j]))
        if err > tol:
            raise LawViolation(f"BN(a*x + b; eps={eps}) != BN(x; eps/a^2={eps2}) on channel {j} (a={a[j]}, b={b[j]}): "
                               f"max difference {err:.3g} > {tol:.2g} [x[:, {j}]={x[:, j]!r}]")


@law(needs=("batchnorm_forward",), x=dyadic_matrices(max_rows=16, max_cols=3), value=st.integers(-2**20, 2**20),
     as_3d=st.booleans(), data=st.data(), controls=(ctl.no_guard_at_eps_0,))
def batchnorm_of_a_constant_channel_at_eps_0_is_beta(t, x, value, as_3d, data):
    """With ``eps = 0``, a channel whose values are all equal comes out as ``beta`` exactly.

    Its centred values are exactly 0 (the values are dyadic, so the mean is exact) and its
    variance is 0, so ``x_hat = 0 / sqrt(0)``; for every ``eps > 0`` it is ``0 / sqrt(eps) =
    0`` and ``y = beta``, the limit the law asks for. A NaN (0/0) is this law's finding; the
    other batch-norm laws draw no constant channel at eps = 0. Exact.
    """
    x = np.hstack([np.full((x.shape[0], 1), value / 2**10), x])
    gamma, beta = _gamma_beta(data, x.shape[1])
    xin = _layout(x, as_3d)
    y = np.asarray(t.batchnorm_forward(xin, gamma, beta, eps=0.0)[0], dtype=np.float64)
    if y.shape != xin.shape:
        raise LawViolation(f"batchnorm_forward(eps=0): out.shape={y.shape}, but should be {xin.shape}")
    col = y[:, 0]
    if not np.all(col == beta[0]):
        raise LawViolation(f"batchnorm_forward(eps=0) constant channel 0 (value {value / 2**10!r}): got {col.ravel()!r}; "
                           f"should be beta = {beta[0]!r} everywhere (the eps -> 0 limit of 0 / sqrt(eps))")


@law(needs=("batchnorm_inference",), x=feature_matrices(max_rows=8, max_cols=4, bound=1e3),
     eps=st.sampled_from([0.0, 1e-5, 1e-3]), length=st.sampled_from([None, None, 2, 5]), data=st.data(),
     controls=(ctl.inference_uses_batch_statistics, ctl.eps_outside_sqrt, ctl.inference_beta_on_the_last_axis))
def batchnorm_inference_is_a_per_channel_affine_map_of_each_sample(t, x, eps, length, data):
    """With frozen statistics the layer is ``y = gamma (x - mean) / sqrt(var + eps) + beta``,
    an affine map of each channel applied to each sample on its own (seed 001: "all
    parameters are kept constant"; a batch of one gives the same row). ``length``: the input
    is ``(N, C, L)`` (``x`` plus ``0, 1, ..., L - 1`` along the last axis), each channel along
    axis 1.

    Oracle: the affine map in float64; tolerance ``8 eps (|gamma| (|x| + |mean|) /
    sqrt(var + eps) + |beta|) + 4 * 2^-1074`` (a handful of roundings of that expression; where
    a term is subnormal, as a running mean of 2.2e-309, each rounds by up to half a unit of
    2^-1074 instead, which no relative bound covers).
    """
    c = x.shape[1]
    gamma, beta = _gamma_beta(data, c)
    rm = data.draw(hnp.arrays(np.float64, (c,), elements=st.floats(-1e3, 1e3)), label="running_mean")
    rv = data.draw(hnp.arrays(np.float64, (c,), elements=st.floats(1e-3, 1e3)), label="running_var")
    s = np.sqrt(rv + eps)
    if length is not None:
        x3 = x[:, :, None] + np.arange(length)[None, None, :]
        ch = lambda v: v[None, :, None]  # noqa: E731
        try:
            out3 = np.asarray(t.batchnorm_inference(x3, rm, rv, gamma, beta, eps=eps), dtype=np.float64)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - (N, C, L) is a valid layout
            raise LawViolation(f"batchnorm_inference of (N, C, L) = {x3.shape} input raised {type(exc).__name__}: {exc}; "
                               f"the channel axis is 1 in both layouts") from exc
        if out3.shape != x3.shape:
            raise LawViolation(f"batchnorm_inference of (N, C, L) = {x3.shape} input gave shape {out3.shape}")
        want3 = ch(gamma) * (x3 - ch(rm)) / ch(s) + ch(beta)
        tol3 = 8 * EPS64 * (np.abs(ch(gamma)) * (np.abs(x3) + np.abs(ch(rm))) / ch(s) + np.abs(ch(beta))) + 4 * 2.0**-1074
        if np.any(np.abs(out3 - want3) > tol3):
            i, j, k = np.unravel_index(np.argmax(np.abs(out3 - want3) - tol3), out3.shape)
            raise LawViolation(f"batchnorm_inference[{i}, {j}, {k}] of (N, C, L) input = {out3[i, j, k]!r}; the frozen "
                               f"affine map of channel {j} gives {want3[i, j, k]!r} (tol {tol3[i, j, k]:.2g})")
        return
    out = _rows(t.batchnorm_inference(x, rm, rv, gamma, beta, eps=eps), x.shape, "batchnorm_inference")
    want = gamma * (x - rm) / s + beta
    tol = 8 * EPS64 * (np.abs(gamma) * (np.abs(x) + np.abs(rm)) / s + np.abs(beta)) + 4 * 2.0**-1074
    if np.any(np.abs(out - want) > tol):
        i, j = np.unravel_index(np.argmax(np.abs(out - want) - tol), out.shape)
        raise LawViolation(f"batchnorm_inference[{i}, {j}] = {out[i, j]!r}; the frozen affine map gives {want[i, j]!r} "
                           f"(tol {tol[i, j]:.2g}) [x={x!r}]")
    for i in range(x.shape[0]):
        try:
            one = t.batchnorm_inference(x[i:i + 1], rm, rv, gamma, beta, eps=eps)
        except Exception as exc:  # noqa: BLE001 - inference must accept a single sample
            raise LawViolation(f"batchnorm_inference of a single sample (row {i}) raised {type(exc).__name__}: {exc}; "
                               f"inference with frozen statistics must accept a batch of one") from exc
        row = _rows(one, (1, c), "batchnorm_inference(one row)")
        if np.any(np.abs(row[0] - out[i]) > tol[i]):
            raise LawViolation(f"batchnorm_inference of row {i} alone gives {row[0]!r}, inside the batch {out[i]!r}")


def _ema_weights(delta: float, T: int, init: str):
    """Weights of the T batch statistics in the running value, and of the initial value."""
    r = 1.0 - delta
    if init == "batch":
        w = [r ** (T - 1)] + [delta * r ** (T - k) for k in range(2, T + 1)]
        return np.array(w), 0.0
    return np.array([delta * r ** (T - k) for k in range(1, T + 1)]), r**T


#: At least this many replicate channels: the running variance is a weighted sum of
#: chi-square variables (skewness about 0.4 for m = 4, momentum 0.1), so its channel mean
#: is skewed by 0.4/sqrt(C); with C >= 1000 the one-term Edgeworth correction puts the
#: z-test's false-alarm rate within a factor 1.3 of the nominal 1e-7.
N_STREAMS_MIN = 1000


@functools.lru_cache(maxsize=64)
def _streams_needed(momentum: float, m: int, unbiased: bool, init: str, T: int) -> int:
    """Replicates giving power >= 1 - 1e-6 (at alpha 1e-7 a check) against the named
    alternatives: the momentum weighting the old value (changes Var of the running mean by
    the ratio of sum w^2) and the other variance estimator (shifts E[running var] by
    W s^2 / m)."""
    w, _ = _ema_weights(momentum, T, init)
    w_alt, _ = _ema_weights(1.0 - momentum, T, init)
    ratio = float(np.sum(w_alt**2) / np.sum(w**2))
    var_sb = 2.0 / (m - 1) if unbiased else 2.0 * (m - 1) / m**2  # Var[s_B^2] / sigma^4
    shift = float(np.sum(w)) / m / math.sqrt(float(np.sum(w**2)) * var_sb)
    n = N_STREAMS_MIN
    while min(stats.variance_power(n, ratio), stats.mean_power(n, shift)) < 1 - stats.BETA:
        n += n // 4
    return n


@law(needs=("batchnorm_running_stats",), seed=stats.seeds(), momentum=st.sampled_from([0.1, 0.3]),
     m=st.sampled_from([4, 8]), unbiased=st.booleans(), init=st.sampled_from(["batch", "zeros_ones"]),
     mu=st.floats(-5, 5), sigma=st.floats(0.5, 3.0), statistical=True,
     controls=(ctl.momentum_on_old_value, ctl.running_var_biased, ctl.variance_without_square))
def batchnorm_running_statistics_converge_to_the_population_statistics(t, seed, momentum, m, unbiased, init,
                                                                       mu, sigma):
    """On a stationary stream of T = 40 batches of m values from N(mu, sigma^2), the running
    statistics (momentum weighting the new batch, seed 001 / PyTorch) are the EMA of the
    batch statistics, so, with weights w_k (and w0 on the initial (0, 1) for
    ``init="zeros_ones"``, w0 = (1 - momentum)^T, the transient):

    * running mean ~ N(W mu, sigma^2 / m * sum w_k^2) exactly (W = sum w_k = 1 - w0);
    * E[running var] = W sigma^2 c + w0 with c = 1 (unbiased) or (m - 1)/m (biased), and
      Var = sum w_k^2 Var[s_B^2] (Var = 2 sigma^4/(m - 1), resp. 2 sigma^4 (m - 1)/m^2).

    Independent channels are the replicates. Checks (alpha = 1e-7 each): z-test and exact
    chi-square on the running means, z-test (CLT over >= 1000 channels; false-alarm rate
    within a factor 1.3 of nominal, see N_STREAMS_MIN) on the running variances. The channel count is sized for power >= 1 - 1e-6 against the momentum
    weighting the old value and against the other variance estimator (``_streams_needed``).
    """
    T = 40
    C = _streams_needed(momentum, m, unbiased, init, T)
    rng = stats.rng_from(seed)
    batches = [rng.normal(mu, sigma, size=(m, C)) for _ in range(T)]
    r = t.batchnorm_running_stats(batches, momentum, momentum_weights="new", unbiased=unbiased,
                                                     init=init)
    rm = np.asarray(r.mean, dtype=np.float64)
    rv = np.asarray(r.var, dtype=np.float64)
    w, w0 = _ema_weights(momentum, T, init)
    W, W2 = float(np.sum(w)), float(np.sum(w**2))
    cvar = 1.0 if unbiased else (m - 1) / m
    var_sb = 2 * sigma**4 / (m - 1) if unbiased else 2 * sigma**4 * (m - 1) / m**2
    repro = ("from properties import load_target\nfrom properties.laws.batchnorm import "
             "batchnorm_running_statistics_converge_to_the_population_statistics as law\n"
             f"law(load_target('reference'), seed={seed}, momentum={momentum}, m={m}, unbiased={unbiased}, init={init!r}, mu={mu!r}, sigma={sigma!r})")
    what = f"momentum={momentum}, m={m}, unbiased={unbiased}, init={init}, T={T}, C={C}"
    stats.check_mean(rm, W * mu, std=sigma * math.sqrt(W2 / m), what=f"running mean, {what}", seed=seed, repro=repro)
    stats.check_variance(rm, sigma**2 * W2 / m, mean=W * mu, what=f"running mean, {what}", seed=seed, repro=repro)
    stats.check_mean(rv, W * sigma**2 * cvar + w0, std=math.sqrt(W2 * var_sb), what=f"running var, {what}",
                     seed=seed, repro=repro)


def _momenta():
    return st.one_of(st.sampled_from([0.0, 1.0, 0.1, 0.99, 0.5]), st.floats(0.0, 1.0))


@law(needs=("batchnorm_running_update", "batchnorm_running_init"), c=st.integers(1, 3), k=st.integers(1, 4),
     momentum=_momenta(), weights=st.sampled_from(["new", "old"]), unbiased=st.booleans(),
     init=st.sampled_from(["batch", "zeros_ones"]), data=st.data(),
     controls=(ctl.momentum_on_old_value, ctl.running_var_biased, ctl.variance_without_square,
               ctl.momentum_convention_ignored))
def batchnorm_running_update_follows_the_momentum_recursion(t, c, k, momentum, weights, unbiased, init, data):
    """Model-based: after each batch, ``running <- (1 - d) running + d stat_B`` with
    ``d = momentum`` ("new": seed 001, PyTorch) or ``1 - momentum`` ("old": Keras), stat_B the
    batch mean and the unbiased ``m/(m-1)`` (PyTorch) or biased (Keras) variance; starting
    from the first batch's statistics (seed 001) or from (0, 1) (frameworks).

    Oracle: the recursion on exactly rounded batch statistics. Tolerance after k batches
    ``8 (m + 2)(k + 1) eps M`` for the mean and ``16 (m + 2)(k + 1) eps (M^2 + 1)`` for the
    variance, M the largest |x|: each batch statistic carries ``(m + 2) eps`` relative to
    its scale and each EMA step a few roundings.
    """
    batches = [data.draw(feature_matrices(min_rows=2, max_rows=8, min_cols=c, max_cols=c, bound=1e3), label=f"batch{i}")
               for i in range(k)]
    running = None if init == "batch" else t.batchnorm_running_init(c)
    want_m, want_v = (None, None) if init == "batch" else (np.zeros(c), np.ones(c))
    d = momentum if weights == "new" else 1.0 - momentum
    mag, mmax = 0.0, 2
    for i, b in enumerate(batches):
        running = t.batchnorm_running_update(running, b, momentum, momentum_weights=weights,
                                                                unbiased=unbiased)
        mu, var, bmag = column_stats(b)
        if unbiased:
            var = var * b.shape[0] / (b.shape[0] - 1)
        mag, mmax = max(mag, float(bmag.max())), max(mmax, b.shape[0])
        if want_m is None:
            want_m, want_v = mu, var
        else:
            want_m, want_v = (1 - d) * want_m + d * mu, (1 - d) * want_v + d * var
        got_m, got_v = np.asarray(running.mean, dtype=np.float64), np.asarray(running.var, dtype=np.float64)
        tol_m = 8 * (mmax + 2) * (i + 2) * EPS64 * mag
        tol_v = 16 * (mmax + 2) * (i + 2) * EPS64 * (mag * mag + 1)
        if got_m.shape != (c,) or np.any(~(np.abs(got_m - want_m) <= tol_m)) or np.any(~(np.abs(got_v - want_v) <= tol_v)):
            raise LawViolation(f"running statistics after batch {i + 1} (momentum={momentum}, weights={weights!r}, "
                               f"unbiased={unbiased}, init={init}): mean {got_m!r}, var {got_v!r}; the recursion gives "
                               f"{want_m!r}, {want_v!r} (tol {tol_m:.2g}, {tol_v:.2g})")


@law(needs=("batchnorm_running_update",), c=st.integers(1, 3), q=st.integers(0, 1024), unbiased=st.booleans(),
     data=st.data(), controls=(ctl.momentum_convention_ignored,))
def converting_momentum_between_conventions_is_exact(t, c, q, unbiased, data):
    """PyTorch momentum ``m`` (weights the new batch) and Keras momentum ``1 - m`` (weights
    the old value) give the same running statistics (conventions.md section 6:
    ``m_keras = 1 - m_torch``; torch's 0.1 is Keras's 0.9, not its default 0.99).

    ``m = q / 1024`` is dyadic, so ``1 - m`` is exact; the two updates may differ only in how
    the EMA is rounded: tolerance ``4 eps (|running| + |batch statistic|)``.
    """
    mom = q / 1024
    b0 = data.draw(feature_matrices(min_rows=2, max_rows=8, min_cols=c, max_cols=c, bound=1e3), label="batch0")
    b1 = data.draw(feature_matrices(min_rows=2, max_rows=8, min_cols=c, max_cols=c, bound=1e3), label="batch1")
    r0 = t.batchnorm_running_update(None, b0, mom, momentum_weights="new", unbiased=unbiased)
    new = t.batchnorm_running_update(r0, b1, mom, momentum_weights="new", unbiased=unbiased)
    old = t.batchnorm_running_update(r0, b1, 1.0 - mom, momentum_weights="old", unbiased=unbiased)
    mag = float(np.abs(b1).max())
    for name in ("mean", "var"):
        a, b = np.asarray(getattr(new, name), dtype=np.float64), np.asarray(getattr(old, name), dtype=np.float64)
        scale = np.abs(np.asarray(getattr(r0, name), dtype=np.float64)) + (mag if name == "mean" else 2 * mag * mag)
        tol = 4 * EPS64 * scale
        if a.shape != b.shape or np.any(np.abs(a - b) > tol):
            raise LawViolation(f"running {name}: momentum {mom} weighting the new batch gives {a!r}, momentum "
                               f"{1 - mom} weighting the old value gives {b!r}; they must agree (tol {np.max(tol):.2g})")


@law(needs=("batchnorm_forward", "batchnorm_backward"), x=feature_matrices(max_rows=16, max_cols=4, bound=1e3),
     eps=EPSILONS, as_3d=st.booleans(), data=st.data(),
     controls=(ctl.dx_without_mean_terms, ctl.dx_without_xhat_term))
def batchnorm_backward_satisfies_the_sum_identities(t, x, eps, as_3d, data):
    """The analytic backward obeys, per channel (Ioffe & Szegedy 2015, section 3):

    ``dbeta = sum dy``, ``dgamma = sum dy x_hat``, ``sum_batch dx = 0`` (the output does not
    change when a constant is added to the channel) and
    ``sum_batch dx x_hat = gamma dgamma eps / (s^2 + eps)^(3/2)`` -- 0 for eps = 0 only (the
    issue's ``sum dx x_hat = 0`` holds exactly only without eps: with eps the output is not
    invariant to scaling the channel).

    Oracle: x_hat from exactly rounded statistics, sums with ``math.fsum``. Tolerances per
    channel from the conditioning: x_hat carries ``(m + 2) eps kappa``, dx entries are at
    most ``G = |gamma| / s max|dy| (1 + max|x_hat|)^2``, so the sums allow
    ``16 m (m + 2) eps kappa G`` (times ``1 + max|x_hat|`` for the second) and the
    parameter gradients ``8 (m + 2) eps kappa sum|dy|``.
    """
    _avoid_constant_channel_at_eps_0(x, eps)
    c = x.shape[1]
    gamma, beta = _gamma_beta(data, c)
    dy = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-10, 10)), label="dy")
    xin, dyin = _layout(x, as_3d), _layout(dy, as_3d)
    _, cache = t.batchnorm_forward(xin, gamma, beta, eps=eps)
    dx, dgamma, dbeta = t.batchnorm_backward(dyin, cache)
    dxr = _rows(dx, xin.shape, "batchnorm_backward dx")
    dgamma, dbeta = np.asarray(dgamma, dtype=np.float64).ravel(), np.asarray(dbeta, dtype=np.float64).ravel()
    if dgamma.shape != (c,) or dbeta.shape != (c,):
        raise LawViolation(f"batchnorm_backward: dgamma, dbeta shapes {dgamma.shape}, {dbeta.shape}; should be ({c},)")
    _, var, s, kappa, xh = _oracle(x, eps)
    m = x.shape[0]
    for j in np.flatnonzero(kappa <= KAPPA_MAX):
        g_j, d_j, xh_j, dx_j = gamma[j], dy[:, j], xh[:, j], dxr[:, j]
        want_db = math.fsum(d_j)
        want_dg = math.fsum(d_j * xh_j)
        tol_p = 8 * (m + 2) * EPS64 * max(kappa[j], 1.0) * math.fsum(np.abs(d_j)) + 1e-300
        big = 1 + np.abs(xh_j).max()
        G = abs(g_j) / s[j] * np.abs(d_j).max() * big**2
        tol_s = 16 * m * (m + 2) * EPS64 * max(kappa[j], 1.0) * G + 1e-300
        s1 = math.fsum(dx_j)
        s2 = math.fsum(dx_j * xh_j)
        # gamma dgamma eps / s^3, written so that no intermediate overflows or underflows to
        # 0/0 (s >= sqrt(eps), so sqrt(eps) / s <= 1; a subnormal s cubed is 0)
        want_s2 = g_j * want_dg / s[j] * (math.sqrt(eps) / s[j]) ** 2 if eps else 0.0
        problems = []
        if abs(dbeta[j] - want_db) > tol_p:
            problems.append(f"dbeta={dbeta[j]!r} != sum dy={want_db!r}")
        if abs(dgamma[j] - want_dg) > tol_p:
            problems.append(f"dgamma={dgamma[j]!r} != sum dy*x_hat={want_dg!r}")
        if abs(s1) > tol_s:
            problems.append(f"sum dx={s1!r} != 0")
        if abs(s2 - want_s2) > tol_s * big:
            problems.append(f"sum dx*x_hat={s2!r} != gamma*dgamma*eps/(s^2+eps)^1.5={want_s2!r}")
        if problems:
            raise LawViolation(f"batchnorm_backward channel {j} (eps={eps}): " + "; ".join(problems)
                               + f" (tol {tol_p:.2g}, {tol_s:.2g}) [x[:, {j}]={x[:, j]!r}, dy[:, {j}]={d_j!r}]")


@law(needs=("batchnorm_forward",), x=feature_matrices(min_rows=1, max_rows=1, max_cols=4), as_3d=st.booleans(),
     controls=(ctl.batch_of_one_returns_beta,))
def training_on_a_batch_of_one_is_rejected(t, x, as_3d):
    """A training batch with one value per channel raises ValueError (PyTorch: "Expected
    more than 1 value per channel when training"): its variance is 0, its output would be
    beta whatever the input, and the unbiased running variance would divide by 0.
    """
    xin = x[:, :, None] if as_3d else x
    c = x.shape[1]
    try:
        t.batchnorm_forward(xin, np.ones(c), np.zeros(c), eps=1e-5)
    except ValueError:
        return
    except Exception as exc:  # noqa: BLE001 - any other failure is the wrong kind of error
        raise LawViolation(f"batchnorm_forward on a batch of one (shape {xin.shape}) raised {type(exc).__name__}: {exc}; "
                           f"should raise ValueError") from exc
    raise LawViolation(f"batchnorm_forward accepted a batch of one (shape {xin.shape}); it should raise ValueError")


# --- a large channel shift in float32 (issue 16) ------------------------------------------------------

#: Offset of the shifted channel: float32 holds 1e4 + k / 2^10 exactly for |k| < 2^13 (the
#: spacing of float32 in [8192, 16384) is 2^-10), so the shifted batch is exact.
OFFSET32 = 1e4
EPS32 = float(np.finfo(np.float32).eps)


@st.composite
def _float32_batches(draw_):
    """(x, channel): an (m, C) float32 batch of m ~ 1e3 values k / 2^10 per channel, |k| < 2^j
    (j = 8..12: spread 0.14 to 2.3), and the channel to shift."""
    seed = draw_(st.integers(0, 2**32 - 1), label="seed")
    m, c = draw_(st.integers(900, 1100), label="m"), draw_(st.integers(1, 3), label="C")
    j = draw_(st.integers(8, 12), label="j")
    x = np.random.default_rng(seed).integers(-(2**j) + 1, 2**j, size=(m, c)) / 2.0**10
    return x.astype(np.float32), draw_(st.integers(0, c - 1), label="channel")


def _shifted(x, channel, sign):
    y = x.copy()
    y[:, channel] += np.float32(sign * OFFSET32)
    return y


@law(needs=("batchnorm_forward",), batch=_float32_batches(), sign=st.sampled_from([1.0, -1.0]),
     eps=st.sampled_from([0.0, 1e-5, 1e-3]),
     controls=(ctl.one_pass_moments_in_float32,))
def batchnorm_float32_is_invariant_to_a_large_channel_shift(t, batch, sign, eps):
    """Training-mode batch norm of a float32 batch is invariant to adding a constant
    (``+-1e4``) to one channel: the output of every channel is unchanged within
    ``(2 log2(m) + 8) eps32 kappa (1 + |y|)``, ``kappa = max|x + c| / sqrt(sigma^2 + eps)`` the
    conditioning of the shifted channel (about 1e3 values a channel; gamma 1, beta 0).

    The data are k / 2^10 with ``|x| < 4``, so ``x + 1e4`` is exact in float32 and any
    difference is the target's. A two-pass (or Welford) computation in float32 misplaces the
    mean by about ``log2(m) eps32 max|x + c|`` (pairwise summation), ``kappa`` times that in
    the output; the reference (float64) meets it with room. The one-pass ``E[x^2] - E[x]^2``
    in float32 loses ``eps32 kappa^2`` relative in the variance - everything here, kappa being
    4e3 to 7e4.
    """
    x, channel = batch
    xs = _shifted(x, channel, sign)
    c = x.shape[1]
    gamma, beta = np.ones(c), np.zeros(c)
    y0 = _rows(t.batchnorm_forward(x, gamma, beta, eps=eps)[0], x.shape, "batchnorm_forward (unshifted)")
    y1 = _rows(t.batchnorm_forward(xs, gamma, beta, eps=eps)[0], x.shape, f"batchnorm_forward (channel {channel} + {sign * OFFSET32:g})")
    _, var, mag = column_stats(xs.astype(np.float64))
    kappa = mag / np.sqrt(var + eps)
    m = x.shape[0]
    for j in range(c):
        tol = (2 * math.log2(m) + 8) * EPS32 * kappa[j] * (1 + np.abs(y0[:, j]))
        err = np.abs(y1[:, j] - y0[:, j])
        if np.any(err > tol):
            i = int(np.argmax(err - tol))
            raise LawViolation(f"batchnorm_forward(float32, channel {channel} + {sign * OFFSET32:g}, eps={eps}): channel {j} "
                               f"output changed by {err[i]:.3g} > {tol[i]:.3g} at row {i} (kappa={kappa[j]:.3g}, m={m})")


@law(needs=("batchnorm_forward", "BatchNormCache"), batch=_float32_batches(), sign=st.sampled_from([1.0, -1.0]),
     eps=st.sampled_from([0.0, 1e-5, 1e-3]),
     controls=(ctl.one_pass_moments_in_float32,))
def batchnorm_batch_variance_is_never_negative(t, batch, sign, eps):
    """The batch variance of training-mode batch norm (``cache.var``, the biased variance the
    running statistics fold in) is never negative, here on float32 batches of about 1e3 values
    a channel with one channel shifted by ``+-1e4`` (where ``E[x^2] - E[x]^2`` cancels and its
    rounding error is as likely negative as positive). A variance is a mean of squares:
    exact (no tolerance), and finite.
    """
    x, channel = batch
    c = x.shape[1]
    for what, data in (("unshifted", x), (f"channel {channel} + {sign * OFFSET32:g}", _shifted(x, channel, sign))):
        _, cache = t.batchnorm_forward(data, np.ones(c), np.zeros(c), eps=eps)
        var = np.asarray(cache.var, dtype=np.float64)
        if var.shape != (c,) or not np.all(np.isfinite(var)) or np.any(var < 0):
            raise LawViolation(f"batchnorm_forward(float32 batch, {what}, eps={eps}): cache.var = {var!r}; a variance is "
                               f"finite and never negative")


# --- inference near the float64 maximum ------------------------------------------------------------

#: Unit of the values of the overflow law: integers |a| <= 127 times 2^1017 stay below 2^1024, and
#: a difference of two of them (up to 254 * 2^1017) can exceed the float64 maximum.
_UNIT_EXP = 1017


@st.composite
def _overflowing_inference(draw):
    """``(a, b, k, gamma, beta)``: x = a 2^1017 of shape (N, C) or (N, C, L) with L not C, the
    running mean b 2^1017 (|b| in [64, 127]), the running variance 4^k (k in [500, 511]).
    Sample 0 of every channel lies on the other side of the mean (|x - mean| >= 191 2^1017
    overflows), sample 1 (N >= 2) equals the mean."""
    n, c = draw(st.integers(1, 4), label="N"), draw(st.integers(1, 3), label="C")
    length = draw(st.sampled_from([None, c + 1, c + 2]), label="L")
    shape = (n, c) if length is None else (n, c, length)
    a = draw(hnp.arrays(np.float64, shape, elements=st.integers(-127, 127).map(float)), label="a")
    sign = draw(hnp.arrays(np.float64, (c,), elements=st.sampled_from([-1.0, 1.0])), label="sign")
    b = sign * draw(hnp.arrays(np.float64, (c,), elements=st.integers(64, 127).map(float)), label="|b|")
    ch = (lambda v: v[None, :]) if length is None else (lambda v: v[None, :, None])  # noqa: E731
    a[0:1] = np.broadcast_to(ch(-127.0 * sign), a[0:1].shape)
    if n >= 2:
        a[1:2] = np.broadcast_to(ch(b), a[1:2].shape)
    k = draw(hnp.arrays(np.int64, (c,), elements=st.integers(500, 511)), label="k")
    mags = st.one_of(st.just(0.0), st.floats(0.1, 4.0), st.floats(-4.0, -0.1))
    gamma = draw(hnp.arrays(np.float64, (c,), elements=mags), label="gamma")
    beta = np.ldexp(draw(hnp.arrays(np.float64, (c,), elements=st.floats(-8.0, 8.0)), label="beta/2^518"), 518)
    return a, b, k, gamma, beta


@law(needs=("batchnorm_inference",), case=_overflowing_inference(), eps=st.sampled_from([0.0, 1e-5, 1e-3]),
     controls=(ctl.inference_without_overflow_fallback,))
def batchnorm_inference_fits_where_x_minus_the_mean_overflows(t, case, eps):
    """Inference batch norm ``y = gamma (x - mean) / sqrt(var + eps) + beta`` is finite and
    right when ``x - mean`` exceeds the float64 maximum but y fits: x and the running mean
    near +-2^1024 on opposite sides, ``sqrt(var) >= 2^500`` (seed 001's frozen affine map;
    every finite input whose output fits has that output).

    The data are ``a 2^1017`` and ``b 2^1017`` with integers a, b and the variance ``4^k``, so
    ``x - mean = (a - b) 2^1017`` and ``sqrt(var + eps) = 2^k`` exactly (eps is below half an
    ulp of the variance). Oracle ``gamma (a - b) 2^(1017 - k) + beta``; tolerance that of
    the affine-map law, ``8 eps (|gamma| (|x| + |mean|) / sqrt(var + eps) + |beta|)``.
    """
    a, b, k, gamma, beta = case
    ch = (lambda v: v[None, :]) if a.ndim == 2 else (lambda v: v[None, :, None])  # noqa: E731
    x, rm, rv = np.ldexp(a, _UNIT_EXP), np.ldexp(b, _UNIT_EXP), np.ldexp(1.0, 2 * k)
    what = f"batchnorm_inference(x = a 2^{_UNIT_EXP} of shape {x.shape}, mean = {b} 2^{_UNIT_EXP}, var = 4^{k}, eps={eps})"
    try:
        out = np.asarray(t.batchnorm_inference(x, rm, rv, gamma, beta, eps=eps), dtype=np.float64)
    except (ValueError, ArithmeticError) as exc:
        raise LawViolation(f"{what} raised {type(exc).__name__}: {exc}; the output fits float64") from exc
    if out.shape != x.shape:
        raise LawViolation(f"{what}: out.shape={out.shape}, but should be {x.shape}")
    shift = (_UNIT_EXP - k).astype(np.int64)
    want = ch(gamma) * np.ldexp(a - ch(b), ch(shift)) + ch(beta)
    tol = 8 * EPS64 * (np.abs(ch(gamma)) * np.ldexp(np.abs(a) + np.abs(ch(b)), ch(shift)) + np.abs(ch(beta)))
    bad = ~(np.abs(out - want) <= tol)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise LawViolation(f"{what}, gamma={gamma!r}, beta={beta!r}: out{list(idx)} = {out[idx]!r}; the frozen affine "
                           f"map gives {want[idx]!r} (tol {tol[idx]:.2g})")


# --- the batch count of the running statistics ---------------------------------------------------------

@st.composite
def _batch_sequences(draw):
    """1 to 4 batches of C channels, all (N, C) with N >= 2 or all (N, C, L) with N >= 1, L >= 2
    (a single sequence of L >= 2 values per channel is a valid training batch)."""
    c, k = draw(st.integers(1, 3), label="C"), draw(st.integers(1, 4), label="batches")
    three_d = draw(st.booleans(), label="(N, C, L)")
    shapes = st.tuples(st.integers(1, 2), st.just(c), st.integers(2, 3)) if three_d else \
        st.tuples(st.integers(2, 4), st.just(c))
    return [draw(hnp.arrays(np.float64, draw(shapes), elements=st.integers(-8, 8).map(float)), label=f"batch {i}")
            for i in range(k)]


@law(needs=("batchnorm_running_stats", "batchnorm_running_update", "batchnorm_running_init"),
     batches=_batch_sequences(), momentum=st.sampled_from([0.1, 0.5, 1.0]), unbiased=st.booleans(),
     init=st.sampled_from(["batch", "zeros_ones"]), controls=(ctl.running_count_from_one,))
def batchnorm_running_count_is_the_number_of_batches_folded_in(t, batches, momentum, unbiased, init):
    """``count`` of the running statistics is the number of training batches folded in (PyTorch's
    ``num_batches_tracked``): 0 for ``batchnorm_running_init(C)``, k after k batches, whichever
    start (``init="batch"``: the first batch is the start; ``"zeros_ones"``: it is folded into
    (0, 1)) and whichever layout ((N, C) or (N, C, L), a batch of one sequence included).
    Exact integers."""
    c = batches[0].shape[1]
    kw = dict(momentum_weights="new", unbiased=unbiased)
    fresh = t.batchnorm_running_init(c)
    if fresh.count != 0:
        raise LawViolation(f"batchnorm_running_init({c}).count = {fresh.count!r}; no batch has been folded in: 0")
    r = t.batchnorm_running_update(fresh, batches[0], momentum, **kw)
    if r.count != 1:
        raise LawViolation(f"batchnorm_running_update(batchnorm_running_init({c}), batch of shape {batches[0].shape}).count "
                           f"= {r.count!r}; one batch folded in: 1")
    shapes = [b.shape for b in batches]
    try:
        got = t.batchnorm_running_stats(batches, momentum, init=init, **kw).count
    except (ValueError, IndexError, TypeError) as exc:
        raise LawViolation(f"batchnorm_running_stats(batches of shapes {shapes}, init={init!r}) raised "
                           f"{type(exc).__name__}: {exc}; every batch has at least 2 values per channel") from exc
    if got != len(batches):
        raise LawViolation(f"batchnorm_running_stats({len(batches)} batches of shapes {shapes}, init={init!r}).count = "
                           f"{got!r}; should be {len(batches)}")


# --- the statistics the training forward pass keeps --------------------------------------------------

@st.composite
def _batches_at_every_magnitude(draw):
    """(m, C) batches of integers |a| < 2^20 times 2^k_j per channel, k_j near 2^-1000, 1, or up
    to 2^480 (squares and sums of squares of the values stay finite)."""
    m, c = draw(st.integers(2, 8), label="m"), draw(st.integers(1, 3), label="C")
    a = draw(hnp.arrays(np.float64, (m, c), elements=st.integers(1 - 2**20, 2**20 - 1).map(float)), label="a")
    ks = draw(st.lists(st.one_of(st.integers(-1000, -950), st.just(0), st.integers(400, 480)), min_size=c, max_size=c),
              label="k")
    return np.ldexp(a, np.array(ks)[None, :])


@law(needs=("batchnorm_forward", "BatchNormCache"), x=_batches_at_every_magnitude(),
     eps=st.sampled_from([1e-5, 1e-3, 0.1]), controls=(ctl.cache_statistics_in_scaled_units,))
def batchnorm_cache_holds_the_batch_statistics_at_every_magnitude(t, x, eps):
    """The training forward pass keeps the statistics it normalised with (Ioffe & Szegedy 2015,
    Algorithm 1; what the backward pass and the running statistics use): ``cache.mean`` the
    batch mean, ``cache.var`` the biased batch variance, ``cache.inv_std = 1 / sqrt(var + eps)``,
    per channel, in natural units at every magnitude (channels near 2^-1000, 1 and 2^500 in
    one batch).

    Oracle: ``math.fsum`` two-pass mean and variance (``column_stats``). Tolerances from the
    conditioning of m values of magnitude M: mean ``2 (m + 2) eps M``; variance
    ``4 (m + 2) eps (M^2 + eps)`` (a variance computed from values of size M carries
    ``m eps M^2``; ``1 / inv_std^2 - eps`` adds ``eps (var + eps)``); inv_std relative
    ``2 (m + 2) eps (M^2 + eps) / (var + eps) + 4 eps`` (half the variance's relative error
    in var + eps, plus the square root and the division).
    """
    c = x.shape[1]
    _, cache = t.batchnorm_forward(x, np.ones(c), np.zeros(c), eps=eps)
    mean, var, inv_std = (np.asarray(getattr(cache, f), dtype=np.float64).reshape(-1)
                          for f in ("mean", "var", "inv_std"))
    mu, v, mag = column_stats(x)
    m = x.shape[0]
    checks = (("mean", mean, mu, 2 * (m + 2) * EPS64 * mag),
              ("var", var, v, 4 * (m + 2) * EPS64 * (mag * mag + eps)),
              ("inv_std", inv_std, 1 / np.sqrt(v + eps),
               (2 * (m + 2) * EPS64 * (mag * mag + eps) / (v + eps) + 4 * EPS64) / np.sqrt(v + eps)))
    for name, got, want, tol in checks:
        if got.shape != (c,):
            raise LawViolation(f"batchnorm_forward(eps={eps}): cache.{name}.shape = {got.shape}, but should be ({c},)")
        bad = ~(np.abs(got - want) <= tol)
        if np.any(bad):
            j = int(np.argmax(bad))
            raise LawViolation(f"batchnorm_forward(eps={eps}): cache.{name}[{j}] = {got[j]!r}; the batch's is {want[j]!r} "
                               f"(tol {tol[j]:.2g}) [x[:, {j}]={x[:, j]!r}]")


@law(needs=("batchnorm_forward", "batchnorm_inference"),
     x=feature_matrices(min_rows=2, max_rows=6, max_cols=3, bound=1e3),
     dtype=st.sampled_from(["float32", "float64", "int64", "int32"]), controls=(ctl.inference_always_float64,))
def batchnorm_output_keeps_the_floating_dtype_of_its_input(t, x, dtype):
    """float32 batch in -> float32 output (training and inference), float64 -> float64,
    integers -> float64 (normalised values are not integers: never truncated). Exact (a dtype)."""
    xin = x.astype(dtype)
    want = np.dtype("float64") if dtype.startswith("int") else np.dtype(dtype)
    c = x.shape[1]
    y = np.asarray(t.batchnorm_forward(xin, np.ones(c), np.zeros(c), eps=1e-3)[0])
    z = np.asarray(t.batchnorm_inference(xin, np.zeros(c), np.ones(c), np.ones(c), np.zeros(c), eps=1e-3))
    for name, out in (("batchnorm_forward", y), ("batchnorm_inference", z)):
        if out.dtype != want:
            raise LawViolation(f"{name} of a {dtype} batch: out.dtype={out.dtype}, but should be {want}")


# --- momentum 1 and the defaults ------------------------------------------------------------------

def _update_or_none(t, running, x, momentum, weights, unbiased):
    """The update, or None where the target does not start from a batch (Keras)."""
    try:
        return t.batchnorm_running_update(running, x, momentum, momentum_weights=weights, unbiased=unbiased)
    except NotImplementedError:
        return None


@law(needs=("batchnorm_running_update", "batchnorm_running_init"), x=feature_matrices(max_rows=8, max_cols=3, bound=1e3),
     weights=st.sampled_from(["new", "old"]), unbiased=st.booleans(), data=st.data(), max_examples=10,
     controls=(ctl.running_ema_step_always_in_general_form,))
def batchnorm_running_momentum_one_gives_the_batch_statistics_exactly(t, x, weights, unbiased, data):
    """With ``momentum = 1`` weighting the new batch (``momentum_weights="new"``; Keras's
    ``momentum = 0`` with ``"old"``) the running statistics after a batch are that batch's mean
    and variance, bit for bit, whatever the running statistics were: the EMA weight of the old
    value is exactly 0 (seed 001's EMA with delta = 1; PyTorch ``momentum=1.0``, which the
    reference's ``ema_update`` returns without rounding).

    Two previous states (the framework start (0, 1) and one of magnitude up to 1e6) must give
    identical results, and both equal the statistics of the batch alone (``running=None``)
    where the target starts from a batch. Exact: the general EMA form ``a + 1 (v - a)`` rounds
    and so depends on ``a``.
    """
    c = x.shape[1]
    momentum = 1.0 if weights == "new" else 0.0
    fresh = t.batchnorm_running_init(c)
    far = fresh._replace(mean=data.draw(hnp.arrays(np.float64, (c,), elements=st.floats(-1e6, 1e6)), label="mean"),
                         var=data.draw(hnp.arrays(np.float64, (c,), elements=st.floats(1e3, 1e6)), label="var"))
    a = t.batchnorm_running_update(fresh, x, momentum, momentum_weights=weights, unbiased=unbiased)
    b = t.batchnorm_running_update(far, x, momentum, momentum_weights=weights, unbiased=unbiased)
    first = _update_or_none(t, None, x, momentum, weights, unbiased)
    for name in ("mean", "var"):
        got_a, got_b = np.asarray(getattr(a, name)), np.asarray(getattr(b, name))
        want = got_a if first is None else np.asarray(getattr(first, name))
        if not (np.array_equal(got_a, want) and np.array_equal(got_b, want)):
            raise LawViolation(f"running {name} after one batch with momentum={momentum} (weights={weights!r}, "
                               f"unbiased={unbiased}): from (0, 1) {got_a!r}, from {getattr(far, name)!r} {got_b!r}"
                               + ("" if first is None else f", the batch alone {want!r}")
                               + "; the old value has weight 0, so all must be the batch statistics exactly")


#: Functions with documented defaults and the names each case needs.
_BN_DEFAULTED = {"batchnorm_forward": ("batchnorm_forward",), "batchnorm_inference": ("batchnorm_inference",),
                 "batchnorm_running_update": ("batchnorm_running_update", "batchnorm_running_init"),
                 "batchnorm_running_stats": ("batchnorm_running_stats",)}
#: The documented defaults (PyTorch's): eps 1e-5; momentum 0.1 weighting the new batch, the
#: unbiased running variance; running statistics started from the first batch.
BN_DEFAULTS = {"batchnorm_forward": {"eps": 1e-5}, "batchnorm_inference": {"eps": 1e-5},
               "batchnorm_running_update": {"momentum": 0.1, "momentum_weights": "new", "unbiased": True},
               "batchnorm_running_stats": {"momentum": 0.1, "momentum_weights": "new", "unbiased": True, "init": "batch"}}


def _bn_call(t, case, x, params, kw):
    c = x.shape[1]
    gamma, beta, rm, rv = params
    if case == "batchnorm_forward":
        return t.batchnorm_forward(x, gamma, beta, **kw)[0]
    if case == "batchnorm_inference":
        return t.batchnorm_inference(x, rm, rv, gamma, beta, **kw)
    if case == "batchnorm_running_update":
        r = t.batchnorm_running_update(t.batchnorm_running_init(c), x, **kw)
    else:
        r = t.batchnorm_running_stats([x, x[::-1] * 0.5], **kw)
    return np.concatenate([np.asarray(r.mean, dtype=np.float64), np.asarray(r.var, dtype=np.float64)])


@law(needs=(), cases=_BN_DEFAULTED, case=lambda c: st.just(c), x=feature_matrices(max_rows=8, max_cols=3, bound=10.0),
     data=st.data(), max_examples=10,
     controls=(ctl.defaults_keras_eps, ctl.defaults_biased_running_variance, ctl.defaults_running_from_zeros_ones,
               ctl.defaults_momentum_weights_old))
def batchnorm_defaults_to_the_documented_conventions(t, case, x, data):
    """Called with their defaults omitted, the batch-norm functions equal the calls with the
    documented defaults (PyTorch's) given explicitly, bit for bit: ``eps = 1e-5`` (not Keras's
    1e-3) in training and inference; ``momentum = 0.1`` weighting the new batch
    (``momentum_weights="new"``) and the unbiased running variance (``unbiased=True``) for the
    running statistics, which ``batchnorm_running_stats`` starts from the first batch
    (``init="batch"``, seed 001).

    A law about defaults (the others pass every argument): the interface's defaults, which an
    adapter maps onto its framework. Deterministic calls; no tolerance. The data are small
    (|x| <= 10), so eps and the variance's m/(m - 1) change the results.
    """
    _avoid_constant_channel_at_eps_0(x, 0.0)
    c = x.shape[1]
    gamma, beta = _gamma_beta(data, c)
    rm = data.draw(hnp.arrays(np.float64, (c,), elements=st.floats(-5.0, 5.0)), label="running_mean")
    rv = data.draw(hnp.arrays(np.float64, (c,), elements=st.floats(1e-3, 2.0)), label="running_var")
    got = np.asarray(_bn_call(t, case, x, (gamma, beta, rm, rv), {}))
    want = np.asarray(_bn_call(t, case, x, (gamma, beta, rm, rv), BN_DEFAULTS[case]))
    if got.shape != want.shape or not np.array_equal(got, want):
        raise LawViolation(f"{case} with its defaults gives {got.ravel()[:4].tolist()}...; with {BN_DEFAULTS[case]} "
                           f"given explicitly {want.ravel()[:4].tolist()}... [x={x.tolist()}]")


# --- contract: argument domains (tier contract) --------------------------------------------------

def _refused_bn(call, what, expect, *arrays):
    before = [np.array(a, copy=True) for a in arrays]
    refuses(call, what, expect)
    for b, a in zip(before, arrays):
        if b.dtype.kind in "fc":
            unchanged(b, a, f"{what}: an input")


def _batches():
    return feature_matrices(min_rows=2, max_rows=6, max_cols=3, bound=1e3)


#: eps below 0 (0 itself is allowed): the largest negative double, negative values, NaN, -inf.
BAD_BN_EPS = st.one_of(st.sampled_from([-5e-324, -1e-5, -1.0, math.nan, -math.inf]),
                       st.floats(-1e300, 0.0, exclude_max=True))


def _bn_eps_call(t, case, x, eps):
    c = x.shape[1]
    if case == "batchnorm_forward":
        return lambda: t.batchnorm_forward(x, np.ones(c), np.zeros(c), eps=eps)
    return lambda: t.batchnorm_inference(x, np.zeros(c), np.ones(c), np.ones(c), np.zeros(c), eps=eps)


@law(needs=(), cases=per_technique(("batchnorm_forward", "batchnorm_inference")), tier="contract",
     case=lambda c: st.just(c), x=_batches(), eps=BAD_BN_EPS, max_examples=10,
     controls=(ctl.bn_eps_unchecked, ctl.bn_eps_refused_with_type_error),
     examples=tuple({"_case": c, "case": c, "x": np.array([[1.0], [3.0]]), "eps": e}
                    for c in ("batchnorm_forward", "batchnorm_inference") for e in (-5e-324, math.nan)))
def batchnorm_eps_below_zero_is_refused(t, case, x, eps):
    """``eps``, added to the variance inside the square root, lies in ``[0, inf)`` in training and
    in inference: a negative eps can make ``var + eps`` negative (NaN outputs) or shrink the
    divisor below the standard deviation, and NaN is no value. It raises ``ValueError`` (the
    type is right), down to the smallest negative double; the batch stays unchanged.
    """
    _refused_bn(_bn_eps_call(t, case, x, eps), f"{case}(x, ..., eps={eps!r})", ValueError, x)


#: momentum outside [0, 1] (both ends are allowed): just below 0 and just above 1, beyond, NaN, inf.
BAD_MOMENTA = st.one_of(st.sampled_from([-5e-324, float(np.nextafter(1.0, 2.0)), -0.1, 1.5, 2.0, math.nan,
                                         math.inf, -math.inf]),
                        st.floats(-1e300, 0.0, exclude_max=True), st.floats(1.0, 1e300, exclude_min=True))


def _running_call(t, case, x, momentum=0.1, weights="new", unbiased=True, init="batch", running="init"):
    """The call of ``batchnorm_running_update`` (from the framework start, or ``running``) or of
    ``batchnorm_running_stats`` on the batches ``[x, x]``."""
    if case == "batchnorm_running_update":
        r = t.batchnorm_running_init(x.shape[1]) if isinstance(running, str) else running
        return lambda: t.batchnorm_running_update(r, x, momentum, momentum_weights=weights, unbiased=unbiased)
    return lambda: t.batchnorm_running_stats([x, x], momentum, momentum_weights=weights, unbiased=unbiased, init=init)


_RUNNING = {"batchnorm_running_update": ("batchnorm_running_update", "batchnorm_running_init"),
            "batchnorm_running_stats": ("batchnorm_running_stats",)}


@law(needs=(), cases=_RUNNING, tier="contract", case=lambda c: st.just(c), x=_batches(), momentum=BAD_MOMENTA,
     weights=st.sampled_from(["new", "old"]), unbiased=st.booleans(), init=st.sampled_from(["batch", "zeros_ones"]),
     max_examples=10, controls=(ctl.bn_momentum_unchecked, ctl.bn_momentum_up_to_two),
     examples=tuple({"_case": c, "case": c, "x": np.array([[1.0], [3.0]]), "momentum": m, "weights": w,
                     "unbiased": u, "init": "zeros_ones"}
                    for c in _RUNNING for m in (-5e-324, float(np.nextafter(1.0, 2.0))) for w, u in
                    (("new", True), ("old", False))))
def batchnorm_running_momentum_outside_zero_one_is_refused(t, case, x, momentum, weights, unbiased, init):
    """The running statistics' ``momentum`` is an EMA weight in ``[0, 1]`` (either convention:
    it weights the new batch, or with ``momentum_weights="old"`` the old value): 0 and 1 are
    allowed (frozen statistics; the batch statistics), anything outside makes a weight negative
    (the running variance can turn negative) and NaN is no weight. It raises ``ValueError`` at
    both ends exactly (the next doubles below 0 and above 1); the batch stays unchanged.
    """
    _refused_bn(_running_call(t, case, x, momentum, weights, unbiased, init),
                f"{case}(..., momentum={momentum!r}, momentum_weights={weights!r})", ValueError, x)


_EVERY_BN = {"batchnorm_forward": ("batchnorm_forward",), "batchnorm_inference": ("batchnorm_inference",),
             **_RUNNING}


def _bn_data_call(t, case, x, unbiased, init):
    c = x.shape[1] if x.ndim >= 2 else 1   # no channel axis: one channel
    if case == "batchnorm_forward":
        return lambda: t.batchnorm_forward(x, np.ones(c), np.zeros(c), eps=1e-5)
    if case == "batchnorm_inference":
        return lambda: t.batchnorm_inference(x, np.zeros(c), np.ones(c), np.ones(c), np.zeros(c), eps=1e-5)
    if case == "batchnorm_running_update":
        r = t.batchnorm_running_init(c)
        return lambda: t.batchnorm_running_update(r, x, 0.1, momentum_weights="new", unbiased=unbiased)
    return lambda: t.batchnorm_running_stats([x, x], 0.1, momentum_weights="new", unbiased=unbiased, init=init)


def _bad_bn_ndim():
    return st.sampled_from((0, 1, 4)).flatmap(
        lambda k: hnp.arrays(np.float64, st.tuples(*[st.integers(2, 3)] * k), elements=finite_floats(1e3)))


@law(needs=(), cases=_EVERY_BN, tier="contract", case=lambda c: st.just(c), x=_bad_bn_ndim(), unbiased=st.booleans(),
     init=st.sampled_from(["batch", "zeros_ones"]), max_examples=10, controls=(ctl.bn_ndim_unchecked,),
     examples=tuple({"_case": c, "case": c, "x": np.array([1.0, 2.0, 3.0]), "unbiased": u, "init": "zeros_ones"}
                    for c in _EVERY_BN for u in (True, False)))
def batchnorm_refuses_batches_that_are_not_2_or_3_d(t, case, x, unbiased, init):
    """A batch is ``(N, C)`` or ``(N, C, L)`` (channels on axis 1): a 1-d array has no channel
    axis (one channel of N values, or one sample of C channels?), and 0-d or 4-d arrays are no
    documented layout. In training, in inference and for the running statistics (also as the
    first of the batches with ``init="zeros_ones"``, whose channels size the start) it raises
    ``ValueError`` (a wrong shape); the batch stays unchanged.
    """
    _refused_bn(_bn_data_call(t, case, x, unbiased, init), f"{case} of a {x.ndim}-d batch of shape {x.shape}",
                ValueError, x)


@st.composite
def _bn_nonfinite(draw):
    x = draw(_batches(), label="finite part")
    idx = (draw(st.integers(0, x.shape[0] - 1), label="row"), draw(st.integers(0, x.shape[1] - 1), label="channel"))
    x[idx] = draw(st.sampled_from([math.nan, math.inf, -math.inf]), label="bad")
    return x


@law(needs=(), cases=_EVERY_BN, tier="contract", case=lambda c: st.just(c), x=_bn_nonfinite(), unbiased=st.booleans(),
     init=st.sampled_from(["batch", "zeros_ones"]), max_examples=10, controls=(ctl.bn_finiteness_unchecked,))
def batchnorm_refuses_nan_and_inf_in_a_batch(t, case, x, unbiased, init):
    """A batch is finite: a NaN or an infinity makes its channel's statistics non-finite, so every
    output of the channel (and, through the running statistics, every later inference) is NaN.
    A batch holding one raises ``ValueError`` in training, in inference and for the running
    statistics, and stays unchanged.
    """
    _refused_bn(_bn_data_call(t, case, x, unbiased, init), f"{case} of a batch holding {x[~np.isfinite(x)][0]!r}",
                ValueError, x)


@law(needs=(), cases=_RUNNING, tier="contract", case=lambda c: st.just(c),
     x=feature_matrices(min_rows=1, max_rows=1, max_cols=3, bound=1e3), as_3d=st.booleans(), unbiased=st.booleans(),
     init=st.sampled_from(["batch", "zeros_ones"]), max_examples=10, controls=(ctl.running_batch_of_one_accepted,),
     examples=tuple({"_case": c, "case": c, "x": np.array([[2.0]]), "as_3d": False, "unbiased": False,
                     "init": "zeros_ones"} for c in _RUNNING))
def batchnorm_running_statistics_refuse_a_batch_of_one(t, case, x, as_3d, unbiased, init):
    """The running statistics fold in training batches, which have at least 2 values per channel
    (m = N or N * L >= 2), as in training mode (PyTorch: "Expected more than 1 value per channel
    when training"): one value has variance 0 (biased) or 0/0 (unbiased). A batch of one raises
    ``ValueError`` (a wrong shape), with either variance, and stays unchanged.
    """
    xin = x[:, :, None] if as_3d else x
    _refused_bn(_running_call(t, case, xin, 0.1, "new", unbiased, init),
                f"{case} of a batch of one value per channel (shape {xin.shape}, unbiased={unbiased})", ValueError, x)


@st.composite
def _batch_and_negative_variance(draw):
    """``(x, running_var)``: a batch and a running variance of its channels with one negative entry."""
    x = draw(_batches(), label="x")
    c = x.shape[1]
    rv = draw(hnp.arrays(np.float64, (c,), elements=st.floats(0.0, 10.0)), label="running_var")
    rv[draw(st.integers(0, c - 1), label="channel")] = draw(
        st.one_of(st.sampled_from([-5e-324, -1.0]), st.floats(-1e6, 0.0, exclude_max=True)), label="negative")
    return x, rv


@law(needs=(), cases={"batchnorm_inference": ("batchnorm_inference",),
                      "batchnorm_running_update": ("batchnorm_running_update", "batchnorm_running_init")},
     tier="contract", case=lambda c: st.just(c), batch=_batch_and_negative_variance(), unbiased=st.booleans(),
     max_examples=10, controls=(ctl.negative_running_variance_clamped,))
def batchnorm_refuses_negative_running_variances(t, case, batch, unbiased):
    """A running variance is a variance, ``>= 0`` (0: a channel that never varied): a negative
    one has no square root in inference and would stay negative in the running EMA. Given to
    ``batchnorm_inference`` (``running_var``) or as ``running.var`` to
    ``batchnorm_running_update``, one negative entry raises ``ValueError``; the inputs stay
    unchanged.
    """
    x, rv = batch
    c = x.shape[1]
    if case == "batchnorm_inference":
        call = lambda: t.batchnorm_inference(x, np.zeros(c), rv, np.ones(c), np.zeros(c), eps=1e-5)  # noqa: E731
    else:
        running = t.batchnorm_running_init(c)._replace(var=rv)
        call = _running_call(t, case, x, 0.1, "new", unbiased, running=running)
    _refused_bn(call, f"{case} with a running variance {rv!r}", ValueError, x, rv)


@law(needs=("batchnorm_running_update", "batchnorm_running_init"), tier="contract", x=_batches(),
     which=st.sampled_from(["mean", "var", "both"]), longer=st.booleans(), unbiased=st.booleans(), max_examples=10,
     controls=(ctl.running_shape_checked_only_when_both_wrong,),
     examples=({"x": np.array([[1.0, 2.0], [3.0, 5.0]]), "which": "mean", "longer": False, "unbiased": False},
               {"x": np.array([[1.0, 2.0], [3.0, 5.0]]), "which": "var", "longer": False, "unbiased": True}))
def batchnorm_running_statistics_of_another_shape_are_refused(t, x, which, longer, unbiased):
    """The running mean and variance given to ``batchnorm_running_update`` have shape ``(C,)``,
    one per channel of the batch: a statistic of another length (1, which would broadcast, or
    C + 1) belongs to another layer. Either one of the wrong shape raises ``ValueError``; the
    batch stays unchanged.
    """
    c = x.shape[1]
    k = c + 1 if longer or c == 1 else 1
    fresh = t.batchnorm_running_init(c)
    running = fresh._replace(**{n: np.full(k, 0.5 if n == "mean" else 2.0) for n in ("mean", "var")
                                if which in (n, "both")})
    _refused_bn(_running_call(t, "batchnorm_running_update", x, 0.1, "new", unbiased, running=running),
                f"batchnorm_running_update with running {which} of length {k} for {c} channel(s)", ValueError, x)


_BAD_CHOICES = st.sampled_from(["NEW", "both", "", "new ", "zeros"])


@law(needs=(), cases=_RUNNING, tier="contract", case=lambda c: st.just(c), x=_batches(), bad=_BAD_CHOICES,
     option=lambda c: st.sampled_from(["momentum_weights"] + (["init"] if c == "batchnorm_running_stats" else [])),
     unbiased=st.booleans(), max_examples=10, controls=(ctl.running_options_any_string,),
     examples=tuple({"_case": c, "case": c, "x": np.array([[1.0], [3.0]]), "bad": "NEW", "option": o,
                     "unbiased": u} for c, opts in (("batchnorm_running_update", ("momentum_weights",)),
                                                    ("batchnorm_running_stats", ("momentum_weights", "init")))
                    for o in opts for u in (True, False)))
def batchnorm_running_options_outside_their_choices_are_refused(t, case, x, bad, option, unbiased):
    """``momentum_weights`` is ``"new"`` or ``"old"`` and ``init`` is ``"batch"`` or
    ``"zeros_ones"``: another string (a misspelling, another case) would silently select one of
    the conventions. It raises ``ValueError``; the batch stays unchanged.
    """
    kw = {"weights": "new", "init": "zeros_ones"}
    kw["weights" if option == "momentum_weights" else "init"] = bad
    _refused_bn(_running_call(t, case, x, 0.1, kw["weights"], unbiased, kw["init"]),
                f"{case}(..., {option}={bad!r})", ValueError, x)


@law(needs=(), cases=_RUNNING, tier="contract", case=lambda c: st.just(c),
     s=st.one_of(st.just(1e308), st.floats(2.0**513, 1e308)), c=st.integers(1, 3), unbiased=st.booleans(),
     init=st.sampled_from(["batch", "zeros_ones"]), max_examples=10,
     controls=(ctl.running_variance_overflows_to_inf, ctl.running_variance_overflow_refused_with_type_error))
def batchnorm_running_statistics_refuse_a_batch_whose_variance_overflows(t, case, s, c, unbiased, init):
    """The running variance is a float64 statistic, so a batch's variance must fit float64: a
    batch ``[[-s], [s]]`` per channel with ``s > 2^513`` has variance ``s^2`` (biased; twice that
    unbiased) beyond the float64 maximum, and folding it in would make the running variance inf
    for good. ``batchnorm_running_update`` and ``batchnorm_running_stats`` raise ``ValueError``
    (the reference's message says to rescale the batch), not an inf and not another exception;
    the batch stays unchanged.
    """
    x = np.array([[-s] * c, [s] * c])
    _refused_bn(_running_call(t, case, x, 0.1, "new", unbiased, init),
                f"{case} of a batch [[-{s:g}], [{s:g}]] x {c} channel(s) (unbiased={unbiased})", ValueError, x)
