"""pytest wiring: ``--target``, per-case capability skips, the target's findings, profiles."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from hypothesis import settings

from properties import _profiles  # noqa: F401  (registers and loads the profiles)
from properties._findings import load_findings, validate
from properties._target import TargetImportError, findings_file, load_target


def pytest_addoption(parser):
    group = parser.getgroup("trainspec")
    group.addoption("--target", action="store", default=None,
                    help="implementation the laws check: reference (default), torch, sklearn, optax, or a "
                         "dotted module name; also $TRAINSPEC_TARGET")
    group.addoption("--findings", action="store", default=None,
                    help="Python file defining FINDINGS for the target (see properties/_findings.py); default "
                         "properties/findings/<target>.py")


def _all_laws() -> dict:
    import properties.laws
    from properties._law import all_laws

    for info in pkgutil.iter_modules(properties.laws.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"properties.laws.{info.name}")
    return {lw.name: lw for lw in all_laws()}


def pytest_configure(config):
    config.addinivalue_line("markers", "accuracy: a law of the accuracy tier (beyond what the conditioning requires)")
    try:
        config._trainspec_target = load_target(config.getoption("--target"))
    except TargetImportError as exc:
        raise pytest.UsageError(str(exc)) from None
    path = config.getoption("--findings")
    config._trainspec_findings_path = Path(path) if path else findings_file(config._trainspec_target)
    try:
        findings = load_findings(config._trainspec_findings_path, config._trainspec_target.name)
        validate(findings, _all_laws())
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    config._trainspec_findings = findings


def pytest_report_header(config):
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
        findings = config._trainspec_findings
        if findings:
            metafunc.parametrize("finding", findings, ids=[f.id for f in findings])
        else:
            reason = f"target {config._trainspec_target.name} records no findings ({config._trainspec_findings_path})"
            metafunc.parametrize("finding", [pytest.param(None, marks=pytest.mark.skip(reason=reason))], ids=["none"])


def pytest_collection_modifyitems(session, config, items):
    target = config._trainspec_target
    runnable = law_items = 0
    lacking = {}
    for item in items:
        law = getattr(getattr(item, "function", None), "_trainspec_law", None)
        needs = _needs(item)
        if law is None and not needs:
            continue
        law_items += 1
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
                break
    if law_items and not runnable:
        # No silent green: a typo (mypackage for mypackage.mymodule) or a module without any
        # of the names would otherwise report every law as skipped and exit 0.
        names = sorted(lacking)
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        pytest.exit(f"trainspec: target {target.name!r} provides none of the names the selected laws need "
                    f"(lacks {shown})", returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture(scope="session")
def target(request):
    """The implementation under test."""
    return request.config._trainspec_target
