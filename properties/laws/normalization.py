"""Laws of input normalisation (seeds 000-004).

Target names used: ``zscore(x, eps=0.0)``, ``minmax(x, feature_range=(0, 1))``,
``center(x)``, ``fit_zscore(x, eps=0.0)`` / ``apply_zscore(stats, x)``,
``fit_minmax(x, feature_range)`` / ``apply_minmax(stats, x)``. ``x`` is
``(n_samples, n_features)``; statistics are per feature with the population (ddof=0)
variance.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import example, reject
from hypothesis import strategies as st

from properties._law import LawViolation, law, per_technique
from properties.controls import normalization as ctl
from properties.laws._contract import refuses, unchanged
from properties.laws._tolerance import EPS64, column_stats, zscore_condition
from properties.strategies import arrays_of_ndim, dyadic_matrices, feature_matrices, finite_floats, non_real, with_a_nonfinite

#: Features whose condition kappa = max|x| / sigma exceeds this are "constant within
#: rounding": their standardised values carry no correct digits, so only finiteness is
#: required of them.
KAPPA_MAX = 1e6


def _out(a) -> np.ndarray:
    return np.asarray(a)


def _ranges():
    """(lo, hi) with lo < hi, both finite, the width not below 1e-3 of the magnitude."""
    return st.tuples(finite_floats(1e3), st.floats(1e-3, 1e3)).map(lambda t: (t[0], t[0] + t[1] * max(1.0, abs(t[0]))))


def _column_sd(x, mag):
    """Per-column population standard deviation without squaring in natural units (a variance
    of ``(1e-308)^2`` underflows to 0): the root of the variance of ``x / p``, ``p`` a power of
    two near the column's magnitude (exact), times ``p``."""
    p = np.ldexp(1.0, np.frexp(np.where((mag > 0) & np.isfinite(mag), mag, 1.0))[1])
    return np.sqrt(column_stats(np.asarray(x, dtype=np.float64) / p)[1]) * p


def _check_shape(out, x, what):
    if out.shape != x.shape:
        raise LawViolation(f"{what}: out.shape={out.shape}, but should be {x.shape} (the input's)")


@law(needs=("zscore",), x=feature_matrices(),
     controls=(ctl.divide_by_variance, ctl.frobenius_norm, ctl.global_mean, ctl.unbiased_std, ctl.running_stats),
     # Hypothesis (dev profile, sklearn target): a feature of magnitude 1e-160 has a subnormal
     # variance (2.5e-321, one significant digit) when the data are squared unscaled.
     examples=({"x": np.array([[0.0], [1e-160]])},))
def zscore_standardises_each_feature(t, x):
    """Each non-constant feature of ``zscore(x)`` has mean 0 and population variance 1.

    Seed 002: ``z = (x - mu) / sigma`` with ``sigma = sqrt(1/n sum (x - mu)^2)``.
    Tolerance ``8 (n + 2) eps kappa`` per feature, ``kappa = max|x| / sigma``: the error of
    a two-pass mean and variance in float64 under the conditioning of the data.
    """
    z = _out(t.zscore(x, eps=0.0)).astype(np.float64)
    _check_shape(z, x, "zscore")
    if not np.all(np.isfinite(z)):
        raise LawViolation(f"zscore returned non-finite values for finite input: {z!r}")
    kappa = zscore_condition(x)
    mz, vz, _ = column_stats(z)
    n = x.shape[0]
    for j in np.flatnonzero(kappa <= KAPPA_MAX):
        tol = 8 * (n + 2) * EPS64 * kappa[j]
        if abs(mz[j]) > tol or abs(vz[j] - 1) > tol:
            raise LawViolation(f"zscore feature {j}: mean={mz[j]:.3g}, population variance={vz[j]:.6g}; "
                               f"should be 0 and 1 within {tol:.2g} (kappa={kappa[j]:.3g}) [x[:, {j}]={x[:, j]!r}]")


@law(needs=("minmax",), x=feature_matrices(), feature_range=_ranges(),
     controls=(ctl.minmax_global, ctl.minmax_by_max, ctl.minmax_divide_by_max),
     examples=({"x": np.array([[2.0**-600], [0.0]]), "feature_range": (0.0, 1.0)},))
def minmax_maps_extremes_onto_feature_range(t, x, feature_range):
    """``minmax(x, (lo, hi))`` lies in [lo, hi]; each feature's min maps to lo and max to hi.

    Seed 002. Tolerance ``4 eps (|lo| + |hi| + (hi - lo) max|x| / (max - min))``: rounding
    of ``x - min`` and of the affine map onto the range.
    """
    lo, hi = feature_range
    z = _out(t.minmax(x, feature_range=feature_range)).astype(np.float64)
    _check_shape(z, x, "minmax")
    xmin, xmax = x.min(axis=0), x.max(axis=0)
    mag = np.abs(x).max(axis=0)
    for j in range(x.shape[1]):
        col = z[:, j]
        if xmax[j] == xmin[j]:
            # one value in [lo, hi] within the rounding of the affine map onto the range with a unit
            # scale (scikit-learn's choice for a constant feature: x (hi - lo) + (lo - x (hi - lo))
            # rounds at the magnitude of x (hi - lo), e.g. lo = 2.8e-36 becomes 0)
            tol0 = 4 * EPS64 * (abs(lo) + abs(hi)) * (1 + mag[j])
            if not (np.all(col == col[0]) and lo - tol0 <= col[0] <= hi + tol0):
                raise LawViolation(f"minmax constant feature {j}: got {col!r}; should be one value in [{lo}, {hi}]")
            continue
        tol = 4 * EPS64 * (abs(lo) + abs(hi) + (hi - lo) * mag[j] / (xmax[j] - xmin[j]))
        if col.min() < lo - tol or col.max() > hi + tol:
            raise LawViolation(f"minmax feature {j}: range [{col.min()!r}, {col.max()!r}] leaves [{lo!r}, {hi!r}] (tol {tol:.2g})")
        at_min, at_max = col[x[:, j] == xmin[j]], col[x[:, j] == xmax[j]]
        if np.any(np.abs(at_min - lo) > tol) or np.any(np.abs(at_max - hi) > tol):
            raise LawViolation(f"minmax feature {j}: min maps to {at_min!r} and max to {at_max!r}; "
                               f"should be {lo!r} and {hi!r} (tol {tol:.2g}) [x[:, {j}]={x[:, j]!r}]")


@law(needs=("zscore",), x=dyadic_matrices(), a=st.sampled_from([-8.0, -2.0, -0.5, 0.25, 1.0, 4.0, 2.0**-20, -(2.0**30)]),
     b=st.sampled_from([0.0, -3.0, 7.5, 2.0**20, -(2.0**20)]),
     controls=(ctl.divide_by_variance,))
def zscore_affine_equivariance(t, x, a, b):
    """``zscore(a x + b) = sign(a) zscore(x)`` for ``a != 0``.

    The data are dyadic and ``a`` a power of two (times a sign) with a dyadic ``b``, so
    ``a x + b`` is computed exactly and the two sides may differ only by the target's own
    rounding: ``16 (n + 2) eps kappa`` with kappa of the transformed data.
    """
    y = a * x + b
    z1 = _out(t.zscore(y, eps=0.0)).astype(np.float64)
    z0 = _out(t.zscore(x, eps=0.0)).astype(np.float64)
    kappa = np.maximum(zscore_condition(x), zscore_condition(y))
    n = x.shape[0]
    for j in np.flatnonzero(kappa <= KAPPA_MAX):
        tol = 16 * (n + 2) * EPS64 * kappa[j]
        err = np.max(np.abs(z1[:, j] - math.copysign(1.0, a) * z0[:, j]))
        if err > tol:
            raise LawViolation(f"zscore(a*x + b) != sign(a) * zscore(x) for a={a}, b={b}, feature {j}: "
                               f"max difference {err:.3g} > {tol:.2g} [x[:, {j}]={x[:, j]!r}]")


@law(needs=("minmax",), x=dyadic_matrices(), a=st.sampled_from([0.25, 1.0, 4.0, 2.0**-20, 2.0**30]),
     b=st.sampled_from([0.0, -3.0, 7.5, 2.0**20, -(2.0**20)]),
     controls=(ctl.minmax_by_max,))
