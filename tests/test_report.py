"""``python -m properties.report``: the rows agree with what pytest collected and reported.

Expected outcomes are derived, not copied from a run: from the laws' ``needs`` and the
names a target module provides (a law case runs iff the target provides all it needs), from
the findings file we write, and from pytest's own summary line and ``--collect-only`` ids.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import properties.laws
from properties._law import all_laws

ROOT = Path(__file__).resolve().parents[1]
PARTIAL = "tests.fixtures.partial_target"


def _env(extra_path=None):
    env = dict(os.environ)
    env.pop("TRAINSPEC_TARGET", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), str(extra_path or ""), env.get("PYTHONPATH", "")) if p)
    return env


def _report(out, *args, extra_path=None):
    cmd = [sys.executable, "-m", "properties.report", "--out", str(out), "--hypothesis-profile", "ci", *args]
    return subprocess.run(cmd, cwd=ROOT, env=_env(extra_path), capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def collected():
    """The law suite's test ids, as ``pytest --collect-only`` lists them."""
    r = subprocess.run([sys.executable, "-m", "pytest", "properties/", "--collect-only", "-q", "-p", "no:cacheprovider"],
                       cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    ids = [line for line in r.stdout.splitlines() if "::" in line]
    assert ids, r.stdout + r.stderr
    return ids


def _matching(ids, *words):
    """The ids ``-k "w1 or w2"`` selects (for these plain words: a substring of the test id)."""
    return [i for i in ids if any(w in i for w in words)]


def _laws_by_test_name():
    for info in pkgutil.iter_modules(properties.laws.__path__):
        importlib.import_module(f"properties.laws.{info.name}")
    return {f"test_{lw.name}": lw for lw in all_laws()}


def _law_and_case(nodeid):
    name, _, case = nodeid.split("::")[1].partition("[")
    return _laws_by_test_name()[name], (case.rstrip("]") or None)


def _check_agrees_with_pytest(data, md_text, collected):
    """Rows = collected ids, in order; counts = rows = pytest's summary line; Markdown = JSON."""
    rows = data["rows"]
    assert [r["law"] for r in rows] == collected
    counts = {k: sum(r["result"] == k for r in rows) for k in ("passed", "skipped", "xfailed", "failed")}
    assert data["counts"] == counts
    said = {word: int(num) for num, word in re.findall(r"(\d+) (passed|skipped|xfailed|failed)", data["pytest_summary"])}
    assert said == {k: v for k, v in counts.items() if v}, (said, counts)
    for r in rows:
        if r["tier"] != "finding":
            assert f"| `{r['law'].removeprefix('properties/')}` | {r['tier']} | {r['result']} |" in md_text, r
    assert data["version"] and data["date"] and data["machine"] and data["hypothesis_profile"] == "ci"
    laws = [r for r in rows if r["tier"] != "finding"]
    for tier in ("correctness", "accuracy"):
        ran = [r for r in laws if r["tier"] == tier and r["result"] != "skipped"]
        assert data["tiers"][tier]["run"] == len(ran)
        assert data["tiers"][tier]["passed"] == sum(r["result"] == "passed" for r in ran)
    for r in laws:
        lw, _ = _law_and_case(r["law"])
        assert r["tier"] == lw.tier and r["name"] == lw.name
        if r["result"] == "passed":
            assert r["examples"] > 0, r


def test_reference_subset(tmp_path, collected):
    r = _report(tmp_path, "--target", "reference", "-k", "normalization")
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "reference.json").read_text())
    _check_agrees_with_pytest(data, (tmp_path / "reference.md").read_text(), _matching(collected, "normalization"))
    assert data["rows"] and all(row["result"] == "passed" for row in data["rows"])  # the reference is the spec
    assert data["version"].startswith("trainspec ")
    assert data["conforms"] is True
    summary = (tmp_path / "README.md").read_text()
    t = data["tiers"]
    assert (f"| [reference](reference.md) | {data['version']} | conforms | {t['correctness']['run']} / "
            f"{t['correctness']['run']} | {t['accuracy']['run']} / {t['accuracy']['run']} | "
            f"{t['contract']['run']} / {t['contract']['run']} | 0 | none |") in summary


