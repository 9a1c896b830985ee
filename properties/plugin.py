"""trainspec's pytest plugin: ``--target``, per-case capability skips, the target's findings, markers.

Installed (``pip install "trainspec[test]"``, or ``pip install -e ".[test]"`` in a clone), pytest
loads this module through the ``pytest11`` entry point named ``trainspec`` (pyproject.toml), so
``pytest --pyargs properties --target mylib.target`` works from any directory exactly as
``pytest properties/ --target mylib.target`` does in the repository. In a clone without an
install, ``properties/conftest.py`` registers this module under the same name; pytest never
sees it twice. ``-p no:trainspec`` disables it.

Being an entry point, the plugin is loaded in *every* pytest run of the environment, including
a framework's own test suite. It therefore only registers its options and markers there; it
loads a target (and shows the ``trainspec target: ...`` header lines) when the run is about the
laws: ``--target``, ``--findings`` or ``$TRAINSPEC_TARGET`` is given, or an argument is (or lies
in) the ``properties`` package (``--pyargs properties``, ``properties/``, the repository's
root). A test module of one's own that builds law tests (:func:`properties._law.pytest_tests`)
gets the target loaded when its tests are collected.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path

import pytest
from hypothesis import settings

from properties import _profiles  # noqa: F401  (registers and loads the profiles)
from properties._findings import load_findings, validate
from properties._install import CHECKOUT, PACKAGE
from properties._target import TargetImportError, findings_file, load_target

#: The plugin's name (the entry point's, and the one conftest.py registers it under).
NAME = "trainspec"

#: Markers the laws carry (``--strict-markers`` needs each registered).
MARKERS = (
    "needs(*names): public names the law needs from the target; skipped when the target lacks one",
    "statistical: a calibrated statistical law (states its false-alarm rate and power)",
    "accuracy: a law of the accuracy tier (beyond what the conditioning requires)",
    "contract: a law of the contract tier (an argument outside the documented domain raises an error)",
)


def pytest_addoption(parser):
    group = parser.getgroup("trainspec")
    group.addoption("--target", action="store", default=None, dest="trainspec_target",
                    help="implementation the laws check: reference (default), torch, torch-foreach, torch-fused, "
                         "sklearn, optax, pandas, keras, or a dotted module name; also $TRAINSPEC_TARGET")
    group.addoption("--findings", action="store", default=None, dest="trainspec_findings",
                    help="Python file defining FINDINGS for the target (see properties/_findings.py); default "
                         "properties/findings/<target>.py")


def _all_laws() -> dict:
    import properties.laws
    from properties._law import all_laws

    for info in pkgutil.iter_modules(properties.laws.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"properties.laws.{info.name}")
    return {lw.name: lw for lw in all_laws()}


def requested(config) -> bool:
    """Whether this run is about the laws (see the module docstring)."""
    if (config.getoption("trainspec_target", None) or config.getoption("trainspec_findings", None)
            or os.environ.get("TRAINSPEC_TARGET")):
        return True
    pyargs = config.getoption("pyargs", False)
    here = Path(config.invocation_params.dir)
    for arg in config.args:
        spec = str(arg).split("::")[0]
        if pyargs and (spec == "properties" or spec.startswith("properties.")):
            return True
        path = (here / spec).resolve()
        if path == PACKAGE or PACKAGE in path.parents:
            return True
        # A directory above the laws counts only in the repository (``pytest .`` at its root);
        # a project whose virtualenv lies below its root must not load a target for its own tests.
        if CHECKOUT is not None and path in (CHECKOUT, *CHECKOUT.parents):
            return True
    return False


def load(config) -> None:
    """Import the target and read its findings into ``config`` (once); raises pytest.UsageError."""
    if hasattr(config, "_trainspec_target"):
        return
    try:
        target = load_target(config.getoption("trainspec_target", None))
    except TargetImportError as exc:
        raise pytest.UsageError(str(exc)) from None
    path = config.getoption("trainspec_findings", None)
    findings_path = Path(path) if path else findings_file(target)
    try:
        findings = load_findings(findings_path, target.name)
        validate(findings, _all_laws())
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    config._trainspec_findings_path = findings_path
    config._trainspec_findings = findings
    config._trainspec_target = target


def pytest_configure(config):
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    if requested(config):
        load(config)


def pytest_report_header(config):
    if not hasattr(config, "_trainspec_target"):
        return None
    t = config._trainspec_target
    return [f"trainspec target: {t.name} ({getattr(t.impl, '__name__', type(t.impl).__name__)}); "
            f"hypothesis profile: {settings.get_current_profile_name()}",
            f"trainspec findings: {config._trainspec_findings_path} "
            f"({', '.join(f.id for f in config._trainspec_findings) or 'none'})"]


def _needs(item) -> tuple:
    return tuple(n for m in item.iter_markers("needs") for n in m.args)


def pytest_generate_tests(metafunc):
    if "finding" in metafunc.fixturenames:
        config = metafunc.config
        load(config)
        findings = config._trainspec_findings
        if findings:
            metafunc.parametrize("finding", findings, ids=[f.id for f in findings])
        else:
            reason = f"target {config._trainspec_target.name} records no findings ({config._trainspec_findings_path})"
            metafunc.parametrize("finding", [pytest.param(None, marks=pytest.mark.skip(reason=reason))], ids=["none"])


def pytest_collection_modifyitems(session, config, items):
    laws = [item for item in items
            if getattr(getattr(item, "function", None), "_trainspec_law", None) is not None or _needs(item)]
    if not laws:
        return
    load(config)
    target = config._trainspec_target
    runnable = 0
    lacking = {}
    for item in laws:
        law = getattr(getattr(item, "function", None), "_trainspec_law", None)
        needs = _needs(item)
        missing = target.missing(needs)
        if missing:
            lacking.update(dict.fromkeys(missing))
            item.add_marker(pytest.mark.skip(reason=f"target {target.name} does not provide {', '.join(missing)}"))
            continue
        # An adapter may re-export reference harness (driver, problems) as BORROWED: a law
        # that needs nothing else would test the reference, not the framework.
        borrowed = set(getattr(target.impl, "BORROWED", ()))
        if borrowed and set(needs) <= borrowed:
            item.add_marker(pytest.mark.skip(reason=f"target {target.name} only borrows {', '.join(needs)} "
                                                    f"from the reference (harness, not under test)"))
            continue
        runnable += 1
        if law is None:
            continue
        case = item.callspec.params.get("case") if hasattr(item, "callspec") else None
        for f in config._trainspec_findings:
            if f.severity != "capability" and f.whole(law.name, case):
                item.add_marker(pytest.mark.xfail(strict=True, raises=AssertionError,
                                                  reason=f"finding {f.id} ({f.severity}): {f.reason}"))
                item._trainspec_expected_failure = True   # the law stops at its first counterexample
                break
    if not runnable:
        # No silent green: a typo (mypackage for mypackage.mymodule) or a module without any
        # of the names would otherwise report every law as skipped and exit 0.
        names = sorted(lacking)
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        pytest.exit(f"trainspec: target {target.name!r} provides none of the names the selected laws need "
                    f"(lacks {shown})", returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def target(request):
    """The implementation under test."""
    load(request.config)
    return request.config._trainspec_target