def minmax_affine_invariance(t, x, a, b):
    """``minmax(a x + b) = minmax(x)`` for ``a > 0`` (exact input transform, dyadic data).

    Tolerance ``8 eps max|y| / (max - min)`` per feature: rounding of ``y - min``.
    """
    y = a * x + b
    z1 = _out(t.minmax(y, feature_range=(0.0, 1.0))).astype(np.float64)
    z0 = _out(t.minmax(x, feature_range=(0.0, 1.0))).astype(np.float64)
    for j in range(x.shape[1]):
        span = x[:, j].max() - x[:, j].min()
        if span == 0:
            continue
        tol = 8 * EPS64 * max(np.abs(y[:, j]).max() / (a * span), np.abs(x[:, j]).max() / span)
        err = np.max(np.abs(z1[:, j] - z0[:, j]))
        if err > tol:
            raise LawViolation(f"minmax(a*x + b) != minmax(x) for a={a}, b={b}, feature {j}: max difference "
                               f"{err:.3g} > {tol:.2g} [x[:, {j}]={x[:, j]!r}]")


@law(needs=("zscore", "minmax"), x=feature_matrices(),
     controls=(ctl.divide_by_variance, ctl.minmax_divide_by_max),
     examples=({"x": np.array([[0.0], [1e-160]])},))  # subnormal variance, as above
def normalisation_is_idempotent(t, x):
    """Normalising normalised data changes nothing: ``f(f(x)) = f(x)`` for zscore and minmax.

    Tolerance ``8 (n + 2) eps kappa`` on well-conditioned features (kappa <= 1e6).
    """
    n = x.shape[0]
    kappa = zscore_condition(x)
    z = _out(t.zscore(x, eps=0.0)).astype(np.float64)
    zz = _out(t.zscore(z, eps=0.0)).astype(np.float64)
    m = _out(t.minmax(x, feature_range=(0.0, 1.0))).astype(np.float64)
    mm = _out(t.minmax(m, feature_range=(0.0, 1.0))).astype(np.float64)
    for j in np.flatnonzero(kappa <= KAPPA_MAX):
        tol = 8 * (n + 2) * EPS64 * kappa[j]
        for name, a, b in (("zscore", zz, z), ("minmax", mm, m)):
            err = np.max(np.abs(a[:, j] - b[:, j]))
            if err > tol:
                raise LawViolation(f"{name}({name}(x)) != {name}(x) on feature {j}: max difference {err:.3g} > {tol:.2g} "
                                   f"[x[:, {j}]={x[:, j]!r}]")


@law(needs=("zscore", "minmax", "center"), x=feature_matrices(min_rows=3), data=st.data(),
     controls=(ctl.running_stats,))
def normalisation_is_row_permutation_equivariant(t, x, data):
    """Permuting the samples permutes the output: ``f(P x) = P f(x)`` (statistics are
    symmetric functions of the rows). Tolerance as for standardisation."""
    perm = np.array(data.draw(st.permutations(range(x.shape[0])), label="perm"))
    n = x.shape[0]
    kappa = zscore_condition(x)
    for name in ("zscore", "minmax", "center"):
        f = getattr(t, name)
        a = _out(f(x[perm])).astype(np.float64)
        b = _out(f(x)).astype(np.float64)[perm]
        for j in np.flatnonzero(kappa <= KAPPA_MAX):
            scale = kappa[j] if name == "zscore" else np.abs(x[:, j]).max() / max(np.ptp(x[:, j]), 1e-300)
            tol = 8 * (n + 2) * EPS64 * max(scale, 1.0) * (np.abs(x[:, j]).max() if name == "center" else 1.0)
            err = np.max(np.abs(a[:, j] - b[:, j]))
            if err > tol:
                raise LawViolation(f"{name}(x[perm]) != {name}(x)[perm] on feature {j}: difference {err:.3g} > {tol:.2g} "
                                   f"[perm={perm.tolist()}, x[:, {j}]={x[:, j]!r}]")


@law(needs=("center",), x=feature_matrices(), controls=(ctl.global_mean,))
def center_removes_each_feature_mean(t, x):
    """``center(x)`` has per-feature mean 0 and differs from ``x`` by a per-feature constant.

    Tolerance ``8 (n + 2) eps max|x|`` per feature.
    """
    c = _out(t.center(x)).astype(np.float64)
    _check_shape(c, x, "center")
    mc, _, _ = column_stats(c)
    n = x.shape[0]
    for j in range(x.shape[1]):
        tol = 8 * (n + 2) * EPS64 * max(np.abs(x[:, j]).max(), 1e-300)
        shift = x[:, j] - c[:, j]
        if abs(mc[j]) > tol or np.ptp(shift) > 2 * tol:
            raise LawViolation(f"center feature {j}: mean {mc[j]:.3g}, shift spread {np.ptp(shift):.3g} (tol {tol:.2g}) "
                               f"[x[:, {j}]={x[:, j]!r}]")


@law(needs=("zscore", "fit_zscore", "apply_zscore"), x=feature_matrices(), controls=(ctl.unbiased_std,))
def applying_fitted_statistics_to_training_data_reproduces_fit_transform(t, x):
    """``apply_zscore(fit_zscore(x), x) == zscore(x)`` (seeds 003/004: the same transform).

    Tolerance ``4 eps (1 + |z|)``: both sides must be the same computation up to a few
    roundings of the output.
    """
    a = _out(t.apply_zscore(t.fit_zscore(x, eps=0.0), x)).astype(np.float64)
    b = _out(t.zscore(x, eps=0.0)).astype(np.float64)
    tol = 4 * EPS64 * (1 + np.abs(b))
    if np.any(np.abs(a - b) > tol):
        raise LawViolation(f"apply_zscore(fit_zscore(x), x) differs from zscore(x) by up to {np.max(np.abs(a - b)):.3g} "
                           f"[x={x!r}]")


@law(needs=("fit_zscore", "apply_zscore", "fit_minmax", "apply_minmax"), train=feature_matrices(max_cols=3),
     test=feature_matrices(min_rows=1, max_rows=6, min_cols=3, max_cols=3), controls=(ctl.refit_on_new_data,),
     # thorough profile: the z-score 2.0 / 1.1e-308 = 2**1024 of this test value does not fit
     # float64 (the reference raised; outside the law's domain, see below)
     examples=({"train": np.array([[2.2250738585072014e-308], [0.0]]), "test": np.array([[2.0, 0.0, 0.0]])},))
def new_data_is_transformed_with_training_statistics(t, train, test):
    """Test data are normalised with the *training* mean/std and min/max, not their own.

    Seeds 003/004: "use the same mu and sigma for transforming the test data". Oracle:
    ``(x - mu_train) / sigma_train`` and ``lo + (x - min_train) / (max_train - min_train)``
    with exactly rounded training statistics; tolerance ``16 (n + 2) eps kappa`` where
    kappa includes the test data's magnitude. ``test`` has as many features as ``train``
    (its first columns).

    Domain: test data whose z-score or min-max value is beyond half the float64 maximum
    (``|x - mu| / sigma > 2^1023``, e.g. training data ``[2.2e-308, 0]`` and a test value 2)
    are excluded: a true result that does not fit float64 is an error (``ValueError``, the
    reference's documented policy), and within a factor 2 of the limit whether it fits depends
    on the last rounding.
    """
    test = test[:, :train.shape[1]]
    mu, _, mag = column_stats(train)
    sd = _column_sd(train, mag)
    n = train.shape[0]
    lo, hi = train.min(axis=0), train.max(axis=0)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        half = np.ldexp(1.0, 1023)
        if np.any((sd > 0) & (np.abs(test - mu) / np.where(sd > 0, sd, 1.0) > half)) \
                or np.any((hi > lo) & (np.abs(test - lo) / np.where(hi > lo, hi - lo, 1.0) > half)):
            reject()
    z = _out(t.apply_zscore(t.fit_zscore(train, eps=0.0), test)).astype(np.float64)
    m = _out(t.apply_minmax(t.fit_minmax(train, feature_range=(0.0, 1.0)), test)).astype(np.float64)
    for j in range(train.shape[1]):
        big = max(mag[j], np.abs(test[:, j]).max())
        if sd[j] > 0 and big / sd[j] <= KAPPA_MAX:
            want = (test[:, j] - mu[j]) / sd[j]
            tol = 16 * (n + 2) * EPS64 * big / sd[j] * (1 + np.abs(want))
            if np.any(np.abs(z[:, j] - want) > tol):
                raise LawViolation(f"apply_zscore feature {j}: got {z[:, j]!r}, training statistics give {want!r}")
        if hi[j] > lo[j] and big / (hi[j] - lo[j]) <= KAPPA_MAX:
            want = (test[:, j] - lo[j]) / (hi[j] - lo[j])
            tol = 16 * EPS64 * big / (hi[j] - lo[j]) * (1 + np.abs(want))
            if np.any(np.abs(m[:, j] - want) > tol):
                raise LawViolation(f"apply_minmax feature {j}: got {m[:, j]!r}, training min/max give {want!r}")


