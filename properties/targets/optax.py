"""optax and ``jax.nn`` as a trainspec target: optax's optimisers, ``jax.nn.initializers``, ``jax.nn``.

Run: ``pytest properties/ --target optax`` (needs ``pip install jax optax``).

Names exposed, with the reference's signatures **but optax's default values** (so an
argument a law does not pass gets what an optax user gets), with two declared exceptions
(AdaGrad's G_0 and RMSprop's eps placement, which the laws that omit them state; CONVENTIONS):

* ``sgd`` -> ``optax.sgd`` (``weight_decay`` chains ``add_decayed_weights`` first, coupled
  L2 like the reference; ``lr_inside_velocity=True`` traces after the learning rate);
  ``adagrad`` -> ``optax.adagrad`` (eps = 1e-7 *inside* the sqrt; G_0 = 0, see CONVENTIONS);
  ``rmsprop`` -> ``optax.rmsprop`` (decay 0.9; eps outside the root, optax's
  ``eps_in_sqrt=False``, see CONVENTIONS); ``adadelta`` -> ``optax.adadelta`` (lr=None);
  ``adam`` -> ``optax.adam`` / ``optax.adamw`` (weight_decay > 0) / ``optax.amsgrad``
  (amsgrad=True). optax is already ``init``/``update``: the adapter jits it (once per
  structure and shape, see :func:`_compiled`), converts arrays and keeps optax's state.
* initialisers ``glorot_*``, ``he_*``, ``lecun_*``, ``zeros_init``, ``constant_init`` ->
  ``jax.nn.initializers`` (``variance_scaling`` with ``in_axis``/``out_axis`` chosen from the
  reference's ``layout``; a numpy ``rng`` seeds ``jax.random.key(rng.integers(2**32))``; drawn
  at a bucketed square shape with the real shape's variance, see :func:`_vs`).
* activations ``sigmoid``/``tanh``/``relu`` (``jax.nn``) and their ``*_grad`` (``jax.grad``).

JAX runs with ``jax_enable_x64`` (set on import) so float64 arrays stay float64.
The harness ``minimize``, schedules and problems are borrowed from the reference
(:data:`BORROWED`, see ``properties/targets/torch.py``). Conventions: :data:`CONVENTIONS`.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

from properties._install import install_command
from properties.targets import BORROWED, dims, borrow_harness, float_array, require, unsupported

jax = require("jax", "optax", install_command("jax"))
optax = require("optax", "optax", install_command("jax"))
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import reference as _ref  # noqa: E402  (borrowed harness and the Optimizer container only)

VERSION = f"optax {optax.__version__}, jax {jax.__version__}"
_OGH = f"https://github.com/google-deepmind/optax/blob/v{optax.__version__}/"
_JGH = f"https://github.com/jax-ml/jax/blob/jax-v{jax.__version__}/"

borrow_harness(globals())  # BORROWED: harness re-exported from the reference, not under test
Optimizer = _ref.Optimizer

TRUNC_STD = 0.87962566103423978

CONVENTIONS = {
    "learning rate": {
        "framework": "learning_rate is required (no default); a schedule is called with the 0-based count",
        "reference": "the same schedule convention", "adapter": "passed through (a schedule is a static jit option)",
        "source": _OGH + "optax/_src/transform.py#L982 (scale_by_learning_rate)"},
    "SGD": {
        "framework": "sgd = chain(trace(mu, nesterov), scale_by_learning_rate(lr)): m = g + mu m (m_0 = 0), "
                     "lr outside; no dampening, no weight_decay argument",
        "reference": "sgd(lr_inside_velocity=False) is the same",
        "adapter": "weight_decay: chain(add_decayed_weights(wd), sgd) (coupled L2, as the reference); "
                   "lr_inside_velocity=True: chain(scale_by_learning_rate(lr), trace(mu, nesterov)), optax's own "
                   "'lr inside the buffer' composition (the one optax.rmsprop uses for momentum); dampening != 0 "
                   "raises NotImplementedError",
        "source": _OGH + "optax/_src/alias.py#L2049; optax/transforms/_accumulation.py#L36; "
                         "optax/transforms/_adding.py#L35"},
    "Adagrad": {
        "framework": "G_0 = initial_accumulator_value = 0.1, eps = 1e-7 INSIDE the sqrt, update 0 where G = 0; "
                     "no lr_decay",
        "reference": "G_0 = 0, eps = 1e-10 outside the sqrt (torch's)",
        "adapter": "optax's defaults (eps 1e-7 inside, G_0 = 0.1); the laws that need G_0 = 0 pass it. "
                   "eps_inside_sqrt=False or lr_decay != 0 raise NotImplementedError (the laws then check "
                   "the options optax offers)",
        "source": _OGH + "optax/_src/alias.py#L329; optax/_src/transform.py#L45 (scale_by_rss)"},
    "RMSprop": {
        "framework": "decay = 0.9 (weights the old v), eps = 1e-8, eps_in_sqrt=True by default (the docstring "
                     "says eps_in_sqrt=False matches PyTorch), momentum is a trace AFTER lr (lr inside the "
                     "buffer), optional bias_correction",
        "reference": "rho = 0.99, eps outside the sqrt (torch's); momentum buffer with lr outside",
        "adapter": "rho -> decay, eps_inside_sqrt -> eps_in_sqrt, optax's defaults (0.9, inside); "
                   "rmsprop_with_bias_correction_equals_adam_beta1_zero passes eps_inside_sqrt=False; lr inside "
                   "the momentum buffer equals the reference's form for a constant lr only",
        "source": _OGH + "optax/_src/alias.py#L1935; optax/_src/transform.py#L95 (scale_by_rms)"},
    "Adadelta": {
        "framework": "learning_rate=None (default) applies NO scale_by_learning_rate, hence no sign flip; "
                     "rho = 0.9, eps = 1e-6 inside both roots; add_decayed_weights(0.0) always chained, so "
                     "update needs params",
        "reference": "lr = 1.0 (torch), update -Delta",
        "adapter": "lr default None (optax's); the resulting ascent is finding O1 in findings/optax.py",
        "source": _OGH + "optax/_src/alias.py#L143; optax/_src/transform.py#L574, #L1000"},
    "Adam": {
        "framework": "eps = 1e-8 added to sqrt(v_hat + eps_root) (Algorithm 1 form); bias correction "
                     "1 - b**count as written (cancels for b near 1: finding O2)",
        "reference": "adam(eps_form='sqrt_vhat'); eps_root passed through; correction -expm1(t log b)",
        "adapter": "eps_form='eps_hat' raises NotImplementedError",
        "source": _OGH + "optax/_src/transform.py#L246; optax/tree_utils/_tree_math.py#L442"},
    "AdamW": {
        "framework": "adamw: u = adam + wd p, update = -lr u (decoupled); default weight_decay = 1e-4",
        "reference": "adam(weight_decay) is decoupled too", "adapter": "weight_decay > 0 -> optax.adamw",
        "source": _OGH + "optax/_src/alias.py#L598"},
    "AMSGrad": {
        "framework": "optax.amsgrad takes the max of the BIAS-CORRECTED v_hat",
        "reference": "adam(amsgrad=True) takes the max of the raw v (torch / Keras)",
        "adapter": "amsgrad=True -> optax.amsgrad as it is (no law compares AMSGrad trajectories; the "
                   "differential test runs it against a numpy oracle of optax's form); amsgrad with "
                   "weight_decay raises NotImplementedError",
        "source": _OGH + "optax/_src/transform.py#L321"},
    "optimizer state": {
        "framework": "a chain's tuple of NamedTuples of jax arrays (ScaleByRssState.sum_of_squares, "
                     "ScaleByAdamState.mu/nu)",
        "reference": "AdagradState.sum_of_squares, AdamState.mu/nu",
        "adapter": "AdagradState / AdamState wrap optax's state and read those fields from it",
        "source": _OGH + "optax/_src/transform.py#L45, #L246"},
    "jit": {
        "framework": "optax transformations are pure; users jit update",
        "reference": "numpy",
        "adapter": "update is jax.jit-compiled once per (optimiser structure, shape, dtype), numeric "
                   "hyperparameters passed as traced weakly-typed scalars (optax's arithmetic is unchanged)",
        "source": _OGH + "optax/_src/base.py"},
    "NaN gradients": {
        "framework": "no check: NaN propagates", "reference": "update raises ValueError",
        "adapter": "nothing", "source": _OGH + "optax/_src/transform.py"},
    "init layout": {
        "framework": "in_axis=-2, out_axis=-1 by default (Keras layout [*k, in, out])",
        "reference": "layout='torch' [out, in, *k] (default) or 'keras'",
        "adapter": "layout='torch' passes in_axis=1, out_axis=0; 'keras' the jax defaults",
        "source": _JGH + "jax/_src/nn/initializers.py#L215 (_compute_fans)"},
    "init normal family": {
        "framework": "glorot_normal / he_normal / lecun_normal are TRUNCATED at 2 sigma_0 with sigma_0 = "
                     "sigma / 0.87962566; variance_scaling(distribution='normal') is untruncated",
        "reference": "truncated=False (torch) by default",
        "adapter": "the interface's default truncated=False uses variance_scaling(..., 'normal'); "
                   "truncated=True calls jax's glorot_normal / he_normal / lecun_normal",
        "source": _JGH + "jax/_src/nn/initializers.py#L282 (variance_scaling), #L413, #L561"},
    "init gain": {
        "framework": "no gain argument: variance_scaling(scale = gain^2)",
        "reference": "gain / nonlinearity arguments",
        "adapter": "scale = gain^2 (relu 2, leaky_relu 2/(1+a^2), linear 1, tanh 25/9, sigmoid 1)",
        "source": _JGH + "jax/_src/nn/initializers.py#L282"},
    "init sampling shape": {
        "framework": "jax.random compiles per shape (0.3-2 s each on this machine)",
        "reference": "numpy Generator",
        "adapter": "variance_scaling is called at a square power-of-two shape (F, F) with scale * F / fan "
                   "(fan from jax's _compute_fans of the real shape), so jax computes bitwise the variance "
                   "it would for the real shape; the first prod(shape) i.i.d. values are reshaped. The "
                   "differential test calls jax.nn.initializers on the real shapes",
        "source": _JGH + "jax/_src/nn/initializers.py#L215, #L282"},
    "relu'(0)": {
        "framework": "jax.nn.relu has a custom derivative: 0 at 0", "reference": "relu_grad(0) = 0",
        "adapter": "jax.grad", "source": _JGH + "jax/_src/nn/functions.py#L73 (relu)"},
    "activations": {
        "framework": "element-wise XLA kernels, compiled per shape",
        "reference": "numpy",
        "adapter": "inputs padded with zeros to a power-of-two length, jitted, sliced back (element-wise: no "
                   "value changes)",
        "source": _JGH + "jax/_src/nn/functions.py"},
}

__all__ = sorted(set(BORROWED) | {
    "Optimizer", "OptaxState", "AdagradState", "AdamState", "sgd", "adagrad", "rmsprop", "adadelta", "adam", "optax_optimizer",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
    "zeros_init", "constant_init", "sigmoid", "tanh", "relu", "sigmoid_grad", "tanh_grad", "relu_grad",
    "resume_schedule", "CONVENTIONS", "VERSION", "BORROWED"})


def _unsupported(func: str, what: str):
    unsupported("optax", func, what)


_float = float_array


class OptaxState(NamedTuple):
    """``count`` updates done; ``inner`` optax's own state pytree (jax arrays, never modified)."""

    count: int
    inner: Any

    def _field(self, name):
        for sub in self.inner:
            if hasattr(sub, name):
                return np.asarray(getattr(sub, name))
        raise AttributeError(f"optax state {type(self.inner).__name__} has no field {name!r}")


