"""The implementation under test: ``--target NAME`` (or ``TRAINSPEC_TARGET``).

NAME is ``reference`` (the default), a built-in adapter (``torch``, ``sklearn``, ``optax``)
or any importable dotted module exposing some of the public names of :mod:`reference`. A
law that needs a name the target lacks is skipped with ``target X does not provide Y``; a
target providing none of the names the laws need is an error (no silent green). Its findings
are read from ``properties/findings/<name>.py`` (:mod:`properties._findings`).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType, SimpleNamespace

from ._install import install_command

__all__ = ["Target", "load_target", "TargetImportError", "BUILTIN_TARGETS", "FINDINGS_DIR", "findings_file"]

#: Built-in target names -> module implementing them, and how to install what they need
#: (``pip install -e ".[torch]"`` in a clone, ``pip install "trainspec[torch]"`` installed).
_TORCH = "torch==2.13.0, a CPU build"
BUILTIN_TARGETS = {
    "reference": ("reference", install_command()),
    "torch": ("properties.targets.torch", install_command("torch", _TORCH)),
    "sklearn": ("properties.targets.sklearn", install_command("sklearn")),
    "optax": ("properties.targets.optax", install_command("jax")),
    "torch-foreach": ("properties.targets.torch_foreach", install_command("torch", _TORCH)),
    "torch-fused": ("properties.targets.torch_fused", install_command("torch", _TORCH)),
    "pandas": ("properties.targets.pandas", install_command("pandas")),
    "keras": ("properties.targets.keras", install_command("keras", "backend: KERAS_BACKEND, default jax")),
    "keras-torch": ("properties.targets.keras_torch", install_command("keras,torch", _TORCH)),
}

FINDINGS_DIR = Path(__file__).with_name("findings")


class TargetImportError(ImportError):
    """The chosen target (or a framework it wraps) cannot be imported."""


class Target:
    """A named implementation: attribute access goes to the wrapped module or namespace."""

    def __init__(self, name: str, impl: ModuleType | SimpleNamespace):
        self.name = name
        self.impl = impl

    def provides(self, attr: str) -> bool:
        return hasattr(self.impl, attr)

    def missing(self, names) -> list[str]:
        return [n for n in names if not self.provides(n)]

    def __getattr__(self, attr: str):
        # Only reached for attributes Target itself lacks: forward to the implementation.
        impl = self.__dict__.get("impl")
        try:
            return getattr(impl, attr)
        except AttributeError:
            raise AttributeError(f"target {self.__dict__.get('name')!r} does not provide {attr!r}") from None

    def __repr__(self) -> str:
        return f"Target({self.name!r})"


def load_target(name: str | None = None) -> Target:
    """Import the target ``name`` (default: ``$TRAINSPEC_TARGET`` or ``reference``)."""
    name = name or os.environ.get("TRAINSPEC_TARGET") or "reference"
    module_name, hint = BUILTIN_TARGETS.get(name, (name, None))
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        how = f"install it with: {hint}" if hint else "make the module importable (is it on sys.path / installed?)"
        if "install it with:" in str(exc):  # an adapter's own message already says how (say it once)
            how = ""
        raise TargetImportError(f"trainspec: cannot import target {name!r} (module {module_name!r}): {exc}"
                                + (f"; {how}" if how else "")) from exc
    return Target(name, module)


def findings_file(target: Target) -> Path:
    """The findings file of a target: ``properties/findings/<name>.py``."""
    return FINDINGS_DIR / f"{target.name.replace('.', '_')}.py"