@law(needs=("zscore",), x=dyadic_matrices(), offset=st.sampled_from([1e9, -1e9, 2.0**32]),
     controls=(ctl.naive_moments,))
def zscore_of_offset_data_is_within_its_conditioning(t, x, offset):
    """``zscore(x + c)`` equals ``zscore(x)`` within the conditioning of the shifted data:
    ``8 (n + 2) eps kappa`` with ``kappa = max|x + c| / sigma`` per feature.

    The data are dyadic, so ``x + c`` is exact; a backward-stable two-pass z-score of the
    shifted data (the mean rounded to one float64, then subtracted) meets this bound. The
    naive one-pass ``E[x^2] - E[x]^2`` loses every digit (its error grows as kappa^2).
    An offset of 1e9 makes kappa at least 1e9 / sigma, so the usual cut-off of 1e6 would
    check almost nothing here: features with kappa up to 1e11 are checked (tolerance up to
    ~5e-3 (1 + |z|), still far below the naive formula's error, which grows as kappa^2);
    beyond that only finiteness. Bit-stability is the accuracy law
    ``zscore_is_stable_under_large_offsets``.
    """
    y = x + offset
    z1 = _out(t.zscore(y, eps=0.0)).astype(np.float64)
    z0 = _out(t.zscore(x, eps=0.0)).astype(np.float64)
    kappa = zscore_condition(y)
    n = x.shape[0]
    if not np.all(np.isfinite(z1)):
        raise LawViolation(f"zscore(x + {offset:g}) is not finite: {z1!r} [x={x!r}]")
    for j in np.flatnonzero(kappa <= 1e11):
        tol = 8 * (n + 2) * EPS64 * kappa[j] * (1 + np.abs(z0[:, j]))
        if np.any(np.abs(z1[:, j] - z0[:, j]) > tol):
            raise LawViolation(f"zscore(x + {offset:g}) feature {j} differs from zscore(x) by up to "
                               f"{np.max(np.abs(z1[:, j] - z0[:, j])):.3g} > {np.max(tol):.3g} (kappa={kappa[j]:.3g}) "
                               f"[x[:, {j}]={x[:, j]!r}]")


@law(needs=("zscore",), x=dyadic_matrices(), offset=st.sampled_from([1e9, -1e9, 2.0**32]), tier="accuracy",
     controls=(ctl.naive_moments,),
     examples=({"x": np.array([[0.0], [2.0**-10], [1.0]]), "offset": 1e9},))
def zscore_is_stable_under_large_offsets(t, x, offset):
    """Accuracy: ``zscore(x + 1e9)`` equals ``zscore(x)`` to 1e-9 relative, however badly the
    offset conditions the data.

    The data are dyadic, so ``x + 1e9`` is exact: any difference is the target's. Meeting it
    takes the mean in more than one float64 (the reference keeps ``mean_hi + mean_lo``); a
    backward-stable z-score loses ``ulp(1e9) / sigma`` and passes the correctness law
    ``zscore_of_offset_data_is_within_its_conditioning`` instead.
    """
    y = x + offset
    z1 = _out(t.zscore(y, eps=0.0)).astype(np.float64)
    z0 = _out(t.zscore(x, eps=0.0)).astype(np.float64)
    err = np.abs(z1 - z0)
    if not np.all(err <= 1e-9 * (1 + np.abs(z0))):
        raise LawViolation(f"zscore(x + {offset:g}) differs from zscore(x) by up to {np.nanmax(err):.3g} "
                           f"(relative bound 1e-9) [x={x!r}]")


@law(needs=("zscore", "minmax"), x=dyadic_matrices(), k=st.integers(-900, 900),
     controls=(ctl.naive_moments,),
     examples=({"x": np.array([[0.0, 1.0], [3.0, -2.0]]), "k": 600},
               {"x": np.array([[0.0, 1.0], [3.0, -2.0]]), "k": -600}))
def normalisation_is_stable_across_magnitudes(t, x, k):
    """``f(2^k x) = f(x)`` for zscore and minmax with ``|2^k x|`` from 1e-274 to 1e274.

    Multiplying by a power of two is exact; squares of these magnitudes overflow or
    underflow float64, so only an implementation that rescales (or avoids squaring) passes.
    Bound: relative 1e-9 (the issue's stability bound).
    """
    y = np.ldexp(x, k)
    for name in ("zscore", "minmax"):
        f = getattr(t, name)
        with np.errstate(all="ignore"):
            z1 = _out(f(y)).astype(np.float64)
        z0 = _out(f(x)).astype(np.float64)
        if not (np.all(np.isfinite(z1)) and np.all(np.abs(z1 - z0) <= 1e-9 * (1 + np.abs(z0)))):
            raise LawViolation(f"{name}(2**{k} * x) differs from {name}(x): {z1!r} vs {z0!r} [x={x!r}]")


@law(needs=("zscore", "minmax", "center"), x=feature_matrices(max_rows=6, max_cols=3, bound=1e3),
     dtype=st.sampled_from(["float32", "float64", "int64", "int32"]), controls=(ctl.always_float32,))
def output_dtype_follows_input(t, x, dtype):
    """float32 in -> float32 out, float64 -> float64, integers -> float64 (never truncated)."""
    xin = x.astype(dtype)
    want = np.dtype("float64") if dtype.startswith("int") else np.dtype(dtype)
    for name in ("zscore", "minmax", "center"):
        out = _out(getattr(t, name)(xin))
        if out.dtype != want:
            raise LawViolation(f"{name}: out.dtype={out.dtype}, but should be {want} for {dtype} input")


@law(needs=("zscore", "minmax", "center", "fit_zscore", "apply_zscore", "fit_minmax", "apply_minmax"),
     x=feature_matrices(max_rows=8, max_cols=3), dtype=st.sampled_from(["float64", "float32"]),
     controls=(ctl.modifies_input,))
def normalisation_never_modifies_its_input(t, x, dtype):
    """No normalisation function writes into the caller's array."""
    x = x.astype(dtype)
    before = x.copy()
    calls = {
        "zscore": lambda: t.zscore(x, eps=0.0), "minmax": lambda: t.minmax(x, feature_range=(0.0, 1.0)), "center": lambda: t.center(x),
        "fit_zscore/apply_zscore": lambda: t.apply_zscore(t.fit_zscore(x, eps=0.0), x),
        "fit_minmax/apply_minmax": lambda: t.apply_minmax(t.fit_minmax(x, feature_range=(0.0, 1.0)), x),
    }
    for name, call in calls.items():
        call()
        if not np.array_equal(x, before):
            raise LawViolation(f"{name} modified its input: before {before!r}, after {x!r}")


# --- values for float32 and float16 input; apply_zscore at extreme magnitudes (issue 16) ----------

EPS32 = float(np.finfo(np.float32).eps)
EPS_OF = {"float32": EPS32, "float16": float(np.finfo(np.float16).eps)}
#: Conditioning cut-off for low-precision input: beyond it the float32 computation allowed
#: below has no correct digit left to check.
KAPPA_MAX_LOW = 1e3


def _low_precision(dtype_name, x):
    with np.errstate(over="ignore"):
        return x.astype(dtype_name)


@law(needs=("zscore",), x=feature_matrices(max_rows=12, max_cols=3, bound=6e4), dtype=st.sampled_from(["float32", "float16"]),
     controls=(ctl.zscore_in_input_dtype,))
