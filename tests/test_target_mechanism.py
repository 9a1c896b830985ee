"""The --target mechanism: header, per-case capability skips, unsupported options, findings, no silent green (subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


FIX = ROOT / "tests" / "fixtures"


def test_a_finding_with_a_domain_excludes_it_and_the_law_runs_elsewhere():
    r = _pytest("properties/", "-k", "minmax_maps_extremes or finding", "--target", "tests.fixtures.tiny_range_target",
                "--findings", str(FIX / "tiny_range_findings.py"), "-p", "properties.report")
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    assert "test_minmax_maps_extremes_onto_feature_range PASSED" in out or "2 passed" in out, out
    assert "xfail" not in out.lower(), out  # the law stays active outside the domain


def test_without_its_finding_the_same_target_fails_the_law():
    r = _pytest("properties/test_normalization.py", "-k", "minmax_maps_extremes", "--target",
                "tests.fixtures.tiny_range_target", "--hypothesis-seed", "0")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "LawViolation" in r.stdout


def test_a_finding_that_no_longer_reproduces_fails_the_run():
    r = _pytest("properties/test_findings.py", "--target", "tests.fixtures.tiny_range_target",
                "--findings", str(FIX / "fixed_findings.py"))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "finding FX1 no longer reproduces" in r.stdout


def test_a_finding_naming_no_law_is_rejected(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from properties.findings import Finding, violates\n"
                   "FINDINGS = [Finding('B1', severity='correctness', reason='r', laws=('no_such_law',),\n"
                   "                    reproduce=violates('no_such_law'))]\n")
    r = _pytest("properties/test_normalization.py", "--findings", str(bad), "--co")
    assert r.returncode != 0
    assert "finding B1: names 'no_such_law', which is not a law" in r.stdout + r.stderr


def test_a_missing_technique_is_a_skipped_case_and_the_others_run():
    r = _pytest("properties/test_initialization.py", "-k", "distribution_is_exact or variance_matches",
                "--target", "tests.fixtures.init_only_target", "-v")
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    for law in ("initialiser_distribution_is_exact", "initialiser_variance_matches_target"):
        for case in ("glorot_normal", "he_normal"):
            assert f"test_{law}[{case}] PASSED" in out, out
        assert f"test_{law}[lecun_uniform] SKIPPED" in out
    assert "target tests.fixtures.init_only_target does not provide lecun_normal" in out


def test_an_unsupported_option_rejects_examples_and_skips_a_law_that_always_needs_it():
    r = _pytest("properties/test_optimizers.py", "-k", "adam_invariant_to_gradient_scale or rmsprop_with_bias",
                "--target", "tests.fixtures.unsupported_target", "-v")
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    assert "test_adam_invariant_to_gradient_scale PASSED" in out  # amsgrad examples rejected, the rest ran
    assert "test_rmsprop_with_bias_correction_equals_adam_beta1_zero SKIPPED" in out
    assert "does not offer an option every example needs: unsupported_target: rmsprop: bias_correction" in out


def test_a_default_that_differs_from_the_reference_decides_nothing():
    r = _pytest("properties/test_optimizers.py", "-k", "sgd_momentum_zero or nesterov_momentum_zero or terminal_velocity",
                "--target", "tests.fixtures.other_defaults_target")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 passed" in r.stdout, r.stdout


def test_a_target_providing_none_of_the_names_is_an_error_not_a_green_run():
    # Modules with none of the interface's names (numpy was one until a law's only name was tanh:
    # numpy.tanh is a correct tanh, and that law rightly ran on it).
    for name in ("colorsys", "tests.fixtures"):
        r = _pytest("properties/", "--target", name)
        text = r.stdout + r.stderr
        assert r.returncode != 0, text
        lines = [line for line in text.splitlines() if f"target {name!r} provides none of the names" in line]
        assert len(lines) == 1, text
        assert "lacks" in lines[0]


def test_the_install_hint_is_given_once(monkeypatch):
    from properties import _target

    monkeypatch.setitem(_target.BUILTIN_TARGETS, "fakefw", ("tests.fixtures.needs_missing_framework", "pip install x"))
    try:
        _target.load_target("fakefw")
    except _target.TargetImportError as exc:
        assert str(exc).count("install it with") == 1, str(exc)
    else:
        raise AssertionError("load_target should have failed")


def test_a_law_broken_in_two_distinct_ways_raises_one_assertion_error_with_both():
    """Hypothesis reports two distinct failures as an ExceptionGroup; the harness re-raises it as
    LawViolations (an AssertionError), so a whole-law finding's strict xfail still applies."""
    from hypothesis import settings
    from hypothesis import strategies as st

    from properties import load_target
    from properties._law import Control, LawViolation, LawViolations, law

    @law(needs=(), x=st.integers(-100, 100), controls=(Control("none", "test", "test", {}),))
    def _broken_two_ways(t, x):
        if x > 10:
            raise LawViolation("too big")
        if x < -10:
            raise LawViolation("too small")

    with pytest.raises(LawViolations) as info:
        _broken_two_ways.check(load_target("reference"), settings=settings(max_examples=300, database=None,
                                                                           derandomize=True))
    assert isinstance(info.value, AssertionError)
    assert sorted(str(e) for e in info.value.exceptions) == ["too big", "too small"]


def test_a_law_expected_to_fail_stops_at_its_first_counterexample_unshrunk():
    """A whole-law finding makes the law a strict xfail; ``check(expect_failure=True)`` (what the
    plugin passes then) only has to show the law still fails: it stops at the first failing
    example, skips shrinking, and still raises the violation (an AssertionError). Without it,
    Hypothesis shrinks the same failure to the smallest example."""
    from hypothesis import settings
    from hypothesis import strategies as st

    from properties import load_target
    from properties._law import Control, LawViolation, law

    seen = []

    @law(needs=(), x=st.integers(0, 10**6), controls=(Control("none", "test", "test", {}),))
    def _fails_above_ten(t, x):
        seen.append(x)
        if x > 10:
            raise LawViolation(f"x = {x}")

    for expect_failure, shrunk in ((False, True), (True, False)):
        seen.clear()
        with pytest.raises(LawViolation) as info:
            _fails_above_ten.check(load_target("reference"), settings=settings(max_examples=100, database=None),
                                   expect_failure=expect_failure)
        failing = [x for x in seen if x > 10]
        if shrunk:
            assert str(info.value) == "x = 11" and len(set(failing)) > 1, (str(info.value), len(failing))
        else:
            # one failing example (Hypothesis runs it once more to report it), not shrunk
            assert len(set(failing)) == 1 and str(info.value) == f"x = {failing[0]}", (str(info.value), failing)
