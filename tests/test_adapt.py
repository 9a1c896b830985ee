"""properties.adapt end to end: README's "check your own optimiser" example, a user-written torch
Adam (tests/fixtures/my_torch_adam.py), checked by the laws through ``--target``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the example wraps a torch.optim.Optimizer subclass")

from properties.adapt import from_torch  # noqa: E402
from tests.fixtures.my_torch_adam import MyAdam  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _laws(*extra, bug=None):
    env = dict(os.environ, MY_ADAM_BUG=bug or "")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "properties/",
           "--target", "tests.fixtures.my_torch_adam", *extra]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_readme_example_my_adam_conforms_with_its_findings():
    run = _laws("--findings", "tests/fixtures/my_torch_adam_findings.py")
    assert run.returncode == 0, run.stdout[-3000:]
    last = run.stdout.strip().splitlines()[-1]
    assert " passed" in last and " failed" not in last, last


def test_a_dropped_bias_correction_is_caught():
    run = _laws("--findings", "tests/fixtures/my_torch_adam_findings.py", "-k", "adam", bug="bias")
    assert run.returncode == 1, run.stdout[-3000:]
    assert "FAILED properties/test_optimizers.py::test_adam_first_step_is_lr_times_sign" in run.stdout


def test_an_option_the_optimiser_lacks_is_refused_not_dropped():
    adam, _ = from_torch("adam", MyAdam, lambda b1, b2, eps: dict(betas=(b1, b2), eps=eps))
    adam(0.1, amsgrad=False)                          # the reference's default: accepted
    with pytest.raises(NotImplementedError, match="amsgrad=True"):
        adam(0.1, amsgrad=True)


def test_translate_may_only_name_reference_arguments():
    adam, _ = from_torch("adam", MyAdam, lambda betas: dict(betas=betas))
    with pytest.raises(TypeError, match="betas"):
        adam(0.1)
