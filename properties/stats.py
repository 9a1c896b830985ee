"""Calibrated statistical assertions on scipy.stats.

Every check takes a false-alarm probability ``alpha`` (default :data:`ALPHA` = 1e-7 per
call), computes its acceptance region from the exact or asymptotic sampling distribution of
its statistic, and on rejection raises :class:`~properties.LawViolation` with the statistic,
the region, the p-value, the seed and a reproduction snippet.

Power (the probability of catching a named wrong alternative) is a design input, not an
afterthought: :func:`n_for_mean_shift` and :func:`n_for_variance_ratio` return the sample
size at which a 0.1-sigma mean shift or a 10% variance error is caught with probability at
least ``1 - BETA`` (= 1 - 1e-6) at ``alpha = ALPHA``. The constants :data:`N_MEAN` and
:data:`N_VAR` are those sizes; laws draw at least that many values. ``tests/meta`` checks
the calibration (rejection rate under the null) and the power claims of this module.

Randomness always comes from a seed that Hypothesis draws (``seeds()``), turned into a
``numpy.random.Generator``: a failure replays from the printed seed.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import strategies as st
from scipy import stats as sps

from ._law import LawViolation

__all__ = [
    "ALPHA", "BETA", "N_MEAN", "N_VAR", "seeds", "rng_from",
    "check_mean", "check_variance", "check_distribution", "check_proportion",
    "n_for_mean_shift", "n_for_variance_ratio", "variance_power",
]

#: Default false-alarm probability of one statistical check.
ALPHA = 1e-7
#: Default miss probability the sample sizes are designed for (power = 1 - BETA).
BETA = 1e-6


def seeds():
    """Hypothesis strategy for a 64-bit seed (so failures replay and shrink)."""
    return st.integers(min_value=0, max_value=2**63 - 1)


def rng_from(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


@functools.lru_cache(maxsize=4096)
def _crit(kind: str, dof: int, alpha: float):
    """Acceptance-region bounds, cached: scipy's inverse CDFs dominate small checks."""
    if kind == "norm":
        return sps.norm.isf(alpha / 2)
    if kind == "t":
        return sps.t(dof).isf(alpha / 2)
    if kind == "chi2":
        d = sps.chi2(dof)
        return d.isf(1 - alpha / 2), d.isf(alpha / 2)
    if kind == "ks":
        return sps.kstwo(dof).isf(alpha)
    raise ValueError(kind)


def _fail(test: str, what: str, statistic: float, region, pvalue: float, alpha: float, n: int,
          seed, repro: str | None, extra: str = ""):
    lo, hi = region
    lines = [
        f"{test} rejected [{what}]: statistic={statistic:.6g} outside acceptance region "
        f"[{lo:.6g}, {hi:.6g}]; p-value={pvalue:.3g} < alpha={alpha:g}; n={n}; seed={seed}",
    ]
    if extra:
        lines.append(extra)
    if repro:
        lines.append("reproduce:\n    " + repro.replace("\n", "\n    "))
    raise LawViolation("\n".join(lines))


def _as_sample(sample) -> np.ndarray:
    x = np.asarray(sample, dtype=np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"stats: a sample needs at least 2 values; got {x.size}")
    if not np.all(np.isfinite(x)):
        raise LawViolation(f"stats: sample contains {np.count_nonzero(~np.isfinite(x))} non-finite value(s)")
    return x


def check_mean(sample, mean: float, *, std: float | None = None, alpha: float = ALPHA, what: str = "",
               seed=None, repro: str | None = None) -> float:
    """Two-sided test of ``E[X] == mean``; returns the p-value.

    With the population ``std`` known the statistic ``(xbar - mean) / (std / sqrt(n))`` is
    N(0, 1) (asymptotically by the CLT, exactly for normal data); otherwise Student's t with
    n - 1 degrees of freedom, which is exact for normal data and asymptotic otherwise.
    """
    x = _as_sample(sample)
    n = x.size
    xbar = math.fsum(x) / n
    if std is not None:
        stat = (xbar - mean) / (std / math.sqrt(n))
        dist, name = sps.norm, "z-test of the mean"
    else:
        s = math.sqrt(math.fsum((x - xbar) ** 2) / (n - 1))
        stat = (xbar - mean) / (s / math.sqrt(n)) if s > 0 else (0.0 if xbar == mean else math.inf)
        dist, name = sps.t(n - 1), "t-test of the mean"
    crit = _crit("norm" if std is not None else "t", n - 1, alpha)
    if not abs(stat) <= crit:
        p = 2 * dist.sf(abs(stat))
        _fail(name, what, stat, (-crit, crit), p, alpha, n, seed, repro,
              f"sample mean={xbar:.6g}, expected {mean:.6g}")
    return 2 * dist.sf(abs(stat))