class AdagradState(OptaxState):
    """optax ``ScaleByRssState`` read under the reference's field name ``sum_of_squares``."""

    @property
    def sum_of_squares(self) -> np.ndarray:
        return self._field("sum_of_squares")


class AdamState(OptaxState):
    """optax ``ScaleByAdamState`` / ``ScaleByAmsgradState``: ``mu``, ``nu`` (the raw moments);
    ``nu_max`` (amsgrad only) optax's running max, of the *bias-corrected* ``nu`` (CONVENTIONS)."""

    @property
    def mu(self) -> np.ndarray:
        return self._field("mu")

    @property
    def nu(self) -> np.ndarray:
        return self._field("nu")

    @property
    def nu_max(self) -> np.ndarray | None:
        try:
            return self._field("nu_max")
        except AttributeError:
            return None                     # plain Adam, as the reference's None


def _hyper(kwargs: dict) -> tuple[dict, tuple]:
    """Split keyword arguments into traced numbers (``hp``) and static options (hashable)."""
    hp, static = {}, []
    for k, v in kwargs.items():
        if isinstance(v, _Schedule):
            v = v.fn                        # optax's own schedule, traced with the count
        if isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_)):
            hp[k] = float(v)
        else:
            static.append((k, v))
    return hp, tuple(sorted(static, key=lambda kv: kv[0]))


