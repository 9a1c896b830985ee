"""Where trainspec runs from: a source checkout (the repository) or an installed package.

In a checkout (``git clone`` + ``pip install -e ".[test]"``, or no install at all) the laws are
``properties/`` beside ``pyproject.toml`` and ``tests/``, reports go to ``docs/conformance/``
and the install hints name the checkout's extras (``pip install -e ".[torch]"``). Installed from
a wheel (``pip install "trainspec[test]"``), ``properties`` lives in site-packages: the laws run
with ``pytest --pyargs properties`` from any directory, reports go to the current directory and
the install hints name the distribution (``pip install "trainspec[torch]"``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE", "CHECKOUT", "install_command", "laws_command"]

#: The ``properties`` package directory.
PACKAGE = Path(__file__).resolve().parent


def _checkout(root: Path) -> Path | None:
    markers = (root / "pyproject.toml", root / "reference", root / "tests")
    return root if markers[0].is_file() and markers[1].is_dir() and markers[2].is_dir() else None


#: The repository root when ``properties`` is imported from a source checkout, else None.
CHECKOUT = _checkout(PACKAGE.parent)


def install_command(extra: str | None = None, note: str = "") -> str:
    """The pip command that installs trainspec with ``extra`` (``torch``, ``jax``, ...), as a
    hint in an error message: ``-e ".[extra]"`` in a checkout, ``"trainspec[extra]"`` installed."""
    if CHECKOUT is not None:
        cmd = f'python -m pip install -e ".[{extra}]"' if extra else "python -m pip install -e ."
    else:
        cmd = f'python -m pip install "trainspec[{extra}]"' if extra else "python -m pip install trainspec"
    return cmd + (f"  ({note})" if note else "")


def laws_command() -> tuple[list[str], list[str], Path | None]:
    """How a subprocess runs the law suite: ``(pytest arguments, the same as a reader types
    them, working directory)``. In a checkout: ``properties/`` from the repository root. Installed:
    the package directory with site-packages as rootdir (so test ids read ``properties/test_*.py``
    as in the repository), from the current directory (None), which gets Hypothesis's database."""
    if CHECKOUT is not None:
        return ["properties/"], ["properties/"], CHECKOUT
    return [str(PACKAGE), "--rootdir", str(PACKAGE.parent)], ["--pyargs", "properties"], None
