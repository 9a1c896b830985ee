"""Laws as plain callables, and the negative controls they are shown to reject.

A *law* is a function ``fn(target, **data)`` that raises :class:`LawViolation` when the
target breaks it. :func:`law` wraps it into a :class:`Law` carrying the Hypothesis
strategies for ``data``, the public names the law needs from a target, and its negative
controls. ``Law.check(target)`` runs it under Hypothesis; calling the law runs it once on
given data, so it works outside pytest too::

    from properties import load_target
    from properties.laws.normalization import zscore_standardises_each_feature as law
    law(load_target("reference"), x=[[1.0, 2.0], [3.0, 5.0]])   # raises on violation
    law.check(load_target("mypackage.mymodule"))                 # Hypothesis search
"""

from __future__ import annotations

import dataclasses
import functools
from types import SimpleNamespace
from typing import Callable

from hypothesis import given

__all__ = ["LawViolation", "Law", "Control", "law", "all_laws"]


class LawViolation(AssertionError):
    """A target broke a law. The message says what was observed and what the law requires."""


@dataclasses.dataclass(frozen=True)
class Control:
    """A negative control: a plausible wrong implementation a law must reject.

    It is the reference with the ``overrides`` swapped in (a one-bug mutant), so every law
    can run against it. ``source`` names where the error comes from (a seed document, or
    "plausible bug"); ``correct`` states the right formula for the errata catalogue
    (``docs/make_errata.py``) when the description alone does not.
    """

    name: str
    source: str
    description: str
    overrides: dict
    correct: str = ""

    def target(self):
        import reference

        from ._target import Target

        ns = SimpleNamespace(**{n: getattr(reference, n) for n in reference.__all__})
        for k, v in self.overrides.items():
            setattr(ns, k, v)
        return Target(f"control:{self.name}", ns)


_REGISTRY: dict[str, "Law"] = {}


@dataclasses.dataclass(eq=False)
class Law:
    fn: Callable
    name: str
    family: str
    needs: tuple
    strategies: dict
    controls: tuple
    statistical: bool = False
    examples: tuple = ()

    def __call__(self, target, **data):
        return self.fn(target, **data)

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()

    def check(self, target, settings=None):
        """Run the law under Hypothesis against ``target`` (raises on a counterexample)."""

        def run(**data):
            self.fn(target, **data)

        run.__name__ = run.__qualname__ = self.name
        test = given(**self.strategies)(run)
        for ex in reversed(self.examples):
            from hypothesis import example

            test = example(**ex)(test)
        if settings is not None:
            test = settings(test)
        test()

    def pytest(self):
        """A pytest test function for this law (uses the ``target`` fixture)."""
        import pytest

        def test(target):
            self.check(target)

        test.__name__ = f"test_{self.name}"
        test.__doc__ = self.fn.__doc__
        test = pytest.mark.needs(*self.needs)(test)
        if self.statistical:
            test = pytest.mark.statistical(test)
        return test


def law(*, needs, controls, statistical=False, examples=(), **strategies):
    """Declare a law. ``controls`` must be non-empty: every law has a negative control."""
    if not controls:
        raise ValueError("law: controls must name at least one negative control; got none")

    def wrap(fn):
        family = fn.__module__.rsplit(".", 1)[-1]
        obj = Law(fn=fn, name=fn.__name__, family=family, needs=tuple(needs), strategies=strategies,
                  controls=tuple(controls), statistical=statistical, examples=tuple(examples))
        functools.update_wrapper(obj, fn)
        if obj.name in _REGISTRY and _REGISTRY[obj.name].fn.__module__ != fn.__module__:
            raise ValueError(f"law: two laws are named {obj.name!r}")
        _REGISTRY[obj.name] = obj
        return obj

    return wrap


def all_laws(module=None) -> list[Law]:
    """The laws of one module (or every law imported so far)."""
    if module is None:
        return list(_REGISTRY.values())
    return [v for v in vars(module).values() if isinstance(v, Law)]


def pytest_tests(namespace: dict, module) -> None:
    """Define ``test_<law name>`` in ``namespace`` for every law of ``module``."""
    for lw in all_laws(module):
        namespace[f"test_{lw.name}"] = lw.pytest()
