"""Seeded, cached data for the benchmarks, and the peers' availability.

Every array is drawn from ``numpy.random.default_rng(seed)`` with a fixed seed, so every
run and every commit measures the same numbers; arrays are cached per process (asv runs
each benchmark in its own process) and returned read-only, so a benchmark that wrote into
one would fail loudly instead of changing the data of the next.
"""

from __future__ import annotations

import functools
import importlib

import numpy as np

#: Problem sizes (number of elements) where a size is meaningful.
SIZES = [100, 10_000, 1_000_000, 10_000_000]
#: Optimiser steps also run at 1e5, so the O(N) exponent can be fitted on 1e5..1e7.
STEP_SIZES = [100, 10_000, 100_000, 1_000_000, 10_000_000]
DTYPES = ["float32", "float64"]
SEED = 20240601


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@functools.lru_cache(maxsize=6)
def vector(n: int, dtype: str, seed: int = SEED) -> np.ndarray:
    """``n`` standard normal values of ``dtype`` (read-only)."""
    rng = np.random.default_rng(seed)
    return _frozen(rng.standard_normal(n).astype(dtype))


@functools.lru_cache(maxsize=4)
def positive_vector(n: int, dtype: str, seed: int = SEED + 1) -> np.ndarray:
    """``n`` values in [0.5, 1.5) (second-moment accumulators must be positive)."""
    rng = np.random.default_rng(seed)
    return _frozen((0.5 + rng.random(n)).astype(dtype))


def matrix_shape(n: int) -> tuple[int, int]:
    """A (rows, features) shape with ``n`` elements: 10 features up to 1e2, 100 above."""
    features = 10 if n <= 100 else 100
    return n // features, features


@functools.lru_cache(maxsize=4)
def features(n: int, dtype: str, seed: int = SEED + 2) -> np.ndarray:
    """A ``matrix_shape(n)`` data matrix whose features have different offsets and scales.

    Feature ``j`` is ``offset_j + scale_j * N(0, 1)`` with offsets up to 1e3 and scales
    from 1e-2 to 1e2: the situation normalisation exists for.
    """
    rows, cols = matrix_shape(n)
    rng = np.random.default_rng(seed)
    offset = rng.uniform(-1e3, 1e3, cols)
    scale = 10.0 ** rng.uniform(-2, 2, cols)
    x = offset + scale * rng.standard_normal((rows, cols))
    return _frozen(x.astype(dtype))


@functools.lru_cache(maxsize=1)
def two_scale_design(n: int = 1000, seed: int = SEED + 3) -> np.ndarray:
    """Least-squares design of issue 4 / the seeds: features on [1000, 2000] and [0.1, 0.2]."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.uniform(1000, 2000, n), rng.uniform(0.1, 0.2, n)])
    return _frozen(x)


@functools.lru_cache(maxsize=8)
def kappa_quadratic(kappa: float, d: int = 50, seed: int = SEED + 4):
    """SPD ``A`` (d x d) with eigenvalues log-spaced on [1, kappa] in a random orthonormal
    basis, its minimiser ``x_star`` and a start ``x0`` with ``|x0 - x_star| = 1``.

    The rotation matters: on a diagonal ``A`` the per-coordinate optimisers (AdaGrad,
    RMSprop, Adam) precondition perfectly and the figure would say nothing.
    """
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.logspace(0.0, np.log10(kappa), d)
    a = (q * lam) @ q.T
    a = 0.5 * (a + a.T)
    x_star = rng.standard_normal(d)
    b = a @ x_star
    x0 = x_star + _unit(rng.standard_normal(d))
    return _frozen(a), _frozen(b), _frozen(x_star), _frozen(x0), lam


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


@functools.lru_cache(maxsize=8)
def spd_matrix(d: int, seed: int = SEED + 5) -> np.ndarray:
    """A well-conditioned SPD ``d x d`` matrix (``M M^T / d + I``) for the Newton sweep."""
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((d, d))
    return _frozen(m @ m.T / d + np.eye(d))


def optional(module: str):
    """Import an optional peer, or raise ``NotImplementedError`` (asv then skips the case)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise NotImplementedError(f"{module} is not installed: {exc}") from None


def reference_name(*names: str):
    """The first of ``names`` that ``reference`` exports, or ``NotImplementedError``.

    The families land one by one; a benchmark of a name that does not exist yet is
    skipped, not broken.
    """
    import reference

    for name in names:
        obj = getattr(reference, name, None)
        if obj is not None:
            return obj
    raise NotImplementedError(f"reference provides none of {names}")
