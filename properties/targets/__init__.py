"""Built-in adapters that expose real frameworks under the reference's public names.

``--target sklearn`` -> :mod:`properties.targets.sklearn` (``StandardScaler``, ``MinMaxScaler``),
``--target torch`` -> :mod:`properties.targets.torch` (``nn.init``, ``optim``, ``BatchNorm1d``,
autograd), ``--target optax`` -> :mod:`properties.targets.optax` (optax optimisers,
``jax.nn.initializers``).

Each adapter calls the framework with its **default** arguments wherever a law allows it and
declares, in one module-level ``CONVENTIONS`` dict, every convention in which the framework
differs from the reference's defaults, with a link to the framework source line it was read
from (``/work/shared/conventions.md``, re-checked against the installed version). Laws that
fail because of a real difference (not a convention the adapter can state) are listed with
their reason in ``properties/findings/<target>.py``.

Importing an adapter whose framework is not installed raises :class:`ImportError` naming
the framework and the install command (``properties._target`` turns it into one clear
error).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

import numpy as np

__all__ = ["BORROWED", "borrow_harness", "require", "unsupported", "float_array", "dims", "SGDState", "AdagradState",
           "RMSpropState", "AdadeltaState", "AdamState"]


#: Harness names an optimiser adapter re-exports from the reference (not under test): the
#: driver, the schedules and the test problems. A law whose names are all borrowed is skipped
#: (properties/plugin.py), so reference code is never reported as a framework result.
BORROWED = ("minimize", "apply_updates", "constant_schedule", "step_decay", "exponential_decay",
            "inverse_time_decay", "Problem", "quadratic", "quadratic_form", "conditioned_quadratic",
            "rosenbrock", "least_squares", "minibatch_gradient")


def borrow_harness(namespace: dict) -> None:
    """Put the reference's :data:`BORROWED` names into an adapter's module ``namespace``."""
    import reference

    namespace.update({name: getattr(reference, name) for name in BORROWED})


def require(module: str, target: str, install: str):
    """Import ``module`` for adapter ``target`` or raise one ImportError that says how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"the {target} target needs {module!r}, which is not importable ({exc}); "
                          f"install it with: {install}") from exc


def unsupported(target: str, func: str, what: str):
    """Raise the NotImplementedError by which an adapter declares an option its framework lacks
    (the laws then skip that example or law; see CONVENTIONS of the adapter)."""
    raise NotImplementedError(f"{target} target: {func}: {what} has no {target} equivalent (see CONVENTIONS)")


def dims(shape) -> tuple:
    """A shape as a tuple, numpy integers made Python ints and every other entry (a float, a
    bool, a string) passed through as given, so the framework's own check sees it."""
    return tuple(int(s) if isinstance(s, np.integer) else s for s in shape)


def float_array(x) -> np.ndarray:
    """A fresh copy of ``x`` as a floating array (integers become float64), never a view."""
    a = np.array(x, copy=True)
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    return a


# --- optimiser states of the framework adapters ------------------------------------------------------
# The reference's field names over a framework's own state: each adapter maps a field to the
# framework's key or slot (torch: TORCH_STATE_KEYS, Keras: KERAS_SLOTS), so the state laws read
# ``state.mu`` or ``state.sum_of_squares`` whatever the framework calls it. A field is None
# before the first update and where the configuration keeps no such state.

class SGDState(NamedTuple):
    """``count`` updates done; ``velocity`` the momentum buffer (None without momentum)."""

    count: int
    velocity: np.ndarray | None


class AdagradState(NamedTuple):
    """``count``; ``sum_of_squares`` the accumulator G (starting at initial_accumulator_value)."""

    count: int
    sum_of_squares: np.ndarray | None


class RMSpropState(NamedTuple):
    """``count``; ``nu`` the EMA of g**2; ``mu`` the EMA of g (centered only); ``trace`` the
    momentum buffer (momentum > 0 only)."""

    count: int
    nu: np.ndarray | None
    mu: np.ndarray | None
    trace: np.ndarray | None


class AdadeltaState(NamedTuple):
    """``count``; ``e_g`` the EMA of g**2; ``e_x`` the EMA of the squared steps."""

    count: int
    e_g: np.ndarray | None
    e_x: np.ndarray | None


class AdamState(NamedTuple):
    """``count``; ``mu`` and ``nu`` the first and second moments; ``nu_max`` their running max (amsgrad only)."""

    count: int
    mu: np.ndarray | None
    nu: np.ndarray | None
    nu_max: np.ndarray | None
