"""The --target mechanism: header, capability skips, expected deviations (run as subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pytest(*args, env_target=None, extra_path=None):
    env = dict(os.environ)
    env.pop("TRAINSPEC_TARGET", None)
    if env_target:
        env["TRAINSPEC_TARGET"] = env_target
    paths = [str(ROOT)] + ([str(extra_path)] if extra_path else [])
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-rsxXw", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_header_shows_target_and_profile():
    r = _pytest("properties/test_normalization.py", "--co", "-q", "--hypothesis-profile=ci")
    assert r.returncode == 0, r.stdout + r.stderr
    r = _pytest("properties/test_normalization.py", "-k", "center_removes", "--hypothesis-profile=ci")
    assert "trainspec target: reference (reference); hypothesis profile: ci" in r.stdout, r.stdout


def test_partial_module_gets_missing_laws_skipped_with_reason():
    r = _pytest("properties/test_normalization.py", "--target", "tests.fixtures.partial_target")
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    assert "trainspec target: tests.fixtures.partial_target" in out
    assert "target tests.fixtures.partial_target does not provide minmax" in out
    assert "target tests.fixtures.partial_target does not provide center" in out
    # The laws it can run, it runs: its z-score is correct, so they pass.
    assert " passed" in out and "failed" not in out


def test_env_var_selects_the_target():
    r = _pytest("properties/test_normalization.py", "-k", "standardises", env_target="tests.fixtures.partial_target")
    assert "trainspec target: tests.fixtures.partial_target" in r.stdout, r.stdout


def test_unimportable_target_is_one_clear_error():
    r = _pytest("properties/test_normalization.py", "--target", "no_such_module_xyz")
    assert r.returncode != 0
    text = r.stdout + r.stderr
    assert "cannot import target 'no_such_module_xyz'" in text
    assert "Traceback" not in text


def test_deviation_file_turns_a_failing_law_into_a_strict_xfail_and_warns_on_stale_entries(tmp_path):
    dev = tmp_path / "dev.txt"
    dev.write_text("# comment lines are allowed\n"
                   "test_zscore_standardises_each_feature | this module divides by the variance (demo)\n"
                   "test_no_such_law | stale entry\n")
    # A control module that is wrong in exactly the way the deviation says.
    mod = tmp_path / "wrong_target.py"
    mod.write_text("import numpy as np\n"
                   "def zscore(x, eps=0.0):\n"
                   "    x = np.asarray(x, dtype=float); v = x.var(axis=0)\n"
                   "    return (x - x.mean(axis=0)) / np.where(v == 0, 1.0, v)\n")
    r = _pytest("properties/test_normalization.py", "-k", "standardises_each_feature", "--target", "wrong_target",
                "--deviations", str(dev), extra_path=tmp_path)
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    assert "1 xfailed" in out, out
    assert "expected deviation of wrong_target: this module divides by the variance" in out
    assert "deviation entry 'test_no_such_law'" in out and "matches no collected test" in out


def test_deviation_line_without_reason_is_rejected(tmp_path):
    dev = tmp_path / "dev.txt"
    dev.write_text("test_zscore_standardises_each_feature\n")
    r = _pytest("properties/test_normalization.py", "--deviations", str(dev), "--co")
    assert r.returncode != 0
    assert "a deviation needs '<test-id prefix> | <reason>'" in r.stdout + r.stderr
