"""The floor: how fast plain numpy can take an optimiser step at all.

Each step here is the update of one optimiser of ``benchmarks.optimizers.OPTIMIZERS`` (same
hyperparameters), written for speed alone: every operation in place, on the state or on one or
two scratch arrays allocated once, no argument, shape or NaN check, no dtype promotion, no
schedule. It is not a reference and nothing in ``reference/`` looks like it; it measures the
bound on what any numpy step can reach, so that a goal against another framework can be told
apart from one no numpy code meets (``python -m benchmarks.steady --floor``). Issue 14's goal
"torch default / reference >= 2 at n <= 1e4" is checked against it: where ``torch / floor`` is
itself near 2, the goal is out of reach of a reference that checks its input.

``tests/test_bench_floor.py`` checks that every floor step gives the reference's step (to a
few roundings), so that the floor is not fast by being wrong.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["floor_step"]


def floor_step(name: str, p: np.ndarray, g: np.ndarray, state) -> Callable[[], None]:
    """A call taking one step of optimiser ``name`` on ``p`` (in place) with gradient ``g``,
    from the reference's ``state`` (its arrays are copied, its count continues)."""
    s = np.empty_like(p)
    if name == "sgd":
        def step():
            np.multiply(g, -0.01, out=s)
            np.add(p, s, out=p)
    elif name in ("momentum", "nesterov"):
        b = state.velocity.copy()

        def step():
            np.multiply(b, 0.9, out=b)
            np.add(b, g, out=b)                           # b = mu b + g
            if name == "momentum":
                np.multiply(b, -0.01, out=s)              # - lr b
            else:
                np.multiply(b, 0.9, out=s)
                np.add(s, g, out=s)
                np.multiply(s, -0.01, out=s)              # - lr (g + mu b)
            np.add(p, s, out=p)
    elif name == "adagrad":
        big_g = state.sum_of_squares.copy()

        def step():
            np.multiply(g, g, out=s)
            np.add(big_g, s, out=big_g)                   # G += g^2
            np.sqrt(big_g, out=s)
            np.add(s, 1e-10, out=s)
            np.divide(g, s, out=s)
            np.multiply(s, -0.01, out=s)                  # - lr g / (sqrt(G) + eps)
            np.add(p, s, out=p)
    elif name == "rmsprop":
        nu = state.nu.copy()

        def step():
            np.multiply(nu, 0.99, out=nu)
            np.multiply(g, g, out=s)
            np.multiply(s, 0.01, out=s)
            np.add(nu, s, out=nu)                         # nu = rho nu + (1 - rho) g^2
            np.sqrt(nu, out=s)
            np.add(s, 1e-8, out=s)
            np.divide(g, s, out=s)
            np.multiply(s, -0.01, out=s)                  # - lr g / (sqrt(nu) + eps)
            np.add(p, s, out=p)
    elif name == "adadelta":
        e_g, e_x, s2 = state.e_g.copy(), state.e_x.copy(), np.empty_like(p)

        def step():
            np.multiply(e_g, 0.9, out=e_g)
            np.multiply(g, g, out=s)
            np.multiply(s, 0.1, out=s)
            np.add(e_g, s, out=e_g)                       # E[g^2] = rho E[g^2] + (1 - rho) g^2
            np.add(e_g, 1e-6, out=s2)
            np.add(e_x, 1e-6, out=s)
            np.divide(s, s2, out=s)
            np.sqrt(s, out=s)
            np.multiply(s, g, out=s)                      # Delta = sqrt((E[D^2] + eps) / (E[g^2] + eps)) g
            np.multiply(s, s, out=s2)
            np.multiply(s2, 0.1, out=s2)
            np.multiply(e_x, 0.9, out=e_x)
            np.add(e_x, s2, out=e_x)                      # E[D^2] = rho E[D^2] + (1 - rho) Delta^2
            np.subtract(p, s, out=p)                      # - lr Delta, lr = 1
    elif name == "adam":
        m, v, count = state.mu.copy(), state.nu.copy(), [state.count]

        def step():
            count[0] += 1
            t = count[0]
            bc1, bc2 = 1.0 - 0.9 ** t, 1.0 - 0.999 ** t
            np.multiply(m, 0.9, out=m)
            np.multiply(g, 0.1, out=s)
            np.add(m, s, out=m)                           # m = b1 m + (1 - b1) g
            np.multiply(v, 0.999, out=v)
            np.multiply(g, g, out=s)
            np.multiply(s, 0.001, out=s)
            np.add(v, s, out=v)                           # v = b2 v + (1 - b2) g^2
            np.divide(v, bc2, out=s)
            np.sqrt(s, out=s)
            np.add(s, 1e-8, out=s)
            np.divide(m, s, out=s)
            np.multiply(s, -1e-3 / bc1, out=s)            # - lr m_hat / (sqrt(v_hat) + eps)
            np.add(p, s, out=p)
    else:
        raise NotImplementedError(f"floor_step: no floor for optimiser {name!r}")
    return step
