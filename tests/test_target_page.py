"""``docs/writing-a-target.md`` is generated from the laws' needs and may not drift.

If the first test fails after you added or changed a law (its ``needs`` or cases) or a
reference signature or docstring, run ``python docs/make_target_page.py`` and commit the page.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import reference

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "writing-a-target.md"


@pytest.fixture(scope="module")
def make_page():
    spec = importlib.util.spec_from_file_location("make_target_page", ROOT / "docs" / "make_target_page.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def page(make_page):
    return make_page.render()


def test_committed_page_equals_a_fresh_run(page):
    assert PAGE.read_text(encoding="utf-8") == page, "docs/writing-a-target.md is stale: run python docs/make_target_page.py"


def test_every_name_a_law_needs_has_its_section_with_the_laws_it_unlocks(make_page, page):
    needs = make_page.unlocked(make_page._laws())
    for name, cases in needs.items():
        section = page.split(f"\n### {name}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        assert f"\n{make_page.signature(name, getattr(reference, name))}\n" in section, name
        for lw, case, _ in cases:
            label = lw.name if case is None else f"{lw.name}[{case}]"
            assert f"- `{label}` (" in section, (name, label)


def test_per_technique_cases_unlock_by_technique(make_page):
    needs = make_page.unlocked(make_page._laws())
    # glorot_normal unlocks the glorot_normal case of a per-technique law, not its he_normal case.
    cases = {(lw.name, case) for lw, case, _ in needs["glorot_normal"] if lw.cases}
    assert cases and all(case == "glorot_normal" for _, case in cases)


def test_signatures_are_shown_as_written(make_page):
    assert make_page.signature("zscore", reference.zscore) == "zscore(x, eps: float = 0.0) -> np.ndarray"
    assert make_page.signature("AdamState", reference.AdamState).startswith("AdamState(count: int, mu: np.ndarray")
    wrapped = make_page.signature("he_normal", reference.he_normal)
    assert wrapped.startswith("he_normal(\n    shape,\n    rng: np.random.Generator,\n    *,\n")
