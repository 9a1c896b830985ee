"""First-order optimisers with explicit state, their learning-rate schedules, Newton-Raphson
and the ``minimize`` driver.

Every optimiser is an :class:`Optimizer` (``init``, the pure ``update``, the in-place
``step_``); ``apply_updates(params, updates)`` is ``params + updates``. See ``_base`` for the
contract and the NaN policy, and docs/techniques/optimizers.md for the conventions.
"""

from ._base import Optimizer, apply_updates
from .adadelta import AdadeltaState, adadelta
from .adagrad import AdagradState, adagrad
from .adam import AdamState, adam
from .driver import MinimizeResult, minimize
from .newton import NewtonState, newton, newton_step
from .rmsprop import RMSpropState, rmsprop
from .schedules import constant_schedule, exponential_decay, inverse_time_decay, resume_schedule, step_decay
from .sgd import NesterovLookaheadState, SGDState, nesterov_lookahead, sgd

__all__ = ["Optimizer", "apply_updates", "SGDState", "NesterovLookaheadState", "sgd", "nesterov_lookahead",
           "AdagradState", "adagrad", "RMSpropState", "rmsprop", "AdadeltaState", "adadelta", "AdamState", "adam",
           "constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay", "resume_schedule",
           "NewtonState", "newton_step", "newton", "MinimizeResult", "minimize"]
