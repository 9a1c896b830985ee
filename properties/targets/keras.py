"""Keras 3 as a trainspec target: optimizers, initializers, BatchNormalization, Normalization.

Run: ``pytest properties/ --target keras``. The backend is ``KERAS_BACKEND`` (default ``jax``,
which the ``jax`` extra installs; ``torch`` and ``numpy`` work too). Names exposed, with the
reference's signatures:

* optimisers ``sgd``, ``adagrad``, ``rmsprop``, ``adadelta``, ``adam`` -> ``keras.optimizers.SGD``,
  ``Adagrad``, ``RMSprop``, ``Adadelta``, ``Adam`` / ``AdamW``, wrapped into the reference's
  ``Optimizer(init, update)`` (:func:`keras_optimizer`): each ``update`` builds a fresh optimizer
  on one variable, loads the slot variables that the trainspec state stands for (the
  reference's field names over Keras's slots, :data:`KERAS_SLOTS`), sets ``iterations`` to the
  update count, calls ``apply`` once and reads everything back;
* initialisers ``glorot_*``, ``he_*``, ``lecun_*``, ``variance_scaling``, ``zeros_init``,
  ``constant_init`` -> ``keras.initializers.VarianceScaling`` (every argument explicit),
  ``Zeros``, ``Constant``; the numpy ``rng`` draws the Keras seed, so a trainspec seed replays;
* ``batchnorm_forward``, ``batchnorm_running_init`` / ``_update`` / ``_stats``,
  ``batchnorm_inference`` -> ``keras.layers.BatchNormalization(axis=1)``;
* ``fit_zscore`` / ``apply_zscore`` / ``zscore`` -> ``keras.layers.Normalization(axis=-1)``
  (``adapt`` = fit, call = apply);
* activations ``sigmoid``, ``tanh``, ``relu`` -> ``keras.activations``.

**Harness borrowed from the reference** (:data:`BORROWED`): the driver, schedules and test
problems, as for the other framework targets; a law whose names are all borrowed is skipped.

Every convention in which Keras differs from the reference's defaults is in
:data:`CONVENTIONS`, with the Keras source file it was read from (checked against the
installed version). Options Keras lacks raise NotImplementedError (the harness rejects that
example or skips the law).
"""

from __future__ import annotations

import os
import warnings
from typing import NamedTuple

import numpy as np

from properties._install import install_command
from properties.targets import (BORROWED, dims, AdadeltaState, AdagradState, AdamState, RMSpropState, SGDState, borrow_harness,
                                float_array, require, unsupported)

os.environ.setdefault("KERAS_BACKEND", "jax")
if os.environ["KERAS_BACKEND"] == "jax":
    _jax = require("jax", "keras", install_command("keras"))
    _jax.config.update("jax_enable_x64", True)      # float64 arrays stay float64
keras = require("keras", "keras", install_command("keras"))
# The learning rate and a layer's weights live in variables of dtype floatx; float64 keeps
# the caller's float64 values exactly (float32 params are cast down by Keras as usual).
keras.config.set_floatx("float64")
if keras.backend.backend() == "torch":
    # As the torch targets: the laws' arrays are small, and OpenMP spin-waits on a busy machine
    # made a run up to 15 times slower.
    import torch as _torch
    _torch.set_num_threads(1)

import reference as _ref  # noqa: E402  (the borrowed harness, the Optimizer container, the result types)

__all__ = ["sgd", "adagrad", "rmsprop", "adadelta", "adam", "SGDState", "AdagradState", "RMSpropState",
           "AdadeltaState", "AdamState", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform",
           "lecun_normal", "variance_scaling", "zeros_init", "constant_init", "batchnorm_forward",
           "batchnorm_running_init", "batchnorm_running_update", "batchnorm_running_stats", "batchnorm_inference",
           "BatchNormCache", "BatchNormRunning", "fit_zscore", "apply_zscore", "zscore", "sigmoid", "tanh", "relu",
           "CONVENTIONS", "VERSION", *BORROWED]

BACKEND = keras.backend.backend()
VERSION = f"keras {keras.__version__} (backend {BACKEND})"
_GH = f"https://github.com/keras-team/keras/blob/v{keras.__version__}/keras/src/"

Optimizer = _ref.Optimizer
BatchNormCache = _ref.BatchNormCache
BatchNormRunning = _ref.BatchNormRunning
borrow_harness(globals())

