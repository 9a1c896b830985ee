"""Hostile inputs as a property of the reference itself (issue 15).

Every public function of :mod:`reference` (discovered from ``reference.__all__``) has a *call
recipe*: a valid baseline call built from small dyadic arrays (values k/4, so every sum and
product of the baseline is exact and independent of memory layout) and named arguments.
Each *input class* turns one argument (or, for the magnitude classes, every scalable array
at once) into a hostile one. The property, for every function and class:

* the call raises ``ValueError``/``TypeError`` whose message starts with the function's name
  (``adam.update: ...`` for a method of a factory's result) and names one of its arguments;
* or it returns a result whose floating values are all finite (except the fields listed in
  :data:`DOCUMENTED_NONFINITE`, each read from the docstring that documents it), and which
  is *accurate* where the class keeps the true result known: the same values as the
  baseline for a change of layout, dtype (rounded once to a narrow dtype) or container,
  and the baseline scaled by ``2**(p k)`` when every scalable array is multiplied by the
  exact power of two ``2**k`` (``p`` is the recipe's degree of homogeneity);
* no argument is modified, and no warning is emitted.

A public name that is neither a function with a recipe nor a class/constant listed in
:data:`NOT_CALLED` fails :func:`test_every_public_name_has_a_call_recipe`.
"""

from __future__ import annotations

import copy
import inspect
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings, strategies as st

import reference as R

EPS64 = float(np.finfo(np.float64).eps)


# --- arguments and recipes ------------------------------------------------------------------

@dataclass
class Arr:
    """An array argument: ``value`` is a valid float64 baseline; ``scalable`` arrays are
    multiplied by ``2**k`` in the magnitude classes."""

    name: str
    value: np.ndarray
    scalable: bool = True


@dataclass
class Hyp:
    """A hyperparameter (or other non-array argument) with a valid baseline value."""

    name: str
    value: Any


@dataclass
class Gen:
    """A ``numpy.random.Generator`` argument."""

    name: str = "rng"


@dataclass
class Recipe:
    names: tuple                       # function names a message may start with
    args: list                         # Arr / Hyp / Gen, passed to ``call`` by keyword
    call: Callable                     # (**values) -> result
    degree: float | None = None        # p: result(2**k x) = 2**(p k) result(x); None: no law
    view: Callable = lambda r: r       # the part of the result the law is about
    layout_exact: bool = True          # layout/dtype changes leave the result unchanged


def dyadic(draw, shape, lo=-16, hi=16, nonzero=False):
    """k/4 with integer k in [lo, hi]: sums and products of a few are exact."""
    ints = st.integers(lo, hi).filter(lambda k: k != 0) if nonzero else st.integers(lo, hi)
    vals = draw(st.lists(ints, min_size=math.prod(shape), max_size=math.prod(shape)))
    return np.array(vals, dtype=np.float64).reshape(shape) / 4


def spread(draw, shape):
    """dyadic 2-d data whose every column takes at least two values."""
    x = dyadic(draw, shape)
    x[0] = x[-1] + 1.0
    return x


def spd(draw, d):
    """B B^T + d I with dyadic B: exactly symmetric positive definite."""
    b = dyadic(draw, (d, d), -4, 4)
    return b @ b.T + d * np.eye(d)


def sym(draw, d):
    b = dyadic(draw, (d, d))
    return b + b.T


def _two_steps(factory, hyp, params, grads):
    opt = factory(**hyp)
    state = opt.init(params)
    u1, state = opt.update(grads, state, params)
    u2, state = opt.update(grads, state, params + u1)
    return u1, u2, state


def optimiser_recipe(name, hyp, degree=None):
    factory = getattr(R, name)

    def build(draw):
        n = draw(st.integers(1, 4))
        args = [Arr("params", dyadic(draw, (n,))), Arr("grads", dyadic(draw, (n,)))]
        args += [Hyp(k, v) for k, v in hyp.items()]
        return Recipe((name,), args, lambda params, grads, **h: _two_steps(factory, h, params, grads),
                      degree=degree, view=lambda r: np.stack(r[:2]))
    return build


def schedule_recipe(name, hyp):
    factory = getattr(R, name)

    def build(draw):
        args = [Hyp(k, v) for k, v in hyp.items()] + [Hyp("step", draw(st.integers(0, 20)))]
        return Recipe((name,), args, lambda step, **h: factory(**h)(step))
    return build


def init_recipe(name, **hyp):
    fn = getattr(R, name)

    def build(draw):
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=2, max_size=3)))
        args = [Hyp("shape", shape), Gen()] + [Hyp(k, v) for k, v in hyp.items()]
        return Recipe((name,), args, lambda shape, rng, **h: fn(shape, rng, **h))
    return build


def elementwise(name, degree=None):
    fn = getattr(R, name)

    def build(draw):
        shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)))
        return Recipe((name,), [Arr("x", dyadic(draw, shape))], lambda x: fn(x), degree=degree)
    return build


def _rows(draw, min_rows=2):
    return draw(st.integers(min_rows, 6)), draw(st.integers(1, 3))


def _bn(x, gamma, beta):
    return R.batchnorm_forward(x, gamma, beta, eps=0.0)


