"""The statistical helpers are calibrated: false-alarm rate as stated, power as claimed.

Each check is simulated many times with a fixed seed (so this meta-test is deterministic)
at ``alpha = 0.01``; the number of rejections under the null must lie inside the central
``1 - 1e-6`` interval of Binomial(runs, 0.01), and under the named alternative the rejection
rate must match the power the module computes.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from properties import LawViolation
from properties import stats as S

RUNS = 2000
ALPHA = 0.01


def _rejections(check, draw, runs=RUNS, seed=12345):
    rng = np.random.default_rng(seed)
    count = 0
    for _ in range(runs):
        try:
            check(draw(rng))
        except LawViolation:
            count += 1
    return count


def _binomial_interval(runs, p, prob=1e-6):
    return sps.binom.ppf(prob / 2, runs, p), sps.binom.isf(prob / 2, runs, p)


CASES = {
    "mean_known_std": (lambda x: S.check_mean(x, 0.0, std=1.0, alpha=ALPHA), lambda r: r.standard_normal(200)),
    "mean_t": (lambda x: S.check_mean(x, 0.0, alpha=ALPHA), lambda r: r.standard_normal(50)),
    "variance_chi2_known_mean": (lambda x: S.check_variance(x, 1.0, mean=0.0, alpha=ALPHA), lambda r: r.standard_normal(200)),
    "variance_chi2": (lambda x: S.check_variance(x, 1.0, alpha=ALPHA), lambda r: r.standard_normal(200)),
    "variance_uniform_asymptotic": (lambda x: S.check_variance(x, 1 / 3, mean=0.0, excess_kurtosis=-1.2, alpha=ALPHA),
                                    lambda r: r.uniform(-1, 1, 2000)),
    "ks_normal": (lambda x: S.check_distribution(x, sps.norm(), alpha=ALPHA), lambda r: r.standard_normal(300)),
    "proportion": (lambda k: S.check_proportion(k, 500, 0.3, alpha=ALPHA), lambda r: r.binomial(500, 0.3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_false_alarm_rate_is_alpha(name):
    check, draw = CASES[name]
    k = _rejections(check, draw)
    lo, hi = _binomial_interval(RUNS, ALPHA)
    # The exact binomial test is conservative (discrete), so it may reject less often.
    lo = 0 if name == "proportion" else lo
    assert lo <= k <= hi, f"{name}: {k} rejections in {RUNS} runs at alpha={ALPHA}; expected in [{lo}, {hi}]"


def test_variance_power_matches_simulation():
    """Under a 10% variance error, the rejection rate equals the power computed by the module."""
    n = 400
    power = S.variance_power(n, 1.1, ALPHA)
    k = _rejections(lambda x: S.check_variance(x, 1.0, mean=0.0, alpha=ALPHA),
                    lambda r: r.standard_normal(n) * np.sqrt(1.1), runs=RUNS)
    lo, hi = _binomial_interval(RUNS, power)
    assert lo <= k <= hi, f"power {power:.3f} predicted, {k}/{RUNS} rejections observed"


def test_mean_power_matches_simulation():
    n = 400
    power = S.mean_power(n, 0.1, ALPHA)
    k = _rejections(lambda x: S.check_mean(x, 0.0, std=1.0, alpha=ALPHA), lambda r: r.standard_normal(n) + 0.1)
    lo, hi = _binomial_interval(RUNS, power)
    assert lo <= k <= hi, f"power {power:.3f} predicted, {k}/{RUNS} rejections observed"


def test_design_sample_sizes_reach_the_stated_power():
    """N_MEAN and N_VAR catch a 0.1-sigma shift / 10% variance error with power >= 1 - 1e-6."""
    assert S.mean_power(S.N_MEAN, 0.1, S.ALPHA) >= 1 - S.BETA
    assert S.mean_power(S.N_MEAN - 50, 0.1, S.ALPHA) < 1 - S.BETA  # and is not wastefully large
    for ratio in (1.1, 1 / 1.1):
        assert S.variance_power(S.N_VAR, ratio, S.ALPHA) >= 1 - S.BETA
        assert S.variance_power(S.N_VAR, ratio, S.ALPHA, excess_kurtosis=-1.2) >= 1 - S.BETA


def test_failure_message_carries_statistic_region_pvalue_seed_and_repro():
    x = np.random.default_rng(7).standard_normal(500) + 1.0
    with pytest.raises(LawViolation) as info:
        S.check_mean(x, 0.0, std=1.0, what="demo", seed=7, repro="x = rng.standard_normal(500) + 1")
    msg = str(info.value)
    for part in ("statistic=", "acceptance region", "p-value=", "seed=7", "reproduce:"):
        assert part in msg, (part, msg)
