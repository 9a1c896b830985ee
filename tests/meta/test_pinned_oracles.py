"""Counterexamples that exposed a flaw in a law's own oracle, pinned.

The laws below draw gamma and beta through ``st.data()``, which ``@example`` cannot supply,
so the counterexample is replayed here by calling the law once with fixed draws.
"""

import numpy as np

from properties import load_target
from properties.laws.batchnorm import batchnorm_training_output_has_mean_beta_and_variance_gamma2_s2_over_s2_plus_eps as bn_law


class _Draws:
    """Stands in for Hypothesis's data object: returns the given values in order."""

    def __init__(self, *values):
        self.values = list(values)

    def draw(self, strategy, label=None):
        return self.values.pop(0)


def test_batchnorm_oracle_on_a_subnormal_variance():
    # Seed 1 of 89 (issue 13): x[:, 0] = [2.66918454e-160, 0.0], gamma = -1.5, eps = 0. The
    # biased variance 1.78e-320 is subnormal; gamma^2 * var / var rounded there to 2.24993,
    # and the reference's correct 2.25 was reported as a violation.
    draws = _Draws(np.array([1.5]), np.array([-1.0]), np.array([0.0]))
    assert bn_law(load_target("reference"), x=np.array([[2.66918454e-160], [0.0]]), eps=0.0, as_3d=False,
                  data=draws) is None
    assert not draws.values


def test_batchnorm_oracle_normalises_a_subnormal_variance_channel_exactly():
    # The same channel: x_hat = (x - mean) / sqrt(var) is exactly +-1, but sqrt of the
    # subnormal 1.78e-320 has about 4 significant digits; the oracle takes the root at scale.
    from properties.laws.batchnorm import _oracle

    xh = _oracle(np.array([[2.66918454e-160], [0.0]]), 0.0)[4]
    assert xh.ravel().tolist() == [1.0, -1.0]
