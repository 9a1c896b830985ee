"""Write the errata catalogue ``docs/errata.md`` from the negative controls.

"What the source documents get wrong" is not written by hand: every negative control whose
``source`` names a seed document is an erratum, and the laws that name it in
``law.controls`` are the laws that reject it (``tests/meta/test_negative_controls.py``
shows they do). So the list cannot drift from the tests: ``tests/test_errata.py`` fails when
the committed ``docs/errata.md`` differs from a fresh run.

The right formula comes from the control's ``correct`` field, or else from :data:`CORRECT`
below (for families whose controls do not fill it). Controls whose source says the seed
*warns against* the mistake are listed apart: there the seed is right.

Usage::

    python docs/make_errata.py            # write docs/errata.md
    python docs/make_errata.py --out -    # print to stdout
    python docs/make_errata.py --check    # exit 1 if docs/errata.md is stale
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable from a plain checkout
    sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "docs" / "errata.md"

#: The seed documents, as the catalogue names them.
SEEDS = {
    "000": "course notes “Deep Learning – Optimization – Normalization” (ML28): saddle points, "
           "input normalisation, vanishing gradients, initialisation",
    "001": "M. Piastra, “Deep Learning: Learning as Optimization” (slides): momentum, NAG, "
           "Newton, AdaGrad, RMSprop, AdaDelta, Adam, Xavier init, BatchNorm, EMA/SMA",
    "002": "V. Mikayelyan, “Deep Learning” (slides): standard and min-max normalisation, "
           "zero and Xavier initialisation",
    "003": "blog post “Normalization, Initializing Weights, and Gradient Checking”",
    "004": "R. Agrawal, “Optimization Problem in Deep Neural Networks” (Analytics Vidhya)",
}

#: The right formula for controls that do not carry a ``correct`` text, keyed by control
#: name (controls of families whose files belong to other authors). A ``correct`` field on
#: the Control wins over this table.
CORRECT = {
    # initialisation
    "rand_instead_of_randn": "W = rng.standard_normal(shape) · sqrt(g / fan_in): zero-mean "
                             "Gaussian (np.random.randn), not uniform on [0, 1) (np.random.rand)",
    "xavier_fan_in_plus_one": "Glorot: Var(W) = 2 / (fan_in + fan_out), not 2 / (fan_in + 1)",
    "glorot_fan_in_plus_one": "Glorot: Var(W) = 2 / (fan_in + fan_out), not 2 / (fan_in + 1)",
    # gradient checking
    "div_2_times_eps": "(J(θ + ε e_i) − J(θ − ε e_i)) / (2ε): the parentheses matter; "
                       "`/ 2*eps` multiplies by ε/2",
    "slash_2_times_eps": "(J(θ + ε e_i) − J(θ − ε e_i)) / (2ε): the parentheses matter; "
                         "`/ 2*eps` multiplies by ε/2",
    "squared_difference_norm": "‖a − b‖₂ = sqrt(Σ_i (a_i − b_i)²), not sqrt(Σ_i (b_i² − a_i²)²)",
    # optimisers
    "adam_bias_correction_one_minus_beta": "m̂ = m / (1 − β₁ᵗ), r̂ = r / (1 − β₂ᵗ) with β weighting "
                                           "the old value (m ← β₁ m + (1 − β₁) g)",
    "ema_weights_new_value": "m ← β m + (1 − β) g: β weights the old value (Kingma & Ba 2015, Alg. 1)",
    # averages
    "sma_n_plus_one_terms": "SMA_n(t) = (1/n) Σ_{k=t−n+1}^{t} v_k: n terms, not n + 1",
    # batchnorm
    "variance_without_square": "σ_B² = (1/m) Σ_i (x_i − μ_B)²: the deviations are squared",
    # landscape
    "minima_fraction_two_to_minus_d": "for random symmetric Gaussian (GOE) Hessians "
                                      "P(all eigenvalues > 0) ≈ exp(−(ln 3 / 4) d²) (Dean & Majumdar "
                                      "2006): far below 2^-d, the eigenvalue signs are not independent",
}

_SEED = re.compile(r"\bseeds?\b[^;()]*?\b(\d{3}(?:\s*(?:/|,|and|&|-)\s*\d{3})*)", re.I)
_WARNS = re.compile(r"\bwarns?\b", re.I)


def seeds_of(source: str) -> list[str]:
    """The seed numbers a control's ``source`` names, in order (``"seeds 003/004"`` -> 003, 004)."""
    found: list[str] = []
    for m in _SEED.finditer(source):
        for s in re.findall(r"\d{3}", m.group(1)):
            if s not in found:
                found.append(s)
    return found


