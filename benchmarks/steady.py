"""Steady-state optimiser steps: many warm calls per sample, the ratios a training loop sees.

asv's runner (asv_runner 0.3) re-runs ``setup`` before every timed sample and then times
one call, so ``optimizers.Step`` measures the first step after a fresh setup, every
implementation alike. This command times the same calls (``optimizers.setup_step``, the
same data and hyperparameters) the way a training loop makes them: one setup, then
best-of-``repeat`` samples of ``number`` consecutive calls (``timeit``), the
implementations of one case measured one after the other.

Usage::

    python -m benchmarks.steady                         # every optimiser, n = 1e2..1e7, both dtypes
    python -m benchmarks.steady --n 100 10000 --optimizers sgd adam --dtypes float64
    python -m benchmarks.steady --n 100 10000 --floor   # also the floor (benchmarks/floor.py)

Prints a markdown table: time per step of each implementation, ``peer / reference`` (above
1: the reference is faster; optax against the faster of the reference's two paths, as in
``benchmarks.report``) and ``bound / reference``; then the goals of issue 14 (torch default
/ reference >= 2 at n <= 1e4; the growth exponent on 1e5..1e7, when those sizes are run).
With ``--floor``, also the floor (plain numpy written for speed alone, unchecked) and
``torch / floor``: the most any numpy step reaches against torch in the same run.
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np

from ._data import DTYPES, STEP_SIZES
from .optimizers import OPTIMIZERS, setup_step

IMPLS = ["reference", "reference_pure", "torch", "optax_jit", "bound"]


def measure(n: int, dtype: str, name: str, impls=IMPLS, repeat: int = 7) -> dict:
    """Best time per call of each implementation (None if unavailable): ``repeat`` rounds,
    each timing every implementation once for about 20 ms, so that a change of load on the
    machine hits all of them alike."""
    calls = {}
    for impl in impls:
        class Case:
            pass

        case = Case()
        try:
            setup_step(case, n, dtype, name, impl)
        except NotImplementedError:
            continue
        calls[impl] = case.call
    number = max(1, int(2e6 // max(n, 1000)))
    best = {impl: float("inf") for impl in calls}
    for _ in range(repeat):
        for impl, call in calls.items():
            best[impl] = min(best[impl], timeit.timeit(call, number=number) / number)
    return {impl: best.get(impl) for impl in impls}


def exponent(ns, ts):
    """Slope of log(time) against log(n), least squares."""
    return float(np.polyfit(np.log(ns), np.log(ts), 1)[0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=STEP_SIZES)
    ap.add_argument("--dtypes", nargs="+", default=DTYPES, choices=DTYPES)
    ap.add_argument("--optimizers", nargs="+", default=list(OPTIMIZERS), choices=list(OPTIMIZERS))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--floor", action="store_true", help="also time the floor (benchmarks/floor.py)")
    args = ap.parse_args(argv)
    impls = IMPLS + (["floor"] if args.floor else [])
    fmt = lambda s: "-" if s is None else f"{s * 1e6:.3g} us" if s < 1e-3 else f"{s * 1e3:.3g} ms"
    ratio = lambda a, b: "-" if a is None or b is None else f"{a / b:.2f}"
    extra = " floor | torch / floor |" if args.floor else ""
    print("| optimizer | dtype | n | reference | torch default | torch / ref | optax jit | optax / best ref "
          "| bound / ref |" + extra)
    print("|---|---|---|---|---|---|---|---|---|" + ("---|---|" if args.floor else ""))
    goals, floors, steps = [], [], {}
    for n in args.n:
        for dtype in args.dtypes:
            for name in args.optimizers:
                t = measure(n, dtype, name, impls, args.repeat)
                ref = steps[name, dtype, n] = t["reference"]
                best = min(v for v in (ref, t["reference_pure"]) if v is not None)
                print(f"| {name} | {dtype} | {n:.0e} | {fmt(ref)} | {fmt(t['torch'])} | {ratio(t['torch'], ref)} "
                      f"| {fmt(t['optax_jit'])} | {ratio(t['optax_jit'], best)} | {ratio(t['bound'], ref)} |"
                      + (f" {fmt(t['floor'])} | {ratio(t['torch'], t['floor'])} |" if args.floor else ""),
                      flush=True)
                if n <= 10_000 and t["torch"] is not None:
                    goals.append(t["torch"] / ref >= 2)
                    if args.floor:
                        floors.append(t["torch"] / t["floor"] >= 2)
    if goals:
        print(f"\nGoal, n <= 1e4: torch default / reference >= 2 in {sum(goals)} of {len(goals)} cases.")
    if floors:
        print(f"The floor (unchecked, in-place numpy) reaches torch default / floor >= 2 in {sum(floors)} of "
              f"{len(floors)} cases.")
    big = [n for n in args.n if 1e5 <= n <= 1e7]
    if len(big) >= 2:
        print("\nGrowth exponent of the in-place step on n = 1e5..1e7 (goal O(n): <= 1.15):")
        for name in args.optimizers:
            for dtype in args.dtypes:
                print(f"- {name} {dtype}: {exponent(big, [steps[name, dtype, n] for n in big]):.2f}")


if __name__ == "__main__":
    main()