def zscore_of_low_precision_input_is_the_true_zscore_rounded(t, x, dtype):
    """For float32 and float16 input, ``zscore(x)`` (float32 / float16 out) is the z-score of
    the values given, rounded to the output dtype: within ``eps_d |z| + 8 (n + 2) eps32 kappa``
    of the exact z-score of the widened input (``kappa = max|x| / sigma``; features with
    kappa <= 1e3 are checked, the others must be finite).

    The input values are exact in float64, so the oracle (``math.fsum`` statistics) has only
    float64 rounding; ``eps_d |z|`` is the final rounding to the output dtype (eps_d its
    machine epsilon), ``8 (n + 2) eps32 kappa`` a computation in at least float32, as numpy
    (whose float16 mean accumulates in float32), torch and JAX do. Accumulating float16 data in
    float16 loses ``n eps16 kappa`` and overflows ``(x - mu)^2`` above 256.
    """
    xl = _low_precision(dtype, x)
    xw = xl.astype(np.float64)
    z = _out(t.zscore(xl, eps=0.0)).astype(np.float64)
    _check_shape(z, x, f"zscore({dtype})")
    if not np.all(np.isfinite(z)):
        raise LawViolation(f"zscore of {dtype} input returned non-finite values: {z!r} [x={xl!r}]")
    mu, var, _ = column_stats(xw)
    sd = np.sqrt(var)
    kappa = zscore_condition(xw)
    n = x.shape[0]
    for j in np.flatnonzero(kappa <= KAPPA_MAX_LOW):
        want = (xw[:, j] - mu[j]) / sd[j]
        tol = EPS_OF[dtype] * np.abs(want) + 8 * (n + 2) * (EPS32 + EPS64) * kappa[j]
        if np.any(np.abs(z[:, j] - want) > tol):
            raise LawViolation(f"zscore of {dtype} input, feature {j}: got {z[:, j]!r}, should be {want!r} within "
                               f"{np.max(tol):.3g} (kappa={kappa[j]:.3g}) [x[:, {j}]={xl[:, j]!r}]")


@law(needs=("minmax",), x=feature_matrices(max_rows=12, max_cols=3, bound=6e4), dtype=st.sampled_from(["float32", "float16"]),
     feature_range=st.sampled_from([(0.0, 1.0), (-1.0, 1.0)]),
     controls=(ctl.minmax_in_input_dtype,))
def minmax_of_low_precision_input_is_the_true_minmax_rounded(t, x, dtype, feature_range):
    """For float32 and float16 input, ``minmax(x, (lo, hi))`` is the min-max value of the
    values given, rounded to the output dtype: within ``eps_d (|lo| + |hi|) + 4 eps32 (hi - lo)
    (1 + max|x| / (max - min))`` of ``lo + (hi - lo) (x - min) / (max - min)`` computed from the
    widened input (kappa ``max|x| / (max - min)`` <= 1e3 checked, the rest must be finite).

    ``eps_d (|lo| + |hi|)`` is the final rounding to the output dtype, the second term a
    computation of ``x - min`` and of the range in at least float32. In the input's own dtype a
    float16 range above 65504 overflows (and is rounded at 11 bits below it).
    """
    lo, hi = feature_range
    xl = _low_precision(dtype, x)
    xw = xl.astype(np.float64)
    m = _out(t.minmax(xl, feature_range=feature_range)).astype(np.float64)
    _check_shape(m, x, f"minmax({dtype})")
    if not np.all(np.isfinite(m)):
        raise LawViolation(f"minmax of {dtype} input returned non-finite values: {m!r} [x={xl!r}]")
    xmin, xmax = xw.min(axis=0), xw.max(axis=0)
    for j in range(x.shape[1]):
        span = xmax[j] - xmin[j]
        if span == 0:
            continue  # a constant feature: the convention (lo) is the law minmax_maps_extremes_onto_feature_range's
        kappa = np.abs(xw[:, j]).max() / span
        if kappa > KAPPA_MAX_LOW:
            continue
        want = lo + (hi - lo) * ((xw[:, j] - xmin[j]) / span)
        tol = EPS_OF[dtype] * (abs(lo) + abs(hi)) + 4 * (EPS32 + EPS64) * (hi - lo) * (1 + kappa)
        if np.any(np.abs(m[:, j] - want) > tol):
            raise LawViolation(f"minmax{feature_range} of {dtype} input, feature {j}: got {m[:, j]!r}, should be "
                               f"{want!r} within {tol:.3g} [x[:, {j}]={xl[:, j]!r}]")


@law(needs=("fit_zscore", "apply_zscore"), x=dyadic_matrices(max_rows=8, max_cols=3),
     y=dyadic_matrices(min_rows=1, max_rows=4, max_cols=3), a=st.integers(-450, 450), b=st.integers(-450, 450),
     eps=st.sampled_from([0.0, 2.0**-20, 1.0]),
     controls=(ctl.fit_zscore_eps_unscaled,),
     examples=({"x": np.array([[0.0], [1.0]]), "y": np.array([[3.0]]), "a": 450, "b": -450, "eps": 1.0},
               {"x": np.array([[0.0], [1.0]]), "y": np.array([[3.0]]), "a": -450, "b": 450, "eps": 1.0}))
def apply_zscore_holds_at_extreme_magnitudes(t, x, y, a, b, eps):
    """``apply_zscore(fit_zscore(X, eps), Y) = (Y - mu_X) / sqrt(sigma_X^2 + eps)`` for training
    data ``X = 2^a x`` and new data ``Y = 2^b y`` with a, b from -450 to 450, as
    ``normalisation_is_stable_across_magnitudes`` states for ``zscore``.

    At ``2^+-450`` the variance ``2^+-900`` still fits float64, but an implementation that
    rescales the data against over- and underflow (the reference does beyond ``2^+-400``) must
    rescale eps with them. The data are dyadic, so X and Y are exact; the oracle uses exactly rounded
    statistics (``math.fsum``). Tolerance ``16 (n + 2) eps ((max|X| + |Y|) / s + kappa |z|)``
    with ``s = sqrt(sigma^2 + eps)`` and ``kappa = max|X| / s`` (features with kappa <= 1e6;
    the others must be finite).
    """
    y = np.resize(y, (y.shape[0], x.shape[1]))
    X, Y = np.ldexp(x, a), np.ldexp(y, b)
    z = _out(t.apply_zscore(t.fit_zscore(X, eps=eps), Y)).astype(np.float64)
    _check_shape(z, Y, "apply_zscore")
    if not np.all(np.isfinite(z)):
        raise LawViolation(f"apply_zscore at 2^{a} (training) and 2^{b} (new data) is not finite: {z!r} [x={x!r}, y={y!r}]")
    mu, var, mag = column_stats(X)
    s = np.hypot(np.sqrt(var), math.sqrt(eps))
    n = x.shape[0]
    for j in range(x.shape[1]):
        if s[j] == 0 or mag[j] / s[j] > KAPPA_MAX:
            continue
        kappa = mag[j] / s[j]
        want = (Y[:, j] - mu[j]) / s[j]
        tol = 16 * (n + 2) * EPS64 * ((mag[j] + np.abs(Y[:, j])) / s[j] + kappa * np.abs(want))
        if np.any(np.abs(z[:, j] - want) > tol):
            raise LawViolation(f"apply_zscore(fit_zscore(2^{a} x, eps={eps}), 2^{b} y) feature {j}: got {z[:, j]!r}, "
                               f"should be {want!r} within {np.max(tol):.3g} [x[:, {j}]={x[:, j]!r}, y[:, {j}]={y[:, j]!r}]")


# --- the whole float64 range: per-feature magnitudes from 2^-1060 to 2^1000 (mutation gaps) -------

def _pow2_columns(x, exps):
    """``x`` with column j multiplied by ``2^exps[j]`` (exps cycled to the columns)."""
    e = np.resize(np.asarray(exps, dtype=np.int64), x.shape[1])
    return np.ldexp(x, e[None, :])


def _frac_column(col):
    from fractions import Fraction
    return [Fraction(float(v)) for v in col]


def _frac_sqrt(v) -> float:
    """``sqrt(v)`` of a non-negative Fraction, to a few ulps, for any magnitude (the Fraction
    itself may lie far outside the float64 range)."""
    if v == 0:
        return 0.0
    k = (v.numerator.bit_length() - v.denominator.bit_length()) // 2
    w = v / (2 ** (2 * k)) if k >= 0 else v * 2 ** (-2 * k)
    try:
        return math.ldexp(math.sqrt(float(w)), k)
    except OverflowError:
        return math.inf


#: Results at or beyond this are rejected: within a factor 2 of the float64 maximum whether a
#: result fits depends on the last rounding.
_HUGE = 2.0**1023


def _float_or_huge(q) -> float:
    try:
        return float(q)
    except OverflowError:
        return math.inf