def _dense(weights, x, grad_output=None):
    cache = R.dense_forward(weights, None, x, activation="relu", output_activation="linear")
    if grad_output is None:
        return cache
    return R.dense_backward(weights, cache, grad_output, activation="relu", output_activation="linear")


def _net(draw):
    n0, n1, n2 = (draw(st.integers(1, 3)) for _ in range(3))
    return n0, [dyadic(draw, (n1, n0)), dyadic(draw, (n2, n1))]


def _problem_at(prob, x):
    return prob.value(x), prob.grad(x), prob.hessian(x), prob.minimizer, prob.min_value


RECIPES: dict[str, Callable] = {}


def recipe(name):
    def register(build):
        RECIPES[name] = build
        return build
    return register


@recipe("fit_zscore")
def _(draw):
    return Recipe(("fit_zscore",), [Arr("x", spread(draw, _rows(draw))), Hyp("eps", 0.0)],
                  lambda x, eps: R.fit_zscore(x, eps), degree=1, view=lambda r: np.stack([r.mean, r.std]))


@recipe("apply_zscore")
def _(draw):
    n, c = _rows(draw)
    return Recipe(("apply_zscore", "fit_zscore"), [Arr("x", spread(draw, (n, c))), Arr("new", dyadic(draw, (2, c)))],
                  lambda x, new: R.apply_zscore(R.fit_zscore(x), new), degree=0)


@recipe("zscore")
def _(draw):
    return Recipe(("zscore",), [Arr("x", spread(draw, _rows(draw))), Hyp("eps", 0.0)],
                  lambda x, eps: R.zscore(x, eps), degree=0)


@recipe("fit_minmax")
def _(draw):
    return Recipe(("fit_minmax",), [Arr("x", dyadic(draw, _rows(draw, 1))), Hyp("feature_range", (0.0, 1.0))],
                  lambda x, feature_range: R.fit_minmax(x, feature_range), degree=1,
                  view=lambda r: np.stack([r.data_min, r.data_max]))


@recipe("apply_minmax")
def _(draw):
    n, c = _rows(draw, 1)
    return Recipe(("apply_minmax", "fit_minmax"), [Arr("x", spread(draw, (max(n, 2), c))), Arr("new", dyadic(draw, (2, c)))],
                  lambda x, new: R.apply_minmax(R.fit_minmax(x), new), degree=0)


@recipe("minmax")
def _(draw):
    return Recipe(("minmax",), [Arr("x", dyadic(draw, _rows(draw, 1))), Hyp("feature_range", (-1.0, 1.0))],
                  lambda x, feature_range: R.minmax(x, feature_range), degree=0)


@recipe("center")
def _(draw):
    return Recipe(("center",), [Arr("x", dyadic(draw, _rows(draw, 1)))], lambda x: R.center(x), degree=1)


@recipe("numerical_gradient")
def _(draw):
    return Recipe(("numerical_gradient",), [Hyp("f", lambda v: float(np.sum(v))), Arr("x", dyadic(draw, (2,))),
                                            Hyp("h", 0.25)],
                  lambda f, x, h: R.numerical_gradient(f, x, h))


@recipe("relative_error")
def _(draw):
    return Recipe(("relative_error",), [Arr("a", dyadic(draw, (3,))), Arr("b", dyadic(draw, (3,)))],
                  lambda a, b: R.relative_error(a, b), degree=0)


def _sum_of_squares(v):
    with np.errstate(over="ignore"):       # the caller's f may overflow: the reference must say so
        return float(np.sum(v * v))


@recipe("gradient_check")
def _(draw):
    return Recipe(("gradient_check",), [Hyp("f", _sum_of_squares), Hyp("grad_f", lambda v: 2 * v),
                                        Arr("x", dyadic(draw, (2,))), Hyp("h", 1e-6), Hyp("good", 1e-7),
                                        Hyp("wrong", 1e-3)],
                  lambda f, grad_f, x, h, good, wrong: R.gradient_check(f, grad_f, x, h, good, wrong))


@recipe("hessian_eigen_tolerance")
def _(draw):
    return Recipe(("hessian_eigen_tolerance",), [Arr("H", sym(draw, draw(st.integers(1, 3))))],
                  lambda H: R.hessian_eigen_tolerance(H), degree=1, layout_exact=False)


@recipe("classify_critical_point")
def _(draw):
    return Recipe(("classify_critical_point",), [Arr("H", sym(draw, draw(st.integers(1, 3)))), Hyp("tol", None)],
                  lambda H, tol: R.classify_critical_point(H, tol), degree=0)


@recipe("condition_number")
def _(draw):
    d = draw(st.integers(1, 3))
    return Recipe(("condition_number",), [Arr("A", spd(draw, d)), Hyp("spd", draw(st.booleans()))],
                  lambda A, spd: R.condition_number(A, spd), degree=0, layout_exact=False)


@recipe("goe_hessian")
def _(draw):
    return Recipe(("goe_hessian",), [Hyp("d", 3), Gen(), Hyp("size", None)], lambda d, rng, size: R.goe_hessian(d, rng, size))