@functools.lru_cache(maxsize=None)
def _compiled(build, static: tuple):
    """``jax.jit`` of ``build(**static, **hp).init`` / ``.update`` with the numbers ``hp`` traced.

    One compilation per (optimiser, static options, shape, dtype) instead of one per
    hyperparameter value: Hypothesis draws a fresh lr/beta for every example, and compiling
    an optax chain costs ~0.2 s while a compiled step costs ~50 us. The numbers enter as
    weakly typed scalars (Python floats), exactly as optax sees ``optax.adam(0.1)``'s floats:
    float32 gradients stay float32. Options that change optax's structure (``momentum=None``,
    ``nesterov``, ``eps_in_sqrt``, a schedule) are static.
    """
    kw = dict(static)

    def init(hp, params):
        return build(**kw, **hp).init(params)

    def update(hp, grads, state, params):
        return build(**kw, **hp).update(grads, state, params)

    init_j, update_j = jax.jit(init), jax.jit(update)
    if not any(callable(v) and not getattr(v, "_traceable", False) for v in kw.values()):
        return init_j, update_j
    # A schedule written in plain Python may not be traceable (a law's table of rates indexed by
    # int(count)): optax calls it with the state's count, which is concrete when not jitted. Try
    # jit; on a tracer error run this optimiser eagerly from then on.
    eager = []

    def update_maybe_jit(hp, grads, state, params):
        if not eager:
            try:
                return update_j(hp, grads, state, params)
            except (jax.errors.ConcretizationTypeError, jax.errors.TracerIntegerConversionError,
                    jax.errors.TracerBoolConversionError):
                eager.append(True)
        return update(hp, grads, state, params)
    return init_j, update_maybe_jit


