"""Differential: optax's optimisers and ``jax.nn.initializers`` against the reference.

optax and jax are called directly here (not through ``properties/targets/optax.py``), in
float64 (``jax_enable_x64``), and the reference is configured with optax's conventions
(``/work/shared/conventions.md`` sections 1-5 and 7, re-read in optax 0.2.8 / jax 0.10.2; the
adapter's ``CONVENTIONS`` has the source links):

* ``sgd(lr, momentum, nesterov)``, optionally after ``add_decayed_weights(wd)`` ->
  ``sgd(lr, momentum, nesterov, weight_decay=wd)`` (trace ``m = g + mu m`` from 0, so
  ``b_1 = g``; lr outside the trace; coupled L2);
* ``adagrad(lr, initial_accumulator_value, eps)`` -> ``adagrad(lr, eps, G_0,
  eps_inside_sqrt=True)`` (``rsqrt(G + eps)``; optax's mask ``G > 0`` never bites with
  ``G_0 > 0`` or ``eps > 0``);
* ``rmsprop(lr, decay, eps, eps_in_sqrt, momentum, bias_correction)`` -> ``rmsprop(lr,
  rho=decay, eps, eps_inside_sqrt, momentum, bias_correction)``; optax applies lr *before*
  its momentum trace, the reference after its buffer: identical for a constant lr;
* ``adadelta(lr, rho, eps)`` with an explicit lr -> ``adadelta(lr, rho, eps)``. With
  optax's default ``lr=None`` the trajectory is the reference's with ``lr = -1`` (finding O1,
  pinned by :func:`test_adadelta_default_lr_is_reference_with_lr_minus_one`);
* ``adam(lr, b1, b2, eps, eps_root)`` / ``adamw(..., weight_decay)`` -> ``adam(lr, b1, b2,
  eps, eps_root, eps_form="sqrt_vhat", weight_decay)`` (decoupled decay);
* ``amsgrad`` takes the max of the *bias-corrected* v (the reference: of the raw v, torch's
  form), so no reference configuration matches it: it is compared with a 10-line numpy
  oracle of optax's documented form instead (:func:`test_amsgrad_matches_optax_form`).

Every eps is > 0: at eps = 0 optax's RMSprop and Adam return NaN for a zero gradient
(finding O3 in ``properties/findings/optax.py``), which the laws cover.

**Optimiser tolerances** (``EPS = 2**-52``). Gradients are drawn per step and fed to both
implementations (open loop), so ``p_k = p_0 + sum_j u_j`` differ only by rounding. Each step
rounds a bounded number of times (at most about 12 operations) relative to the *magnitude*
``U_j`` of what it computes: the reference's own step on ``(|g|, |p|)``, which accounts for
cancellation in traces and moments. The moment EMAs and sums contract, so errors grow at
most linearly in the step ``j``; both implementations err, so

    ``|p_optax,k - p_ref,k| <= sum_{j<=k} (32 + 16 j) EPS U_j + 2 EPS sum_{j<=k} |p_j|``

(the last term: rounding of each ``p + u``), plus ``8 k tiny`` (``tiny`` the smallest normal
float64): XLA on the CPU flushes subnormal results to zero, so each of a step's operations
may lose a value below ``tiny`` (seen: ``p = 7.4e-308`` with weight decay, where the
reference's ``p - lr wd p`` and optax's flushed ``p`` differ by 7.5e-313). Adam adds the conditioning of optax's
``1 - b**t`` (finding O2): a relative error ``EPS kappa_t``, ``kappa_t = b**t / (1 - b**t)``,
on each correction, ``EPS (kappa1_t + kappa2_t / 2)`` on the step. With weight decay the
error of ``p`` feeds back into ``g`` with gain at most ``lr wd / (1 - mu) <= 0.05`` per step,
for at most 8 steps: a factor ``1.05**8 < 2``.

**Initialisers** are compared as distributions on the real shapes (no bucketing, unlike the
adapter): ``N = properties.stats.N_VAR`` (22 528) draws of ``jax.nn.initializers.*`` against
the distribution the reference specifies for the jax conventions (layout axes, truncated
normal family), ``Var = scale / fan`` with ``reference.fan_in_fan_out`` on the same layout:
(i) ``stats.check_variance`` (mean 0, the family's excess kurtosis: uniform -1.2, normal 0,
truncated -0.6345), ``alpha = 1e-7``, sized by ``stats`` to catch a 10% variance error with
probability >= 1 - 1e-6; (ii) ``stats.check_distribution`` (one-sample KS against the exact
cdf, ``alpha = 1e-7``; ``D_crit`` = 0.0193); (iii) a two-sample KS against ``N`` reference
draws, ``D <= c(alpha) sqrt(2 / N)``, ``c(alpha) = sqrt(-ln(alpha / 2) / 2)``, ``alpha =
1e-7`` (``D_crit`` = 0.0273; a corroborating check, weaker than (i)); (iv) uniform and
truncated draws never exceed their bound (exact up to 4 eps; an untruncated normal passes
2.27 sigma with probability 0.023 per draw, so this is what separates truncated from not:
the two CDFs differ by only 0.017). At most 25 examples x 3 tests per run: family-wise
false-alarm probability below 1e-5. Shapes come from a fixed list of two (XLA compiles
jax.random once per shape, 0.3-2 s each: a drawn shape per example would take minutes; the
adapter's initialisers meet the laws on drawn shapes); seeds and initialiser are drawn.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from scipy import stats as sps  # noqa: E402

import reference as ref  # noqa: E402
from properties import stats  # noqa: E402

pytestmark = pytest.mark.differential

from tests.differential._strategies import EPS, LRS, problems, ref_trajectory as _ref_trajectory  # noqa: E402

TINY = float(np.finfo(np.float64).tiny)   # the smallest normal float64


# --- optimisers ------------------------------------------------------------------------------


_JIT: dict = {}


def _optax_trajectory(build, static: dict, hyper: dict, p0, grads):
    """Parameters after each step of ``build(**static, **hyper)`` fed ``grads``.

    ``update`` is jitted once per ``(build, static)`` with the numbers ``hyper`` traced (weakly
    typed float64 scalars, as optax sees Python floats), so drawn hyperparameters do not
    recompile; ``optax.apply_updates`` adds the update as an optax user would.
    """
    key = (build, tuple(sorted(static.items())))
    if key not in _JIT:
        _JIT[key] = (jax.jit(lambda hp, p: build(**static, **hp).init(p)),
                     jax.jit(lambda hp, g, s, p: build(**static, **hp).update(g, s, p)),
                     jax.jit(optax.apply_updates))
    init, update, apply = _JIT[key]
    p = jnp.asarray(p0, dtype=jnp.float64)
    state = init(hyper, p)
    out = []
    for g in grads:
        u, state = update(hyper, jnp.asarray(g), state, p)
        p = apply(p, u)
        out.append(np.asarray(p).copy())
    return out


def _magnitudes(make_ref, p0, grads, traj):
    """``U_j``: the reference's step on ``(|g_j|, |p_{j-1}|)`` (every signed term by its size)."""
    opt = make_ref()
    state = opt.init(np.abs(p0))
    prev = [np.abs(p0)] + [np.abs(q) for q in traj[:-1]]
    out = []
    for g, p in zip(np.abs(grads), prev):
        u, state = opt.update(g, state, p)
        out.append(np.abs(u))
    return out


