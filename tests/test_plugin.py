"""trainspec's pytest plugin is registered exactly once, however pytest finds it.

Installed, the ``pytest11`` entry point ``trainspec`` registers :mod:`properties.plugin`; in a
clone without an install, ``properties/conftest.py`` does. Both at once (``pip install -e .``
in the clone) must not register it twice. The installed case is simulated without building a
wheel: a ``.dist-info`` folder declaring the same entry point, put on ``PYTHONPATH``, is what
``importlib.metadata`` (and so pytest) reads from an installed wheel. ``.ci/run`` (stage
"installed wheel", ``.ci/installed``) checks a real wheel in a fresh virtualenv.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from properties import _install, plugin, report

ROOT = Path(__file__).resolve().parents[1]
HEADER = "trainspec target: reference (reference)"


def _conftest():
    spec = importlib.util.spec_from_file_location("trainspec_conftest_under_test", ROOT / "properties" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_entry_point_names_the_plugin_module_under_the_plugins_name():
    eps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["pytest11"]
    assert eps == {plugin.NAME: "properties.plugin"}


def test_conftest_registers_the_plugin_only_when_nothing_else_did():
    conftest = _conftest()
    pm = pytest.PytestPluginManager()
    conftest.pytest_addhooks(pm)  # a clone without an install
    assert pm.get_plugin(plugin.NAME) is plugin
    conftest.pytest_addhooks(pm)  # loaded again: no second registration, no error
    assert [p for p in pm.get_plugins() if p is plugin] == [plugin]

    pm = pytest.PytestPluginManager()
    pm.register(plugin, "properties.plugin")  # `-p properties.plugin`: same module, another name
    conftest.pytest_addhooks(pm)
    assert pm.get_plugin(plugin.NAME) is None and pm.is_registered(plugin)

    pm = pytest.PytestPluginManager()
    pm.set_blocked(plugin.NAME)  # `-p no:trainspec`
    conftest.pytest_addhooks(pm)
    assert not pm.is_registered(plugin)


@pytest.fixture(scope="module")
def entry_point(tmp_path_factory):
    """A folder that makes ``importlib.metadata`` see an installed trainspec with its pytest11 entry point."""
    site = tmp_path_factory.mktemp("site")
    info = site / "trainspec_entry_point_test-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: trainspec-entry-point-test\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(f"[pytest11]\n{plugin.NAME} = properties.plugin\n")
    return site


def _pytest(*args, cwd=ROOT, paths=(), env_target=None):
    env = dict(os.environ)
    env.pop("TRAINSPEC_TARGET", None)
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    if env_target:
        env["TRAINSPEC_TARGET"] = env_target
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *map(str, paths), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "--strict-markers", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_entry_point_and_conftest_together_register_it_once(entry_point):
    # pip install -e . in the clone: the entry point and the conftest both offer the plugin.
    r = _pytest("properties/test_normalization.py", "-k", "center_removes", "--target", "reference",
                paths=[entry_point])
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count(HEADER) == 1, r.stdout
    # pytest lists an entry point's distribution: ours, or the clone's own trainspec.egg-info
    # that `pip install -e .` leaves (same entry point).
    assert re.search(r"^plugins: .*trainspec", r.stdout, re.M), r.stdout


def test_installed_laws_run_from_any_directory_with_pyargs(entry_point, tmp_path):
    (tmp_path / "mytarget.py").write_text("from reference import zscore  # noqa: F401\n")
    r = _pytest("--pyargs", "properties.test_normalization", "--target", "mytarget", "-rs",
                cwd=tmp_path, paths=[entry_point])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "trainspec target: mytarget (mytarget)" in r.stdout
    assert "target mytarget does not provide minmax" in r.stdout and " passed" in r.stdout
    r = _pytest("--pyargs", "properties.test_normalization", "-k", "center_removes", cwd=tmp_path,
                paths=[entry_point], env_target="mytarget")
    assert "trainspec target: mytarget (mytarget)" in r.stdout, r.stdout + r.stderr
    r = _pytest("--pyargs", "properties.test_normalization", cwd=tmp_path, paths=[entry_point],
                env_target="no_such_module_xyz")
    assert r.returncode == pytest.ExitCode.USAGE_ERROR and "INTERNALERROR" not in r.stdout + r.stderr
    assert "cannot import target 'no_such_module_xyz'" in r.stdout + r.stderr


def test_the_plugin_stays_out_of_a_projects_own_tests(entry_point, tmp_path):
    # Installed, the plugin is loaded in every pytest run of the environment: a project's own
    # tests get its markers and options but no target, header or trainspec import error.
    (tmp_path / "test_own.py").write_text("import pytest\n\n@pytest.mark.accuracy\ndef test_own():\n    pass\n")
    r = _pytest("test_own.py", cwd=tmp_path, paths=[entry_point])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "trainspec target" not in r.stdout and "1 passed" in r.stdout


def test_install_hints_and_report_folder_follow_the_installation(monkeypatch, tmp_path):
    assert _install.CHECKOUT == ROOT
    assert _install.install_command("torch", "torch==2.13.0") == 'python -m pip install -e ".[torch]"  (torch==2.13.0)'
    laws, shown, cwd = _install.laws_command()
    assert (laws, shown, cwd) == (["properties/"], ["properties/"], ROOT)

    site = tmp_path / "site-packages"
    (site / "properties").mkdir(parents=True)
    assert _install._checkout(site) is None and _install._checkout(ROOT) == ROOT
    monkeypatch.setattr(_install, "CHECKOUT", None)
    monkeypatch.setattr(_install, "PACKAGE", site / "properties")
    assert _install.install_command("jax") == 'python -m pip install "trainspec[jax]"'
    assert report.default_out() == ROOT / "docs" / "conformance"
    assert report.default_out(None) == Path("trainspec-conformance")  # relative: the current directory
    laws, shown, cwd = _install.laws_command()
    assert shown == ["--pyargs", "properties"] and cwd is None
    assert laws == [str(site / "properties"), "--rootdir", str(site)]
