"""Optimiser steps: reference against torch.optim and optax, and the bandwidth bound.

One timed call is one optimiser step on a flat parameter vector of ``n`` elements:

* ``reference``: ``opt.step_(p, g, state)``, the in-place path (the state's arrays and
  ``p`` are overwritten), the same work as ``torch.optim.Optimizer.step``;

* ``reference_pure``: ``opt.update(g, state, p)``, the pure path (returns the updates and
  a new state), the same work as optax's ``update``;
* ``torch``, ``torch_foreach``, ``torch_fused``: ``opt.step()`` of ``torch.optim`` with its
  CPU default (the single-tensor for-loop), ``foreach=True`` and ``fused=True``; ``.grad``
  is set once in setup. Threads: torch's default (``torch.get_num_threads()``, 2 on the
  measuring machine); numpy's element-wise ufuncs run on one thread;
* ``optax_jit``: ``jax.jit(opt.update)(g, state, p)`` compiled in setup, with
  ``block_until_ready``;
* ``floor`` (``benchmarks.steady --floor`` only, not in the asv matrix): the same step in
  plain numpy written for speed alone, in place, unchecked (``benchmarks/floor.py``): the
  bound on what any numpy step can reach;
* ``bound``: the single-pass bandwidth bound, ``np.copyto(dst, src)`` over as many bytes as
  the step must touch at least (each of its arrays read once, each written array written
  once: ``traffic * n * itemsize`` bytes, ``src`` and ``dst`` holding half each).

Hyperparameters are each framework's defaults where they exist, aligned with the
reference's (which are torch's); they do not change the work done per element.

Every implementation takes one step in ``setup`` (torch allocates its state there, optax
compiles, the reference is past its first step), because asv re-runs ``setup`` before each
timed sample of one call: an untimed first step keeps one-off costs out of the samples.
"""

import numpy as np

from ._data import DTYPES, STEP_SIZES, optional, reference_name, vector
from .floor import floor_step

# name -> (reference factory, torch (class, kwargs), optax (factory, kwargs), traffic)
# traffic = arrays read + arrays written by one in-place step (p, g, state).
OPTIMIZERS = {
    "sgd": (lambda r: r("sgd")(0.01), ("SGD", {"lr": 0.01}), ("sgd", {"learning_rate": 0.01}), 3),
    "momentum": (lambda r: r("sgd")(0.01, momentum=0.9), ("SGD", {"lr": 0.01, "momentum": 0.9}),
                 ("sgd", {"learning_rate": 0.01, "momentum": 0.9}), 5),
    "nesterov": (lambda r: r("sgd")(0.01, momentum=0.9, nesterov=True),
                 ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
                 ("sgd", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True}), 5),
    "adagrad": (lambda r: r("adagrad")(0.01), ("Adagrad", {"lr": 0.01}),
                ("adagrad", {"learning_rate": 0.01}), 5),
    "rmsprop": (lambda r: r("rmsprop")(0.01), ("RMSprop", {"lr": 0.01}),
                ("rmsprop", {"learning_rate": 0.01, "decay": 0.99, "eps_in_sqrt": False}), 5),
    "adadelta": (lambda r: r("adadelta")(1.0), ("Adadelta", {"lr": 1.0}),
                 ("adadelta", {"learning_rate": 1.0}), 7),
    "adam": (lambda r: r("adam")(1e-3), ("Adam", {"lr": 1e-3}), ("adam", {"learning_rate": 1e-3}), 7),
}
IMPLS = ["reference", "reference_pure", "torch", "torch_foreach", "torch_fused", "optax_jit", "bound"]


def _start(n, dtype):
    """Parameters, gradient, and a positive second-moment-like fill for warm state."""
    return vector(n, dtype).copy(), vector(n, dtype, seed=7).copy() * 0.1


def setup_step(self, n, dtype, name, impl):
    """Build ``self.call``: one optimiser step of ``impl`` (shared by the step benchmarks)."""
    ref, (tcls, tkw), (ofn, okw), traffic = OPTIMIZERS[name]
    p, g = _start(n, dtype)
    if impl in ("reference", "reference_pure"):
        opt = ref(reference_name)
        state = opt.init(p)
        if impl == "reference":
            step_ = opt.step_
            # past the first step's special case (SGD momentum's b = g at t = 1), as torch's state
            # below: every timed call is update t = 2, the steady-state path
            state = step_(p, g, state)
            self.call = lambda: step_(p, g, state)
        else:
            update = opt.update
            state = opt.step_(p.copy(), g, state)  # past the first step's special case
            self.call = lambda: update(g, state, p)
    elif impl.startswith("torch"):
        torch = optional("torch")
        kw = dict(tkw)
        if impl == "torch_foreach":
            kw["foreach"] = True
        elif impl == "torch_fused":
            kw["fused"] = True
        param = torch.nn.Parameter(torch.from_numpy(p))
        param.grad = torch.from_numpy(g)
        try:
            opt = getattr(torch.optim, tcls)([param], **kw)
            opt.step()  # allocate the state outside the timing; fails if unsupported
        except (RuntimeError, TypeError, ValueError) as exc:
            raise NotImplementedError(f"torch.optim.{tcls}({kw}) unsupported: {exc}") from None
        self.call = opt.step
    elif impl == "optax_jit":
        jax = optional("jax")
        optax = optional("optax")
        jax.config.update("jax_enable_x64", True)
        opt = getattr(optax, ofn)(**okw)
        jp, jg = jax.numpy.asarray(p), jax.numpy.asarray(g)
        state = opt.init(jp)
        update = jax.jit(opt.update)
        _, state = jax.block_until_ready(update(jg, state, jp))  # compile, and take one step
        block = jax.block_until_ready
        self.call = lambda: block(update(jg, state, jp))
    elif impl == "floor":
        opt = ref(reference_name)
        state = opt.step_(p, g, opt.init(p))  # warm, as the reference's
        self.call = floor_step(name, p, g, state)
    elif impl == "bound":
        half = traffic * n // 2
        src = np.ones(half, dtype)
        dst = np.empty(half, dtype)
        np.copyto(dst, src)  # fault the pages in outside the timing
        copyto = np.copyto
        self.call = lambda: copyto(dst, src)
    else:
        raise NotImplementedError(impl)


class Step:
    """One step of every first-order optimiser, per size, dtype and implementation."""

    params = [STEP_SIZES, DTYPES, list(OPTIMIZERS), IMPLS]
    param_names = ["n", "dtype", "optimizer", "impl"]
    timeout = 120
    setup = setup_step

    def time_step(self, n, dtype, optimizer, impl):
        self.call()

    def peakmem_step(self, n, dtype, optimizer, impl):
        self.call()


class StepThreads:
    """torch's default step with one thread (torch.set_num_threads(1)), beside the default.

    numpy's ufuncs are single-threaded; this shows how much of torch's time its second
    thread buys at each size.
    """

    params = [STEP_SIZES, ["float64"], ["sgd", "adam"], [1]]
    param_names = ["n", "dtype", "optimizer", "threads"]

    def setup(self, n, dtype, optimizer, threads):
        self._torch = torch = optional("torch")
        self._restore = torch.get_num_threads()
        torch.set_num_threads(threads)
        setup_step(self, n, dtype, optimizer, "torch")

    def teardown(self, n, dtype, optimizer, threads):
        # asv calls teardown after a setup that skipped (torch absent): nothing to restore then
        if getattr(self, "_torch", None) is not None:
            self._torch.set_num_threads(self._restore)

    def time_torch_step(self, n, dtype, optimizer, threads):
        self.call()
