"""pandas as a trainspec target: the moving averages most people compute with it.

Run: ``pytest properties/ --target pandas``. Names exposed (the reference's signatures):

* ``ema(values, alpha, v0=0.0)``: ``Series/DataFrame.ewm(alpha=alpha, adjust=False).mean()``
  on the series with ``v0`` put in front as time 0 (then dropped); ``v0=None`` runs on the
  series itself (pandas starts from the first value);
* ``ema_bias_corrected(values, alpha)``: ``ewm(alpha=alpha, adjust=True).mean()``, pandas'
  default, which is the zero-started EMA divided by its bias correction (see CONVENTIONS);
* ``sma(values, n)``: ``rolling(n).mean()`` with the first ``n - 1`` rows (NaN) dropped;
* ``running_mean(values)``: ``expanding().mean()``.

Every call passes the arguments that select the algorithm (``adjust``, ``min_periods``,
``ignore_na``) explicitly, so pandas' defaults never decide a verdict by accident.
"""

from __future__ import annotations

import numpy as np

from properties._install import install_command
from properties.targets import require

_pd = require("pandas", "pandas", install_command("pandas"))

__all__ = ["ema", "ema_bias_corrected", "sma", "running_mean", "CONVENTIONS", "VERSION"]

VERSION = f"pandas {_pd.__version__}"
_SRC = f"https://github.com/pandas-dev/pandas/blob/v{_pd.__version__}/pandas"

#: How pandas differs from the reference's conventions, and what the adapter does about it.
#: Each row was checked against the installed version; tests/differential/test_pandas.py is
#: the numerical check.
CONVENTIONS = {
    "alpha": {
        "framework": "ewm(alpha=a) weights the NEW value by a: y_t = (1 - a) y_{t-1} + a x_t (adjust=False)",
        "reference": "ema(values, alpha): alpha weights the new value -- the same",
        "adapter": "alpha passed through",
        "source": f"{_SRC}/core/window/ewm.py (EWM docstring, 'adjust' paragraph)",
    },
    "start value": {
        "framework": "adjust=False starts from the first value: y_0 = x_0",
        "reference": "ema(..., v0=None) starts from the first value; v0=c starts from the state c before v_1",
        "adapter": "v0=c: the series [c, v_1, ..., v_T] is averaged and its first output dropped",
        "source": f"{_SRC}/core/window/ewm.py",
    },
    "bias correction": {
        "framework": "adjust=True: y_t = sum_k (1-a)^k x_{t-k} / sum_k (1-a)^k over the values so far",
        "reference": "ema_bias_corrected: zero-started EMA / (1 - (1 - alpha)^t); the divisor is "
                     "a * sum_k (1-a)^k, so the two are the same quantity",
        "adapter": "ewm(alpha, adjust=True)",
        "source": f"{_SRC}/core/window/ewm.py (EWM docstring, 'adjust' paragraph)",
    },
    "simple moving average": {
        "framework": "rolling(n).mean() gives NaN for the first n - 1 rows (min_periods defaults to n)",
        "reference": "sma returns only the T - n + 1 full windows",
        "adapter": "rolling(n, min_periods=n).mean() with the first n - 1 rows dropped",
        "source": f"{_SRC}/core/window/rolling.py",
    },
    "running mean": {
        "framework": "expanding(min_periods=1).mean(): the mean of all values so far",
        "reference": "running_mean -- the same quantity",
        "adapter": "expanding(min_periods=1).mean()",
        "source": f"{_SRC}/core/window/expanding.py",
    },
    "dtype": {
        "framework": "window operations compute and return float64",
        "reference": "computes in float64, returns the input's floating dtype",
        "adapter": "the result is cast back to the input's floating dtype (float64 for integers)",
        "source": f"{_SRC}/_libs/window/aggregations.pyx",
    },
}


def _frame(values):
    """``values`` as pandas data: a Series for a 1-d array, a DataFrame otherwise (whose constructor
    refuses other than 2 dimensions). Real numbers are converted to float64 first (pandas' window
    means compute in float64; the conversion keeps integers and float32 exact, and the result gets
    the float dtype back); anything else is passed as given, so pandas' own handling of strings and
    complex numbers is the verdict, not the adapter's."""
    v = np.array(values, dtype=None, copy=True)
    real = v.dtype.kind in "fiub"
    dtype = v.dtype if v.dtype.kind == "f" else np.dtype(np.float64)
    data = v.astype(np.float64) if real else v
    return (_pd.Series(data) if data.ndim == 1 else _pd.DataFrame(data)), dtype


def _out(result, dtype) -> np.ndarray:
    return np.asarray(result.to_numpy(dtype=np.float64), dtype=dtype)


def ema(values, alpha, v0=0.0):
    frame, dtype = _frame(values)
    if v0 is not None:
        start = np.broadcast_to(np.asarray(v0, dtype=np.float64), frame.shape[1:])
        head = _pd.Series([float(start)]) if frame.ndim == 1 else _pd.DataFrame([start])
        frame = _pd.concat([head, frame], ignore_index=True)
    out = frame.ewm(alpha=alpha, adjust=False, min_periods=0, ignore_na=False).mean()
    if v0 is not None:
        out = out.iloc[1:]
    return _out(out, dtype)


def ema_bias_corrected(values, alpha):
    frame, dtype = _frame(values)
    return _out(frame.ewm(alpha=alpha, adjust=True, min_periods=0, ignore_na=False).mean(), dtype)


def sma(values, n):
    frame, dtype = _frame(values)
    return _out(frame.rolling(n, min_periods=n).mean().iloc[n - 1:], dtype)


def running_mean(values):
    frame, dtype = _frame(values)
    return _out(frame.expanding(min_periods=1).mean(), dtype)
