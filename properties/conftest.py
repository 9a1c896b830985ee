"""pytest wiring: ``--target``, the capability skip, the expected-deviation file, profiles."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import settings

from properties import _profiles  # noqa: F401  (registers and loads the profiles)
from properties._target import TargetImportError, deviations_file, load_target, read_deviations


def pytest_addoption(parser):
    group = parser.getgroup("trainspec")
    group.addoption("--target", action="store", default=None,
                    help="implementation the laws check: reference (default), torch, sklearn, optax, or a "
                         "dotted module name; also $TRAINSPEC_TARGET")
    group.addoption("--deviations", action="store", default=None,
                    help="expected-deviation file ('<test-id prefix> | <reason>' per line); default "
                         "properties/deviations/<target>.txt")


def pytest_configure(config):
    try:
        config._trainspec_target = load_target(config.getoption("--target"))
    except TargetImportError as exc:
        raise pytest.UsageError(str(exc)) from None
    path = config.getoption("--deviations")
    from pathlib import Path
    config._trainspec_deviations_path = Path(path) if path else deviations_file(config._trainspec_target)
    config._trainspec_deviations = read_deviations(config._trainspec_deviations_path)


def pytest_report_header(config):
    t = config._trainspec_target
    return [f"trainspec target: {t.name} ({getattr(t.impl, '__name__', type(t.impl).__name__)}); "
            f"hypothesis profile: {settings.get_current_profile_name()}",
            f"trainspec deviations: {config._trainspec_deviations_path} ({len(config._trainspec_deviations)} entries)"]


def pytest_collection_modifyitems(session, config, items):
    target = config._trainspec_target
    used = set()
    for item in items:
        marker = item.get_closest_marker("needs")
        if marker is not None:
            missing = target.missing(marker.args)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"target {target.name} does not provide {', '.join(missing)}"))
                continue
            # An adapter may re-export reference harness (driver, problems) as BORROWED: a law
            # that needs nothing else would test the reference, not the framework.
            borrowed = set(getattr(target.impl, "BORROWED", ()))
            if borrowed and set(marker.args) <= borrowed:
                item.add_marker(pytest.mark.skip(reason=f"target {target.name} only borrows {', '.join(marker.args)} "
                                                        f"from the reference (harness, not under test)"))
                continue
        for prefix, reason in config._trainspec_deviations:
            if item.nodeid.startswith(prefix) or item.nodeid.split("::", 1)[-1].startswith(prefix):
                used.add(prefix)
                item.add_marker(pytest.mark.xfail(strict=True, reason=f"expected deviation of {target.name}: {reason}"))
                break
    for prefix, _ in config._trainspec_deviations:
        if prefix not in used:
            warnings.warn(f"deviation entry {prefix!r} in {config._trainspec_deviations_path} matches no collected test",
                          pytest.PytestWarning, stacklevel=1)


@pytest.fixture(scope="session")
def target(request):
    """The implementation under test."""
    return request.config._trainspec_target
