"""Calls with every switch explicit.

Each law passes every argument that selects the algorithm or a convention, so a target's
defaults (scikit-learn's SGDOptimizer: Nesterov momentum 0.9; optax: eps inside the root,
G_0 = 0.1; an initialiser's layout) never decide a verdict. "Off" switches default to off
here and are still passed; a law about a default says so in its name and calls the target
directly.
"""

from __future__ import annotations

__all__ = ["_sgd", "_adagrad", "_rmsprop", "_adam", "init_kwargs"]


def _sgd(t, lr, *, momentum=0.0, nesterov=False, dampening=0.0, weight_decay=0.0, lr_inside_velocity=False):
    return t.sgd(lr, momentum=momentum, nesterov=nesterov, dampening=dampening, weight_decay=weight_decay,
                 lr_inside_velocity=lr_inside_velocity)


def _adagrad(t, lr, *, eps, initial_accumulator_value, eps_inside_sqrt, lr_decay=0.0):
    return t.adagrad(lr, eps=eps, initial_accumulator_value=initial_accumulator_value,
                     eps_inside_sqrt=eps_inside_sqrt, lr_decay=lr_decay)


def _rmsprop(t, lr, *, rho, eps, eps_inside_sqrt, centered=False, momentum=0.0, bias_correction=False):
    return t.rmsprop(lr, rho=rho, eps=eps, eps_inside_sqrt=eps_inside_sqrt, centered=centered, momentum=momentum,
                     bias_correction=bias_correction)


def _adam(t, lr, *, b1, b2, eps, eps_root=0.0, eps_form="sqrt_vhat", amsgrad=False, weight_decay=0.0):
    return t.adam(lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root, eps_form=eps_form, amsgrad=amsgrad,
                  weight_decay=weight_decay)


def init_kwargs(name) -> dict:
    """Every convention of an initialiser, explicit: torch layout ``[out, in]``, gain 1, He on
    fan_in for a ReLU, untruncated normals."""
    kw = {"layout": "torch"}
    if name.startswith(("lecun", "glorot")):
        kw["gain"] = 1.0
    else:
        kw.update(mode="fan_in", nonlinearity="relu", negative_slope=0.0)
    if name.endswith("_normal"):
        kw["truncated"] = False
    return kw