def _compare(what, make_ref, p0, grads, got, kappa=None, feedback=1.0):
    want = _ref_trajectory(make_ref(), p0, grads)
    U = _magnitudes(make_ref, p0, grads, want)
    acc_u, acc_p = np.zeros_like(p0), np.abs(p0)
    for j, (x, y) in enumerate(zip(got, want), 1):
        c = 1.0 if kappa is None else 1.0 + kappa(j) / (32 + 16 * j)
        acc_u = acc_u + (32 + 16 * j) * EPS * U[j - 1] * c
        acc_p = acc_p + np.abs(y)
        # XLA on the CPU flushes subnormal results to zero: each of a step's ~6 operations
        # may lose a value below the smallest normal number, an absolute error the
        # relative (eps) terms cannot cover when p or a product lands near 1e-308.
        tol = feedback * (acc_u + 2 * EPS * acc_p + 8 * j * TINY)
        err = np.abs(x - y)
        if not np.all(err <= tol):
            i = int(np.argmax(err - tol))
            raise AssertionError(f"{what} step {j}: optax p={x!r}, reference p={y!r}; |diff|[{i}]="
                                 f"{err[i]:.3g} > tol {tol[i]:.3g} (p0={p0!r}, grads={grads!r})")


def _sgd(lr, momentum, nesterov, wd, has_wd):
    tx = optax.sgd(lr, momentum=momentum, nesterov=nesterov)
    return optax.chain(optax.add_decayed_weights(wd), tx) if has_wd else tx