def _families() -> list[str]:
    import properties.laws

    return sorted(m.name for m in pkgutil.iter_modules(properties.laws.__path__) if not m.name.startswith("_"))


def collect():
    """``[(control, [law, ...]), ...]`` for every control some law names, in a stable order
    (family by name, then the laws' definition order), plus the seed controls no law names."""
    from properties._law import Control, all_laws

    rows: dict[str, tuple] = {}
    for fam in _families():
        for lw in all_laws(importlib.import_module(f"properties.laws.{fam}")):
            for c in lw.controls:
                rows.setdefault(c.name, (c, []))[1].append(lw)
    orphans = []
    import properties.controls

    for m in sorted(pkgutil.iter_modules(properties.controls.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"properties.controls.{m.name}")
        for c in vars(mod).values():
            if isinstance(c, Control) and c.name not in rows and seeds_of(c.source):
                orphans.append(c)
    return list(rows.values()), orphans


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def correct_of(control) -> str:
    return getattr(control, "correct", "") or CORRECT.get(control.name, "")


def render() -> str:
    """The Markdown section, deterministic (no dates, no absolute paths)."""
    rows, orphans = collect()
    seeded = [(c, laws) for c, laws in rows if seeds_of(c.source)]
    errata = [(c, laws) for c, laws in seeded if not _WARNS.search(c.source)]
    warned = [(c, laws) for c, laws in seeded if _WARNS.search(c.source)]
    missing = sorted(c.name for c, _ in errata if not correct_of(c))

    def table(items):
        out = ["| erratum | seed | correct | rejected by (law) | control |", "|---|---|---|---|---|"]
        for c, laws in items:
            names = ", ".join(f"`{lw.family}.{lw.name}`" for lw in laws)
            fix = correct_of(c) or "*(no correction recorded yet)*"
            out.append(f"| {_cell(c.description)} | {_cell(c.source)} | {_cell(fix)} | {names} | `{c.name}` |")
        return out

    used = sorted({s for c, _ in seeded for s in seeds_of(c.source)})
    lines = [
        "## What the source documents get wrong",
        "",
        "Generated by `python docs/make_errata.py` from the negative controls "
        "(`properties/controls/`); `tests/test_errata.py` fails if this list and the controls "
        "disagree. Each erratum is a one-bug mutant of the reference, and each law named here "
        "is shown to reject it (`tests/meta/test_negative_controls.py`).",
        "",
        f"{len(errata)} errata from {len(used)} seed documents"
        + (f"; {len(warned)} further {'mistake' if len(warned) == 1 else 'mistakes'} "
           "the seeds rightly warn against." if warned else "."),
        "",
        *table(errata),
        "",
    ]
    if warned:
        lines += ["### Mistakes the seeds warn against (the seeds are right; the controls check it)", "",
                  *table(warned), ""]
    if orphans:
        lines += ["### Seed errors with a control but no law yet", "",
                  *(f"- `{c.name}` ({_cell(c.source)}): {_cell(c.description)}" for c in orphans), ""]
    if missing:
        lines += [f"Errata without a recorded correction: {', '.join(f'`{n}`' for n in missing)}.", ""]
    lines += ["Seed documents:", "",
              *(f"- seed {s}: {SEEDS.get(s, '(unknown seed)')}" for s in used), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output file, or - for stdout (default docs/errata.md)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the output file differs from a fresh run")
    args = ap.parse_args(argv)
    text = render()
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{out} is stale: run python docs/make_errata.py", file=sys.stderr)
            return 1
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