@recipe("goe_minimum_probability")
def _(draw):
    return Recipe(("goe_minimum_probability",), [Hyp("d", 2)], lambda d: R.goe_minimum_probability(d))


@recipe("ema")
def _(draw):
    return Recipe(("ema",), [Arr("values", dyadic(draw, _rows(draw, 1))), Hyp("alpha", 0.5), Hyp("v0", None)],
                  lambda values, alpha, v0: R.ema(values, alpha, v0), degree=1)


@recipe("ema_bias_corrected")
def _(draw):
    return Recipe(("ema_bias_corrected",), [Arr("values", dyadic(draw, _rows(draw, 1))), Hyp("alpha", 0.25)],
                  lambda values, alpha: R.ema_bias_corrected(values, alpha), degree=1)


@recipe("sma")
def _(draw):
    return Recipe(("sma",), [Arr("values", dyadic(draw, _rows(draw, 2))), Hyp("n", 2)],
                  lambda values, n: R.sma(values, n), degree=1)


@recipe("running_mean")
def _(draw):
    return Recipe(("running_mean",), [Arr("values", dyadic(draw, _rows(draw, 1)))], lambda values: R.running_mean(values),
                  degree=1)


@recipe("batchnorm_forward")
def _(draw):
    n, c = _rows(draw)
    return Recipe(("batchnorm_forward",), [Arr("x", spread(draw, (n, c))), Arr("gamma", dyadic(draw, (c,)), False),
                                           Arr("beta", dyadic(draw, (c,)), False), Hyp("eps", 0.0)],
                  lambda x, gamma, beta, eps: R.batchnorm_forward(x, gamma, beta, eps), degree=0, view=lambda r: r[0])


@recipe("batchnorm_backward")
def _(draw):
    n, c = _rows(draw)
    return Recipe(("batchnorm_backward", "batchnorm_forward"),
                  [Arr("x", spread(draw, (n, c))), Arr("gamma", dyadic(draw, (c,)), False),
                   Arr("beta", dyadic(draw, (c,)), False), Arr("dy", dyadic(draw, (n, c)))],
                  lambda x, gamma, beta, dy: R.batchnorm_backward(dy, _bn(x, gamma, beta)[1]), degree=0,
                  view=lambda r: r[0])


@recipe("batchnorm_running_init")
def _(draw):
    return Recipe(("batchnorm_running_init",), [Hyp("num_features", 2)], lambda num_features: R.batchnorm_running_init(num_features))


@recipe("batchnorm_running_update")
def _(draw):
    n, c = _rows(draw)
    return Recipe(("batchnorm_running_update",),
                  [Arr("x", spread(draw, (n, c))), Arr("running.mean", dyadic(draw, (c,)), False),
                   Arr("running.var", np.abs(dyadic(draw, (c,))), False), Hyp("momentum", 0.25),
                   Hyp("momentum_weights", "new"), Hyp("unbiased", True)],
                  lambda x, momentum, momentum_weights, unbiased, **r: R.batchnorm_running_update(
                      R.BatchNormRunning(r["running.mean"], r["running.var"], 0), x, momentum,
                      momentum_weights=momentum_weights, unbiased=unbiased))


@recipe("batchnorm_running_stats")
def _(draw):
    n, c = _rows(draw)
    return Recipe(("batchnorm_running_stats",), [Arr("batches[0]", spread(draw, (n, c))), Hyp("momentum", 0.5),
                                                 Hyp("init", "batch")],
                  lambda momentum, init, **b: R.batchnorm_running_stats([b["batches[0]"]] * 2, momentum, init=init),
                  degree=1, view=lambda r: r.mean)


@recipe("batchnorm_inference")
def _(draw):
    n, c = _rows(draw, 1)
    return Recipe(("batchnorm_inference",),
                  [Arr("x", dyadic(draw, (n, c))), Arr("running_mean", dyadic(draw, (c,)), False),
                   Arr("running_var", np.abs(dyadic(draw, (c,))), False), Arr("gamma", dyadic(draw, (c,)), False),
                   Arr("beta", dyadic(draw, (c,)), False), Hyp("eps", 1e-5)],
                  lambda x, running_mean, running_var, gamma, beta, eps: R.batchnorm_inference(
                      x, running_mean, running_var, gamma, beta, eps), layout_exact=True)


@recipe("apply_updates")
def _(draw):
    n = draw(st.integers(1, 4))
    return Recipe(("apply_updates",), [Arr("params", dyadic(draw, (n,))), Arr("updates", dyadic(draw, (n,)))],
                  lambda params, updates: R.apply_updates(params, updates), degree=1)


RECIPES["sgd"] = optimiser_recipe("sgd", {"lr": 0.25, "momentum": 0.5, "nesterov": False, "dampening": 0.0,
                                          "weight_decay": 0.0}, degree=1)
