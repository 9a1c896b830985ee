"""Batch normalisation: forward and backward in training mode, running statistics, inference;
reference against torch ``BatchNorm1d`` (training mode, CPU, default threads).

Batch: ``_data.matrix_shape(n)`` = ``(n/100, 100)`` (``(10, 10)`` at n = 100), standard
normal. Peer: ``torch.nn.BatchNorm1d(C)`` forward in training mode (which also updates the
running statistics) and ``y.backward(dy)`` with autograd.
"""

import numpy as np

from ._data import DTYPES, SIZES, matrix_shape, optional, reference_name, vector


def _batch(n, dtype):
    return vector(n, dtype).reshape(matrix_shape(n))


class BatchNorm:
    """Every reference operation of batch normalisation."""

    params = [SIZES, DTYPES, ["forward", "backward", "running_update", "inference"]]
    param_names = ["n", "dtype", "op"]

    def setup(self, n, dtype, op):
        x = _batch(n, dtype)
        c = x.shape[1]
        gamma, beta = np.ones(c, dtype), np.zeros(c, dtype)
        if op == "forward":
            self.fn, self.args = reference_name("batchnorm_forward"), (x, gamma, beta)
        elif op == "backward":
            _, cache = reference_name("batchnorm_forward")(x, gamma, beta)
            dy = vector(n, dtype, seed=11).reshape(x.shape)
            self.fn, self.args = reference_name("batchnorm_backward"), (dy, cache)
        elif op == "running_update":
            running = reference_name("batchnorm_running_init")(c)
            self.fn, self.args = reference_name("batchnorm_running_update"), (running, x)
        else:
            rm, rv = np.zeros(c), np.ones(c)
            self.fn, self.args = reference_name("batchnorm_inference"), (x, rm, rv, gamma, beta)

    def time_op(self, n, dtype, op):
        self.fn(*self.args)

    def peakmem_op(self, n, dtype, op):
        self.fn(*self.args)


class BatchNormPeer:
    """Training-mode forward (and forward + backward) of reference and torch BatchNorm1d."""

    params = [SIZES, DTYPES, ["forward", "forward_backward"], ["reference", "torch"]]
    param_names = ["n", "dtype", "pass", "impl"]

    def setup(self, n, dtype, pass_, impl):
        x = _batch(n, dtype)
        dy = vector(n, dtype, seed=11).reshape(x.shape)
        c = x.shape[1]
        if impl == "reference":
            fwd, bwd = reference_name("batchnorm_forward"), reference_name("batchnorm_backward")
            gamma, beta = np.ones(c, dtype), np.zeros(c, dtype)
            if pass_ == "forward":
                self.call = lambda: fwd(x, gamma, beta)
            else:
                self.call = lambda: bwd(dy, fwd(x, gamma, beta)[1])
        else:
            torch = optional("torch")
            bn = torch.nn.BatchNorm1d(c, dtype=getattr(torch, dtype)).train()
            tx = torch.from_numpy(x.copy()).requires_grad_(pass_ != "forward")
            tdy = torch.from_numpy(dy.copy())
            if pass_ == "forward":
                def call():
                    with torch.no_grad():
                        return bn(tx)
            else:
                def call():
                    bn(tx).backward(tdy)
            self.call = call
        self.call()  # asv re-runs setup before each one-call sample: keep first-call costs out of it

    def time_batchnorm(self, n, dtype, pass_, impl):
        self.call()

    def peakmem_batchnorm(self, n, dtype, pass_, impl):
        self.call()