@law(needs=("fit_zscore", "apply_zscore"), x=dyadic_matrices(max_rows=4, max_cols=3),
     y=dyadic_matrices(min_rows=1, max_rows=2, max_cols=3),
     a=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     b=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     eps=st.sampled_from([0.0, 1.0, 2.0**-20]),
     controls=(ctl.apply_zscore_fit_frame_only, ctl.apply_zscore_one_scale_for_all_features),
     examples=(
         # new data 2^1500 times the training magnitude (eps = 1: the result ~ y fits)
         {"x": np.array([[0.0], [1.0], [3.0]]), "y": np.array([[5.0], [-7.0]]), "a": [-1000] * 3,
          "b": [500] * 3, "eps": 1.0},
         # a constant feature (divisor 1) at 2^-900, new data at 2^300
         {"x": np.array([[3.0, 1.0], [3.0, 2.0]]), "y": np.array([[5.0, 1.0]]), "a": [-900, 0, 0],
          "b": [300, 0, 0], "eps": 0.0},
         # the first feature overflows the fit's frame; the second, whose new value minus its mean
         # (-2^1023) overflows unscaled, must get its own scale in the fall-back
         {"x": np.array([[0.0, -1.5], [1.0, -0.5]]), "y": np.array([[3.0, 1.5]]), "a": [-1000, 1023, 0],
          "b": [500, 1023, 0], "eps": 1.0},
         # features of very different magnitudes in one call
         {"x": np.array([[0.0, 0.0], [1.0, 1.0]]), "y": np.array([[3.0, 1.0]]), "a": [-1000, -1000, 0],
          "b": [900, -1000, 0], "eps": 1.0},
     ))
def apply_zscore_holds_across_the_float64_range(t, x, y, a, b, eps):
    """``apply_zscore(fit_zscore(X, eps), Y) = (Y - mu_X) / s`` with ``s = sqrt(sigma_X^2 + eps)``
    for every feature that varies (a constant feature at eps = 0 is the edge premise of
    ``apply_zscore_maps_new_data_on_a_constant_feature_by_its_offset_at_eps_0``)
    magnitude float64 holds: ``X = 2^a_j x``, ``Y = 2^b_j y`` column by column, a_j and b_j from
    -1060 to 1000, whenever the result fits float64 (``|z| < 2^1023``, otherwise rejected).

    New data far beyond the fitted magnitude (``Y / max|X|`` up to 2^2000) overflow a frame
    scaled to the training data although ``z`` itself fits; features of very different
    magnitudes must not share one scale (the small ones would underflow). The oracle is exact
    (``Fraction`` statistics, ``s`` to a few ulps). Tolerance, per value:
    ``16 (n + 2) eps ((max|X| + |Y|) / s + kappa |z|)``, ``kappa = max|X| / s`` (features with
    kappa <= 1e6; the others must be finite), plus ``2^-1073`` (the spacing of subnormal
    outputs).
    """
    from fractions import Fraction
    y = np.resize(y, (y.shape[0], x.shape[1]))
    X, Y = _pow2_columns(x, a), _pow2_columns(y, b)
    n = X.shape[0]
    wants, over_s = [], []
    for j in range(X.shape[1]):
        col = _frac_column(X[:, j])
        mu = sum(col, Fraction(0)) / n
        v = sum(((c - mu) ** 2 for c in col), Fraction(0)) / n + Fraction(eps)

        if v == 0:
            reject()                    # a constant feature at eps = 0: its own law

        def ratio(q, v=v):  # q / s as a float, to a few ulps (s = sqrt(v))
            r = _frac_sqrt(q * q / v)
            return -r if q < 0 else r

        want = [ratio(Fraction(float(c)) - mu) for c in Y[:, j]]
        if any(abs(w) >= _HUGE for w in want):
            reject()
        wants.append(want)
        over_s.append((ratio(Fraction(float(np.abs(X[:, j]).max()))), np.array([abs(ratio(Fraction(float(c)))) for c in Y[:, j]])))
    z = _out(t.apply_zscore(t.fit_zscore(X, eps=eps), Y)).astype(np.float64)
    _check_shape(z, Y, "apply_zscore")
    if not np.all(np.isfinite(z)):
        raise LawViolation(f"apply_zscore(fit_zscore(X, eps={eps}), Y) is not finite: {z!r} "
                           f"[x={x!r}, y={y!r}, a={a}, b={b}]")
    for j in range(X.shape[1]):
        kappa, y_over_s = over_s[j]
        if kappa > KAPPA_MAX:
            continue
        want = np.array(wants[j])
        with np.errstate(over="ignore"):  # inf: conditioning beyond float64, nothing to check
            tol = 16 * (n + 2) * EPS64 * (kappa + y_over_s + kappa * np.abs(want)) + 2.0**-1073
        if np.any(np.abs(z[:, j] - want) > tol):
            raise LawViolation(f"apply_zscore(fit_zscore(X, eps={eps}), Y) feature {j} (X = 2^{a[j % 3]} x, "
                               f"Y = 2^{b[j % 3]} y): got {z[:, j]!r}, should be {want!r} within {np.max(tol):.3g} "
                               f"[x[:, {j}]={x[:, j]!r}, y[:, {j}]={y[:, j]!r}]")


_RANGES_AT_THE_LIMIT = [(0.0, 1.0), (-1.0, 1.0), (2.0, 3.0), (-3.0, -2.0), (1e300, 2e300)]
#: min-max results beyond this are rejected: the exact value is known (no root), and a few
#: roundings of a value this far below the float64 maximum cannot overflow.
_NEAR_MAX = float(np.finfo(np.float64).max) * (1 - 2.0**-20)


@law(needs=("fit_minmax", "apply_minmax"), x=dyadic_matrices(max_rows=6, max_cols=3),
     y=dyadic_matrices(min_rows=1, max_rows=3, max_cols=3),
     a=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     b=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     feature_range=st.sampled_from(_RANGES_AT_THE_LIMIT),
     controls=(ctl.apply_minmax_without_halving, ctl.apply_minmax_one_scale_for_all_features,
               ctl.apply_minmax_unscaled),
     examples=(
         # t = 1.5 * 2^1022 and 1.5 * 2^1023 with feature_range (2, 3): (1 - t) lo and t hi
         # overflow, lo + t (hi - lo) fits
         {"x": np.array([[0.0], [1.0]]), "y": np.array([[1.5], [-1.5], [3.0]]), "a": [0] * 3, "b": [1022] * 3,
          "feature_range": (2.0, 3.0)},
         {"x": np.array([[0.0], [1.0]]), "y": np.array([[1.5], [-1.5]]), "a": [0] * 3, "b": [1022] * 3,
          "feature_range": (-3.0, -2.0)},
         # one feature overflows the convex combination, the other does not
         {"x": np.array([[0.0, 0.0], [1.0, 1.0]]), "y": np.array([[1.5, 0.5]]), "a": [0] * 3, "b": [1022, 0, 0],
          "feature_range": (2.0, 3.0)},
         # feature_range (1e300, 2e300): t hi overflows for t = 1.5 * 2^26, lo + t (hi - lo) ~ 1e308 fits
         {"x": np.array([[0.0], [1.0]]), "y": np.array([[1.5], [0.5]]), "a": [0] * 3, "b": [26] * 3,
          "feature_range": (1e300, 2e300)},
         # training data at +-1.5 * 2^1023: their range overflows float64
         {"x": np.array([[-1.5], [1.5], [0.5]]), "y": np.array([[0.25], [-1.0]]), "a": [1023] * 3,
          "b": [1023] * 3, "feature_range": (0.0, 1.0)},
         # features of very different magnitudes in one call
         {"x": np.array([[0.0, 0.0], [2.0, 2.0]]), "y": np.array([[1.0, 1.0]]), "a": [1000, -1000, 0],
          "b": [1000, -1000, 0], "feature_range": (0.0, 1.0)},
     ))
