"""Write the errata catalogue ``docs/errata.md`` from the negative controls.

"What the source documents get wrong" is not written by hand: every negative control whose
``source`` names a seed document is listed, and the laws that name it in ``law.controls``
are the laws that reject it (``tests/meta/test_negative_controls.py`` shows they do). So the
list cannot drift from the tests: ``tests/test_errata.py`` fails when the committed
``docs/errata.md`` differs from a fresh run.

A control is an *erratum* when its source starts with the seed ("seed 003 pseudo-code");
a *misreading* when the seed is right there (the source starts otherwise, e.g. "plausible
bug (seed 002's backward-only rule)", or the control is in :data:`MISREADINGS`); and a
mistake the seed *warns against* when the source says so. The right formula comes from the
control's ``correct`` field, or else from :data:`CORRECT` below (for families whose control
files belong to other authors).

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
    # initialisation (seeds 000, 002, 003, 004)
    "rand_times_sqrt": "W = rng.standard_normal(shape) · sqrt(k / n_in): zero-mean Gaussian "
                       "(np.random.randn), not uniform on [0, 1) (np.random.rand)",
    "seed000_xavier": "Glorot: Var(W) = 2 / (n_in + n_out), i.e. std sqrt(2 / (n^[l-1] + n^[l])), "
                      "not sqrt(2 / (n^[l-1] + 1))",
    "lecun_is_he": "He: Var(W) = 2 / n_in (ReLU); LeCun: Var(W) = 1 / n_in; Glorot (Xavier): "
                   "Var(W) = 2 / (n_in + n_out): three different initialisations",
    "glorot_fan_out_only": "Glorot: Var(W) = 2 / (n_in + n_out), the compromise between the forward "
                           "rule 1 / n_in and the backward rule 1 / n_out",
    "std_is_one_over_fan": "LeCun: Var(W) = 1 / n_in, i.e. std = sqrt(1 / n_in)",
    # signal propagation (seed 000)
    "off_by_one_depth": "ŷ = W^[L] W^[L−1] ⋯ W^[1] x: with W^[l] = 1.5 I that is 1.5^L x "
                        "(L factors), not 1.5^(L−1) x",
    # optimisers (seed 001)
    "momentum_weights_new": "u_t = γ u_{t−1} − η g_t: γ (the friction) weights the old velocity "
                            "and the gradient enters with η, not (1 − γ)",
    "adagrad_previous_accumulator": "G_t = G_{t−1} + g_t² first, then θ_t = θ_{t−1} − η g_t / "
                                    "(sqrt(G_t) + ε): the current gradient is in the denominator "
                                    "(Duchi et al. 2011), so the first step is η·sign(g)",
    "rmsprop_weights_swapped": "ν_t = ρ ν_{t−1} + (1 − ρ) g_t² with ρ (torch alpha = 0.99) "
                               "weighting the old value; seed 001's γ is 1 − ρ",
    "adam_correction_t_minus_1": "m̂_t = m_t / (1 − β₁ᵗ), r̂_t = r_t / (1 − β₂ᵗ) with the same t "
                                 "as the moments (Kingma & Ba 2015, Algorithm 1)",
    "adam_previous_moments": "θ_t = θ_{t−1} − η m̂_t / (sqrt(r̂_t) + ε): step t uses the moments "
                             "updated with g_t (Kingma & Ba 2015, Algorithm 1)",
    "adam_seed_correction": "divide by 1 − β^t when β weights the old value (m ← β m + (1 − β) g); "
                            "seed 001's 1 − (1 − β)^t is right only for its β weighting the new value",
}

#: Controls whose ``source`` starts with a seed but which are misreadings of a seed that is
#: right or self-consistent there (the reason is printed in the catalogue).
MISREADINGS = {
    "quadratic_form_forgets_two": "seed 001 writes grad = 2 A θ correctly",
    "gd_half_lr": "seed 001 keeps the factor 2 of grad θ·Aθ = 2 A θ",
    "momentum_weights_new": "seed 001's EMA weights the new value; its momentum rule is right",
    "rmsprop_weights_swapped": "seed 001 is self-consistent; the bug is mixing its γ with torch's alpha",
    "adam_seed_correction": "seed 001 is self-consistent; the bug is mixing its β with the frameworks' β",
    "forward_difference": "seed 003 states the limit definition; its algorithm uses the centred difference",
}

_SEED = re.compile(r"\bseeds?\b[^;()]*?\b(\d{3}(?:\s*(?:/|,|and|&|-)\s*\d{3})*)", re.I)
_WARNS = re.compile(r"\bwarns?\b", re.I)
_STARTS_WITH_SEED = re.compile(r"\s*seeds?\s+\d{3}", re.I)


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


def kind_of(control) -> str:
    """``"erratum"`` (the seed is wrong), ``"misreading"`` (a wrong reading of a seed that is
    right there: the source does not start with the seed, e.g. "plausible bug (seed 002's
    rule)", or the control is listed in :data:`MISREADINGS`), ``"warned"`` (the seed warns
    against it) or ``""`` (no seed named)."""
    if not seeds_of(control.source):
        return ""
    if _WARNS.search(control.source):
        return "warned"
    if control.name in MISREADINGS or not _STARTS_WITH_SEED.match(control.source):
        return "misreading"
    return "erratum"


def correct_of(control) -> str:
    return getattr(control, "correct", "") or CORRECT.get(control.name, "")


def render() -> str:
    """The Markdown section, deterministic (no dates, no absolute paths)."""
    rows, orphans = collect()
    seeded = [(c, laws) for c, laws in rows if seeds_of(c.source)]
    kinds = {c.name: kind_of(c) for c, _ in seeded}
    errata = [(c, laws) for c, laws in seeded if kinds[c.name] == "erratum"]
    misread = [(c, laws) for c, laws in seeded if kinds[c.name] == "misreading"]
    warned = [(c, laws) for c, laws in seeded if kinds[c.name] == "warned"]
    missing = sorted(c.name for c, _ in seeded if not correct_of(c))

    def table(items, what="erratum"):
        out = [f"| {what} | source | correct | rejected by (law) | control |", "|---|---|---|---|---|"]
        for c, laws in items:
            names = ", ".join(f"`{lw.family}.{lw.name}`" for lw in laws)
            fix = correct_of(c) or "*(no correction recorded yet)*"
            src = c.source + (f" — {MISREADINGS[c.name]}" if c.name in MISREADINGS else "")
            out.append(f"| {_cell(c.description)} | {_cell(src)} | {_cell(fix)} | {names} | `{c.name}` |")
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
        f"{len(errata)} errata from {len(used)} seed documents; further below, {len(misread)} plausible "
        f"misreadings of correct seed formulas and {len(warned)} "
        f"{'mistake' if len(warned) == 1 else 'mistakes'} the seeds rightly warn against.",
        "",
        *table(errata),
        "",
    ]
    if misread:
        lines += ["### Plausible misreadings of the seeds (the seed is right or self-consistent there)", "",
                  "Controls derived from a seed's notation where the mistake is the reader's, not the seed's.", "",
                  *table(misread, "mistake"), ""]
    if warned:
        lines += ["### Mistakes the seeds warn against (the seeds are right; the controls check it)", "",
                  *table(warned, "mistake"), ""]
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
