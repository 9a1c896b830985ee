"""Moving averages over a series of n values: EMA (plain and bias-corrected), SMA, running mean."""

from ._data import DTYPES, SIZES, reference_name, vector

_CALLS = {
    "ema": lambda f, x: f(x, 0.1),
    "ema_bias_corrected": lambda f, x: f(x, 0.1),
    "sma": lambda f, x: f(x, 10),
    "running_mean": lambda f, x: f(x),
}


class Averages:
    params = [SIZES, DTYPES, list(_CALLS)]
    param_names = ["n", "dtype", "average"]

    def setup(self, n, dtype, average):
        fn, x = reference_name(average), vector(n, dtype)
        call = _CALLS[average]
        self.call = lambda: call(fn, x)

    def time_average(self, n, dtype, average):
        self.call()

    def peakmem_average(self, n, dtype, average):
        self.call()
