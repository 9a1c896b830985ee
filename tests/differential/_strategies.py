"""Strategies and the reference trajectory shared by the optimiser differential tests (torch, optax)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import reference as ref

EPS = float(np.finfo(np.float64).eps)
LRS = st.sampled_from([1e-3, 0.01, 0.1, 0.5])


def _elements(bound=1e3, min_abs=1e-3):
    """Gradient entries: 0 or magnitudes in [1e-3, 1e3] (squares stay normal, no overflow)."""
    return st.floats(-bound, bound, allow_nan=False, allow_subnormal=False).map(
        lambda v: v if abs(v) >= min_abs else 0.0)


@st.composite
def problems(draw):
    """``(p0, grads)``: start point and ``k`` gradient rows, ``k`` in 1..8, dim in 1..4."""
    k = draw(st.integers(1, 8), label="steps")
    d = draw(st.integers(1, 4), label="dim")
    p0 = draw(hnp.arrays(np.float64, d, elements=st.floats(-10, 10, allow_subnormal=False)), label="p0")
    grads = draw(hnp.arrays(np.float64, (k, d), elements=_elements()), label="grads")
    return p0, grads


def ref_trajectory(opt, p0, grads):
    """Parameters after each step of the reference optimiser ``opt`` (pure ``update`` path)."""
    p = np.array(p0, dtype=np.float64)
    state = opt.init(p)
    out = []
    for g in grads:
        u, state = opt.update(np.array(g), state, p)
        p = ref.apply_updates(p, u)
        out.append(p.copy())
    return out