def optax_optimizer(func: str, build, state_cls=OptaxState, **kwargs) -> Optimizer:
    """Wrap ``build(**kwargs)`` (an optax ``GradientTransformation``) as ``Optimizer(init, update)``.

    ``update`` converts numpy to jax arrays, calls optax's ``update`` (jitted, see
    :func:`_compiled`) and returns a numpy copy of the updates; the state holds optax's own
    state pytree.
    """
    hp, static = _hyper(kwargs)
    init_j, update_j = _compiled(build, static)

    def init(params):
        return state_cls(0, init_j(hp, _float(params)))

    def update(grads, state, params=None):
        # numpy arrays go straight into the jitted call (an eager jnp.asarray/astype would
        # dispatch two more XLA ops per step).
        g = _float(grads)
        p = None if params is None else _float(params).astype(g.dtype, copy=False)
        u, inner = update_j(hp, g, state.inner, p)
        return np.array(u), state_cls(state.count + 1, inner)

    update.__qualname__ = f"{func}.update"
    return Optimizer(init, update)


def _tx_sgd(lr, momentum, nesterov, weight_decay, lr_inside_velocity):
    if lr_inside_velocity:
        # optax's own form of "lr inside the buffer" (what optax.rmsprop does with momentum):
        # trace after scale_by_learning_rate: u_t = mu u_{t-1} - lr_t g, update u_t
        # (nesterov: mu u_t - lr_t g).
        tx = optax.chain(optax.scale_by_learning_rate(lr),
                         optax.trace(momentum, nesterov) if momentum is not None else optax.identity())
    else:
        tx = optax.sgd(lr, momentum=momentum, nesterov=nesterov)
    if weight_decay is not None:
        tx = optax.chain(optax.add_decayed_weights(weight_decay), tx)
    return tx


