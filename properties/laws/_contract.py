"""The one check of every contract-tier law: a call with an argument outside the domain the
interface documents (docs/writing-a-target.md) raises ``ValueError`` (a value of the right type
outside its range) or ``TypeError`` (a value of the wrong type), instead of returning.

The law names the argument and the value; a target that returns a result, or raises another
exception (a ``TypeError`` for an out-of-range number is a broken error path, a
``ZeroDivisionError`` or ``IndexError`` no error at all), breaks it. ``NotImplementedError``
propagates: the harness counts it as an option the target does not offer.
"""

from __future__ import annotations

import numpy as np

from properties._law import LawViolation

__all__ = ["refuses", "unchanged"]


def _show(out) -> str:
    try:
        return " ".join(repr(out).split())[:160]
    except Exception:  # noqa: BLE001 - a result that cannot be shown is still a result
        return f"a {type(out).__name__}"


def _names(expect) -> str:
    return " or ".join(e.__name__ for e in (expect if isinstance(expect, tuple) else (expect,)))


def refuses(call, what: str, expect=ValueError):
    """Run ``call()``: the law holds when it raises ``expect``; ``what`` names the call and the
    argument outside its domain (shown in the violation)."""
    try:
        out = call()
    except NotImplementedError:
        raise
    except expect:
        return
    except LawViolation:
        raise
    except Exception as exc:  # noqa: BLE001 - the wrong exception is the violation
        raise LawViolation(f"{what}: raised {type(exc).__name__}({' '.join(str(exc).split())[:200]!r}); "
                           f"the interface documents {_names(expect)}") from None
    raise LawViolation(f"{what}: accepted (returned {_show(out)}); the interface documents {_names(expect)}")


def unchanged(before, after, what: str):
    """An input array is bit for bit what it was before the refused call (inputs are never
    modified, and a refused call writes nothing)."""
    before, after = np.asarray(before), np.asarray(after)
    if before.shape != after.shape or not np.array_equal(before, after, equal_nan=True):
        raise LawViolation(f"{what}: changed from {_show(before)} to {_show(after)} by a call that raised")