def check_variance(sample, var: float, *, mean: float | None = None, excess_kurtosis: float | None = 0.0,
                   alpha: float = ALPHA, what: str = "", seed=None, repro: str | None = None) -> float:
    """Two-sided test of ``Var[X] == var``; returns the p-value.

    ``excess_kurtosis=0`` (normal data): exact chi-square, ``sum((x - m)^2) / var`` ~
    chi2(n) with the known ``mean``, or chi2(n - 1) with the sample mean. Any other
    ``excess_kurtosis`` k (uniform: -1.2, truncated normal: see initialisers): the
    asymptotic normal law of the sample variance, ``Var[s^2] = var^2 (2 + k) / n``.
    """
    x = _as_sample(sample)
    n = x.size
    if mean is None:
        c = x - math.fsum(x) / n
        dof = n - 1
    else:
        c = x - mean
        dof = n
    ss = math.fsum(c * c)
    if excess_kurtosis == 0.0:
        stat = ss / var
        dist, name = sps.chi2(dof), "chi-square test of the variance"
        lo, hi = _crit("chi2", dof, alpha)
        p = 2 * min(dist.cdf(stat), dist.sf(stat))
    else:
        s2 = ss / dof
        stat = (s2 - var) / (var * math.sqrt((2.0 + excess_kurtosis) / n))
        crit = _crit("norm", 0, alpha)
        lo, hi = -crit, crit
        p = 2 * sps.norm.sf(abs(stat))
        name = "asymptotic z-test of the variance"
    if not lo <= stat <= hi:
        _fail(name, what, stat, (lo, hi), p, alpha, n, seed, repro,
              f"sample variance={ss / dof:.6g}, expected {var:.6g} (ratio {ss / dof / var:.4f})")
    return min(p, 1.0)


def check_distribution(sample, cdf, *, alpha: float = ALPHA, what: str = "", seed=None,
                       repro: str | None = None) -> float:
    """One-sample Kolmogorov-Smirnov test of the sample against a continuous ``cdf``.

    ``cdf`` is a callable or a frozen ``scipy.stats`` distribution; the acceptance region
    is ``D <= D_crit`` with ``D_crit = kstwo(n).isf(alpha)`` (exact distribution of D).
    """
    x = _as_sample(sample)
    n = x.size
    f = cdf.cdf if hasattr(cdf, "cdf") else cdf
    res = sps.kstest(x, f, method="asymp" if n > 10000 else "auto")
    crit = _crit("ks", n, alpha)
    if not res.statistic <= crit:
        _fail("Kolmogorov-Smirnov test", what, res.statistic, (0.0, crit), res.pvalue, alpha, n, seed, repro)
    return res.pvalue


def check_proportion(successes: int, trials: int, p: float, *, alpha: float = ALPHA, what: str = "",
                     seed=None, repro: str | None = None) -> float:
    """Exact two-sided binomial test of a success probability ``p``."""
    res = sps.binomtest(int(successes), int(trials), p)
    lo = sps.binom.ppf(alpha / 2, trials, p)
    hi = sps.binom.isf(alpha / 2, trials, p)
    if res.pvalue < alpha:
        _fail("exact binomial test", what, successes, (lo, hi), res.pvalue, alpha, trials, seed, repro,
              f"observed proportion {successes / trials:.6g}, expected {p:.6g}")
    return res.pvalue


# --- power -------------------------------------------------------------------------------

def mean_power(n: int, shift_sigmas: float, alpha: float = ALPHA) -> float:
    """Power of the two-sided z-test against a mean shift of ``shift_sigmas`` sigma."""
    crit = sps.norm.isf(alpha / 2)
    d = shift_sigmas * math.sqrt(n)
    return float(sps.norm.sf(crit - d) + sps.norm.cdf(-crit - d))


def n_for_mean_shift(shift_sigmas: float = 0.1, alpha: float = ALPHA, beta: float = BETA) -> int:
    """Smallest n with :func:`mean_power` >= 1 - beta."""
    n = max(2, int(((sps.norm.isf(alpha / 2) + sps.norm.isf(beta)) / shift_sigmas) ** 2) - 5)
    while mean_power(n, shift_sigmas, alpha) < 1 - beta:
        n += 1
    return n


def variance_power(n: int, ratio: float, alpha: float = ALPHA, excess_kurtosis: float = 0.0,
                   known_mean: bool = True) -> float:
    """Power of :func:`check_variance` when the true variance is ``ratio`` times the null.

    Exact for normal data (``excess_kurtosis=0``: the statistic is ``ratio * chi2``),
    asymptotic otherwise.
    """
    if excess_kurtosis == 0.0:
        dof = n if known_mean else n - 1
        dist = sps.chi2(dof)
        lo, hi = dist.isf(1 - alpha / 2), dist.isf(alpha / 2)
        return float(dist.sf(hi / ratio) + dist.cdf(lo / ratio))
    crit = sps.norm.isf(alpha / 2)
    sd0 = math.sqrt((2.0 + excess_kurtosis) / n)
    # Under the alternative s^2/var0 ~ N(ratio, ratio^2 * sd0^2).
    z_hi = (1 + crit * sd0 - ratio) / (ratio * sd0)
    z_lo = (1 - crit * sd0 - ratio) / (ratio * sd0)
    return float(sps.norm.sf(z_hi) + sps.norm.cdf(z_lo))


def n_for_variance_ratio(ratio: float = 1.1, alpha: float = ALPHA, beta: float = BETA,
                         excess_kurtosis: float = 0.0) -> int:
    """Smallest n (to 1%) at which a variance off by ``ratio`` *or* ``1/ratio`` is caught."""
    def ok(n):
        return min(variance_power(n, ratio, alpha, excess_kurtosis),
                   variance_power(n, 1 / ratio, alpha, excess_kurtosis)) >= 1 - beta
    lo, hi = 2, 2
    while not ok(hi):
        lo, hi = hi, hi * 2
    while hi - lo > max(1, lo // 100):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


#: Sample size catching a 0.1-sigma mean shift with power 1 - 1e-6 at alpha = 1e-7.
N_MEAN = n_for_mean_shift(0.1)
#: Sample size catching a 10% variance error (either way) with power 1 - 1e-6 at alpha = 1e-7
#: for normal data; uniform data (excess kurtosis -1.2) need fewer, so this covers both.
N_VAR = n_for_variance_ratio(1.1)