def sgd(lr, momentum: float = 0.0, nesterov: bool = False, dampening: float = 0.0,
        weight_decay: float = 0.0, lr_inside_velocity: bool = False) -> Optimizer:
    """``optax.sgd(lr, momentum or None, nesterov)``, after ``add_decayed_weights(weight_decay)``.

    ``lr_inside_velocity=True``: ``chain(scale_by_learning_rate(lr), trace(momentum, nesterov))``.
    """
    if dampening != 0.0:
        _unsupported("sgd", "dampening (torch only)")
    return optax_optimizer("sgd", _tx_sgd, lr=lr, momentum=momentum or None, nesterov=bool(nesterov),
                           weight_decay=weight_decay or None, lr_inside_velocity=bool(lr_inside_velocity))


def _tx_adagrad(lr, eps, initial_accumulator_value):
    return optax.adagrad(lr, initial_accumulator_value=initial_accumulator_value, eps=eps)


def adagrad(lr=1e-2, eps: float = 1e-7, initial_accumulator_value: float = 0.1,
            eps_inside_sqrt: bool = True, lr_decay: float = 0.0) -> Optimizer:
    """``optax.adagrad(lr, initial_accumulator_value, eps)`` with optax's defaults (G_0 = 0.1,
    eps = 1e-7 inside the root; see CONVENTIONS["Adagrad"])."""
    if not eps_inside_sqrt:
        _unsupported("adagrad", "eps_inside_sqrt=False (torch)")
    if lr_decay:
        _unsupported("adagrad", "lr_decay (torch; use a schedule)")
    return optax_optimizer("adagrad", _tx_adagrad, AdagradState, lr=lr, eps=eps,
                           initial_accumulator_value=initial_accumulator_value)


def _tx_rmsprop(lr, decay, eps, eps_in_sqrt, centered, momentum, bias_correction):
    return optax.rmsprop(lr, decay=decay, eps=eps, eps_in_sqrt=eps_in_sqrt, centered=centered,
                         momentum=momentum, bias_correction=bias_correction)


def rmsprop(lr=1e-2, rho: float = 0.9, eps: float = 1e-8, eps_inside_sqrt: bool = True,
            centered: bool = False, momentum: float = 0.0, bias_correction: bool = False) -> Optimizer:
    """``optax.rmsprop(lr, decay=rho, eps, eps_in_sqrt, centered, momentum or None, bias_correction)``:
    optax's defaults (decay 0.9, eps 1e-8 inside the root; see CONVENTIONS["RMSprop"])."""
    return optax_optimizer("rmsprop", _tx_rmsprop, lr=lr, decay=rho, eps=eps, eps_in_sqrt=bool(eps_inside_sqrt),
                           centered=bool(centered), momentum=momentum or None, bias_correction=bool(bias_correction))


def _tx_adadelta(lr, rho, eps):
    return optax.adadelta(lr, rho=rho, eps=eps)