def apply_minmax_holds_across_the_float64_range(t, x, y, a, b, feature_range):
    """``apply_minmax(fit_minmax(X, (lo, hi)), Y) = lo + (hi - lo) (Y - min) / (max - min)`` for
    every feature magnitude float64 holds: ``X = 2^a_j x``, ``Y = 2^b_j y`` column by column,
    a_j and b_j from -1060 to 1000 (examples at 2^1023), whenever the result fits (below
    ``(1 - 2^-20)`` times the float64 maximum, otherwise rejected); constant features (max == min) are the law
    ``minmax_maps_extremes_onto_feature_range``'s.

    ``max - min`` overflows for data near +-2^1023, and for new data far outside the fitted
    range the terms of ``(1 - t) lo + t hi`` overflow although their sum fits. The oracle is
    exact (``Fraction``). Tolerance ``8 eps ((|lo| + |hi|) (1 + |t|) + (hi - lo) (|Y| + |min| +
    |max|) / (max - min))`` plus ``2^-1073``: a few roundings of the result and of its
    operands (the problem's conditioning).
    """
    from fractions import Fraction
    lo, hi = feature_range
    y = np.resize(y, (y.shape[0], x.shape[1]))
    X, Y = _pow2_columns(x, a), _pow2_columns(y, b)
    wants = []
    for j in range(X.shape[1]):
        dmin, dmax = Fraction(float(X[:, j].min())), Fraction(float(X[:, j].max()))
        if dmax == dmin:
            # the law apply_minmax_maps_new_data_on_a_constant_feature_by_its_offset's; only
            # rejected when its value does not fit either
            if any(abs(_float_or_huge(Fraction(lo) + (Fraction(hi) - Fraction(lo)) * (Fraction(float(v)) - dmin)))
                   >= _NEAR_MAX for v in Y[:, j]):
                reject()
            wants.append(None)
            continue
        want = [_float_or_huge(Fraction(lo) + (Fraction(hi) - Fraction(lo)) * (Fraction(float(v)) - dmin) / (dmax - dmin))
                for v in Y[:, j]]
        if any(abs(w) >= _NEAR_MAX for w in want):
            reject()
        wants.append(want)
    m = _out(t.apply_minmax(t.fit_minmax(X, feature_range=feature_range), Y)).astype(np.float64)
    _check_shape(m, Y, "apply_minmax")
    for j in range(X.shape[1]):
        if wants[j] is None:
            continue
        want = np.array(wants[j])
        dmin, dmax = Fraction(float(X[:, j].min())), Fraction(float(X[:, j].max()))
        tq = np.array([_float_or_huge((Fraction(float(v)) - dmin) / (dmax - dmin)) for v in Y[:, j]])
        cond = np.array([_float_or_huge((abs(Fraction(float(v))) + abs(dmin) + abs(dmax)) / (dmax - dmin))
                         for v in Y[:, j]])
        with np.errstate(over="ignore"):  # inf: conditioning beyond float64, nothing to check
            tol = 8 * EPS64 * (abs(lo) + abs(hi)) * (1 + np.abs(tq)) + 8 * EPS64 * (hi - lo) * cond + 2.0**-1073
        if not np.all(np.isfinite(m[:, j])) or np.any(np.abs(m[:, j] - want) > tol):
            raise LawViolation(f"apply_minmax(fit_minmax(X, {feature_range}), Y) feature {j} (X = 2^{a[j]} x, "
                               f"Y = 2^{b[j]} y): got {m[:, j]!r}, should be {want!r} within {np.max(tol):.3g} "
                               f"[x[:, {j}]={x[:, j]!r}, y[:, {j}]={y[:, j]!r}]")


@law(needs=("center",), x=dyadic_matrices(max_rows=8, max_cols=3),
     k=st.lists(st.integers(-900, 900), min_size=3, max_size=3),
     controls=(ctl.center_one_scale_for_all_features, ctl.center_divided_by_scale),
     examples=({"x": np.array([[1.0, -3.0], [2.0, 5.0], [6.0, 1.0]]), "k": [900, -900, 0]},
               {"x": np.array([[1.0, -3.0], [2.0, 5.0], [6.0, 1.0]]), "k": [-900, 900, 0]}))
def center_holds_across_magnitudes(t, x, k):
    """``center(X)`` subtracts each feature's exact mean from ``X = 2^k_j x`` (column j scaled
    by its own power of two, k_j from -900 to 900), as ``center_removes_each_feature_mean``
    states at moderate magnitudes: features far apart in magnitude do not share one scale.

    The oracle is exact (``Fraction`` means; dyadic data, so X is exact). Tolerance
    ``8 (n + 2) eps max|X_j|`` per feature: one rounded mean and one subtraction, the
    conditioning of centering.
    """
    from fractions import Fraction
    X = _pow2_columns(x, k)
    n = X.shape[0]
    c = _out(t.center(X)).astype(np.float64)
    _check_shape(c, X, "center")
    for j in range(X.shape[1]):
        col = _frac_column(X[:, j])
        mu = sum(col, Fraction(0)) / n
        want = np.array([float(v - mu) for v in col])
        tol = 8 * (n + 2) * EPS64 * float(np.abs(X[:, j]).max())
        if not np.all(np.isfinite(c[:, j])) or np.any(np.abs(c[:, j] - want) > tol):
            raise LawViolation(f"center feature {j} (X = 2^{k[j]} x): got {c[:, j]!r}, should be {want!r} within "
                               f"{tol:.3g} [x={x!r}]")


@law(needs=("fit_minmax", "apply_minmax"), c=dyadic_matrices(min_rows=1, max_rows=1, max_cols=3),
     y=dyadic_matrices(min_rows=1, max_rows=3, max_cols=3),
     a=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     b=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     feature_range=st.sampled_from(_RANGES_AT_THE_LIMIT),
     controls=(ctl.apply_minmax_constant_feature_in_scaled_units, ctl.apply_minmax_constant_feature_maps_to_lo),
     examples=({"c": np.array([[3.0]]), "y": np.array([[5.0], [1.0]]), "a": [0] * 3, "b": [0] * 3,
                "feature_range": (0.0, 1.0)},
               {"c": np.array([[1.0, 1.0]]), "y": np.array([[1.0, 1.0], [1.5, 2.0]]), "a": [500, 0, 0],
                "b": [500, 0, 0], "feature_range": (-1.0, 1.0)}))
def apply_minmax_maps_new_data_on_a_constant_feature_by_its_offset(t, c, y, a, b, feature_range):
    """A feature that is constant (``c``) in the training data has range 0, which counts as 1:
    new data map to ``lo + (hi - lo) (Y - c)`` (scikit-learn ``MinMaxScaler``: a zero
    ``data_range`` is replaced by 1), independently of the other rows of the batch and of the
    magnitude (``c = 2^a_j c0``, ``Y = 2^b_j y``, a_j and b_j from -1060 to 1000; results
    within 2^-20 of the float64 maximum rejected). The training value itself maps to ``lo``.

    Oracle exact (``Fraction``); tolerance ``8 eps (|lo| + |hi| + (hi - lo) (|Y| + |c|))`` plus
    ``2^-1073``: a few roundings of the result and of ``Y - c``.
    """
    from fractions import Fraction
    lo, hi = feature_range
    y = np.resize(y, (y.shape[0], c.shape[1]))
    C, Y = _pow2_columns(c, a), _pow2_columns(y, b)
    X = np.vstack([C, C])
    want = np.array([[_float_or_huge(Fraction(lo) + (Fraction(hi) - Fraction(lo)) * (Fraction(float(v)) - Fraction(float(C[0, j]))))
                      for j, v in enumerate(row)] for row in Y])
    if np.any(np.abs(want) >= _NEAR_MAX):
        reject()
    m = _out(t.apply_minmax(t.fit_minmax(X, feature_range=feature_range), Y)).astype(np.float64)
    _check_shape(m, Y, "apply_minmax")
    with np.errstate(over="ignore"):  # inf: conditioning beyond float64, nothing to check
        tol = 8 * EPS64 * (abs(lo) + abs(hi)) + 8 * EPS64 * (hi - lo) * (np.abs(Y) + np.abs(C)) + 2.0**-1073
    if not np.all(np.isfinite(m)) or np.any(np.abs(m - want) > tol):
        raise LawViolation(f"apply_minmax(fit_minmax(constant features {C[0]!r}, {feature_range}), Y): got {m!r}, "
                           f"should be {want!r} (lo + (hi - lo) (Y - c)) [c={c!r}, y={y!r}, a={a}, b={b}]")


@law(needs=("fit_zscore", "apply_zscore"), c=dyadic_matrices(min_rows=1, max_rows=1, max_cols=3),
     y=dyadic_matrices(min_rows=1, max_rows=3, max_cols=3),
     a=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     b=st.lists(st.integers(-1060, 1000), min_size=3, max_size=3),
     controls=(ctl.apply_zscore_constant_feature_maps_to_zero,),
     examples=(
         # a subnormal constant feature and new data as small: only its divisor 1 / scale overflows
         {"c": np.array([[3.0]]), "y": np.array([[5.0]]), "a": [-1060] * 3, "b": [-1040] * 3},
         # a subnormal constant feature (the fit's frame overflows twice: x / scale and 1 / scale)
         {"c": np.array([[3.0]]), "y": np.array([[5.0]]), "a": [-1060] * 3, "b": [100] * 3}))