@given(pg=problems(), lr=LRS, momentum=st.sampled_from([None, 0.5, 0.9, 0.95]), nesterov=st.booleans(),
       weight_decay=st.sampled_from([0.0, 0.01]))
def test_sgd_trajectories_match(pg, lr, momentum, nesterov, weight_decay):
    """optax.sgd (after add_decayed_weights) = reference sgd (lr outside the trace, b_1 = g, coupled L2)."""
    p0, grads = pg
    hyper = dict(lr=lr, wd=weight_decay)
    static = dict(momentum=momentum, nesterov=nesterov, has_wd=weight_decay > 0)
    if momentum is not None:
        hyper["momentum"] = momentum
        del static["momentum"]
    got = _optax_trajectory(_sgd, static, hyper, p0, grads)
    _compare(f"sgd(lr={lr}, momentum={momentum}, nesterov={nesterov}, wd={weight_decay})",
             lambda: ref.sgd(lr, momentum=momentum or 0.0, nesterov=nesterov, weight_decay=weight_decay),
             p0, grads, got, feedback=2.0 if weight_decay else 1.0)


def _adagrad(lr, g0, eps):
    return optax.adagrad(lr, initial_accumulator_value=g0, eps=eps)


@given(pg=problems(), lr=LRS, g0=st.sampled_from([0.0, 0.1, 1.0]), eps=st.sampled_from([1e-7, 1e-3]))
def test_adagrad_trajectories_match(pg, lr, g0, eps):
    """optax.adagrad = reference adagrad(G_0, eps inside the root)."""
    p0, grads = pg
    got = _optax_trajectory(_adagrad, {}, dict(lr=lr, g0=g0, eps=eps), p0, grads)
    _compare(f"adagrad(lr={lr}, G_0={g0}, eps={eps})",
             lambda: ref.adagrad(lr, eps=eps, initial_accumulator_value=g0, eps_inside_sqrt=True), p0, grads, got)


def _rmsprop(lr, decay, eps, eps_in_sqrt, momentum, bias_correction):
    return optax.rmsprop(lr, decay=decay, eps=eps, eps_in_sqrt=eps_in_sqrt, momentum=momentum,
                         bias_correction=bias_correction)


@given(pg=problems(), lr=LRS, decay=st.sampled_from([0.5, 0.9, 0.99]), eps=st.sampled_from([1e-8, 1e-3]),
       eps_in_sqrt=st.booleans(), momentum=st.sampled_from([None, 0.9]), bias_correction=st.booleans())
def test_rmsprop_trajectories_match(pg, lr, decay, eps, eps_in_sqrt, momentum, bias_correction):
    """optax.rmsprop = reference rmsprop(rho=decay, eps placement, momentum, bias_correction) (constant lr)."""
    p0, grads = pg
    static = dict(eps_in_sqrt=eps_in_sqrt, bias_correction=bias_correction)
    hyper = dict(lr=lr, decay=decay, eps=eps)
    if momentum is None:
        static["momentum"] = None
    else:
        hyper["momentum"] = momentum
    got = _optax_trajectory(_rmsprop, static, hyper, p0, grads)
    kappa = (lambda t: (decay**t / (1 - decay**t)) / 2) if bias_correction else None
    _compare(f"rmsprop(lr={lr}, decay={decay}, eps={eps}, eps_in_sqrt={eps_in_sqrt}, momentum={momentum}, "
             f"bias_correction={bias_correction})",
             lambda: ref.rmsprop(lr, rho=decay, eps=eps, eps_inside_sqrt=eps_in_sqrt, momentum=momentum or 0.0,
                                 bias_correction=bias_correction), p0, grads, got, kappa=kappa)