def adadelta(lr=None, rho: float = 0.9, eps: float = 1e-6) -> Optimizer:
    """``optax.adadelta(lr, rho, eps)``; ``lr=None`` (optax's default) applies no learning rate."""
    return optax_optimizer("adadelta", _tx_adadelta, lr=lr, rho=rho, eps=eps)


def _tx_adam(lr, b1, b2, eps, eps_root, amsgrad, weight_decay):
    if amsgrad:
        return optax.amsgrad(lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root)
    if weight_decay is not None:
        return optax.adamw(lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root, weight_decay=weight_decay)
    return optax.adam(lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root)


def adam(lr=1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, eps_root: float = 0.0,
         eps_form: str = "sqrt_vhat", amsgrad: bool = False, weight_decay: float = 0.0) -> Optimizer:
    """``optax.adam`` / ``optax.adamw(weight_decay)`` / ``optax.amsgrad``."""
    if eps_form != "sqrt_vhat":
        _unsupported("adam", f"eps_form={eps_form!r} (Keras)")
    if amsgrad and weight_decay:
        _unsupported("adam", "amsgrad with weight_decay (no optax alias)")
    return optax_optimizer("adam", _tx_adam, AdamState, lr=lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root,
                           amsgrad=bool(amsgrad), weight_decay=weight_decay or None)


# --- initialisers ----------------------------------------------------------------------------------

_I = jax.nn.initializers
from jax._src.nn.initializers import _compute_fans  # noqa: E402  (jax's fan rule, see _vs)


def _axes(layout: str, ndim: int):
    if layout == "torch":
        return {"in_axis": 1, "out_axis": 0}
    if layout == "keras":
        return {"in_axis": -2, "out_axis": -1}
    raise ValueError(f"layout must be 'torch' or 'keras'; got {layout!r}")


def _key(rng):
    return jax.random.key(int(rng.integers(2**32)))


def _bucket(n: int) -> int:
    """Side F of the square (F, F) draw: the smallest power of two >= 32 with F**2 >= n."""
    f = 32
    while f * f < n:
        f *= 2
    return f


def _vs(shape, rng, scale, mode, distribution, layout):
    """``jax.nn.initializers.variance_scaling(scale, mode, distribution)`` for ``shape``.

    XLA compiles jax.random's samplers once per shape (0.3-2 s on this machine), and the
    statistical laws draw a new shape every example. So the draw is taken from
    ``variance_scaling`` itself at a square power-of-two shape (F, F), in mode "fan_in" (fan
    F), with ``scale * F / fan`` where ``fan`` is jax's own ``_compute_fans`` of ``shape`` and
    the layout's axes combined as ``variance_scaling`` combines them for ``mode``; the first
    ``prod(shape)`` values are reshaped to ``shape``. F is a power of two, so the variance
    jax computes, ``(scale * F / fan) / F``, is bitwise ``scale / fan``: the numbers are those
    of ``variance_scaling(scale, mode, distribution)(key, shape)`` except for which random
    stream fills them (entries are i.i.d. either way). One compilation per (distribution, F).
    ``tests/differential/test_optax.py`` checks the real-shape call against the reference.
    """
    shape = dims(shape)
    if len(shape) < 2:
        _compute_fans(shape)   # jax's own check (ValueError for < 2 dimensions with its default in_axis)
    fan_in, fan_out = _compute_fans(shape, **_axes(layout, len(shape)))
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}.get(mode)
    if fan is None:
        raise ValueError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg'; got {mode!r}")
    n = math.prod(shape)
    f = _bucket(n)
    init = _I.variance_scaling(scale * f / fan, "fan_in", distribution, dtype=jnp.float64)
    return np.asarray(init(_key(rng), (f, f))).ravel()[:n].reshape(shape)


def _gain2(nonlinearity: str, negative_slope: float) -> float:
    table = {"relu": 2.0, "linear": 1.0, "leaky_relu": 2.0 / (1.0 + negative_slope**2), "tanh": 25.0 / 9.0,
             "sigmoid": 1.0}
    if nonlinearity not in table:
        _unsupported("he_*", f"nonlinearity={nonlinearity!r}")
    return table[nonlinearity]


