"""Findings: facts about a target, each with a reproduction that must still fail.

A finding replaces a per-test-id expected deviation. It names the laws it affects and, for a
finding about a region of inputs, a *domain*: a predicate over a law's inputs. For that
target the affected laws skip (and count) the examples inside the domain and stay active
everywhere else. A finding without a domain covers its laws whole (a strict xfail). Every
finding carries a reproduction: when it stops failing the run says
``finding X no longer reproduces`` and fails, so a framework fix is noticed.

A target's findings live in ``properties/findings/<target>.py`` (or ``--findings FILE``), a
Python file defining ``FINDINGS``::

    from properties.findings import Finding, violates

    FINDINGS = [
        Finding(
            "M1", severity="correctness",
            reason="mymodule.minmax calls a feature constant when its range is below 1e-12",
            laws={"minmax_maps_extremes_onto_feature_range":
                  lambda x, **_: bool((np.ptp(x, axis=0) < 1e-12).any())},
            reproduce=violates("minmax_maps_extremes_onto_feature_range",
                               x=[[1e-13], [0.0]], feature_range=(0.0, 1.0)),
        ),
    ]

``laws`` maps a law name (or ``name[case]`` for one case of a per-technique law) to a
domain predicate called with the law's inputs as keyword arguments, or to ``None`` for the
whole law; a tuple of names means the whole of each. Severity: ``correctness`` (the target
breaks a correctness law), ``accuracy`` (it misses an accuracy law's ulp-level demand),
``contract`` (it accepts an argument outside a domain the interface documents) or
``capability`` (an option the target does not offer; its reproduction is a call that
raises ``NotImplementedError``).
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Callable, Mapping

__all__ = ["Finding", "violates", "unsupported_option", "load_findings", "SEVERITIES"]

SEVERITIES = ("correctness", "accuracy", "contract", "capability")


@dataclasses.dataclass(frozen=True)
class Reproduction:
    """A call that must still fail on the target; ``run`` says whether it does and how."""

    describe: str
    call: Callable
    expect: type
    law: str | None = None
    inputs: dict | None = None

    def run(self, target) -> tuple[bool, str]:
        try:
            self.call(target)
        except self.expect as exc:
            return True, " ".join(str(exc).split())[:300]
        return False, f"{self.describe} no longer raises {self.expect.__name__}"


def violates(law_name: str, **inputs) -> Reproduction:
    """Reproduction: ``law(target, **inputs)`` raises :class:`properties.LawViolation`."""
    from ._law import LawViolation

    def call(target):
        from ._law import _REGISTRY

        _REGISTRY[law_name](target, **inputs)

    shown = ", ".join(f"{k}={v!r}" for k, v in inputs.items())
    return Reproduction(f"{law_name}({shown})", call, LawViolation, law=law_name, inputs=dict(inputs))


def unsupported_option(describe: str, call: Callable) -> Reproduction:
    """Reproduction of a capability gap: ``call(target)`` raises ``NotImplementedError``."""
    return Reproduction(describe, call, NotImplementedError)


@dataclasses.dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    reason: str
    laws: Mapping[str, Callable | None] | tuple
    reproduce: Reproduction
    target: str = ""

    def __post_init__(self):
        where = f"finding {self.id!r}"
        if not self.id or not str(self.id).strip():
            raise ValueError("finding: id must be a non-empty string")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{where}: severity must be one of {SEVERITIES}; got {self.severity!r}")
        if not self.reason.strip():
            raise ValueError(f"{where}: a finding needs a written reason")
        if not isinstance(self.reproduce, Reproduction):
            raise ValueError(f"{where}: reproduce must be violates(law, **inputs) or unsupported_option(...); "
                             f"got {self.reproduce!r}")
        laws = dict.fromkeys(self.laws) if isinstance(self.laws, (tuple, list)) else dict(self.laws)
        if not laws:
            raise ValueError(f"{where}: name at least one affected law")
        object.__setattr__(self, "laws", laws)

    @staticmethod
    def _key(law: str, case) -> str:
        return law if case is None else f"{law}[{case}]"

    def affects(self, law: str, case=None) -> bool:
        return law in self.laws or self._key(law, case) in self.laws

    def domain(self, law: str, case=None):
        """The predicate over ``law``'s inputs, or None (whole law, or not affected)."""
        return self.laws.get(self._key(law, case), self.laws.get(law))

    def whole(self, law: str, case=None) -> bool:
        return self.affects(law, case) and self.domain(law, case) is None

    def contains(self, law: str, case, data: dict) -> bool:
        pred = self.domain(law, case)
        return pred is not None and bool(pred(**data))


def load_findings(path: Path, target_name: str) -> list[Finding]:
    """``FINDINGS`` of the Python file ``path`` (none when it does not exist)."""
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(f"trainspec_findings_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "FINDINGS"):
        raise ValueError(f"{path}: a findings file must define FINDINGS (a list of Finding)")
    out = []
    for f in module.FINDINGS:
        if not isinstance(f, Finding):
            raise ValueError(f"{path}: FINDINGS holds {f!r}, not a Finding")
        out.append(dataclasses.replace(f, target=f.target or target_name))
    ids = [f.id for f in out]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: finding ids must be unique; got {ids}")
    return out


def validate(findings, laws: dict) -> None:
    """Every law (and case) a finding names exists; a reproduction's inputs lie in its domain."""
    for f in findings:
        for key in f.laws:
            name, _, case = key.partition("[")
            case = case.rstrip("]") or None
            lw = laws.get(name)
            if lw is None:
                raise ValueError(f"finding {f.id}: names {name!r}, which is not a law")
            if case is not None and case not in (lw.cases or {}):
                raise ValueError(f"finding {f.id}: law {name} has no case {case!r} (cases: {list(lw.cases or ())})")
        r = f.reproduce
        if r.law is not None and r.law not in laws:
            raise ValueError(f"finding {f.id}: its reproduction calls {r.law!r}, which is not a law")
