"""``python -m properties.report``: the rows agree with what pytest collected and reported.

Expected outcomes are derived, not copied from a run: from the laws' ``needs`` and the
names a target module provides (a law runs iff the target provides all it needs), from the
deviation file we write, and from pytest's own summary line and ``--collect-only`` ids.
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


def _check_agrees_with_pytest(data, md_text, collected):
    """Rows = collected ids, in order; counts = rows = pytest's summary line; Markdown = JSON."""
    rows = data["rows"]
    assert [r["law"] for r in rows] == collected
    counts = {k: sum(r["result"] == k for r in rows) for k in ("passed", "skipped", "xfailed", "failed")}
    assert data["counts"] == counts
    said = {word: int(num) for num, word in re.findall(r"(\d+) (passed|skipped|xfailed|failed)", data["pytest_summary"])}
    assert said == {k: v for k, v in counts.items() if v}, (said, counts)
    for r in rows:
        assert f"| `{r['law'].removeprefix('properties/')}` | {r['result']} |" in md_text, r
    assert data["version"] and data["date"] and data["machine"] and data["hypothesis_profile"] == "ci"


def test_reference_subset(tmp_path, collected):
    r = _report(tmp_path, "--target", "reference", "-k", "normalization")
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "reference.json").read_text())
    _check_agrees_with_pytest(data, (tmp_path / "reference.md").read_text(), _matching(collected, "normalization"))
    assert data["rows"] and all(row["result"] == "passed" for row in data["rows"])  # the reference is the spec
    assert data["version"].startswith("trainspec ")
    summary = (tmp_path / "README.md").read_text()
    assert f"| [reference](reference.md) | {data['version']} | {len(data['rows'])} | 0 | 0 | 0 |" in summary


def test_partial_module_target_rows_follow_its_capabilities(tmp_path, collected):
    r = _report(tmp_path, "--target", PARTIAL)
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads((tmp_path / "tests_fixtures_partial_target.json").read_text())
    _check_agrees_with_pytest(data, (tmp_path / "tests_fixtures_partial_target.md").read_text(), collected)
    laws, module = _laws_by_test_name(), importlib.import_module(PARTIAL)
    for row in data["rows"]:
        lw = laws[row["law"].split("::")[1]]
        missing = [n for n in lw.needs if not hasattr(module, n)]
        if missing:
            assert (row["result"], row["reason"]) == ("skipped", f"target {PARTIAL} does not provide {', '.join(missing)}")
        else:  # the fixture's z-score is correct: every law it can run passes
            assert (row["result"], row["reason"]) == ("passed", ""), row
    assert any(row["result"] == "passed" for row in data["rows"])


def test_deviation_is_xfailed_with_its_reason_and_a_failure_fails_the_command(tmp_path, collected):
    (tmp_path / "wrong_target.py").write_text(
        "import numpy as np\n"
        "def zscore(x, eps=0.0):  # divides by the variance, not the standard deviation\n"
        "    x = np.asarray(x, dtype=float); v = x.var(axis=0)\n"
        "    return (x - x.mean(axis=0)) / np.where(v == 0, 1.0, v)\n")
    dev = tmp_path / "dev.txt"
    dev.write_text("test_zscore_standardises_each_feature | divides by the variance (a | in the reason)\n")
    laws = ("zscore_standardises_each_feature", "zscore_affine_equivariance")
    keyword = " or ".join(laws)
    r = _report(tmp_path, "--target", "wrong_target", "-k", keyword, "--", "--deviations", str(dev),
                extra_path=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAILED properties/test_normalization.py::test_zscore_affine_equivariance" in r.stdout
    data = json.loads((tmp_path / "wrong_target.json").read_text())
    md = (tmp_path / "wrong_target.md").read_text()
    _check_agrees_with_pytest(data, md, _matching(collected, *laws))
    rows = {row["law"].split("::")[1]: row for row in data["rows"]}
    assert rows["test_zscore_standardises_each_feature"]["result"] == "xfailed"
    assert rows["test_zscore_standardises_each_feature"]["reason"] == "divides by the variance (a | in the reason)"
    assert "divides by the variance (a \\| in the reason)" in md  # escaped inside the table cell
    assert rows["test_zscore_affine_equivariance"]["result"] == "failed"
    assert "LawViolation" in rows["test_zscore_affine_equivariance"]["reason"]


def test_unimportable_target_is_reported_and_fails(tmp_path):
    r = _report(tmp_path, "--target", "no_such_module_xyz")
    assert r.returncode == 1
    assert "cannot import target 'no_such_module_xyz'" in r.stderr
    assert not (tmp_path / "no_such_module_xyz.json").exists()