def glorot_uniform(shape, rng, *, gain: float = 1.0, layout: str = "torch") -> np.ndarray:
    """``jax.nn.initializers.glorot_uniform`` = ``variance_scaling(gain^2, "fan_avg", "uniform")``."""
    return _vs(shape, rng, gain**2, "fan_avg", "uniform", layout)


def glorot_normal(shape, rng, *, gain: float = 1.0, layout: str = "torch", truncated: bool = False) -> np.ndarray:
    """Untruncated ``variance_scaling`` (the interface default) or ``jax.nn.initializers.glorot_normal`` (truncated,
    jax's default)."""
    return _vs(shape, rng, gain**2, "fan_avg", "truncated_normal" if truncated else "normal", layout)


def he_uniform(shape, rng, *, mode: str = "fan_in", nonlinearity: str = "relu", negative_slope: float = 0.0,
               layout: str = "torch") -> np.ndarray:
    """``jax.nn.initializers.he_uniform`` = ``variance_scaling(2, "fan_in", "uniform")``."""
    return _vs(shape, rng, _gain2(nonlinearity, negative_slope), mode, "uniform", layout)


def he_normal(shape, rng, *, mode: str = "fan_in", nonlinearity: str = "relu", negative_slope: float = 0.0,
              layout: str = "torch", truncated: bool = False) -> np.ndarray:
    """Untruncated ``variance_scaling`` or ``jax.nn.initializers.he_normal`` (truncated=True; jax's default)."""
    return _vs(shape, rng, _gain2(nonlinearity, negative_slope), mode,
               "truncated_normal" if truncated else "normal", layout)


def lecun_uniform(shape, rng, *, gain: float = 1.0, layout: str = "torch") -> np.ndarray:
    """``jax.nn.initializers.lecun_uniform``."""
    return _vs(shape, rng, gain**2, "fan_in", "uniform", layout)


def lecun_normal(shape, rng, *, gain: float = 1.0, layout: str = "torch", truncated: bool = False) -> np.ndarray:
    """Untruncated ``variance_scaling`` or ``jax.nn.initializers.lecun_normal`` (truncated=True; jax's default)."""
    return _vs(shape, rng, gain**2, "fan_in", "truncated_normal" if truncated else "normal", layout)


def zeros_init(shape, rng) -> np.ndarray:
    """``jax.nn.initializers.zeros``."""
    return np.asarray(_I.zeros(_key(rng), dims(shape), jnp.float64)).copy()


def constant_init(shape, rng, *, value: float) -> np.ndarray:
    """``jax.nn.initializers.constant(value)``."""
    return np.asarray(_I.constant(value, dtype=jnp.float64)(_key(rng), dims(shape))).copy()


# --- activations -------------------------------------------------------------------------------------

def _padded(jitted, x):
    """Apply an element-wise jitted function to ``x`` padded with zeros to a power-of-two length.

    Element-wise, so each output depends on its own input only: padding changes no value,
    and XLA compiles once per length bucket instead of once per shape (~0.1 s each).
    """
    x = _float(x)
    flat = x.ravel()
    n = 32
    while n < flat.size:
        n *= 2
    buf = np.zeros(n, dtype=x.dtype)
    buf[: flat.size] = flat
    return np.asarray(jitted(buf))[: flat.size].reshape(x.shape).astype(x.dtype, copy=True)


def _act(fn, name):
    jitted = jax.jit(fn)

    def f(x):
        return _padded(jitted, x)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``{getattr(fn, '__module__', 'jax')}.{fn.__name__}``"
    return f


def _grad(fn, name):
    jitted = jax.jit(jax.grad(lambda x: jnp.sum(fn(x))))

    def f(x):
        return _padded(jitted, x)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``jax.grad`` of ``{fn.__name__}`` (element-wise, through ``sum``)"
    return f


