"""Newton-Raphson: the O(d^3) sweep of one step over the dimension d (seed 001).

One timed call is ``newton_step(theta, g, H)``: a dense solve of ``H d = g`` (plus the
reference's singularity check). ``python -m benchmarks.report`` fits the exponent of the
time against d over d = 300..2000; the solve is O(d^3), so the fit should approach 3 once
the O(d^2) work and the call overhead stop dominating.
"""

import numpy as np

from ._data import reference_name, spd_matrix, vector

DIMS = [10, 30, 100, 300, 1000, 2000]


class NewtonStep:
    params = [DIMS]
    param_names = ["d"]

    def setup(self, d):
        self.step = reference_name("newton_step")
        self.h = spd_matrix(d)
        self.theta = vector(d, "float64")
        self.g = self.h @ self.theta

    def time_newton_step(self, d):
        self.step(self.theta, self.g, self.h)

    def peakmem_newton_step(self, d):
        self.step(self.theta, self.g, self.h)


class NewtonSolveOnly:
    """The solve alone (``np.linalg.solve``), the floor a Newton step cannot beat."""

    params = [DIMS]
    param_names = ["d"]

    def setup(self, d):
        self.h = spd_matrix(d)
        self.g = self.h @ vector(d, "float64")

    def time_solve(self, d):
        np.linalg.solve(self.h, self.g)