def apply_zscore_maps_new_data_on_a_constant_feature_by_its_offset_at_eps_0(t, c, y, a, b):
    """With ``eps = 0`` a feature that is constant (``c``) in the training data has variance 0
    and divisor 1 (scikit-learn's ``scale_ = 1``): new data map to ``Y - c``, at every magnitude
    (``c = 2^a_j c0``, ``Y = 2^b_j y``, a_j and b_j from -1060 to 1000; results within 2^-20 of
    the float64 maximum rejected). The training value itself maps to 0.

    Oracle exact (``Fraction``); tolerance ``8 eps (|Y| + |c|)`` plus ``2^-1073``: a few
    roundings of ``Y - c``.
    """
    from fractions import Fraction
    y = np.resize(y, (y.shape[0], c.shape[1]))
    C, Y = _pow2_columns(c, a), _pow2_columns(y, b)
    X = np.vstack([C, C])
    want = np.array([[_float_or_huge(Fraction(float(v)) - Fraction(float(C[0, j]))) for j, v in enumerate(row)]
                     for row in Y])
    if np.any(np.abs(want) >= _NEAR_MAX):
        reject()
    z = _out(t.apply_zscore(t.fit_zscore(X, eps=0.0), Y)).astype(np.float64)
    _check_shape(z, Y, "apply_zscore")
    with np.errstate(over="ignore"):
        tol = 8 * EPS64 * (np.abs(Y) + np.abs(C)) + 2.0**-1073
    if not np.all(np.isfinite(z)) or np.any(np.abs(z - want) > tol):
        raise LawViolation(f"apply_zscore(fit_zscore(constant features {C[0]!r}, eps=0), Y): got {z!r}, should be "
                           f"{want!r} (Y - c) [c={c!r}, y={y!r}, a={a}, b={b}]")


@law(needs=("fit_zscore", "apply_zscore"), x=feature_matrices(max_rows=6, max_cols=3, bound=1e3),
     dtype=st.sampled_from(["float32", "float64", "int64"]), controls=(ctl.apply_zscore_always_float64,))
def applied_zscore_dtype_follows_input(t, x, dtype):
    """``apply_zscore(stats, x)`` has the dtype of ``x`` when ``x`` is floating and float64 when
    it is an integer array, as ``output_dtype_follows_input`` states for ``zscore`` (the
    statistics, fitted on float64 data here, do not decide the output dtype)."""
    xd = x.astype(dtype) if dtype != "int64" else np.round(x).astype(np.int64)
    stats = t.fit_zscore(np.asarray(x, dtype=np.float64), eps=0.0)
    out = _out(t.apply_zscore(stats, xd))
    want = np.dtype(dtype) if dtype != "int64" else np.dtype(np.float64)
    if out.dtype != want:
        raise LawViolation(f"apply_zscore of {dtype} input returned {out.dtype}, should be {want}")


# --- the defaults ---------------------------------------------------------------------------------

#: Functions with documented defaults, and the names each case needs (a fitted statistic is seen
#: only through its apply function).
_DEFAULTED = {"fit_zscore": ("fit_zscore", "apply_zscore"), "zscore": ("zscore",),
              "fit_minmax": ("fit_minmax", "apply_minmax"), "minmax": ("minmax",)}


def _with_defaults(t, case, x, new, explicit: bool):
    kw = ({"eps": 0.0} if "zscore" in case else {"feature_range": (0.0, 1.0)}) if explicit else {}
    if case == "fit_zscore":
        return t.apply_zscore(t.fit_zscore(x, **kw), new)
    if case == "fit_minmax":
        return t.apply_minmax(t.fit_minmax(x, **kw), new)
    return getattr(t, case)(x, **kw)


@law(needs=(), cases=_DEFAULTED, case=lambda c: st.just(c), x=feature_matrices(max_rows=8, max_cols=3, bound=1e3),
     new=feature_matrices(min_rows=1, max_rows=4, min_cols=3, max_cols=3, bound=1e3), max_examples=10,
     controls=(ctl.zscore_eps_default_one, ctl.minmax_default_range_symmetric),
     examples=tuple({"_case": c, "case": c, "x": np.array([[0.5, 1.0], [1.0, 1.0], [2.0, 1.0]]),
                     "new": np.array([[4.0, 0.25, 0.0]])} for c in _DEFAULTED))
def normalisers_default_to_the_documented_conventions(t, case, x, new):
    """``fit_zscore(x)`` and ``zscore(x)`` with ``eps`` omitted equal the calls with the documented
    default ``eps=0.0`` (the plain population standard deviation, scikit-learn's
    ``StandardScaler``), and ``fit_minmax(x)`` / ``minmax(x)`` with ``feature_range`` omitted
    equal the calls with ``feature_range=(0, 1)`` (seed 002, ``MinMaxScaler``), bit for bit;
    fitted statistics are compared through ``apply_zscore`` / ``apply_minmax`` on new data.

    A law about defaults (the others pass every argument): the interface's defaults, which an
    adapter maps onto its framework. Deterministic calls; no tolerance.
    """
    new = new[:, :x.shape[1]]
    got = np.asarray(_with_defaults(t, case, x, new, explicit=False))
    want = np.asarray(_with_defaults(t, case, x, new, explicit=True))
    if got.shape != want.shape or not np.array_equal(got, want, equal_nan=True):
        given = "eps=0.0" if "zscore" in case else "feature_range=(0.0, 1.0)"
        raise LawViolation(f"{case} with its defaults gives {got.ravel()[:4].tolist()}...; with {given} given "
                           f"explicitly {want.ravel()[:4].tolist()}... [x={x.tolist()}]")


# --- contract: argument domains (tier contract) --------------------------------------------------

#: The normalisers, and the names each case needs (apply_* fits on valid data first).
_NORMALISERS = {"zscore": ("zscore",), "fit_zscore": ("fit_zscore",), "apply_zscore": ("fit_zscore", "apply_zscore"),
                "minmax": ("minmax",), "fit_minmax": ("fit_minmax",), "apply_minmax": ("fit_minmax", "apply_minmax"),
                "center": ("center",)}


def _normaliser(t, case, features: int):
    """The call of ``case`` on data x; an apply_* function gets statistics fitted (outside the
    refused call) on valid data with ``features`` features."""
    good = np.arange(2.0 * max(features, 1)).reshape(2, max(features, 1)) ** 2
    if case == "apply_zscore":
        stats = t.fit_zscore(good, eps=0.0)
        return lambda x: t.apply_zscore(stats, x)
    if case == "apply_minmax":
        stats = t.fit_minmax(good, feature_range=(0.0, 1.0))
        return lambda x: t.apply_minmax(stats, x)
    if case == "zscore":
        return lambda x: t.zscore(x, eps=0.0)
    if case == "fit_zscore":
        return lambda x: t.fit_zscore(x, eps=0.0)
    if case in ("minmax", "fit_minmax"):
        return lambda x: getattr(t, case)(x, feature_range=(0.0, 1.0))
    return t.center


def _refused_data(t, case, x, what, expect):
    call = _normaliser(t, case, np.shape(x)[-1] if np.ndim(x) else 1)
    before = np.array(x, copy=True)
    refuses(lambda: call(x), what, expect)
    if before.dtype.kind in "fc":
        unchanged(before, x, f"{what}: x")


_MATRIX_SHAPES = st.tuples(st.integers(2, 5), st.integers(1, 3))


@law(needs=(), cases=_NORMALISERS, tier="contract", case=lambda c: st.just(c), x=arrays_of_ndim((0, 1, 3)),
     max_examples=10, controls=(ctl.normaliser_ndim_unchecked,))
def normalisers_refuse_data_that_is_not_2_d(t, case, x):
    """``x`` is ``(n_samples, n_features)``, one feature per column: a 1-d array is ambiguous (one
    sample or one feature? the reference's message says how to reshape it), a 0-d or 3-d array
    has no documented layout. Each raises ``ValueError`` (a wrong shape) and stays unchanged; an
    apply function is given statistics fitted on valid data first.
    """
    _refused_data(t, case, x, f"{case} of a {x.ndim}-d array of shape {x.shape}", ValueError)


@law(needs=(), cases=_NORMALISERS, tier="contract", case=lambda c: st.just(c), x=with_a_nonfinite(_MATRIX_SHAPES),
     max_examples=10, controls=(ctl.normaliser_finiteness_unchecked,))