#: How Keras differs from the reference's defaults, and what the adapter does about it.
CONVENTIONS = {
    "SGD lr position": {
        "framework": "m <- mu m - lr g; p <- p + m (lr inside the velocity); Nesterov p <- p + mu m - lr g",
        "reference": "sgd(lr_inside_velocity=False): lr outside (torch); True: inside (Keras, seed 001)",
        "adapter": "lr_inside_velocity=True is Keras; False is the same trajectory at a constant lr or momentum 0, "
                   "otherwise NotImplementedError; dampening != 0 and weight_decay != 0 (coupled L2) have no Keras "
                   "equivalent (Keras weight_decay is decoupled): NotImplementedError",
        "source": _GH + "optimizers/sgd.py",
    },
    "Adagrad": {
        "framework": "G <- G + g^2 (G0 = initial_accumulator_value, default 0.1); p <- p - lr g / sqrt(G + eps)",
        "reference": "adagrad(eps_inside_sqrt=True, initial_accumulator_value=G0) is the same",
        "adapter": "eps_inside_sqrt=False is accepted at eps = 0 only (both placements are sqrt(G)); lr_decay != 0 "
                   "raises NotImplementedError",
        "source": _GH + "optimizers/adagrad.py",
    },
    "RMSprop": {
        "framework": "v <- rho v + (1 - rho) g^2; den = sqrt(v + eps) (centered: sqrt(v - mg^2 + eps)); momentum "
                     "b <- mu b + lr g / den (lr inside the buffer)",
        "reference": "rmsprop(eps_inside_sqrt=True) is the same; lr outside the momentum buffer (torch)",
        "adapter": "eps_inside_sqrt=False only at eps = 0; momentum with a schedule and bias_correction=True raise "
                   "NotImplementedError",
        "source": _GH + "optimizers/rmsprop.py",
    },
    "Adadelta": {
        "framework": "E_g <- rho E_g + (1 - rho) g^2; d = sqrt(E_x + eps) / sqrt(E_g + eps) g; E_x <- rho E_x + "
                     "(1 - rho) d^2; p <- p - lr d",
        "reference": "adadelta(lr, rho, eps): the same formula",
        "adapter": "nothing to do",
        "source": _GH + "optimizers/adadelta.py",
    },
    "Adam eps": {
        "framework": "alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t); p <- p - alpha_t m / (sqrt(v) + eps): the 'epsilon "
                     "hat' form, eps added to the root of the uncorrected v",
        "reference": "adam(eps_form='eps_hat') is this form; 'sqrt_vhat' (Algorithm 1) equals it at eps = 0",
        "adapter": "eps_form='sqrt_vhat' is accepted at eps = 0 only; eps_root != 0 raises NotImplementedError",
        "source": _GH + "optimizers/adam.py",
    },
    "Adam moments": {
        "framework": "m <- m + (1 - b1)(g - m), v <- v + (1 - b2)(g^2 - v)",
        "reference": "m <- b1 m + (1 - b1) g (exact at b1 = 0)",
        "adapter": "nothing to do (the forms are equal in exact arithmetic)",
        "source": _GH + "optimizers/adam.py",
    },
    "AdamW": {
        "framework": "AdamW / Adam(weight_decay=wd): p <- p - lr wd p before the Adam step (decoupled)",
        "reference": "adam(weight_decay=wd): decoupled, theta_t = theta_{t-1} - lr (u_t + wd theta_{t-1})",
        "adapter": "weight_decay > 0 -> keras.optimizers.AdamW(weight_decay=wd)",
        "source": _GH + "optimizers/adamw.py, optimizers/base_optimizer.py (_apply_weight_decay)",
    },
    "schedules": {
        "framework": "a LearningRateSchedule is called with iterations, the 0-based update count",
        "reference": "a callable lr is called with the 0-based update count (optax's convention) -- the same",
        "adapter": "each update builds the optimizer with learning_rate = lr(count); slots keep Keras's semantics "
                   "(the SGD and RMSprop momentum buffers hold lr-scaled steps)",
        "source": _GH + "optimizers/base_optimizer.py",
    },
    "initialisers": {
        "framework": "VarianceScaling(scale, mode, distribution) on the [*k, in, out] layout; 'truncated_normal' "
                     "divides sigma by 0.87962566103423978 and truncates at 2 sigma0; no gain argument",
        "reference": "the same rule; layout='torch' is [out, in, *k]; gain g is scale g^2",
        "adapter": "every initialiser is VarianceScaling with explicit scale (gain^2; 2 for He with ReLU), mode and "
                   "distribution ('normal' -> 'untruncated_normal'); layout='torch' draws the Keras-layout shape "
                   "and transposes it; He with a nonlinearity other than relu (or leaky_relu with slope 0) "
                   "raises NotImplementedError (Keras has no gain table)",
        "source": _GH + "initializers/random_initializers.py",
    },
    "BatchNormalization momentum": {
        "framework": "moving <- m moving + (1 - m) batch: m weights the OLD value (default 0.99); biased variance",
        "reference": "batchnorm_running_update(momentum, momentum_weights='new'|'old', unbiased=...)",
        "adapter": "momentum_weights='old' passes momentum; 'new' passes 1 - momentum (one rounding); "
                   "unbiased=True and running=None (start from the first batch) raise NotImplementedError",
        "source": _GH + "layers/normalization/batch_normalization.py",
    },
    "BatchNormalization cache": {
        "framework": "the layer does not expose the batch statistics",
        "reference": "batchnorm_forward returns (y, BatchNormCache)",
        "adapter": "the batch mean and biased variance are read from a second layer with momentum 0 (moving <- "
                   "batch exactly); x_hat from the same layer with gamma = 1, beta = 0",
        "source": _GH + "layers/normalization/batch_normalization.py",
    },
    "Normalization": {
        "framework": "adapt: population (ddof=0) mean and variance; call: (x - mean) / max(sqrt(var), 1e-7)",
        "reference": "fit_zscore(x, eps=0): divisor sqrt(var), and 1 for a constant feature",
        "adapter": "eps != 0 raises NotImplementedError",
        "source": _GH + "layers/preprocessing/normalization.py",
    },
}


