"""First-order optimisers with explicit state, their learning-rate schedules, and (PART B)
Newton-Raphson and the ``minimize`` driver.

Every optimiser is an :class:`Optimizer`: ``init(params) -> state``, the pure
``update(grads, state, params=None) -> (updates, state)``, and the in-place fast path
``step_(params, grads, state) -> state``; ``apply_updates(params, updates)`` is
``params + updates``. See ``_base`` for the contract and the NaN policy, and
docs/techniques/optimizers.md for the conventions and findings.
"""

from . import adadelta, adagrad, adam, rmsprop, schedules, sgd
from ._base import Optimizer, apply_updates
from .adadelta import AdadeltaState, adadelta
from .adagrad import AdagradState, adagrad
from .adam import AdamState, adam
from .rmsprop import RMSpropState, rmsprop
from .schedules import constant_schedule, exponential_decay, inverse_time_decay, step_decay
from .sgd import NesterovLookaheadState, SGDState, nesterov_lookahead, sgd

__all__ = [
    "Optimizer", "apply_updates",
    "SGDState", "NesterovLookaheadState", "sgd", "nesterov_lookahead",
    "AdagradState", "adagrad",
    "RMSpropState", "rmsprop",
    "AdadeltaState", "adadelta",
    "AdamState", "adam",
    "constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay",
]

# Further modules (PART B: newton, driver) re-export here with one line each:
# from .newton import *; __all__ += newton.__all__   (style: see below)
from . import newton as _newton_module; from .newton import *; __all__ += _newton_module.__all__  # noqa: E402,E702,F403
from . import driver as _driver_module; from .driver import *; __all__ += _driver_module.__all__  # noqa: E402,E702,F403
