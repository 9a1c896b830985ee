"""trainspec reference: minimal, exact numpy implementations of classic training techniques.

``import reference`` gives every public function of every family; each is documented with
its formula, its conventions and its source. The families:

- :mod:`reference.normalization` - z-score, min-max, centering, fit / apply
"""

from . import normalization
from .normalization import *  # noqa: F401,F403

__all__ = [*normalization.__all__]
__version__ = "0.1.0"
