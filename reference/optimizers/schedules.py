"""Learning-rate schedules: callables ``step -> lr`` with ``step = 0, 1, 2, ...``.

Source: seed 001 ("SGD: standard, decaying learning rate"); the forms are torch's
``StepLR``, optax's ``exponential_decay`` and Keras's ``InverseTimeDecay``. ``step`` is the
number of updates done before the one the rate is for (optax's convention: the first
update uses ``schedule(0)``), which is how every optimiser in this package calls them.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import _short, check_in_range, check_positive_int

__all__ = ["constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay", "resume_schedule"]


def _step(step, func: str) -> int:
    if isinstance(step, bool) or not isinstance(step, (numbers.Integral, np.integer)) or step < 0:
        raise ValueError(f"{func}: step must be an integer >= 0; got {_short(step)}")
    return int(step)


def _lr0(value, func: str) -> float:
    return check_in_range(value, func, "init_lr", lo=0.0, lo_open=True)


def constant_schedule(init_lr: float):
    """``lr(step) = init_lr``.

    >>> constant_schedule(0.1)(7)
    0.1
    """
    func = "constant_schedule"
    lr0 = _lr0(init_lr, func)

    def schedule(step):
        _step(step, func)
        return lr0

    return schedule


def step_decay(init_lr: float, decay_rate: float, step_size: int):
    """``lr(step) = init_lr * decay_rate ** floor(step / step_size)`` (torch ``StepLR``,
    ``gamma = decay_rate``; optax ``exponential_decay(staircase=True)``).

    ``decay_rate`` in (0, 1], ``step_size`` an integer >= 1.

    >>> sched = step_decay(1.0, 0.5, 10)
    >>> [sched(k) for k in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """
    func = "step_decay"
    lr0 = _lr0(init_lr, func)
    rate = check_in_range(decay_rate, func, "decay_rate", lo=0.0, hi=1.0, lo_open=True)
    size = check_positive_int(step_size, func, "step_size")

    def schedule(step):
        return lr0 * rate ** (_step(step, func) // size)

    return schedule


def exponential_decay(init_lr: float, decay_rate: float, decay_steps: int = 1):
    """``lr(step) = init_lr * decay_rate ** (step / decay_steps)`` (optax
    ``exponential_decay``, Keras ``ExponentialDecay``; torch ``ExponentialLR`` is
    ``decay_steps = 1``).

    ``decay_rate`` in (0, 1], ``decay_steps`` an integer >= 1.

    >>> sched = exponential_decay(1.0, 0.25, 2)
    >>> [sched(k) for k in (0, 1, 2, 4)]
    [1.0, 0.5, 0.25, 0.0625]
    """
    func = "exponential_decay"
    lr0 = _lr0(init_lr, func)
    rate = check_in_range(decay_rate, func, "decay_rate", lo=0.0, hi=1.0, lo_open=True)
    steps = check_positive_int(decay_steps, func, "decay_steps")

    def schedule(step):
        return lr0 * rate ** (_step(step, func) / steps)

    return schedule


def inverse_time_decay(init_lr: float, decay_rate: float, decay_steps: int = 1):
    """``lr(step) = init_lr / (1 + decay_rate * step / decay_steps)``: the 1/t decay
    (Keras ``InverseTimeDecay``; torch Adagrad's ``lr_decay`` with ``decay_steps = 1``).

    ``decay_rate`` >= 0, ``decay_steps`` an integer >= 1. Robbins-Monro conditions hold
    (sum lr = inf, sum lr**2 < inf) for ``decay_rate > 0``.

    >>> sched = inverse_time_decay(1.0, 0.5)
    >>> [sched(k) for k in (0, 2, 6)]
    [1.0, 0.5, 0.25]
    """
    func = "inverse_time_decay"
    lr0 = _lr0(init_lr, func)
    rate = check_in_range(decay_rate, func, "decay_rate", lo=0.0)
    steps = check_positive_int(decay_steps, func, "decay_steps")

    def schedule(step):
        return lr0 / (1.0 + rate * _step(step, func) / steps)

    return schedule


def resume_schedule(schedule, step: int):
    """The schedule of a run restored from a checkpoint taken after ``step`` updates.

    A schedule here is a pure function of the update count, so the restored run goes on with
    ``schedule(k)`` for every ``k >= step``: resuming at step N equals stepping N times.
    Frameworks whose schedulers keep state (torch's ``lr_scheduler``: ``last_epoch`` and the lr
    held in the optimizer's param groups; an optimizer's step counter) must restore that state
    to get the same values; the law ``resuming_a_schedule_at_step_n_equals_stepping_n_times``
    checks that they do.

    >>> resumed = resume_schedule(step_decay(1.0, 0.5, 2), 3)
    >>> [resumed(k) for k in (3, 4, 5)]
    [0.5, 0.25, 0.25]
    """
    func = "resume_schedule"
    if not callable(schedule):
        raise TypeError(f"{func}: schedule must be a callable step -> lr; got {_short(schedule)}")
    start = _step(step, func)

    def resumed(k):
        k = _step(k, func)
        if k < start:
            raise ValueError(f"{func}: the run was resumed at step {start}; got step {k}, which is before it")
        return schedule(k)

    return resumed