def _unsupported(func: str, what: str):
    unsupported("keras", func, what)


def _np(x) -> np.ndarray:
    # The torch backend's convert_to_numpy calls np.array(tensor), for which numpy 2 emits a
    # DeprecationWarning on every call (torch's __array__ takes no copy keyword): not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.array(keras.ops.convert_to_numpy(x), copy=True)


# --- optimisers ----------------------------------------------------------------------------------

#: Reference state field -> the Keras optimizer attribute holding that slot (a list with one
#: variable per trainable variable), read from keras/src/optimizers/*.py ``build``.
KERAS_SLOTS = {
    SGDState: {"velocity": "momentums"},
    AdagradState: {"sum_of_squares": "_accumulators"},
    RMSpropState: {"nu": "_velocities", "mu": "_average_gradients", "trace": "_momentums"},
    AdadeltaState: {"e_g": "_accumulated_grads", "e_x": "_accumulated_delta_vars"},
    AdamState: {"mu": "_momentums", "nu": "_velocities", "nu_max": "_velocity_hats"},
}


def keras_optimizer(func: str, make, state_cls, needs_params: bool = False, lr=1e-3) -> Optimizer:
    """Wrap ``make(learning_rate) -> keras Optimizer`` into an optax-style ``Optimizer(init, update)``.

    ``update`` is pure: a fresh variable holding the parameters (zeros when the step does not
    depend on them, so ``updates`` is exactly Keras's step), a fresh optimizer built on it,
    its slots and ``iterations`` loaded from ``state``, one ``apply``, and the new slots read
    back into a new ``state_cls``.
    """
    slots = KERAS_SLOTS[state_cls]

    def init(params):
        return state_cls(0, **{f: None for f in slots})

    def update(grads, state, params=None):
        if type(state) is not state_cls:
            raise TypeError(f"{func}.update: state must be a {state_cls.__name__}; got {type(state).__name__}")
        g = float_array(grads)
        if needs_params and params is None:         # the framework's step reads its parameter: no stand-in
            raise ValueError(f"{func}.update: params must be given (keras reads them in this configuration)")
        use_p = needs_params
        # params' shape, not grads': a mismatch reaches Keras's own apply_gradients
        p0 = float_array(params).astype(g.dtype) if use_p else np.zeros(g.shape if params is None else np.shape(params), g.dtype)
        var = keras.Variable(p0, dtype=str(g.dtype))
        opt = make(float(lr(state.count) if callable(lr) else lr))
        opt.build([var])
        opt.iterations.assign(state.count)
        for field, attr in slots.items():
            value = getattr(state, field)
            if value is not None:
                getattr(opt, attr)[0].assign(value)
        opt.apply([keras.ops.convert_to_tensor(g)], [var])
        new = _np(var.value)
        fields = {f: (_np(getattr(opt, a)[0].value) if getattr(opt, a, None) else None) for f, a in slots.items()}
        return (new - p0 if use_p else new), state_cls(state.count + 1, **fields)

    update.__qualname__ = f"{func}.update"
    return Optimizer(init, update)