RECIPES["nesterov_lookahead"] = optimiser_recipe("nesterov_lookahead", {"lr": 0.25, "momentum": 0.5}, degree=1)
RECIPES["adagrad"] = optimiser_recipe("adagrad", {"lr": 0.25, "eps": 1e-10})
RECIPES["rmsprop"] = optimiser_recipe("rmsprop", {"lr": 0.25, "rho": 0.5, "centered": False})
RECIPES["adadelta"] = optimiser_recipe("adadelta", {"lr": 1.0, "rho": 0.5, "eps": 1e-6})
RECIPES["adam"] = optimiser_recipe("adam", {"lr": 0.25, "b1": 0.5, "b2": 0.75, "eps": 1e-8})
RECIPES["constant_schedule"] = schedule_recipe("constant_schedule", {"init_lr": 0.5})
RECIPES["step_decay"] = schedule_recipe("step_decay", {"init_lr": 0.5, "decay_rate": 0.5, "step_size": 3})
RECIPES["exponential_decay"] = schedule_recipe("exponential_decay", {"init_lr": 0.5, "decay_rate": 0.5, "decay_steps": 2})
RECIPES["inverse_time_decay"] = schedule_recipe("inverse_time_decay", {"init_lr": 0.5, "decay_rate": 0.5, "decay_steps": 2})


@recipe("resume_schedule")
def _(draw):
    later = draw(st.integers(0, 5))
    return Recipe(("resume_schedule",), [Hyp("step", draw(st.integers(0, 20)))],
                  lambda step: R.resume_schedule(R.step_decay(0.5, 0.5, 3), step)(step + later))


@recipe("newton_step")
def _(draw):
    d = draw(st.integers(1, 3))
    return Recipe(("newton_step",), [Arr("params", dyadic(draw, (d,)), False), Arr("grad", dyadic(draw, (d,))),
                                     Arr("hessian", spd(draw, d)), Hyp("lr", 0.5)],
                  lambda params, grad, hessian, lr: R.newton_step(params, grad, hessian, lr), degree=0,
                  layout_exact=False)


@recipe("newton")
def _(draw):
    d = draw(st.integers(1, 3))

    def call(params, grads, hessian, lr):
        opt = R.newton(lambda p: hessian, lr)
        state = opt.init(params)
        return opt.update(grads, state, params)
    return Recipe(("newton",), [Arr("params", dyadic(draw, (d,)), False), Arr("grads", dyadic(draw, (d,))),
                                Arr("hessian", spd(draw, d)), Hyp("lr", 0.5)], call, degree=0, view=lambda r: r[0],
                  layout_exact=False)


@recipe("minimize")
def _(draw):
    return Recipe(("minimize",), [Hyp("optimizer", R.sgd(0.25)), Hyp("grad_fn", lambda x: 2 * x),
                                  # tol = 1e-300: a run stops once |2 x| has halved below it, so a
                                  # hostile steps = 10**30 ends too (after ~1000 steps). tol = 0 would
                                  # not: x = 5e-324 is a fixed point (its update -x/2 rounds to 0)
                                  # with gradient norm 1e-323 > 0.
                                  Arr("x0", dyadic(draw, (draw(st.integers(1, 3)),))), Hyp("steps", 3), Hyp("tol", 1e-300)],
                  lambda optimizer, grad_fn, x0, steps, tol: R.minimize(optimizer, grad_fn, x0, steps=steps, tol=tol),
                  view=lambda r: r.x)


@recipe("fan_in_fan_out")
def _(draw):
    return Recipe(("fan_in_fan_out",), [Hyp("shape", (4, 3, 2)), Hyp("layout", "torch")],
                  lambda shape, layout: R.fan_in_fan_out(shape, layout))


@recipe("calculate_gain")
def _(draw):
    return Recipe(("calculate_gain",), [Hyp("nonlinearity", "leaky_relu"), Hyp("param", 0.25)],
                  lambda nonlinearity, param: R.calculate_gain(nonlinearity, param))


RECIPES["variance_scaling"] = init_recipe("variance_scaling", scale=2.0, mode="fan_avg", distribution="uniform",
                                          layout="keras")
RECIPES["zeros_init"] = init_recipe("zeros_init")
RECIPES["constant_init"] = init_recipe("constant_init", value=0.5)
RECIPES["lecun_normal"] = init_recipe("lecun_normal", gain=1.0, layout="torch", truncated=True)
RECIPES["lecun_uniform"] = init_recipe("lecun_uniform", gain=1.0, layout="torch")
RECIPES["glorot_normal"] = init_recipe("glorot_normal", gain=1.0, layout="keras", truncated=False)
RECIPES["glorot_uniform"] = init_recipe("glorot_uniform", gain=1.0, layout="torch")
RECIPES["he_normal"] = init_recipe("he_normal", mode="fan_out", nonlinearity="leaky_relu", negative_slope=0.25)
RECIPES["he_uniform"] = init_recipe("he_uniform", mode="fan_in", nonlinearity="relu", negative_slope=0.0)

RECIPES["sigmoid"] = elementwise("sigmoid")
RECIPES["sigmoid_grad"] = elementwise("sigmoid_grad")
RECIPES["tanh"] = elementwise("tanh")
RECIPES["tanh_grad"] = elementwise("tanh_grad")
RECIPES["relu"] = elementwise("relu", degree=1)
RECIPES["relu_grad"] = elementwise("relu_grad", degree=0)


