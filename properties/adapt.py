"""Turn your own optimiser into a trainspec target in a few lines.

A target exposes the reference's public names with the reference's signatures
(``adam(lr, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat", amsgrad=False,
weight_decay=0.0)`` returning an ``Optimizer(init, update)``, ...). These helpers build such a
factory from a ``torch.optim.Optimizer`` subclass, an optax ``GradientTransformation`` factory
or a Keras optimizer class, so a library author writes only the translation of arguments::

    # mylib/trainspec_target.py
    from properties.adapt import from_torch

    from mylib import MyAdam

    adam, AdamState = from_torch("adam", MyAdam,
                                 lambda b1, b2, eps, weight_decay: dict(betas=(b1, b2), eps=eps, weight_decay=weight_decay))

and runs ``pytest properties/ --target mylib.trainspec_target``.

``translate`` receives the reference's arguments it names (every one except ``lr``, which is
passed as the framework's learning rate: ``lr=`` for torch, ``learning_rate=`` for optax and
Keras, called with the 0-based step count when it is a schedule) and returns the keyword
arguments of your constructor. An argument it does not name is an option your optimiser does
not offer: at the reference's default it is ignored; at any other value the factory raises
``NotImplementedError``, so the laws skip that example (or the whole law, with the reason) and
never run your optimiser with an option silently dropped. Raise ``NotImplementedError``
yourself in ``translate`` for a value you cannot express.

The second return value is the state class whose fields the state laws read (``AdamState.mu``,
``.nu``; ``AdagradState.sum_of_squares``): its fields map to your optimiser's state keys through
``state_keys`` (torch: ``optimizer.state[p]`` keys, default torch's own names; Keras: the
optimizer's slot attributes, default Keras's own). optax states are searched by field name
(``mu``, ``nu``, ``sum_of_squares``), as in optax's own states.
"""

from __future__ import annotations

import inspect
from typing import Callable, NamedTuple

import reference

__all__ = ["from_torch", "from_optax", "from_keras", "translated"]

TECHNIQUES = ("sgd", "adagrad", "rmsprop", "adadelta", "adam")
_STATES = {"sgd": "SGDState", "adagrad": "AdagradState", "rmsprop": "RMSpropState", "adadelta": "AdadeltaState",
           "adam": "AdamState"}


def translated(technique: str, translate: Callable, impl: str, args: tuple, kwargs: dict) -> tuple:
    """``(lr, constructor kwargs, reads_params)`` for a call of the reference signature of ``technique``
    (``reads_params``: weight decay is on, so the update depends on the parameters).

    Binds ``args``/``kwargs`` to the reference's signature (so defaults are the reference's),
    passes the options ``translate`` names, and refuses any other option at a non-default value.
    """
    if technique not in TECHNIQUES:
        raise ValueError(f"properties.adapt: technique must be one of {TECHNIQUES}; got {technique!r}")
    sig = inspect.signature(getattr(reference, technique))
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    options = dict(bound.arguments)
    lr = options.pop("lr")
    handled = set(inspect.signature(translate).parameters)
    unknown = handled - set(options)
    if unknown:
        raise TypeError(f"properties.adapt: translate for {technique} names {sorted(unknown)}, which are not "
                        f"arguments of reference.{technique}{sig}")
    for name, value in options.items():
        if name not in handled and value != sig.parameters[name].default:
            raise NotImplementedError(f"{impl}: {technique}: {name}={value!r} is not an option of this optimiser "
                                      f"(translate does not take {name!r})")
    return lr, translate(**{k: v for k, v in options.items() if k in handled}), bool(options.get("weight_decay"))


def _state_class(technique: str, module, keys: dict | None, registry: dict):
    """The adapter's state class for ``technique``, or a copy mapped to other state keys."""
    base = getattr(module, _STATES[technique])
    if not keys:
        return base
    fields = dict(registry[base])
    unknown = set(keys) - set(fields)
    if unknown:
        raise ValueError(f"properties.adapt: state_keys for {technique} name {sorted(unknown)}; the fields are "
                         f"{sorted(fields)}")
    cls = NamedTuple(base.__name__, [(f, object) for f in base._fields])
    registry[cls] = {**fields, **keys}
    return cls


def from_torch(technique: str, optimizer_class, translate: Callable, *, state_keys: dict | None = None):
    """``(factory, StateClass)`` for a ``torch.optim.Optimizer`` subclass (see the module docstring).

    Each update builds ``optimizer_class([p], lr=..., **translate(...))`` on a fresh tensor,
    loads the state, steps once and reads it back (:func:`properties.targets.torch.torch_optimizer`).
    """
    from properties.targets import torch as adapter

    state_cls = _state_class(technique, adapter, state_keys, adapter.TORCH_STATE_KEYS)
    name = getattr(optimizer_class, "__name__", str(optimizer_class))

    def factory(*args, **kwargs):
        lr, kw, reads_params = translated(technique, translate, name, args, kwargs)
        return adapter.torch_optimizer(technique, optimizer_class, state_cls, reads_params, lr, **kw)

    factory.__name__ = factory.__qualname__ = technique
    return factory, state_cls


def from_optax(technique: str, transformation: Callable, translate: Callable):
    """``(factory, StateClass)`` for an optax ``GradientTransformation`` factory
    (``transformation(learning_rate=..., **translate(...))``), jitted once per structure with the
    numbers traced (:func:`properties.targets.optax.optax_optimizer`): ``translate`` may branch on
    bools and strings, not on the values of numbers."""
    from properties.targets import optax as adapter

    state_cls = getattr(adapter, _STATES[technique], adapter.OptaxState)
    name = getattr(transformation, "__name__", str(transformation))

    def build(**kw):
        return transformation(learning_rate=kw.pop("lr"), **kw)

    def factory(*args, **kwargs):
        lr, kw, _ = translated(technique, translate, name, args, kwargs)
        return adapter.optax_optimizer(technique, build, state_cls, lr=lr, **kw)

    factory.__name__ = factory.__qualname__ = technique
    return factory, state_cls


def from_keras(technique: str, optimizer_class, translate: Callable, *, state_keys: dict | None = None):
    """``(factory, StateClass)`` for a Keras 3 optimizer class (``optimizer_class(learning_rate=...,
    **translate(...))``), built fresh for each update with its slots loaded from the state
    (:func:`properties.targets.keras.keras_optimizer`)."""
    from properties.targets import keras as adapter

    state_cls = _state_class(technique, adapter, state_keys, adapter.KERAS_SLOTS)
    name = getattr(optimizer_class, "__name__", str(optimizer_class))

    def factory(*args, **kwargs):
        lr, kw, reads_params = translated(technique, translate, name, args, kwargs)
        return adapter.keras_optimizer(technique, lambda rate: optimizer_class(learning_rate=rate, **kw), state_cls,
                                       reads_params, lr)

    factory.__name__ = factory.__qualname__ = technique
    return factory, state_cls
