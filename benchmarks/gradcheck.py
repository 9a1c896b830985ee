"""Gradient checking: cost of a full centred-difference check, and the relative error it finds.

Function: ``f(x) = sum(sin x) + 1/2 x^T A x`` with the SPD ``A`` of ``_data.spd_matrix(d)``,
analytic gradient ``cos x + A x``, at a standard normal point, ``h = 1e-6`` (the default).
A check costs 2d evaluations of f, each O(d^2): O(d^3) in all.
"""

import numpy as np

from ._data import reference_name, spd_matrix, vector

DIMS = [10, 100, 300]


def _problem(d):
    a = spd_matrix(d)
    return (lambda x: float(np.sum(np.sin(x)) + 0.5 * x @ a @ x)), (lambda x: np.cos(x) + a @ x), vector(d, "float64")


class GradientCheck:
    params = [DIMS]
    param_names = ["d"]

    def setup(self, d):
        self.check = reference_name("gradient_check")
        self.f, self.grad, self.x = _problem(d)

    def time_gradient_check(self, d):
        self.check(self.f, self.grad, self.x)

    def peakmem_gradient_check(self, d):
        self.check(self.f, self.grad, self.x)

    def track_relative_error(self, d):
        return float(self.check(self.f, self.grad, self.x).relative_error)

    track_relative_error.unit = "||a - n|| / (||a|| + ||n||)"
