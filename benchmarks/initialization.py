"""Weight initialisers: draw one weight matrix of n elements with a seeded generator.

Shape ``_data.matrix_shape(n)`` read as (fan_out, fan_in) in torch's layout. Each call
draws from a generator made in setup (the draw itself is what is timed).
"""

import numpy as np

from ._data import SEED, SIZES, matrix_shape, reference_name

INITS = ["lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
         "variance_scaling", "zeros_init"]


class Initializers:
    params = [SIZES, INITS]
    param_names = ["n", "init"]

    def setup(self, n, init):
        self.fn = reference_name(init)
        self.shape = matrix_shape(n)[::-1]
        self.rng = np.random.default_rng(SEED)

    def time_init(self, n, init):
        self.fn(self.shape, self.rng)

    def peakmem_init(self, n, init):
        self.fn(self.shape, self.rng)
