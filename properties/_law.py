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

The harness, not the law, handles three things for every law: a ``NotImplementedError``
raised by the target rejects that example (counted; a law or case whose every example
needs the option is skipped with the target's message, :class:`LawNotApplicable`); a
finding's domain (:mod:`properties._findings`) excludes its examples (counted per finding);
and a law about every technique (``cases=per_technique(...)``) runs once per technique, so
a target lacking one technique still has the others checked. ``tier`` is ``correctness``
(tolerance from the problem's conditioning), ``accuracy`` (ulp-level demands beyond it) or
``contract`` (the interface's documented argument domains: a value outside raises an error).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unittest
from types import SimpleNamespace
from typing import Callable

from hypothesis import Phase, example, given, reject
from hypothesis import settings as _settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy

__all__ = ["LawViolation", "LawViolations", "LawNotApplicable", "Law", "Control", "RunStats", "TIERS", "law", "per_technique", "all_laws"]


class LawViolation(AssertionError):
    """A target broke a law. The message says what was observed and what the law requires."""


class LawViolations(ExceptionGroup, AssertionError):
    """A target broke one law in several distinct ways (Hypothesis reports each failure with its
    own minimal example; they stay distinct). An AssertionError, so a whole-law finding's strict
    xfail accepts it just as it accepts one :class:`LawViolation`."""


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


#: Severity tiers of a law. A target *conforms* when every ``correctness`` law it can run
#: passes; ``accuracy`` laws (ulp-level exactness, expm1/log1p-grade bias corrections,
#: bit-stability under huge offsets) ask more than the problem's conditioning requires and are
#: reported beside the verdict; ``contract`` laws state the argument domains the interface
#: documents (docs/writing-a-target.md): a value outside one raises ``ValueError`` (a wrong
#: type ``TypeError``) instead of returning a result. Frameworks legitimately differ in what they
#: refuse, so contract results are reported beside the verdict too, and a target that accepts a
#: value the interface refuses carries a finding of severity ``contract``.
TIERS = ("correctness", "accuracy", "contract")


class LawNotApplicable(unittest.SkipTest):
    """Every example of a law (or of one of its cases) needs an option the target does not
    offer: the law is skipped with the target's own message (pytest reports a skip)."""


@dataclasses.dataclass
class RunStats:
    """What one Hypothesis run of a law did: examples that ran the law to the end, examples
    rejected because the target raised ``NotImplementedError`` (with its first message),
    examples excluded by each finding's domain, and failures reported."""

    examples: int = 0
    unsupported: int = 0
    unsupported_reason: str = ""
    excluded: dict = dataclasses.field(default_factory=dict)
    failures: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


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
    #: ``{case id: extra names}``: a law about every technique runs once per technique
    cases: dict | None = None
    tier: str = "correctness"
    #: cap on the examples of one run (per case) under the profile's settings: for a law whose
    #: every example is one large sample (``properties._profiles.large_sample``)
    max_examples: int | None = None

    def __call__(self, target, **data):
        return self.fn(target, **data)

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()

    def case_ids(self) -> tuple:
        return tuple(self.cases) if self.cases else (None,)

    def needs_for(self, case=None) -> tuple:
        """The names the law needs from a target for ``case`` (all cases when None)."""
        if not self.cases:
            return self.needs
        extra = self.cases[case] if case is not None else tuple(n for c in self.cases.values() for n in c)
        return self.needs + tuple(n for n in dict.fromkeys(extra) if n not in self.needs)

    def strategies_for(self, case) -> dict:
        """The law's strategies for one case: a strategy given as a function of the case id
        (``lambda name: ...``) is called with it."""
        return {k: (v(case) if callable(v) and not isinstance(v, SearchStrategy) else v)
                for k, v in self.strategies.items()}

    def check(self, target, settings=None, case=None, findings=(), stats=None, expect_failure=False):
        """Run the law under Hypothesis against ``target`` (raises on a counterexample).

        With per-technique cases and ``case=None``, every case the target provides runs in
        turn (stopping at the first violation). ``findings`` (``properties._findings.Finding``)
        of this target exclude the examples in their domains; a ``NotImplementedError`` raised
        by the target rejects the example; counts go into ``stats`` (a :class:`RunStats`).
        ``expect_failure``: a finding says the whole law fails for this target (a strict xfail),
        so the run stops at the first counterexample, unshrunk: it only has to show that the
        law still fails (the finding's own reproduction is the minimal example).
        """
        stats = RunStats() if stats is None else stats
        if self.cases and case is None:
            ran, reasons = False, []
            for c in self.cases:
                missing = target.missing(self.needs_for(c))
                if missing:
                    reasons.append(f"[{c}] target {target.name} does not provide {', '.join(missing)}")
                    continue
                try:
                    self.check(target, settings, c, findings, stats, expect_failure)
                    ran = True
                except LawNotApplicable as exc:
                    reasons.append(f"[{c}] {exc}")
            if not ran:
                raise LawNotApplicable("; ".join(reasons))
            return
        domains = [f for f in findings if f.domain(self.name, case) is not None]

        def run(**data):
            for f in domains:
                if f.contains(self.name, case, data):
                    stats.excluded[f.id] = stats.excluded.get(f.id, 0) + 1
                    reject()
            try:
                self.fn(target, **data)
            except NotImplementedError as exc:
                stats.unsupported += 1
                stats.unsupported_reason = stats.unsupported_reason or " ".join(str(exc).split())
                reject()
            stats.examples += 1

        run.__name__ = run.__qualname__ = self.name if case is None else re.sub(r"\W", "_", f"{self.name}__{case}")
        test = given(**self.strategies_for(case))(run)
        for ex in reversed(self.examples):
            ex = dict(ex)
            if ex.pop("_case", case) == case:
                test = example(**ex)(test)
        changes = {}
        if settings is None:
            if (self.statistical and self.cases) or self.max_examples is not None:
                budget = _settings.default.max_examples
                if self.statistical and self.cases:
                    # A statistical law's example budget is shared by its cases (each example is already
                    # a test with power 1 - 1e-6), so per-technique cases cost what the law cost before.
                    budget = max(5, -(-budget // len(self.cases)))
                if self.max_examples is not None:
                    budget = min(budget, self.max_examples)
                changes["max_examples"] = budget
        base = _settings.default if settings is None else settings
        if expect_failure:
            changes["phases"] = tuple(p for p in base.phases if p is not Phase.shrink)
            changes["report_multiple_bugs"] = False
        if changes:
            test = _settings(base, **changes)(test)
        elif settings is not None:
            test = settings(test)
        try:
            test()
        except Unsatisfiable:
            if stats.examples == 0 and (stats.unsupported or stats.excluded):
                said = [f"target {target.name} does not offer an option every example needs: "
                        f"{stats.unsupported_reason}"] if stats.unsupported else []
                said += [f"every other example lies in the domain of finding {fid}" for fid in stats.excluded]
                raise LawNotApplicable("; ".join(said)) from None
            raise
        except Exception as exc:  # noqa: BLE001 - counted, then re-raised
            stats.failures += len(exc.exceptions) if isinstance(exc, BaseExceptionGroup) else 1
            if isinstance(exc, BaseExceptionGroup) and not isinstance(exc, LawViolations) \
                    and all(isinstance(e, LawViolation) for e in exc.exceptions):
                raise LawViolations(f"law {self.name} broken in {len(exc.exceptions)} distinct ways",
                                    exc.exceptions) from None
            raise

    def pytest(self):
        """A pytest test function for this law (uses the ``target`` fixture); a law with
        cases is parametrized by case id (``[glorot_normal]``), each case needing its names."""
        import pytest

        law = self

        def _run(target, request, case):
            stats = RunStats()
            findings = getattr(request.config, "_trainspec_findings", ())
            # set by the plugin where a finding makes the whole law a strict xfail for this target
            expected = getattr(request.node, "_trainspec_expected_failure", False)
            try:
                law.check(target, case=case, findings=findings, stats=stats, expect_failure=expected)
            finally:
                request.node.user_properties.append(("trainspec", stats.as_dict()))

        if self.cases:
            def test(target, request, case):
                _run(target, request, case)

            params = [pytest.param(c, marks=pytest.mark.needs(*self.needs_for(c)), id=c) for c in self.cases]
            test = pytest.mark.parametrize("case", params)(test)
        else:
            def test(target, request):
                _run(target, request, None)

            test = pytest.mark.needs(*self.needs)(test)
        test.__name__ = f"test_{self.name}"
        test.__doc__ = self.fn.__doc__
        test._trainspec_law = self
        if self.statistical:
            test = pytest.mark.statistical(test)
        if self.tier != "correctness":
            test = getattr(pytest.mark, self.tier)(test)
        return test


def law(*, needs, controls, statistical=False, examples=(), cases=None, tier="correctness", max_examples=None,
        **strategies):
    """Declare a law. ``controls`` must be non-empty: every law has a negative control.

    ``cases`` (``{case id: names}``, see :func:`per_technique`) runs the law once per case;
    a strategy may then be a function of the case id. ``tier`` is ``"correctness"`` (the
    default: tolerance from the problem's conditioning), ``"accuracy"`` or ``"contract"``. ``max_examples``
    caps the examples of a run under the profile (a law whose every example is one large
    sample); explicit ``settings`` passed to :meth:`Law.check` are used as given.
    """
    if not controls:
        raise ValueError("law: controls must name at least one negative control; got none")
    if tier not in TIERS:
        raise ValueError(f"law: tier must be one of {TIERS}; got {tier!r}")

    def wrap(fn):
        family = fn.__module__.rsplit(".", 1)[-1]
        obj = Law(fn=fn, name=fn.__name__, family=family, needs=tuple(needs), strategies=strategies,
                  controls=tuple(controls), statistical=statistical, examples=tuple(examples),
                  cases=dict(cases) if cases else None, tier=tier, max_examples=max_examples)
        functools.update_wrapper(obj, fn)
        if obj.name in _REGISTRY and _REGISTRY[obj.name].fn.__module__ != fn.__module__:
            raise ValueError(f"law: two laws are named {obj.name!r}")
        _REGISTRY[obj.name] = obj
        return obj

    return wrap


def per_technique(names, needs=()) -> dict:
    """Cases for a law about every technique in ``names``: case ``name`` needs ``name`` (and
    ``needs``). A target lacking one technique skips that case and runs the others."""
    return {n: (n, *needs) for n in names}


def all_laws(module=None) -> list[Law]:
    """The laws of one module (or every law imported so far)."""
    if module is None:
        return list(_REGISTRY.values())
    return [v for v in vars(module).values() if isinstance(v, Law)]


def pytest_tests(namespace: dict, module) -> None:
    """Define ``test_<law name>`` in ``namespace`` for every law of ``module``."""
    for lw in all_laws(module):
        namespace[f"test_{lw.name}"] = lw.pytest()