def normalisers_refuse_nan_and_inf_data(t, case, x):
    """The data are finite: a NaN or an infinity makes its feature's statistics (mean, standard
    deviation, minimum, maximum) meaningless and spreads into every normalised value of the
    feature instead of being reported. Data holding one raise ``ValueError`` and stay unchanged.
    """
    _refused_data(t, case, x, f"{case} of data holding {x[~np.isfinite(x)][0]!r}", ValueError)


@law(needs=(), cases=_NORMALISERS, tier="contract", case=lambda c: st.just(c), x=non_real(_MATRIX_SHAPES),
     max_examples=10, controls=(ctl.normaliser_data_cast_to_float,))
def normalisers_refuse_data_that_is_not_real_numbers(t, case, x):
    """The data are real numbers: strings (even numerals such as ``'1.5'``) and complex numbers
    (whose imaginary part a cast would drop) are the wrong type of data and raise ``TypeError``;
    the input stays unchanged.
    """
    _refused_data(t, case, x, f"{case} of a {x.dtype} array", TypeError)


#: eps below 0 (the closed bound 0 itself is allowed): the largest negative double, small and
#: large negative values, NaN and -inf.
BAD_EPS = st.one_of(st.sampled_from([-5e-324, -1e-12, -1.0, math.nan, -math.inf]), st.floats(-1e300, 0.0, exclude_max=True))


@law(needs=(), cases=per_technique(("fit_zscore", "zscore")), tier="contract", case=lambda c: st.just(c),
     x=feature_matrices(max_rows=6, max_cols=3, bound=1e3), eps=BAD_EPS, max_examples=10,
     controls=(ctl.zscore_eps_unchecked, ctl.zscore_eps_refused_with_type_error),
     examples=tuple({"_case": c, "case": c, "x": np.array([[1.0], [3.0]]), "eps": e}
                    for c in ("fit_zscore", "zscore") for e in (-5e-324, math.nan)))
def zscore_eps_below_zero_is_refused(t, case, x, eps):
    """``eps`` is added to the variance inside the square root and lies in ``[0, inf)``: a
    negative eps can make ``var + eps`` negative (a NaN divisor) or shrink the divisor below the
    standard deviation, and NaN is no value. Either raises ``ValueError`` (not ``TypeError``: the
    type is right), down to the smallest negative double; the data stay unchanged.
    """
    before = np.array(x, copy=True)
    refuses(lambda: getattr(t, case)(x, eps=eps), f"{case}(x, eps={eps!r})", ValueError)
    unchanged(before, x, f"{case}(x, eps={eps!r}): x")


#: feature ranges that are not finite increasing pairs: lo == hi, lo > hi, NaN or infinite ends.
BAD_RANGES = st.one_of(
    st.sampled_from([(1.0, 1.0), (0.0, 0.0), (1.0, 0.0), (0.0, math.nan), (math.nan, 1.0), (0.0, math.inf),
                     (-math.inf, 0.0)]),
    finite_floats(1e6).flatmap(lambda a: st.tuples(st.just(a), st.one_of(st.just(a), st.floats(-1e6, a)))))


@law(needs=(), cases=per_technique(("fit_minmax", "minmax")), tier="contract", case=lambda c: st.just(c),
     x=feature_matrices(max_rows=6, max_cols=3, bound=1e3), feature_range=BAD_RANGES, max_examples=10,
     controls=(ctl.minmax_range_lo_equal_hi_accepted, ctl.minmax_range_unchecked),
     examples=tuple({"_case": c, "case": c, "x": np.array([[1.0], [3.0]]), "feature_range": r}
                    for c in ("fit_minmax", "minmax") for r in ((1.0, 1.0), (0.0, math.nan))))
def minmax_feature_ranges_that_are_not_finite_and_increasing_are_refused(t, case, x, feature_range):
    """``feature_range = (lo, hi)`` is a finite interval with ``lo < hi``: with ``lo == hi``
    every value maps to one point (the normalisation is lost), with ``lo > hi`` the order of the
    data is reversed, and a NaN or infinite end gives no finite output. Each raises
    ``ValueError`` (the pair has the right type; equal ends are refused exactly); the data stay
    unchanged.
    """
    before = np.array(x, copy=True)
    refuses(lambda: getattr(t, case)(x, feature_range=feature_range), f"{case}(x, feature_range={feature_range!r})",
            ValueError)
    unchanged(before, x, f"{case}(x, feature_range={feature_range!r}): x")


@law(needs=(), cases={"apply_zscore": ("fit_zscore", "apply_zscore"), "apply_minmax": ("fit_minmax", "apply_minmax")},
     tier="contract", case=lambda c: st.just(c), x=feature_matrices(max_rows=6, max_cols=3, bound=1e3),
     other=st.integers(1, 4), max_examples=10,
     controls=(ctl.apply_zscore_broadcasts_features, ctl.apply_minmax_feature_check_index_error))
def applying_statistics_to_another_number_of_features_is_refused(t, case, x, other):
    """Statistics fitted on ``c`` features apply to data with exactly ``c`` features (one column
    per fitted feature): data with another number of columns would be normalised by broadcasting
    someone else's statistics (or the first ``c`` of them). It raises ``ValueError`` (a wrong
    shape) and the data stay unchanged.
    """
    if other == x.shape[1]:
        other += 1
    new = np.resize(x, (x.shape[0], other))
    if case == "apply_zscore":
        stats, apply = t.fit_zscore(x, eps=0.0), t.apply_zscore
    else:
        stats, apply = t.fit_minmax(x, feature_range=(0.0, 1.0)), t.apply_minmax
    before = new.copy()
    refuses(lambda: apply(stats, new), f"{case} of data with {other} feature(s) by statistics of {x.shape[1]}",
            ValueError)
    unchanged(before, new, f"{case}: x")


@st.composite
def _beyond_float16(draw, case):
    """``(fit data, x)``: float64 training data ``[[b], [b + d]]`` and float16 data whose normalised
    value is beyond the float16 maximum 65504 (for ``minmax``: x itself, with a feature range
    ``(0, hi)``, hi above 65504, in the third slot)."""
    b = draw(st.floats(-100.0, 100.0), label="b")
    d = draw(st.floats(1e-3, 0.25), label="d")
    sign = draw(st.sampled_from([1.0, -1.0]), label="sign")
    fit = np.array([[b], [b + d]])
    if case == "minmax":
        hi = draw(st.floats(65520.0, 1e6), label="hi")
        return np.array([[b], [b + 1.0]], dtype=np.float16), None, (0.0, hi)   # distinct in float16
    x = np.array([[b + sign * 2 * 65504 * d]], dtype=np.float16)
    return fit, x, (0.0, 1.0)


@law(needs=(), cases={"minmax": ("minmax",), "apply_zscore": ("fit_zscore", "apply_zscore"),
                      "apply_minmax": ("fit_minmax", "apply_minmax")},
     tier="contract", case=lambda c: st.just(c), data=lambda c: _beyond_float16(c), max_examples=10,
     controls=(ctl.result_overflows_to_inf, ctl.result_overflow_refused_with_type_error))
def normalised_values_beyond_the_output_dtype_are_refused(t, case, data):
    """The output has the input's floating dtype, so a normalised value must fit it: float16 data
    whose z-score or min-max value lies beyond 65504 (new data far outside the fitted range, or a
    feature range wider than float16) would come out as inf. The call raises ``ValueError`` (the
    result does not fit; the reference's message says to pass float32 or float64), not an inf
    and not another exception; the data stay unchanged.
    """
    fit, x, feature_range = data
    if case == "minmax":
        call, what, arr = (lambda: t.minmax(fit, feature_range=feature_range)), \
            f"minmax(float16 {fit.ravel().tolist()}, feature_range={feature_range!r})", fit
    elif case == "apply_zscore":
        stats = t.fit_zscore(fit, eps=0.0)
        call, what, arr = (lambda: t.apply_zscore(stats, x)), \
            f"apply_zscore(fit_zscore({fit.ravel().tolist()}), float16 {x.ravel().tolist()})", x
    else:
        stats = t.fit_minmax(fit, feature_range=feature_range)
        call, what, arr = (lambda: t.apply_minmax(stats, x)), \
            f"apply_minmax(fit_minmax({fit.ravel().tolist()}), float16 {x.ravel().tolist()})", x
    before = np.array(arr, copy=True)
    refuses(call, what, ValueError)
    unchanged(before, arr, f"{what}: x")
