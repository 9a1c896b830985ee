"""Controls of the contract laws: a reference function run with one of its module's validation
helpers replaced (a removed or weakened bad-input check, as a mutant would leave it)."""

from __future__ import annotations

import importlib


_ORIGINALS: dict = {}


def original(module: str, name: str):
    """The reference's own ``reference.<module>.<name>`` (also while a control replaces it)."""
    key = (module, name)
    if key not in _ORIGINALS:
        _ORIGINALS[key] = getattr(importlib.import_module(f"reference.{module}"), name)
    return _ORIGINALS[key]


def with_patched(func_name: str, module: str, **replacements):
    """``reference.<func_name>`` run with ``reference.<module>.<name>`` replaced by each of
    ``replacements`` for the duration of the call (restored afterwards, also on error)."""
    def call(*args, **kwargs):
        import reference
        mod = importlib.import_module(f"reference.{module}")
        saved = {k: original(module, k) for k in replacements}
        for k, v in replacements.items():
            setattr(mod, k, v)
        try:
            return getattr(reference, func_name)(*args, **kwargs)
        finally:
            for k, v in saved.items():
                setattr(mod, k, v)
    call.__name__ = call.__qualname__ = func_name
    return call


def lenient_range(value, func, name, lo=None, hi=None, *, lo_open=False, hi_open=False):
    """``check_in_range`` with the range check removed (the value still converted to float)."""
    return float(value)


def lenient_range_closed(value, func, name, lo=None, hi=None, *, lo_open=False, hi_open=False):
    """``check_in_range`` with its open bounds made closed (a ``<=`` weakened to ``<``)."""
    return original("_validation", "check_in_range")(value, func, name, lo, hi)


def patched_all(names, module: str, **replacements) -> dict:
    """``{name: with_patched(name, module, ...)}`` for the overrides of a Control."""
    return {n: with_patched(n, module, **replacements) for n in names}


__all__ = ["with_patched", "original", "lenient_range", "lenient_range_closed", "patched_all"]