@recipe("dense_forward")
def _(draw):
    n0, ws = _net(draw)
    return Recipe(("dense_forward",), [Arr("weights[0]", ws[0], False), Arr("weights[1]", ws[1], False),
                                       Arr("x", dyadic(draw, (2, n0)))],
                  lambda x, **w: _dense([w["weights[0]"], w["weights[1]"]], x), degree=1, view=lambda r: r.output)


@recipe("dense_backward")
def _(draw):
    n0, ws = _net(draw)
    return Recipe(("dense_backward", "dense_forward"),
                  [Arr("weights[0]", ws[0], False), Arr("weights[1]", ws[1], False), Arr("x", dyadic(draw, (2, n0))),
                   Arr("grad_output", dyadic(draw, (2, ws[1].shape[0])))],
                  lambda x, grad_output, **w: _dense([w["weights[0]"], w["weights[1]"]], x, grad_output),
                  view=lambda r: r.x)


def _pair_recipe(name, degree, labels=False):
    fn = getattr(R, name)
    first = "logits" if labels else "pred"

    def build(draw):
        shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
        y = np.abs(dyadic(draw, shape, 0, 4)) / 4 if labels else dyadic(draw, shape)
        return Recipe((name,), [Arr(first, dyadic(draw, shape)), Arr("y", y, not labels)],
                      lambda y, **p: fn(p[first], y), degree=degree if not labels else None)
    return build


RECIPES["mse_loss"] = _pair_recipe("mse_loss", 2)
RECIPES["mse_loss_grad"] = _pair_recipe("mse_loss_grad", 1)
RECIPES["bce_with_logits_loss"] = _pair_recipe("bce_with_logits_loss", None, labels=True)
RECIPES["bce_with_logits_loss_grad"] = _pair_recipe("bce_with_logits_loss_grad", None, labels=True)


@recipe("gradient_descent_step")
def _(draw):
    n = draw(st.integers(1, 3))
    return Recipe(("gradient_descent_step",), [Arr("params[0]", dyadic(draw, (n,))), Arr("grads[0]", dyadic(draw, (n,))),
                                               Hyp("lr", 0.5)],
                  lambda lr, **a: R.gradient_descent_step([a["params[0]"]], [a["grads[0]"]], lr), degree=1,
                  view=lambda r: r[0])


@recipe("deep_linear_forward")
def _(draw):
    n0, ws = _net(draw)
    return Recipe(("deep_linear_forward",), [Arr("weights[0]", ws[0], False), Arr("weights[1]", ws[1], False),
                                             Arr("x", dyadic(draw, (n0,)))],
                  lambda x, **w: R.deep_linear_forward([w["weights[0]"], w["weights[1]"]], x), degree=1)


@recipe("quadratic")
def _(draw):
    d = draw(st.integers(1, 3))
    return Recipe(("quadratic",), [Arr("A", spd(draw, d)), Arr("b", dyadic(draw, (d,))), Arr("x", dyadic(draw, (d,)), False)],
                  lambda A, b, x: _problem_at(R.quadratic(A, b), x), layout_exact=False)


@recipe("quadratic_form")
def _(draw):
    d = draw(st.integers(1, 3))
    return Recipe(("quadratic_form",), [Arr("A", np.abs(dyadic(draw, (d,), 1, 16))), Arr("x", dyadic(draw, (d,)), False)],
                  lambda A, x: _problem_at(R.quadratic_form(A), x), degree=1)   # every output is linear in A


@recipe("conditioned_quadratic")
def _(draw):
    return Recipe(("conditioned_quadratic",), [Hyp("d", 3), Hyp("kappa", 10.0), Gen(), Arr("minimizer", dyadic(draw, (3,))),
                                               Arr("x", dyadic(draw, (3,)), False)],
                  lambda d, kappa, rng, minimizer, x: _problem_at(R.conditioned_quadratic(d, kappa, rng, minimizer), x))


@recipe("rosenbrock")
def _(draw):
    return Recipe(("rosenbrock",), [Hyp("d", 3), Hyp("b", 100.0), Arr("x", dyadic(draw, (3,)))],
                  lambda d, b, x: _problem_at(R.rosenbrock(d, b), x))


@recipe("least_squares")
def _(draw):
    n, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    return Recipe(("least_squares",), [Arr("X", dyadic(draw, (n, d))), Arr("y", dyadic(draw, (n,))),
                                       Arr("x", dyadic(draw, (d,)), False)],
                  lambda X, y, x: _problem_at(R.least_squares(X, y), x), layout_exact=False)


@recipe("minibatch_gradient")
def _(draw):
    n, d = draw(st.integers(2, 4)), draw(st.integers(1, 3))
    return Recipe(("minibatch_gradient", "least_squares"), [Arr("X", dyadic(draw, (n, d))), Arr("y", dyadic(draw, (n,))),
                                            Arr("params", dyadic(draw, (d,))), Hyp("batch_idx", [0, 1])],
                  lambda X, y, params, batch_idx: R.minibatch_gradient(R.least_squares(X, y), params, batch_idx),
                  degree=3)


