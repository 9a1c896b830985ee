"""scikit-learn as a trainspec target: ``StandardScaler`` and ``MinMaxScaler``.

Run: ``pytest properties/ --target sklearn``. Names exposed (the reference's signatures):
``zscore(x, eps=0.0)``, ``fit_zscore(x, eps=0.0)`` / ``apply_zscore(stats, x)``,
``minmax(x, feature_range=(0, 1))``, ``fit_minmax`` / ``apply_minmax``, ``center(x)``.
Every call builds the scaler with its default arguments (``copy=True``, ``clip=False``,
``with_mean=True``, ``with_std=True``); the "stats" of a fit/apply pair is the fitted scaler.
"""

from __future__ import annotations

import numpy as np

from properties._install import install_command
from properties.targets import require

_sk = require("sklearn", "sklearn", install_command("sklearn"))
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

__all__ = ["zscore", "fit_zscore", "apply_zscore", "minmax", "fit_minmax", "apply_minmax", "center",
           "CONVENTIONS", "VERSION"]

VERSION = f"scikit-learn {_sk.__version__}"
_SRC = f"https://github.com/scikit-learn/scikit-learn/blob/{_sk.__version__}/sklearn/preprocessing/_data.py"

#: How scikit-learn differs from the reference defaults, and where the adapter handles it.
#: Each row was checked against the installed version (1.9.1): see
#: tests/differential/test_sklearn.py for the numerical check.
CONVENTIONS = {
    "variance estimator": {
        "framework": "StandardScaler.var_ is the biased (ddof=0) variance; scale_ = sqrt(var_)",
        "reference": "fit_zscore: biased (ddof=0) variance -- the same",
        "adapter": "nothing to do",
        "source": f"{_SRC}#L742 (class docstring: 'biased estimator ... numpy.std(x, ddof=0)')",
    },
    "eps": {
        "framework": "StandardScaler has no eps: it divides by sqrt(var_) exactly",
        "reference": "zscore(x, eps=0.0) divides by sqrt(var + eps)",
        "adapter": "eps == 0 calls the scaler unchanged; eps != 0 raises NotImplementedError "
                   "(no framework argument expresses it)",
        "source": f"{_SRC}#L1073-L1078",
    },
    "constant feature (z-score)": {
        "framework": "var <= n*eps64*var + (n*mean*eps64)**2 counts as constant; its scale_ is 1, so "
                     "the output is x - mean",
        "reference": "the same test and the same divisor 1 (eps == 0)",
        "adapter": "nothing to do",
        "source": f"{_SRC}#L83-L98 (_is_constant_feature), #L101-L133 (_handle_zeros_in_scale)",
    },
    "constant feature (min-max)": {
        "framework": "data range < 10*finfo(X.dtype).eps (absolute) gives divisor 1, so the feature maps to "
                     "feature_range[0]",
        "reference": "max == min exactly maps to lo; a tiny non-zero range (< 10 eps) is scaled normally",
        "adapter": "nothing to do; a range below 2.2e-15 is a documented deviation (see findings/sklearn.py)",
        "source": f"{_SRC}#L527-L545",
    },
    "min-max arithmetic": {
        "framework": "X * scale_ + min_ with scale_ = (hi - lo) / (max - min), min_ = lo - min * scale_",
        "reference": "convex combination (1 - t) lo + t hi with t = (x - min) / (max - min), rescaled by "
                     "powers of two",
        "adapter": "nothing to do; the forms agree to a few ulps when the data are well scaled",
        "source": f"{_SRC}#L565-L585",
    },
    "clipping": {
        "framework": "MinMaxScaler(clip=False) by default: held-out data may leave feature_range",
        "reference": "no clipping -- the same",
        "adapter": "default used",
        "source": f"{_SRC}#L305 (class), #L576",
    },
    "dtype": {
        "framework": "float32 stays float32, other input becomes float64 (FLOAT_DTYPES)",
        "reference": "the same",
        "adapter": "nothing to do",
        "source": f"{_SRC}#L1045-L1080",
    },
    "mean-centering": {
        "framework": "StandardScaler(with_std=False)",
        "reference": "center(x)",
        "adapter": "center(x) = StandardScaler(with_std=False).fit_transform(x)",
        "source": f"{_SRC}#L983-L985",
    },
}


def fit_zscore(x, eps: float = 0.0) -> StandardScaler:
    """``StandardScaler().fit(x)`` (the fitted scaler is the statistics)."""
    if eps != 0.0:
        raise NotImplementedError(f"sklearn target: StandardScaler has no eps; got eps={eps!r} (see CONVENTIONS['eps'])")
    return StandardScaler().fit(np.asarray(x))


def apply_zscore(stats: StandardScaler, x) -> np.ndarray:
    """``stats.transform(x)``."""
    return stats.transform(np.asarray(x))


def zscore(x, eps: float = 0.0) -> np.ndarray:
    """``StandardScaler().fit_transform(x)``."""
    if eps != 0.0:
        raise NotImplementedError(f"sklearn target: StandardScaler has no eps; got eps={eps!r} (see CONVENTIONS['eps'])")
    return StandardScaler().fit_transform(np.asarray(x))


def fit_minmax(x, feature_range=(0.0, 1.0)) -> MinMaxScaler:
    """``MinMaxScaler(feature_range=feature_range).fit(x)``."""
    return MinMaxScaler(feature_range=tuple(feature_range)).fit(np.asarray(x))


def apply_minmax(stats: MinMaxScaler, x) -> np.ndarray:
    """``stats.transform(x)``."""
    return stats.transform(np.asarray(x))


def minmax(x, feature_range=(0.0, 1.0)) -> np.ndarray:
    """``MinMaxScaler(feature_range=feature_range).fit_transform(x)``."""
    return MinMaxScaler(feature_range=tuple(feature_range)).fit_transform(np.asarray(x))


def center(x) -> np.ndarray:
    """``StandardScaler(with_std=False).fit_transform(x)``."""
    return StandardScaler(with_std=False).fit_transform(np.asarray(x))
