"""Input normalisation: reference.normalization against scikit-learn, and its quality figures.

Data: ``_data.features(n, dtype)``, a ``(n/100, 100)`` matrix (``(10, 10)`` at n = 100)
whose features have offsets up to 1e3 and scales from 1e-2 to 1e2.
"""

import numpy as np

from ._data import DTYPES, SIZES, features, optional, reference_name, two_scale_design

_OPS = ["zscore", "fit_zscore", "apply_zscore", "minmax", "fit_minmax", "apply_minmax", "center"]


class Normalization:
    """Every public operation of reference.normalization, per size and dtype."""

    params = [SIZES, DTYPES, _OPS]
    param_names = ["n", "dtype", "op"]

    def setup(self, n, dtype, op):
        x = features(n, dtype)
        if op.startswith("apply_"):
            fit = reference_name("fit_" + op[len("apply_"):])
            self.fn, self.args = reference_name(op), (fit(x), x)
        else:
            self.fn, self.args = reference_name(op), (x,)

    def time_op(self, n, dtype, op):
        self.fn(*self.args)

    def peakmem_op(self, n, dtype, op):
        self.fn(*self.args)


class Scalers:
    """fit-then-transform of the training data: reference against scikit-learn.

    ``standard`` is ``reference.zscore`` / ``StandardScaler().fit_transform``; ``minmax`` is
    ``reference.minmax`` / ``MinMaxScaler().fit_transform``. Both compute the population
    statistics and give the same result (up to rounding) on these data. The goal: reference
    ``standard`` at n = 1e7 at least as fast as scikit-learn's.
    """

    params = [SIZES, DTYPES, ["standard", "minmax"], ["reference", "sklearn"]]
    param_names = ["n", "dtype", "scaler", "impl"]

    def setup(self, n, dtype, scaler, impl):
        self.x = features(n, dtype)
        if impl == "reference":
            self.fn = reference_name("zscore" if scaler == "standard" else "minmax")
        else:
            pre = optional("sklearn.preprocessing")
            cls = pre.StandardScaler if scaler == "standard" else pre.MinMaxScaler
            self.fn = lambda x: cls().fit_transform(x)  # a fresh estimator per call, as zscore(x)
        self.fn(self.x)  # asv re-runs setup before each one-call sample: keep imports and first-call costs out

    def time_fit_transform(self, n, dtype, scaler, impl):
        self.fn(self.x)

    def peakmem_fit_transform(self, n, dtype, scaler, impl):
        self.fn(self.x)


class Conditioning:
    """cond(X^T X) of the seeds' two-scale least-squares design, before and after z-scoring.

    Design: 1000 rows, features uniform on [1000, 2000] and [0.1, 0.2] (issue 4, the seeds'
    "normalisation speeds training" example). The ratio before/after is the speed-up of
    gradient descent's iteration count (~ kappa) that standardisation buys.
    """

    def setup(self):
        self.x = two_scale_design()
        self.zscore = reference_name("zscore")

    def track_cond_xtx_before(self):
        return float(np.linalg.cond(self.x.T @ self.x))

    track_cond_xtx_before.unit = "cond(X^T X)"

    def track_cond_xtx_after(self):
        z = self.zscore(self.x)
        return float(np.linalg.cond(z.T @ z))

    track_cond_xtx_after.unit = "cond(X^T X)"