def _adadelta(lr, rho, eps):
    return optax.adadelta(lr, rho=rho, eps=eps)


@given(pg=problems(), lr=st.sampled_from([1.0, 0.5, 2.0]), rho=st.sampled_from([0.5, 0.9, 0.95]),
       eps=st.sampled_from([1e-6, 1e-3]))
def test_adadelta_trajectories_match(pg, lr, rho, eps):
    """optax.adadelta(lr) = reference adadelta(lr, rho, eps) (eps inside both roots, E[dx^2] before lr)."""
    p0, grads = pg
    got = _optax_trajectory(_adadelta, {}, dict(lr=lr, rho=rho, eps=eps), p0, grads)
    _compare(f"adadelta(lr={lr}, rho={rho}, eps={eps})", lambda: ref.adadelta(lr, rho=rho, eps=eps), p0, grads, got)


def _adadelta_default(rho, eps):
    return optax.adadelta(rho=rho, eps=eps)


@given(pg=problems(), rho=st.sampled_from([0.5, 0.9, 0.95]), eps=st.sampled_from([1e-6, 1e-3]))
def test_adadelta_default_lr_is_reference_with_lr_minus_one(pg, rho, eps):
    """Finding O1, pinned: optax.adadelta() (learning_rate=None) steps along +Delta, i.e. it is the
    reference adadelta with lr = -1 (an ascent), not Zeiler's lr-free descent (reference lr = 1)."""
    p0, grads = pg
    got = _optax_trajectory(_adadelta_default, {}, dict(rho=rho, eps=eps), p0, grads)
    _compare(f"adadelta(rho={rho}, eps={eps}) vs reference lr=-1",
             lambda: _negated(ref.adadelta(1.0, rho=rho, eps=eps)),
             p0, grads, got)


def _negated(opt):
    """``opt`` with every update negated (the reference validates lr > 0, so lr = -1 is spelled so)."""
    def update(g, s, p=None):
        u, s = opt.update(g, s, p)
        return -u, s
    return ref.Optimizer(opt.init, update)


def _adam(lr, b1, b2, eps, eps_root, wd, has_wd):
    if has_wd:
        return optax.adamw(lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root, weight_decay=wd)
    return optax.adam(lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root)


@given(pg=problems(), lr=LRS, b1=st.sampled_from([0.0, 0.5, 0.9]), b2=st.sampled_from([0.5, 0.9, 0.999]),
       eps=st.sampled_from([1e-8, 1e-3]), eps_root=st.sampled_from([0.0, 1e-8]),
       weight_decay=st.sampled_from([0.0, 0.01]))
def test_adam_trajectories_match(pg, lr, b1, b2, eps, eps_root, weight_decay):
    """optax.adam / adamw = reference adam (eps on sqrt(v_hat + eps_root), decoupled weight decay)."""
    p0, grads = pg
    got = _optax_trajectory(_adam, dict(has_wd=weight_decay > 0),
                            dict(lr=lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root, wd=weight_decay), p0, grads)

    def kappa(t):
        k1 = b1**t / (1 - b1**t) if b1 else 0.0
        return k1 + (b2**t / (1 - b2**t)) / 2

    _compare(f"adam(lr={lr}, b1={b1}, b2={b2}, eps={eps}, eps_root={eps_root}, wd={weight_decay})",
             lambda: ref.adam(lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root, eps_form="sqrt_vhat",
                              weight_decay=weight_decay),
             p0, grads, got, kappa=kappa, feedback=2.0 if weight_decay else 1.0)


