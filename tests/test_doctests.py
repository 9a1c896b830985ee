"""Every docstring example in reference/ runs and gives what it shows."""

import doctest
import importlib
import pkgutil

import pytest

import reference

MODULES = sorted(m.name for m in pkgutil.walk_packages(reference.__path__, "reference."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