#: Public names that are not functions: result types (NamedTuples, built by the functions
#: above and validated where they are taken) and constants.
NOT_CALLED = {
    "ZScoreStats", "MinMaxStats", "GradCheckResult", "GRADCHECK_GOOD", "GRADCHECK_WRONG", "CRITICAL_POINT_KINDS",
    "BatchNormCache", "BatchNormRunning", "Optimizer", "SGDState", "NesterovLookaheadState", "AdagradState",
    "RMSpropState", "AdadeltaState", "AdamState", "NewtonState", "MinimizeResult", "DenseCache", "DenseGrads", "Problem",
}

#: Documented exceptions to "finite": (function, path of the result field) -> (the object
#: whose docstring documents it, a phrase of that docstring).
DOCUMENTED_NONFINITE = {
    ("fit_zscore", ".var"): (R.ZScoreStats, "it is ``inf`` when ``std`` exceeds"),
    ("batchnorm_forward", "[1].var"): (R.BatchNormCache, "``var`` is ``inf`` when the batch standard deviation"),
    ("batchnorm_forward", "[1].inv_std"): (R.BatchNormCache, "``inv_std``\n    is ``inf`` when"),
    ("deep_linear_forward", ""): (R.deep_linear_forward, "Values may overflow to inf"),
    ("condition_number", ""): (R.condition_number, "Returns ``inf`` for a singular matrix"),
    ("minimize", ".grad_norm"): (R.minimize, "returns ``converged=False`` and ``grad_norm=inf``"),
}
# A Problem's value, gradient and Hessian at a point (the first three values of _problem_at).
for _name in ("quadratic", "quadratic_form", "conditioned_quadratic", "rosenbrock", "least_squares"):
    for _i in range(3):
        DOCUMENTED_NONFINITE[(_name, f"[{_i}]")] = (R.Problem, "are non-finite (inf, or NaN where two overflows meet)")


# --- input classes ----------------------------------------------------------------------------

ARRAY_CLASSES = ("nan_inf", "empty", "wrong_ndim", "int", "bool", "float16", "float32", "complex", "object", "list",
                 "ragged", "readonly", "non_contiguous", "fortran")
MAGNITUDE_CLASSES = ("huge", "subnormal")
OTHER_CLASSES = ("bad_hyperparameter", "bad_generator")
CLASSES = ARRAY_CLASSES + MAGNITUDE_CLASSES + OTHER_CLASSES

BAD_HYPERPARAMETERS = [math.nan, math.inf, -math.inf, -1.0, 0.0, 1e300, 5e-324, True, "a", None, 1j, [1.0, 2.0],
                       np.float64(np.nan), np.array([0.5, 0.5]), 10**30]
BAD_GENERATORS = [None, 0, np.random.RandomState(0), np.random, "seed", np.random.default_rng(0).bit_generator]


def _strided(a: np.ndarray) -> np.ndarray:
    """The same values in a non-contiguous view (every other element of a bigger array)."""
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],)) if a.ndim else np.zeros(2)
    if a.ndim == 0:
        return a.copy()
    big[..., ::2] = a
    return big[..., ::2]


