"""README's technique -> reference -> laws table may not drift from the code.

Every law in ``properties.laws`` is named in the table's laws column and every name there is
a law (or a family); every function the reference column names exists in ``reference``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import reference
import properties.laws
from properties._law import Law

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## Techniques, reference functions and laws"


def _table_rows():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| technique")]
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    assert cells and all(len(c) == 4 for c in cells), "README technique table: expected 4 columns per row"
    return cells


def _families():
    return [m.name for m in pkgutil.iter_modules(properties.laws.__path__) if not m.name.startswith("_")]


def _laws():
    out = {}
    for fam in _families():
        mod = importlib.import_module(f"properties.laws.{fam}")
        out.update({v.name: fam for v in vars(mod).values() if isinstance(v, Law)})
    return out


def _names(cell):
    return re.findall(r"`([A-Za-z_][\w.]*)", cell)


def test_every_law_is_in_the_readme_table_and_every_named_law_exists():
    laws, families = _laws(), set(_families())
    named = {n for row in _table_rows() for n in _names(row[2])}
    missing = sorted(set(laws) - named)
    unknown = sorted(named - set(laws) - families)
    assert not missing, f"laws missing from README's technique table: {missing}"
    assert not unknown, f"README's laws column names what is not a law: {unknown}"


def test_every_reference_name_in_the_readme_table_exists():
    absent = []
    for row in _table_rows():
        for name in _names(row[1]):
            path = name.split(".")
            if path[0] == "reference":
                obj = importlib.import_module(".".join(path[:2]))
                path = path[2:]
            else:
                obj = reference
            for part in path:
                if not hasattr(obj, part):
                    absent.append(name)
                    break
                obj = getattr(obj, part)
    assert not absent, f"README's reference column names what reference does not have: {absent}"


def test_readme_states_the_law_counts():
    """The sentence "In numbers: ..." gives the current counts (computed from the registry)."""
    from properties._law import all_laws

    fams = [m.name for m in pkgutil.iter_modules(properties.laws.__path__) if not m.name.startswith("_")]
    laws = [lw for f in fams for lw in all_laws(importlib.import_module(f"properties.laws.{f}"))]
    per_technique = sum(1 for lw in laws if lw.cases)
    accuracy = sum(1 for lw in laws if lw.tier == "accuracy")
    contract = sum(1 for lw in laws if lw.tier == "contract")
    pairs = sum(len(lw.controls) for lw in laws)
    statistical = sum(1 for lw in laws if lw.statistical)
    text = " ".join((ROOT / "README.md").read_text().split())
    want = (f"In numbers: {len(laws)} laws in {len(fams)} families ({per_technique} of them run once per technique, "
            f"{accuracy} in the accuracy tier, {contract} in the contract tier), each with at least one negative control ({pairs} law × control pairs, "
            f"all rejected by `tests/meta/test_negative_controls.py`); {statistical} of the laws are statistical laws "
            f"with a stated false-alarm rate and power.")
    assert want in text, f"README should say: {want}"
