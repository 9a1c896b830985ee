"""The errata catalogue ``docs/errata.md`` is generated from the negative controls and may not drift.

If a test here fails after you added or changed a control, run ``python docs/make_errata.py``
and commit ``docs/errata.md``; give a seed-derived control a ``correct=`` text.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def make_errata():
    spec = importlib.util.spec_from_file_location("make_errata", ROOT / "docs" / "make_errata.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_errata_equal_a_fresh_run(make_errata):
    committed = (ROOT / "docs" / "errata.md").read_text(encoding="utf-8")
    assert committed == make_errata.render(), "docs/errata.md is stale: run python docs/make_errata.py"


def test_readme_errata_section_equals_a_fresh_run(make_errata):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == make_errata.splice(readme, make_errata.render()), (
        "README.md's errata section is stale: run python docs/make_errata.py")


def test_splice_replaces_only_the_marked_section(make_errata):
    b, e = make_errata.BEGIN, make_errata.END
    assert make_errata.splice(f"top\n{b}\nold\n{e}\nbottom\n", "new\n") == f"top\n{b}\nnew\n{e}\nbottom\n"
    with pytest.raises(ValueError, match="markers"):
        make_errata.splice("no markers", "new\n")


def test_every_erratum_states_the_correct_formula(make_errata):
    rows, _ = make_errata.collect()
    missing = [c.name for c, _ in rows if make_errata.seeds_of(c.source) and not make_errata.correct_of(c)]
    assert not missing, f"seed-derived controls without a correct= text (or CORRECT entry): {missing}"


def test_every_seed_control_is_rejected_by_some_law(make_errata):
    _, orphans = make_errata.collect()
    assert not orphans, f"seed-derived controls that no law names: {[c.name for c in orphans]}"


@pytest.mark.parametrize("source,seeds", [
    ("seed 004", ["004"]),
    ("seeds 003/004 warn against it", ["003", "004"]),
    ("seed 003 pseudo-code; seed 000 figure caption X / sigma^2", ["003", "000"]),
    ("seeds 001, 002 and 004", ["001", "002", "004"]),
    ("plausible bug", []),
    ("plausible bug (numpy/pandas ddof=1 habit)", []),
])
def test_seeds_are_read_from_the_control_source(make_errata, source, seeds):
    assert make_errata.seeds_of(source) == seeds


@pytest.mark.parametrize("source,name,kind", [
    ("seed 003 pseudo-code `/ 2*eps`", "x", "erratum"),
    ("seeds 003/004 warn against it", "x", "warned"),
    ("plausible bug (seed 002's backward-only rule)", "x", "misreading"),
    ("issue 4 (seed 001 writes H^-1)", "x", "misreading"),
    ("seed 001 (L = theta . A theta, grad = 2 A theta)", "quadratic_form_forgets_two", "misreading"),
    ("plausible bug", "x", ""),
])
def test_controls_are_classified_by_their_source(make_errata, source, name, kind):
    from properties._law import Control

    assert make_errata.kind_of(Control(name, source, "d", {})) == kind