def sgd(lr, momentum: float = 0.0, nesterov: bool = False, dampening: float = 0.0,
        weight_decay: float = 0.0, lr_inside_velocity: bool = False) -> Optimizer:
    """``keras.optimizers.SGD(learning_rate, momentum, nesterov)`` (lr inside the velocity)."""
    if dampening != 0:
        _unsupported("sgd", "dampening != 0 (torch)")
    if weight_decay != 0:
        _unsupported("sgd", "weight_decay != 0 as coupled L2 (torch); Keras's weight_decay is decoupled")
    if not lr_inside_velocity and momentum != 0 and callable(lr):
        _unsupported("sgd", "lr_inside_velocity=False with momentum and a schedule (torch / optax)")
    return keras_optimizer("sgd", lambda rate: keras.optimizers.SGD(learning_rate=rate, momentum=momentum,
                                                                     nesterov=nesterov), SGDState, False, lr)


def adagrad(lr=1e-2, eps: float = 1e-10, initial_accumulator_value: float = 0.0,
            eps_inside_sqrt: bool = False, lr_decay: float = 0.0) -> Optimizer:
    """``keras.optimizers.Adagrad(learning_rate, initial_accumulator_value, epsilon)`` (eps inside the root)."""
    if not eps_inside_sqrt and eps != 0:
        _unsupported("adagrad", "eps_inside_sqrt=False with eps > 0 (torch)")
    if lr_decay != 0:
        _unsupported("adagrad", "lr_decay != 0 (torch)")
    return keras_optimizer("adagrad", lambda rate: keras.optimizers.Adagrad(
        learning_rate=rate, initial_accumulator_value=initial_accumulator_value, epsilon=eps), AdagradState, False, lr)


def rmsprop(lr=1e-2, rho: float = 0.99, eps: float = 1e-8, eps_inside_sqrt: bool = False,
            centered: bool = False, momentum: float = 0.0, bias_correction: bool = False) -> Optimizer:
    """``keras.optimizers.RMSprop(learning_rate, rho, momentum, epsilon, centered)`` (eps inside the root)."""
    if not eps_inside_sqrt and eps != 0:
        _unsupported("rmsprop", "eps_inside_sqrt=False with eps > 0 (torch)")
    if bias_correction:
        _unsupported("rmsprop", "bias_correction=True (optax)")
    if momentum != 0 and callable(lr):
        _unsupported("rmsprop", "momentum with a schedule (Keras keeps lr inside the buffer; the reference outside)")
    return keras_optimizer("rmsprop", lambda rate: keras.optimizers.RMSprop(
        learning_rate=rate, rho=rho, momentum=momentum, epsilon=eps, centered=centered), RMSpropState, False, lr)


def adadelta(lr=1.0, rho: float = 0.9, eps: float = 1e-6) -> Optimizer:
    """``keras.optimizers.Adadelta(learning_rate, rho, epsilon)``."""
    return keras_optimizer("adadelta", lambda rate: keras.optimizers.Adadelta(learning_rate=rate, rho=rho, epsilon=eps),
                           AdadeltaState, False, lr)


