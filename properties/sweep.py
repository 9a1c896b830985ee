"""Seed sweep: run the laws against targets under many Hypothesis seeds and count failures.

    python -m properties.sweep --target torch [--target sklearn | --target all] [--seeds 1-50]
        [--jobs 2] [--hypothesis-profile dev]

Each (target, seed) runs ``python -m pytest properties/ --target T --hypothesis-seed S -q
-p no:cacheprovider`` in a subprocess (installed from a wheel: ``--pyargs properties``, from the
current directory) (``--jobs`` at a time; with fewer seeds than jobs, each run uses the spare
jobs as pytest-xdist workers, when pytest-xdist is installed). A run counts as an unexpected
failure when pytest exits non-zero; its failing test ids are printed. Exits 1 if any run
failed. The verdict is only worth something if it does not depend on the seed (issue 13).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from properties._install import laws_command
from properties.report import ALL_TARGETS  # one list of the built-in targets


def _seeds(spec: str) -> list[int]:
    out = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi or lo) + 1))
    return out


def run(target: str, seed: int, profile: str, workers: int = 1) -> tuple[int, float, list[str], str]:
    """One pytest run of the laws against ``target`` under ``seed``; ``workers`` > 1 spreads it
    over that many pytest-xdist processes (the sweep's jobs that its seeds leave idle)."""
    laws, _, cwd = laws_command()
    parallel = ["-n", str(workers)] if workers > 1 and importlib.util.find_spec("xdist") else ["-p", "no:xdist"]
    cmd = [sys.executable, "-m", "pytest", *laws, "--target", target, "--hypothesis-seed", str(seed),
           "--hypothesis-profile", profile, "-q", "-p", "no:cacheprovider", *parallel]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    failed = re.findall(r"^FAILED (\S+)", proc.stdout, re.M)
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, time.monotonic() - start, failed, lines[-1] if lines else proc.stderr.strip()[-300:]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m properties.sweep", description=__doc__.split("\n")[0])
    ap.add_argument("--target", action="append", required=True, help=f"repeatable; 'all' = {' '.join(ALL_TARGETS)}")
    ap.add_argument("--seeds", default="1-50", help="e.g. 1-50 or 1,7,9-12 (default 1-50)")
    ap.add_argument("--jobs", type=int, default=1, help="runs at a time (default 1)")
    ap.add_argument("--hypothesis-profile", default="dev")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per run as it ends")
    args = ap.parse_args(argv)
    targets = [t for name in args.target for t in (ALL_TARGETS if name == "all" else (name,))]
    seeds = _seeds(args.seeds)
    status = 0
    for target in targets:
        results = []
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            # fewer seeds than jobs (CI's one seed on 2 cores): each run gets the idle jobs as workers
            workers = max(1, args.jobs // len(seeds))
            for r in pool.map(lambda s: (s, *run(target, s, args.hypothesis_profile, workers)), seeds):
                results.append(r)
                if args.verbose:
                    print(f"  {target} seed {r[0]}: exit {r[1]} ({r[2]:.0f} s) {r[4]}", flush=True)
        bad = [(s, rc, failed, last) for s, rc, _, failed, last in results if rc != 0]
        secs = [r[2] for r in results]
        print(f"{target}: {len(seeds)} seeds ({args.seeds}, profile {args.hypothesis_profile}), "
              f"{len(bad)} with unexpected failures; {min(secs):.0f}-{max(secs):.0f} s a run", flush=True)
        for s, rc, failed, last in bad:
            print(f"  seed {s}: exit {rc}: {', '.join(failed) or last}", flush=True)
        status |= bool(bad)
    return status


if __name__ == "__main__":
    sys.exit(main())