def _amsgrad(lr, b1, b2, eps):
    return optax.amsgrad(lr, b1=b1, b2=b2, eps=eps)


@given(pg=problems(), lr=LRS, b1=st.sampled_from([0.0, 0.5, 0.9]), b2=st.sampled_from([0.5, 0.9, 0.999]),
       eps=st.sampled_from([1e-8, 1e-3]))
def test_amsgrad_matches_optax_form(pg, lr, b1, b2, eps):
    """optax.amsgrad = max over the bias-corrected v_hat (optax/_src/transform.py L321), which no
    reference option expresses (the reference, like torch, takes the max of the raw v): compared
    with a plain-float oracle of optax's form, same tolerance rule as above (magnitudes from the
    oracle on |g|)."""
    p0, grads = pg
    got = _optax_trajectory(_amsgrad, {}, dict(lr=lr, b1=b1, b2=b2, eps=eps), p0, grads)

    def oracle(gs, absolute=False):
        m = v = vmax = np.zeros_like(p0)
        p, out, steps = np.array(p0), [], []
        for t, g in enumerate(gs, 1):
            g = np.abs(g) if absolute else g
            m = (1 - b1) * g + b1 * m
            v = (1 - b2) * g * g + b2 * v
            vmax = np.maximum(vmax, v / (1 - b2**t))
            u = -lr * (m / (1 - b1**t)) / (np.sqrt(vmax) + eps)
            steps.append(np.abs(u))
            p = p + u
            out.append(p.copy())
        return out, steps

    want, _ = oracle(grads)
    _, U = oracle(grads, absolute=True)
    acc_u, acc_p = np.zeros_like(p0), np.abs(p0)
    for j, (x, y) in enumerate(zip(got, want), 1):
        k = (b1**j / (1 - b1**j) if b1 else 0.0) + (b2**j / (1 - b2**j)) / 2
        acc_u = acc_u + ((32 + 16 * j) + k) * EPS * U[j - 1]
        acc_p = acc_p + np.abs(y)
        tol = acc_u + 2 * EPS * acc_p
        assert np.all(np.abs(x - y) <= tol), f"amsgrad step {j}: optax {x!r}, oracle {y!r} (grads {grads!r})"


# --- jax.nn.initializers ---------------------------------------------------------------------

N_INIT = stats.N_VAR
ALPHA = stats.ALPHA
TRUNC_STD = 0.87962566103423978
I = jax.nn.initializers

#: (shape, layout): a dense shape in torch layout and a 2-d convolution in Keras/JAX layout
#: (receptive field 9), >= 1024 entries each.
SHAPES = [((64, 32), "torch"), ((3, 3, 8, 24), "keras")]
#: jax name -> (jax factory(**axes), reference call(shape, rng, layout), distribution, mode, scale)
INITS = {
    "glorot_uniform": (I.glorot_uniform, lambda s, r, lay: ref.glorot_uniform(s, r, layout=lay),
                       "uniform", "fan_avg", 1.0),
    "glorot_normal": (I.glorot_normal, lambda s, r, lay: ref.glorot_normal(s, r, layout=lay, truncated=True),
                      "truncated_normal", "fan_avg", 1.0),
    "he_uniform": (I.he_uniform, lambda s, r, lay: ref.he_uniform(s, r, layout=lay), "uniform", "fan_in", 2.0),
    "he_normal": (I.he_normal, lambda s, r, lay: ref.he_normal(s, r, layout=lay, truncated=True),
                  "truncated_normal", "fan_in", 2.0),
    "lecun_uniform": (I.lecun_uniform, lambda s, r, lay: ref.lecun_uniform(s, r, layout=lay), "uniform", "fan_in", 1.0),
    "lecun_normal": (I.lecun_normal, lambda s, r, lay: ref.lecun_normal(s, r, layout=lay, truncated=True),
                     "truncated_normal", "fan_in", 1.0),
    "variance_scaling(2, fan_out, normal)": (
        lambda **ax: I.variance_scaling(2.0, "fan_out", "normal", **ax),
        lambda s, r, lay: ref.variance_scaling(s, r, scale=2.0, mode="fan_out", distribution="normal", layout=lay),
        "normal", "fan_out", 2.0),
}


