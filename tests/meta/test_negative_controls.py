"""Every law rejects each of its negative controls (plausible wrong implementations).

A law that rejects nothing proves nothing: for each (law, control) pair the law is run
under Hypothesis against the control and must raise :class:`properties.LawViolation`
(a crash of the control, e.g. an exception of another type, does not count).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from hypothesis import Phase, settings

import properties.laws
from properties import LawViolation
from properties._law import all_laws

FAMILIES = sorted(m.name for m in pkgutil.iter_modules(properties.laws.__path__) if not m.name.startswith("_"))
LAWS = [lw for fam in FAMILIES for lw in all_laws(importlib.import_module(f"properties.laws.{fam}"))]
PAIRS = [pytest.param(lw, c, id=f"{lw.name}-rejects-{c.name}") for lw in LAWS for c in lw.controls]

#: Search budget for finding the control's violation: derandomised (reproducible), no
#: shrinking (only rejection matters here, not the minimal example).
META = settings(max_examples=300, derandomize=True, database=None, deadline=None,
                phases=[Phase.explicit, Phase.generate], print_blob=False)


def _is_violation(exc: BaseException) -> bool:
    if isinstance(exc, LawViolation):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_is_violation(e) for e in exc.exceptions)
    return False


@pytest.mark.parametrize("law,control", PAIRS)
def test_law_rejects_negative_control(law, control):
    try:
        law.check(control.target(), settings=META)
    except BaseException as exc:  # noqa: BLE001 - classify below
        if _is_violation(exc):
            return
        raise AssertionError(f"law {law.name} did not reject control {control.name} with a LawViolation; "
                             f"the control crashed instead: {type(exc).__name__}: {exc}") from exc
    raise AssertionError(f"law {law.name} accepted its negative control {control.name} "
                         f"({control.description}; {control.source})")


def test_every_family_has_laws_and_every_law_has_a_control():
    assert FAMILIES, "no law families found"
    for lw in LAWS:
        assert lw.controls, f"law {lw.name} has no negative control"


def test_law_names_are_unique():
    names = [lw.name for lw in LAWS]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_laws_never_import_the_reference():
    """Laws are target-agnostic: they may not compare the target with our reference."""
    root = Path(properties.laws.__file__).parent
    pattern = re.compile(r"^\s*(import reference|from reference)", re.M)
    offenders = [p.name for p in root.glob("*.py") if pattern.search(p.read_text())]
    assert not offenders, f"law modules importing reference: {offenders}"