def test_partial_module_target_rows_follow_its_capabilities(tmp_path, collected):
    r = _report(tmp_path, "--target", PARTIAL)
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "tests_fixtures_partial_target.json").read_text())
    _check_agrees_with_pytest(data, (tmp_path / "tests_fixtures_partial_target.md").read_text(), collected)
    module = importlib.import_module(PARTIAL)
    for row in data["rows"]:
        if row["tier"] == "finding":
            assert row["result"] == "skipped" and "records no findings" in row["reason"]
            continue
        lw, case = _law_and_case(row["law"])
        missing = [n for n in lw.needs_for(case) if not hasattr(module, n)]
        if missing:
            assert (row["result"], row["reason"]) == ("skipped", f"target {PARTIAL} does not provide {', '.join(missing)}")
        else:  # the fixture's z-score is correct: every law it can run passes
            assert (row["result"], row["reason"]) == ("passed", ""), row
    assert any(row["result"] == "passed" for row in data["rows"])


def test_findings_are_reported_with_severity_exclusions_and_reproduction(tmp_path, collected):
    fixtures = ROOT / "tests" / "fixtures"
    laws = ("minmax_maps_extremes_onto_feature_range", "minmax_affine_invariance", "finding")
    r = _report(tmp_path, "--target", "tests.fixtures.tiny_range_target", "-k", " or ".join(laws), "--",
                "--findings", str(fixtures / "tiny_range_findings.py"))
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "tests_fixtures_tiny_range_target.json").read_text())
    md = (tmp_path / "tests_fixtures_tiny_range_target.md").read_text()
    ids = [i.replace("reproduces[none]", "reproduces[TR1]") for i in _matching(collected, *laws)]
    _check_agrees_with_pytest(data, md, ids)
    (f,) = data["findings"]
    assert (f["id"], f["severity"], f["reproduces"]) == ("TR1", "correctness", True)
    assert f["domain"] == {"minmax_maps_extremes_onto_feature_range": True}
    rows = {row["name"]: row for row in data["rows"] if row["name"]}
    assert rows["minmax_maps_extremes_onto_feature_range"]["result"] == "passed"  # active outside the domain
    assert f["excluded"] == rows["minmax_maps_extremes_onto_feature_range"]["excluded"].get("TR1", 0)
    assert data["conforms"] is False and "TR1" in data["verdict"]  # a correctness finding
    assert "| TR1 | correctness | True |" in md


def test_a_failure_fails_the_command(tmp_path, collected):
    (tmp_path / "wrong_target.py").write_text(
        "import numpy as np\n"
        "def zscore(x, eps=0.0):  # divides by the variance, not the standard deviation\n"
        "    x = np.asarray(x, dtype=float); v = x.var(axis=0)\n"
        "    return (x - x.mean(axis=0)) / np.where(v == 0, 1.0, v)\n")
    r = _report(tmp_path, "--target", "wrong_target", "-k", "zscore_affine_equivariance", extra_path=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAILED properties/test_normalization.py::test_zscore_affine_equivariance" in r.stdout
    data = json.loads((tmp_path / "wrong_target.json").read_text())
    (row,) = data["rows"]
    assert row["result"] == "failed" and "LawViolation" in row["reason"] and row["failures"] >= 1
    assert data["conforms"] is False


def test_unimportable_target_is_reported_and_fails(tmp_path):
    r = _report(tmp_path, "--target", "no_such_module_xyz")
    assert r.returncode == 1
    assert "cannot import target 'no_such_module_xyz'" in r.stderr
    assert not (tmp_path / "no_such_module_xyz.json").exists()