sigmoid, tanh, relu = _act(jax.nn.sigmoid, "sigmoid"), _act(jnp.tanh, "tanh"), _act(jax.nn.relu, "relu")
sigmoid_grad, tanh_grad, relu_grad = (_grad(jax.nn.sigmoid, "sigmoid_grad"), _grad(jnp.tanh, "tanh_grad"),
                                      _grad(jax.nn.relu, "relu_grad"))


# --- learning-rate schedules -----------------------------------------------------------------------
# optax calls a schedule with the 0-based update count (scale_by_schedule), the reference's
# convention. Values are jax scalars (float64: jax_enable_x64), returned as Python floats.

#: The dtype of the count optax keeps in ``ScaleByScheduleState`` (int32, also under x64).
_COUNT_DTYPE = optax.scale_by_schedule(optax.constant_schedule(1.0)).init(jnp.zeros(1)).count.dtype


class _Schedule:
    """An optax schedule as the rate an optimizer uses at update ``step``: ``fn`` (the optax
    schedule) called with the count as optax's state holds it (``_COUNT_DTYPE``), not with a Python
    int, because that is what training sees (finding O5: int32 counts make the decaying schedules
    compute in float32). Passed to an optax optimizer, ``fn`` itself is used (jit-traceable)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, step: int) -> float:
        return float(self.fn(jnp.asarray(int(step), dtype=_COUNT_DTYPE)))


def _schedule(fn):
    fn._traceable = True                    # jit may trace it (see _compiled)
    return _Schedule(fn)


def resume_schedule(schedule, step: int):
    """``optax.scale_by_schedule(fn)`` after ``step`` updates, its state saved as numpy leaves (a
    checkpoint) and restored into a fresh ``init``; after ``k - step`` more updates, the schedule at
    the state's ``count`` is the rate of update ``k``: this checks the count optax keeps in the state.

    The count is read back and the schedule called with it as a Python int (as ``schedule(k)`` is):
    called with the state's int32 count, optax's decaying schedules compute in float32 even under
    ``jax_enable_x64`` (a separate matter from resuming)."""
    if not isinstance(schedule, _Schedule):
        raise TypeError(f"optax target: resume_schedule: schedule must come from this target; got {schedule!r}")
    g = jnp.ones(1, dtype=jnp.float64)
    tx = optax.scale_by_schedule(schedule.fn)
    state = tx.init(g)
    for _ in range(int(step)):
        _, state = tx.update(g, state)
    saved = [np.array(leaf) for leaf in jax.tree.leaves(state)]

    def resumed(k: int) -> float:
        tx2 = optax.scale_by_schedule(schedule.fn)
        state2 = jax.tree.unflatten(jax.tree.structure(tx2.init(g)), [jnp.asarray(a) for a in saved])
        for _ in range(int(k) - int(step)):
            _, state2 = tx2.update(g, state2)
        return schedule(int(state2.count))
    return resumed


def constant_schedule(init_lr: float):
    """``optax.constant_schedule(init_lr)``."""
    return _schedule(optax.constant_schedule(init_lr))


def step_decay(init_lr: float, decay_rate: float, step_size: int):
    """``optax.exponential_decay(init_lr, transition_steps=step_size, decay_rate, staircase=True)``."""
    return _schedule(optax.exponential_decay(init_lr, int(step_size), decay_rate, staircase=True))


def exponential_decay(init_lr: float, decay_rate: float, decay_steps: int = 1):
    """``optax.exponential_decay(init_lr, transition_steps=decay_steps, decay_rate)``."""
    return _schedule(optax.exponential_decay(init_lr, int(decay_steps), decay_rate))


def inverse_time_decay(init_lr: float, decay_rate: float, decay_steps: int = 1):
    _unsupported("inverse_time_decay", "a 1/t schedule (optax has none)")


SCHEDULES = ("constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay", "resume_schedule")
#: The schedules above are optax's own, so they are under test, not borrowed.
BORROWED = tuple(n for n in BORROWED if n not in SCHEDULES)