def adam(lr=1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, eps_root: float = 0.0,
         eps_form: str = "sqrt_vhat", amsgrad: bool = False, weight_decay: float = 0.0) -> Optimizer:
    """``keras.optimizers.Adam(learning_rate, beta_1, beta_2, epsilon, amsgrad)``, or ``AdamW(weight_decay)``."""
    if eps_form not in ("sqrt_vhat", "eps_hat"):   # Keras has no such argument: only its own form to map onto
        _unsupported("adam", f"eps_form={eps_form!r} (Keras has the eps-hat form only)")
    if eps_form == "sqrt_vhat" and eps != 0:
        _unsupported("adam", "eps_form='sqrt_vhat' with eps > 0 (torch / optax; Keras uses the eps-hat form)")
    if eps_root != 0:
        _unsupported("adam", "eps_root != 0 (optax)")
    kw = dict(beta_1=b1, beta_2=b2, epsilon=eps, amsgrad=amsgrad)
    if weight_decay > 0:
        return keras_optimizer("adam", lambda rate: keras.optimizers.AdamW(learning_rate=rate, weight_decay=weight_decay,
                                                                           **kw), AdamState, True, lr)
    return keras_optimizer("adam", lambda rate: keras.optimizers.Adam(learning_rate=rate, **kw), AdamState, False, lr)


# --- initialisers ----------------------------------------------------------------------------------

def _variance_scaling(shape, rng, scale, mode, distribution, layout):
    shape = dims(shape)
    if layout not in ("torch", "keras") or len(shape) < 2:
        raise ValueError(f"keras target: layout must be 'torch' or 'keras' and shape at least 2-d; got {layout!r}, {shape}")
    kshape = shape if layout == "keras" else (*shape[2:], shape[1], shape[0])
    init = keras.initializers.VarianceScaling(scale=scale, mode=mode, seed=int(rng.integers(2**31 - 1)),
                                              distribution={"normal": "untruncated_normal"}.get(distribution, distribution))
    w = _np(init(kshape, dtype="float64"))
    if layout == "torch":                              # [*k, in, out] -> [out, in, *k]
        w = np.ascontiguousarray(np.transpose(w, (w.ndim - 1, w.ndim - 2, *range(w.ndim - 2))))
    return w


def variance_scaling(shape, rng, *, scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal",
                     layout: str = "torch"):
    return _variance_scaling(shape, rng, scale, mode, distribution, layout)


def _normal(truncated):
    return "truncated_normal" if truncated else "normal"


def glorot_uniform(shape, rng, *, gain: float = 1.0, layout: str = "torch"):
    return _variance_scaling(shape, rng, gain * gain, "fan_avg", "uniform", layout)


def glorot_normal(shape, rng, *, gain: float = 1.0, layout: str = "torch", truncated: bool = False):
    return _variance_scaling(shape, rng, gain * gain, "fan_avg", _normal(truncated), layout)


def lecun_uniform(shape, rng, *, gain: float = 1.0, layout: str = "torch"):
    return _variance_scaling(shape, rng, gain * gain, "fan_in", "uniform", layout)


def lecun_normal(shape, rng, *, gain: float = 1.0, layout: str = "torch", truncated: bool = False):
    return _variance_scaling(shape, rng, gain * gain, "fan_in", _normal(truncated), layout)


def _he_scale(func, nonlinearity, negative_slope):
    if nonlinearity == "relu" or (nonlinearity == "leaky_relu" and negative_slope == 0):
        return 2.0                                     # keras.initializers.HeNormal / HeUniform: scale=2
    _unsupported(func, f"nonlinearity={nonlinearity!r} with negative_slope={negative_slope!r} (Keras He is ReLU only)")


def he_uniform(shape, rng, *, mode: str = "fan_in", nonlinearity: str = "relu", negative_slope: float = 0.0,
               layout: str = "torch"):
    return _variance_scaling(shape, rng, _he_scale("he_uniform", nonlinearity, negative_slope), mode, "uniform", layout)


def he_normal(shape, rng, *, mode: str = "fan_in", nonlinearity: str = "relu", negative_slope: float = 0.0,
              layout: str = "torch", truncated: bool = False):
    return _variance_scaling(shape, rng, _he_scale("he_normal", nonlinearity, negative_slope), mode,
                             _normal(truncated), layout)


def zeros_init(shape, rng):
    return _np(keras.initializers.Zeros()(dims(shape), dtype="float64"))


def constant_init(shape, rng, *, value: float):
    return _np(keras.initializers.Constant(value)(dims(shape), dtype="float64"))


# --- batch normalisation ---------------------------------------------------------------------------

