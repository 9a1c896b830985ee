"""Argument checks at the public boundary, with one message shape.

Every public function of :mod:`reference` validates its arguments here, so the messages
read alike: ``"<function>: <argument> must be <expectation>; got <value>"``. Checks raise
``TypeError`` for the wrong kind of object and ``ValueError`` for the right kind with a
wrong value; they never use ``assert`` (which ``python -O`` removes).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._numerics import all_finite

__all__ = [
    "as_float_array",
    "check_finite_scalar",
    "check_in_range",
    "check_choice",
    "check_positive_int",
    "check_rng",
    "check_same_shape",
]


def _short(value) -> str:
    """A repr of ``value`` short enough for an error message."""
    if isinstance(value, np.ndarray):
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def as_float_array(x, func: str, name: str, *, ndim=None, min_size: int = 1,
                   min_rows: int | None = None) -> np.ndarray:
    """Return ``x`` as a floating array without copying when it already is one.

    Integer and boolean input becomes float64; float16/32/64 keep their dtype. Raises
    ``TypeError`` for non-numeric input and ``ValueError`` for a wrong number of
    dimensions, too few elements or rows, or any NaN/inf.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{func}: {name} must be array-like of numbers; got {_short(x)}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{func}: {name} must be a real numeric array; got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{func}: {name} must be real; got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-d" for d in allowed)
            hint = ""
            if 2 in allowed and arr.ndim == 1:
                hint = " (reshape a single feature with x.reshape(-1, 1), a single sample with x.reshape(1, -1))"
            raise ValueError(f"{func}: {name} must be {want}; got {arr.ndim}-d array of shape {arr.shape}{hint}")
    if arr.size < min_size:
        raise ValueError(f"{func}: {name} must have at least {min_size} element(s); got shape {arr.shape}")
    if min_rows is not None and arr.shape[0] < min_rows:
        raise ValueError(f"{func}: {name} must have at least {min_rows} row(s); got shape {arr.shape}")
    if not all_finite(arr):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{func}: {name} must be finite; got {bad} NaN/inf value(s) in an array of shape {arr.shape}")
    return arr


def check_finite_scalar(value, func: str, name: str) -> float:
    """Return ``value`` as a Python float, rejecting bools, non-numbers and NaN/inf."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{func}: {name} must be a real number; got {_short(value)}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{func}: {name} must be finite; got {v!r}")
    return v


def check_in_range(value, func: str, name: str, lo=None, hi=None, *, lo_open=False, hi_open=False) -> float:
    """Check ``lo <(=) value <(=) hi`` and return ``value`` as a float.

    The message states the interval in standard notation, e.g. ``[0, 1)``.
    """
    v = check_finite_scalar(value, func, name)
    bad = (lo is not None and (v <= lo if lo_open else v < lo)) or (
        hi is not None and (v >= hi if hi_open else v > hi))
    if bad:
        left = ("(" if lo_open else "[") + ("-inf" if lo is None else f"{lo:g}")
        right = ("inf" if hi is None else f"{hi:g}") + (")" if hi_open or hi is None else "]")
        raise ValueError(f"{func}: {name} must be in {left}, {right}; got {v!r}")
    return v


def check_positive_int(value, func: str, name: str, minimum: int = 1) -> int:
    """Check that ``value`` is an integer >= ``minimum`` (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{func}: {name} must be an integer >= {minimum}; got {_short(value)}")
    if int(value) < minimum:
        raise ValueError(f"{func}: {name} must be an integer >= {minimum}; got {int(value)}")
    return int(value)


def check_choice(value, func: str, name: str, allowed) -> str:
    """Check that ``value`` is one of the strings ``allowed``, listing them on failure."""
    if not (isinstance(value, str) and value in allowed):   # (an array would compare elementwise)
        raise ValueError(f"{func}: {name} must be one of {', '.join(map(repr, allowed))}; got {_short(value)}")
    return value


def check_rng(rng, func: str) -> np.random.Generator:
    """Require an explicit ``numpy.random.Generator`` (no global random state)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{func}: rng must be a numpy.random.Generator "
                        f"(e.g. numpy.random.default_rng(0)); got {_short(rng)}")
    return rng


def check_same_shape(a: np.ndarray, b: np.ndarray, func: str, name_a: str, name_b: str) -> None:
    """Require ``a.shape == b.shape``."""
    if a.shape != b.shape:
        raise ValueError(f"{func}: {name_b} must have the shape of {name_a} {a.shape}; got {b.shape}")


# --- the optimisers' hyperparameters ---------------------------------------------------------------

def check_lr(lr, func: str):
    """A positive finite float, or a schedule (callable ``step -> lr``)."""
    if callable(lr):
        return lr
    return check_in_range(lr, func, "lr", lo=0.0, lo_open=True)


def check_beta(value, func: str, name: str) -> float:
    return check_in_range(value, func, name, lo=0.0, hi=1.0, hi_open=True)


def check_eps(value, func: str, name: str = "eps") -> float:
    return check_in_range(value, func, name, lo=0.0)


def check_bool(value, func: str, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{func}: {name} must be True or False; got {_short(value)}")
    return bool(value)