def _reference_distribution(shape, layout, distribution, mode, scale):
    """The reference's ``Var = scale / fan`` (reference fans), its distribution, bound and excess kurtosis."""
    fi, fo = ref.fan_in_fan_out(shape, layout=layout)
    var = scale / {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    if distribution == "uniform":
        b = math.sqrt(3 * var)
        return var, sps.uniform(-b, 2 * b), b, -1.2
    if distribution == "normal":
        return var, sps.norm(scale=math.sqrt(var)), None, 0.0
    s0 = math.sqrt(var) / TRUNC_STD
    return var, sps.truncnorm(-2, 2, scale=s0), 2 * s0, float(sps.truncnorm(-2, 2).stats(moments="k"))


@given(name=st.sampled_from(sorted(INITS)), case=st.sampled_from(SHAPES), seed=stats.seeds())
def test_initializer_distributions_match(name, case, seed):
    """jax.nn.initializers draws (real shapes) follow the reference's distribution for the jax
    conventions (layout axes, truncated normal family): one-sample KS against the exact cdf and
    two-sample KS against reference draws (alpha 1e-7 each); bounds exact."""
    shape, layout = case
    factory, draw_ref, distribution, mode, scale = INITS[name]
    axes = {"in_axis": 1, "out_axis": 0} if layout == "torch" else {}
    init = factory(dtype=jnp.float64, **axes)
    size = math.prod(shape)
    keys = jax.random.split(jax.random.key(seed % 2**32), -(-N_INIT // size))
    jw = np.concatenate([np.asarray(init(k, shape)).ravel() for k in keys])[:N_INIT]
    rng = stats.rng_from(seed)
    rw = np.concatenate([np.asarray(draw_ref(shape, rng, layout)).ravel() for _ in keys])[:N_INIT]
    var, dist, bound, kurt = _reference_distribution(shape, layout, distribution, mode, scale)
    what = f"jax.nn.initializers.{name} on {shape} ({layout} layout)"
    if bound is not None:
        assert np.abs(jw).max() <= bound * (1 + 4 * EPS), f"{what}: max|w| = {np.abs(jw).max()!r} > bound {bound!r}"
    stats.check_variance(jw, var, mean=0.0, excess_kurtosis=kurt, alpha=ALPHA, what=what, seed=seed)
    stats.check_distribution(jw, dist, alpha=ALPHA, what=what, seed=seed)
    d = sps.ks_2samp(jw, rw).statistic
    crit = math.sqrt(-math.log(ALPHA / 2) / 2) * math.sqrt(2 / N_INIT)
    assert d <= crit, (f"{what}: two-sample KS against the reference D={d:.4g} > {crit:.4g} (alpha={ALPHA}, "
                       f"n=m={N_INIT}, seed={seed}); jax std {jw.std():.6g}, reference std {rw.std():.6g}")


def test_adapter_initialiser_variance_is_bitwise_jax_real_shape_variance():
    """The adapter draws at a bucketed (F, F) shape with scale * F / fan (properties/targets/optax.py
    ``_vs``); F is a power of two, so the variance jax computes there equals, bit for bit, the
    variance jax computes for the real shape. Checked on the shapes above and all three modes."""
    from jax._src.nn.initializers import _compute_fans

    from properties.targets import optax as adapter
    for shape, layout in SHAPES:
        axes = adapter._axes(layout, len(shape))
        fi, fo = _compute_fans(shape, **axes)
        for mode, fan in (("fan_in", fi), ("fan_out", fo), ("fan_avg", (fi + fo) / 2)):
            for scale in (1.0, 2.0, 25.0 / 9.0, 2.0 / (1 + 0.01**2)):
                f = adapter._bucket(math.prod(shape))
                assert (scale * f / fan) / f == scale / fan, (shape, layout, mode, scale)