def _bn_layer(x, momentum, eps, gamma=None, beta=None, moving=None):
    layer = keras.layers.BatchNormalization(axis=1, momentum=momentum, epsilon=eps, dtype="float64")
    layer.build(x.shape)
    if gamma is not None:
        layer.gamma.assign(np.asarray(gamma, dtype=np.float64))
        layer.beta.assign(np.asarray(beta, dtype=np.float64))
    if moving is not None:
        layer.moving_mean.assign(np.asarray(moving[0], dtype=np.float64))
        layer.moving_variance.assign(np.asarray(moving[1], dtype=np.float64))
    return layer


def _batch(x):
    x = float_array(x)
    if x.ndim not in (2, 3):
        # the (N, C) / (N, C, L) layout is the adapter's mapping onto BatchNormalization(axis=1): no verdict on Keras
        _unsupported("batch norm", f"x of shape {x.shape} (the interface's batches are (N, C) or (N, C, L))")
    return x


def batchnorm_forward(x, gamma, beta, eps: float = 1e-5):
    x = _batch(x)
    c = x.shape[1]
    y = _np(_bn_layer(x, 0.0, eps, gamma, beta)(x, training=True)).astype(x.dtype)
    stats = _bn_layer(x, 0.0, eps)                     # momentum 0: moving <- batch statistics exactly
    x_hat = _np(stats(x, training=True))
    mean, var = _np(stats.moving_mean.value), _np(stats.moving_variance.value)
    with np.errstate(divide="ignore", invalid="ignore"):   # Keras' own batch variance may be 0 or < 0
        inv_std = 1.0 / np.sqrt(var + eps)
    return y, BatchNormCache(x_hat, inv_std, np.asarray(gamma, np.float64).reshape(c), mean, var, x.size // c,
                             float(eps))


def batchnorm_running_init(num_features: int) -> BatchNormRunning:
    layer = keras.layers.BatchNormalization(axis=1, dtype="float64")
    layer.build((2, int(num_features)))
    return BatchNormRunning(_np(layer.moving_mean.value), _np(layer.moving_variance.value), 0)


def batchnorm_running_update(running, x, momentum: float = 0.1, *, momentum_weights: str = "new",
                             unbiased: bool = True) -> BatchNormRunning:
    if momentum_weights not in ("new", "old"):
        # an option of the interface that Keras does not have (the adapter translates it): no verdict on Keras
        _unsupported("batchnorm_running_update", f"momentum_weights={momentum_weights!r} (the interface knows 'new' and 'old')")
    if unbiased:
        _unsupported("batchnorm_running_update", "unbiased=True (torch's unbiased running variance)")
    if running is None:
        _unsupported("batchnorm_running_update", "running=None (start from the first batch, seed 001)")
    x = _batch(x)
    m = momentum if momentum_weights == "old" else 1.0 - momentum
    layer = _bn_layer(x, m, 1e-3, moving=(running.mean, running.var))
    layer(x, training=True)
    return BatchNormRunning(_np(layer.moving_mean.value), _np(layer.moving_variance.value), running.count + 1)


def batchnorm_running_stats(batches, momentum: float = 0.1, *, momentum_weights: str = "new",
                            unbiased: bool = True, init: str = "batch") -> BatchNormRunning:
    if init not in ("batch", "zeros_ones"):
        # an option of the interface that Keras does not have (the adapter translates it): no verdict on Keras
        _unsupported("batchnorm_running_stats", f"init={init!r} (the interface knows 'batch' and 'zeros_ones')")
    if init != "zeros_ones":
        _unsupported("batchnorm_running_stats", f"init={init!r} (Keras starts the moving statistics at 0 and 1)")
    batches = list(batches)
    running = batchnorm_running_init(_batch(batches[0]).shape[1])
    for x in batches:
        running = batchnorm_running_update(running, x, momentum, momentum_weights=momentum_weights, unbiased=unbiased)
    return running


def batchnorm_inference(x, running_mean, running_var, gamma, beta, eps: float = 1e-5) -> np.ndarray:
    x = _batch(x)
    layer = _bn_layer(x, 0.99, eps, gamma, beta, moving=(running_mean, running_var))
    return _np(layer(x, training=False)).astype(x.dtype)


# --- feature standardisation ---------------------------------------------------------------------

class ZScoreStats(NamedTuple):
    """The adapted ``keras.layers.Normalization`` layer, with its mean and variance read out."""

    mean: np.ndarray
    var: np.ndarray
    layer: object