def _readonly(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    b.flags.writeable = False
    return b


@dataclass
class Case:
    """One hostile call: argument values, what the baseline result becomes, and the law."""

    values: dict
    expect_from: dict | None = None    # baseline argument values whose result the call must reproduce
    out_dtype: Any = None              # the result is rounded once to this dtype
    out_scale_k: int = 0               # results scale by 2**(degree * k)
    changed: str | None = None         # the argument made hostile


def hostile_case(draw, r: Recipe, cls: str) -> Case | None:
    base = {a.name: (a.value if isinstance(a, (Arr, Hyp)) else FRESH_RNG) for a in r.args}
    arrays = [a for a in r.args if isinstance(a, Arr)]
    hyps = [a for a in r.args if isinstance(a, Hyp)]
    gens = [a for a in r.args if isinstance(a, Gen)]
    vals = dict(base)
    if cls in MAGNITUDE_CLASSES:
        scal = [a for a in arrays if a.scalable]
        if not scal:
            return None
        top = max(float(np.max(np.abs(a.value), initial=0.0)) for a in scal)
        if top == 0:
            return None
        e = math.frexp(top)[1]
        if cls == "huge":
            k = draw(st.integers(990, 1023), label="k") - e       # max |x| in [2**989, 2**1023)
        else:
            k = draw(st.integers(-1074, -1023), label="k") - e + 4  # max |x| subnormal
        for a in scal:
            vals[a.name] = np.ldexp(a.value, k)
        # Rounding into the subnormal range is not exact: the baseline is the hostile data
        # scaled back (exactly, since scaling up is exact).
        expect = dict(base)
        for a in scal:
            expect[a.name] = np.ldexp(vals[a.name], -k)
        return Case(vals, expect, out_scale_k=k, changed=scal[0].name)
    if cls == "bad_hyperparameter":
        if not hyps:
            return None
        h = draw(st.sampled_from(hyps), label="argument")
        vals[h.name] = draw(st.sampled_from(BAD_HYPERPARAMETERS), label="value")
        return Case(vals, changed=h.name)
    if cls == "bad_generator":
        if not gens:
            return None
        vals[gens[0].name] = draw(st.sampled_from(BAD_GENERATORS), label="rng")
        return Case(vals, changed=gens[0].name)
    if not arrays:
        return None
    a = draw(st.sampled_from(arrays), label="argument")
    v = a.value
    if cls == "nan_inf":
        if v.size == 0:
            return None
        w = v.copy()
        w.flat[draw(st.integers(0, v.size - 1), label="index")] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        vals[a.name] = w
        return Case(vals, changed=a.name)
    if cls == "empty":
        vals[a.name] = np.zeros(tuple(0 if i == 0 else s for i, s in enumerate(v.shape)) or (0,))
        return Case(vals, changed=a.name)
    if cls == "wrong_ndim":
        vals[a.name] = draw(st.sampled_from([np.float64(1.0), v.reshape(-1) if v.ndim > 1 else v.reshape(1, -1),
                                             v[..., None]]), label="value")
        return Case(vals, changed=a.name)
    if cls in ("int", "bool"):
        w = np.round(v) if cls == "int" else (v > 0)
        vals[a.name] = w.astype(np.int64 if cls == "int" else bool)
        expect = dict(base)
        expect[a.name] = w.astype(np.float64)
        return Case(vals, expect, changed=a.name)
    if cls in ("float16", "float32"):
        w = v.astype(cls)
        vals[a.name] = w
        expect = dict(base)
        expect[a.name] = w.astype(np.float64)
        return Case(vals, expect, out_dtype=np.dtype(cls), changed=a.name)
    if cls == "complex":
        vals[a.name] = v.astype(complex) + 1j
        return Case(vals, changed=a.name)
    if cls == "object":
        vals[a.name] = draw(st.sampled_from([v.astype(object), np.array(["a"] * max(v.size, 1))]), label="value")
        return Case(vals, changed=a.name)
    if cls == "list":
        vals[a.name] = v.tolist()
        return Case(vals, dict(base), changed=a.name)
    if cls == "ragged":
        vals[a.name] = [[1.0, 2.0], [3.0]] if v.ndim != 1 else [1.0, [2.0, 3.0]]
        return Case(vals, changed=a.name)
    if cls == "readonly":
        vals[a.name] = _readonly(v)
        return Case(vals, dict(base), changed=a.name)
    if cls == "non_contiguous":
        vals[a.name] = _strided(v)
        return Case(vals, dict(base), changed=a.name)
    if cls == "fortran":
        vals[a.name] = np.asfortranarray(v)
        return Case(vals, dict(base), changed=a.name)
    raise AssertionError(cls)


# --- the property -----------------------------------------------------------------------------

def _leaves(obj, path=""):
    """(path, value) of every number, array and string in a (nested) result."""
    if isinstance(obj, np.ndarray) or isinstance(obj, (float, int, np.floating, np.integer, str)):
        yield path, obj
    elif isinstance(obj, tuple) and hasattr(obj, "_fields"):
        for f in obj._fields:
            yield from _leaves(getattr(obj, f), f"{path}.{f}")
    elif isinstance(obj, (tuple, list)):
        for i, o in enumerate(obj):
            yield from _leaves(o, f"{path}[{i}]")


def _snapshot(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        if isinstance(v, np.ndarray):
            out[k] = (v.copy(), v.dtype, v.flags.writeable)
        elif isinstance(v, list):
            out[k] = copy.deepcopy(v)
    return out


def _unchanged(before: dict, values: dict) -> None:
    for k, b in before.items():
        v = values[k]
        if isinstance(b, tuple):
            arr, dtype, writeable = b
            assert v.dtype == dtype and v.flags.writeable == writeable, f"{k}: dtype or flags changed"
            assert np.array_equal(v, arr, equal_nan=v.dtype.kind in "fc"), f"argument {k} was modified"
        else:
            assert repr(v) == repr(b), f"argument {k} was modified"


#: Stands for a new ``numpy.random.default_rng(1)`` in every call (a baseline and its hostile
#: variant must draw the same numbers).
FRESH_RNG = object()


def _call(r: Recipe, values: dict):
    values = {k: (np.random.default_rng(1) if v is FRESH_RNG else v) for k, v in values.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return r.call(**values)


def _close(got, want, dtype, where: str) -> None:
    __tracebackhide__ = True
    if isinstance(want, str) or isinstance(got, str):
        assert got == want, f"{where}: got {got!r}, the baseline gives {want!r}"
        return
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{where}: shape {got.shape}, the baseline gives {want.shape}"
    eps = float(np.finfo(dtype).eps) if dtype is not None else EPS64
    tiny = float(np.finfo(dtype).smallest_subnormal) if dtype is not None else 5e-324
    # Each value is the baseline's rounded once more (narrow dtype or a subnormal result):
    # half an ulp of the output dtype, relative to the largest value of the result (a
    # difference of values can cancel), plus a few subnormal ulps.
    scale = float(np.max(np.abs(want), initial=0.0))
    with np.errstate(over="ignore"):
        tol = 8 * eps * (np.abs(want) + scale) + 4 * tiny
    bad = ~(np.abs(got - want) <= tol)
    assert not bad.any(), f"{where}: got {got!r}, should be {want!r} (tolerance {float(np.max(tol)):.3g})"


def check_hostile(name: str, cls: str, data) -> None:
    r = RECIPES[name](data.draw)
    case = hostile_case(data.draw, r, cls)
    if case is None:
        reject()                       # e.g. all-zero data for the magnitude classes: draw again
    before = _snapshot(case.values)
    try:
        result = _call(r, case.values)
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        assert re.match(rf"^({'|'.join(map(re.escape, r.names))})[.:]", msg), \
            f"{name}: the message does not start with the function's name: {type(exc).__name__}: {msg}"
        arg_names = {a.name.split("[")[0].split(".")[0] for a in r.args} | {a.name for a in r.args}
        assert any(re.search(rf"\b{re.escape(n)}\b", msg) for n in arg_names), \
            f"{name}: the message names none of the arguments {sorted(arg_names)}: {msg}"
        _unchanged(before, case.values)
        return
    _unchanged(before, case.values)
    for path, v in _leaves(result):
        if isinstance(v, str) or not np.issubdtype(np.asarray(v).dtype, np.number):
            continue
        if (name, path) in DOCUMENTED_NONFINITE:
            doc, phrase = DOCUMENTED_NONFINITE[(name, path)]
            assert phrase in inspect.getdoc(doc).replace("\n", " ") or phrase in (doc.__doc__ or ""), \
                f"{name}{path}: listed as documented non-finite, but the docstring lacks {phrase!r}"
            continue
        assert np.all(np.isfinite(v)), f"{name}: result{path} is not finite for {cls} input: {v!r}"
    if case.expect_from is None:
        return
    if case.out_scale_k != 0 and r.degree is None:
        return
    if case.out_scale_k == 0 and not r.layout_exact:
        return
    wants = list(_leaves(r.view(_call(r, case.expect_from))))
    gots = list(_leaves(r.view(result)))
    assert [p for p, _ in gots] == [p for p, _ in wants], f"{name}: the result's structure changed"
    for (path, got), (_, want) in zip(gots, wants):
        if case.out_scale_k and not isinstance(want, str):
            with np.errstate(over="ignore", under="ignore"):
                want = np.ldexp(np.asarray(want, dtype=np.float64), round(r.degree * case.out_scale_k))
            if not np.all(np.isfinite(want)):
                # The true result overflows: only a documented inf may be returned.
                assert (name, path) in DOCUMENTED_NONFINITE and np.array_equal(got, want, equal_nan=True), \
                    f"{name}{path}: returned {got!r} although the true result {want!r} overflows float64"
                continue
        _close(got, want, case.out_dtype, f"{name}{path} on {cls} input")




def _applicable(name: str) -> tuple:
    """The classes that apply to a recipe's argument kinds (one draw shows them)."""
    box = {}

    @settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def build(data):
        box["recipe"] = RECIPES[name](data.draw)

    build()
    args = box["recipe"].args
    kinds = ARRAY_CLASSES if any(isinstance(a, Arr) for a in args) else ()
    kinds += MAGNITUDE_CLASSES if any(isinstance(a, Arr) and a.scalable for a in args) else ()
    kinds += ("bad_hyperparameter",) if any(isinstance(a, Hyp) for a in args) else ()
    kinds += ("bad_generator",) if any(isinstance(a, Gen) for a in args) else ()
    return kinds


def _params():
    out = []
    for name in R.__all__:
        if name not in RECIPES:
            continue
        for cls in _applicable(name):
            out.append(pytest.param(name, cls, id=f"{name}-{cls}"))
    return out


def test_every_public_name_has_a_call_recipe():
    """A new public function is covered without being listed: it must have a recipe, and a
    new class or constant must be declared as not called."""
    missing = []
    for name in R.__all__:
        obj = getattr(R, name)
        if name in NOT_CALLED:
            assert inspect.isclass(obj) or not callable(obj), f"{name} is a function: give it a recipe"
        elif name not in RECIPES:
            missing.append(name)
    assert not missing, f"public names without a call recipe in tests/test_hostile_inputs.py: {missing}"
    assert set(RECIPES) <= set(R.__all__), f"recipes for names that are not public: {set(RECIPES) - set(R.__all__)}"


def test_documented_exceptions_are_in_the_docstrings():
    for (name, path), (doc, phrase) in DOCUMENTED_NONFINITE.items():
        text = doc.__doc__ or ""
        assert phrase in text, f"{name}{path}: the docstring of {doc.__qualname__} does not say {phrase!r}"


def _examples() -> int:
    """A fifth of the profile's examples per (function, class) pair: 5 in dev, 50 in thorough."""
    return max(2, settings.default.max_examples // 5)


@pytest.mark.parametrize("name, cls", _params())
def test_hostile_inputs_raise_clearly_or_give_finite_accurate_results(name, cls):
    """The call raises ValueError/TypeError naming the function and an argument, or returns
    finite values (documented exceptions aside) that match the baseline under the class's
    transformation; no argument is modified and no warning is emitted."""
    @settings(max_examples=_examples(), suppress_health_check=list(HealthCheck), deadline=None)
    @given(st.data())
    def run(data):
        check_hostile(name, cls, data)

    run()