def fit_zscore(x, eps: float = 0.0) -> ZScoreStats:
    if eps != 0:
        _unsupported("fit_zscore", "eps != 0 (Keras divides by max(sqrt(var), 1e-7))")
    x = float_array(x)
    layer = keras.layers.Normalization(axis=-1, dtype="float64")
    with np.errstate(over="ignore", invalid="ignore"):     # Keras's own np.var of float16 may overflow (K8)
        layer.adapt(x)
    return ZScoreStats(_np(layer.mean).reshape(-1), _np(layer.variance).reshape(-1), layer)


def apply_zscore(stats: ZScoreStats, x) -> np.ndarray:
    x = float_array(x)
    return _np(stats.layer(x)).astype(x.dtype)


def zscore(x, eps: float = 0.0) -> np.ndarray:
    return apply_zscore(fit_zscore(x, eps), x)


# --- activations ------------------------------------------------------------------------------------

def _act(fn):
    def f(x):
        x = float_array(x)
        return _np(fn(keras.ops.convert_to_tensor(x))).astype(x.dtype)
    return f


sigmoid = _act(keras.activations.sigmoid)
tanh = _act(keras.activations.tanh)
relu = _act(keras.activations.relu)


# --- learning-rate schedules -----------------------------------------------------------------------
# A LearningRateSchedule is called with the optimizer's 0-based ``iterations`` (the reference's
# convention); a float learning rate is the constant schedule.

class _Schedule:
    """``learning_rate`` as Keras takes it (a float or a ``LearningRateSchedule``), read as
    ``step -> lr``: a schedule is called with the step; a float is the value the optimizer's
    ``learning_rate`` variable holds."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def __call__(self, step: int) -> float:
        if isinstance(self.learning_rate, keras.optimizers.schedules.LearningRateSchedule):
            return float(_np(self.learning_rate(step)))
        return float(_np(keras.optimizers.SGD(learning_rate=self.learning_rate).learning_rate))


def _schedule(sched):
    return _Schedule(sched)


def resume_schedule(schedule, step: int):
    """An ``SGD(learning_rate=...)`` applies ``step`` updates (gradient 0) to a variable; its
    variables (``iterations`` among them) are saved as numpy (a checkpoint) and assigned to a fresh
    SGD built for the same variable, which goes on; its ``learning_rate`` after ``k`` updates in
    all is the rate of update ``k``: this checks the count Keras keeps and reads."""
    if not isinstance(schedule, _Schedule):
        raise TypeError(f"keras target: resume_schedule: schedule must come from this target; got {schedule!r}")

    def run(steps, saved=None):
        var = keras.Variable(np.zeros(1), dtype="float64")
        opt = keras.optimizers.SGD(learning_rate=schedule.learning_rate)
        opt.build([var])
        if saved is not None:
            for v, a in zip(opt.variables, saved):
                v.assign(a)
        for _ in range(int(steps)):
            opt.apply_gradients([(keras.ops.zeros((1,), dtype="float64"), var)])
        return opt

    saved = [_np(v.value) for v in run(step).variables]
    return lambda k: float(_np(run(int(k) - int(step), saved).learning_rate))


def constant_schedule(init_lr: float):
    """A float ``learning_rate``: the optimizer's ``learning_rate`` variable, read back."""
    return _Schedule(float(init_lr))


def step_decay(init_lr: float, decay_rate: float, step_size: int):
    """``ExponentialDecay(init_lr, decay_steps=step_size, decay_rate, staircase=True)``."""
    return _schedule(keras.optimizers.schedules.ExponentialDecay(init_lr, step_size, decay_rate, staircase=True))


def exponential_decay(init_lr: float, decay_rate: float, decay_steps: int = 1):
    """``ExponentialDecay(init_lr, decay_steps, decay_rate)``."""
    return _schedule(keras.optimizers.schedules.ExponentialDecay(init_lr, decay_steps, decay_rate))


def inverse_time_decay(init_lr: float, decay_rate: float, decay_steps: int = 1):
    """``InverseTimeDecay(init_lr, decay_steps, decay_rate)``."""
    return _schedule(keras.optimizers.schedules.InverseTimeDecay(init_lr, decay_steps, decay_rate))


SCHEDULES = ("constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay", "resume_schedule")
#: The schedules above are Keras's own, so they are under test, not borrowed.
BORROWED = tuple(n for n in BORROWED if n not in SCHEDULES)
__all__ += list(SCHEDULES)
