"""Differential: Keras 3's optimisers, initialisers, BatchNormalization, Normalization and
activations against the reference.

keras is called directly here (not through ``properties/targets/keras.py``) on the backend
named by ``KERAS_BACKEND`` (default jax, with ``jax_enable_x64``; torch works too), with
``keras.config.set_floatx("float64")``, and the reference is configured with Keras's
conventions (``/work/shared/conventions.md`` sections 1-7 and 12, re-read in keras 3.15.1's
``keras/src``; the adapter's ``CONVENTIONS`` has the links):

* ``SGD(lr, momentum, nesterov)`` -> ``sgd(lr, momentum, nesterov, lr_inside_velocity=True)``
  (``m <- mu m - lr g``, Nesterov ``p <- p + mu m - lr g``; ``sgd.py`` ``update_step``).
  ``SGD(weight_decay=wd)`` is decoupled (``base_optimizer.py`` ``_apply_weight_decay``:
  ``p <- p - p wd lr`` before the step): without momentum it is the reference's coupled
  ``sgd(weight_decay=wd)``, so it is drawn with momentum 0 only (with momentum no reference
  option expresses it);
* ``Adagrad(lr, initial_accumulator_value, epsilon)`` -> ``adagrad(lr, eps, G_0,
  eps_inside_sqrt=True)`` (``sqrt(G + eps)``, no mask; G_0 = 0 is drawn with eps > 0 only);
* ``RMSprop(lr, rho, momentum, epsilon, centered)`` -> ``rmsprop(lr, rho, eps,
  eps_inside_sqrt=True, centered, momentum)``; Keras keeps lr inside its momentum buffer,
  the reference outside (``b_keras = lr b_ref``): the same trajectory at a constant lr;
* ``Adadelta(lr, rho, epsilon)`` -> ``adadelta(lr, rho, eps)`` (eps inside both roots);
* ``Adam(lr, beta_1, beta_2, epsilon, amsgrad)`` -> ``adam(..., eps_form="eps_hat",
  amsgrad)`` (``alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t)``, ``p <- p - alpha_t m / (sqrt(v) +
  eps)``, AMSGrad on the raw v); ``AdamW(weight_decay=wd)`` and ``Adam(weight_decay=wd)`` ->
  ``adam(weight_decay=wd)``: Keras does ``p <- p - p wd lr`` before the Adam step, the
  reference ``p - lr (u + wd p)`` with the step ``u`` independent of ``p``: equal.

Every eps is > 0 (at eps = 0 Keras divides 0 by 0: finding K2).

**Optimiser tolerances** (``EPS = 2**-52``), derived as in ``test_optax.py`` /
``test_torch.py``: gradients are drawn per step and fed to both (open loop), so the
trajectories differ only by rounding. Each step rounds a bounded number of times (Keras's
Adam at most about 17 operations, the reference's about 12) relative to the magnitude ``U_j``
of the step computed with every signed term replaced by its size (:func:`_magnitudes`); the
moment EMAs and sums contract, so their errors grow at most linearly in ``j``:

    ``|p_keras,k - p_ref,k| <= sum_{j<=k} (32 + 16 j) EPS U_j + 2 EPS sum_{j<=k} |p_j|``.

Three Keras forms need more than the plain magnitude: (i) Keras's moments ``m + (1 - b1)(g -
m)`` round relative to ``|g| + |m_{t-1}|``, not to ``|m_t|`` (at ``b1 = 0`` the new ``m`` is
``g`` computed as ``m + (g - m)``): Adam's magnitude uses ``A_t + (1 - b1) A_{t-1}`` for the
first moment (``A`` its EMA on ``|g|``); ``v`` stays relatively accurate for ``b2 >= 0.5``,
``(1 - b2) v_{t-1} <= v_t``. (ii) ``1 - beta**t`` (finding K6): a relative error ``EPS
(kappa1_t + kappa2_t / 2)``, ``kappa_t = b**t / (1 - b**t)``, added to ``U_j``'s factor.
(iii) Centred RMSprop's denominator ``v - a^2 + eps`` cancels: an error ``c j EPS (v + A^2)``
(``A`` the EMA of ``|g|``) relative to it, so ``U_j`` carries the factor ``1 + 2 kappa_j``,
``kappa_j = (v + A^2) / (v - a^2 + eps)``. Weight decay feeds the error of ``p`` back only
through ``p (1 - lr wd)``, a contraction: no feedback factor.

**Initialisers** are compared as distributions on real Keras-layout shapes (``[in, out]``
and ``[*k, in, out]``) exactly as in ``test_optax.py``: ``N = properties.stats.N_VAR``
(22 528) draws of one Keras call (the shapes hold 23 040 values, so one seeded call gives
them) against the reference's distribution with ``layout="keras"``, ``Var = scale / fan``:
(i) ``stats.check_variance`` (mean 0, the family's excess kurtosis), ``alpha = 1e-7``;
(ii) ``stats.check_distribution`` (one-sample KS, ``alpha = 1e-7``); (iii) a two-sample KS
against ``N`` reference draws, ``alpha = 1e-7`` (``D_crit`` 0.0273); (iv) bounds. Keras's
``distribution="normal"`` is its truncated normal (``random_initializers.py``: "normal" is
mapped to "truncated_normal"), ``"untruncated_normal"`` the plain normal; ``TruncatedNormal
(stddev=s)`` truncates at ``+-2 s`` *without* the 0.8796 correction, i.e. the reference's
truncated family with ``sigma0 = s``. Bound (iv): uniform and truncated draws never exceed
their bound (up to 4 EPS), except on the **torch backend**, whose truncated normal keeps an
untruncated draw with probability ``P(|Z| > 2)**4 = 4.3e-6`` (finding K7 in
``properties/findings/keras.py`` on branch ``s2-keras``: ``keras/src/backend/torch/random.py``
takes the first of 4 draws inside (-2, 2), and the first draw when none is): there the check is
that at most 5 of the ``N`` draws lie beyond (Poisson with mean ``N * 4.3e-6 = 0.097`` exceeds
5 with probability 1.1e-9; an untruncated normal puts ~1000 there), and
:func:`test_k7_torch_truncated_normal_keeps_untruncated_draws` pins K7 itself (exact binomial
test, alpha 1e-7). At most 25 examples x 3 tests at 1e-7 plus these: family-wise false alarm
below 1e-5.

**BatchNormalization and Normalization: K1.** keras 3.15.1 computes BatchNormalization in
float32 for float64 inputs (``compute_dtype = backend.result_type(inputs.dtype, "float32")``
is float32, ``BIT64_TO_BIT32_DTYPE``), and ``keras.ops.mean`` / ``var`` too;
:func:`test_k1_float64_is_computed_in_float32` pins it on fixed inputs and fails when Keras
fixes it. The BatchNormalization test therefore compares on **float32-representable data**
(``x``, ``gamma``, ``beta`` exact in float32, so Keras's cast loses nothing) with the rounding
bounds of ``test_torch.py`` evaluated at the float32 unit ``u = EPS32 = 2**-23`` (valid
whether a given Keras operation runs in float32 or float64); the reference's own float64
error is below them by 2**-29. Per channel, ``m`` values, ``kappa = max|x| / sqrt(var +
eps)``:

* batch mean ``|d mu| <= (m + 1) u max|x|``; batch variance: the jax backend's two-pass
  ``jnp.var``: ``|d var| <= (m + 3) u var + ((m + 1) u max|x|)^2``; the torch backend's
  ``E[x^2] - E[x]^2`` (conventions.md section 6): ``|d var| <= (3m + 6) u max|x|^2`` (the
  square of ``kappa``: catastrophic cancellation);
* output ``|dy| <= |gamma| (4 (m + 2) u max(kappa, 1) + sqrt(m) (|d var| / (var + eps) +
  4u)) + 4u |beta|`` (``|x_hat| <= sqrt(m)``; valid while ``|d var| <= (var + eps) / 4``: other
  examples are rejected, and on the torch backend that is where Keras's batch variance can
  come out negative and its output NaN, pinned by
  :func:`test_torch_backend_batchnorm_of_a_constant_channel_is_nan`);
* moving statistics (``moving <- momentum moving + (1 - momentum) batch``, biased variance,
  from 0 and 1; the float64 variables are cast to float32 for each update): per batch ``|d
  mean| + 4u (max|moving| + max|x|)``, resp. ``|d var| + 4u (max|moving| + var)``, summed;
* inference ``x inv + (beta - mean inv)``: ``6u |gamma| (|x| + |mean|) / sqrt(var + eps) + 4u
  |beta|``, on the layer's own moving statistics.

``Normalization.adapt`` on a numpy array uses ``np.mean`` / ``np.var`` (float64 on every
backend): mean within ``2 (n + 1) EPS max|x|``, variance within ``2 (n + 3) EPS var + 2 ((n +
1) EPS max|x|)^2``. Its ``call`` ``(x - mean) / max(sqrt(var), 1e-7)`` is float64 on jax; on
the torch backend ``maximum(sqrt(var), 1e-7)`` comes back in float32 (K1; the divisor gets a
relative error ``u``), so the divisor's unit is ``EPS32`` there and ``EPS`` on jax. A feature
whose standard deviation is below 1e-7 is divided by 1e-7 (finding K5, Keras's documented
rule): those are compared with Keras's rule, not with the reference's divisor 1.

**Activations**: ``relu`` is ``max(x, 0)`` exactly; ``sigmoid`` and ``tanh`` within ``8 EPS``
relative (one correctly rounded ``exp``/``tanh`` of an exact input, at most 4 roundings
each); ``tanh`` on the jax backend is computed in float32 (K1): ``4 EPS32 |t| + EPS32 |x| (1 -
t^2) + 2**-126``.
"""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

BACKEND = os.environ.setdefault("KERAS_BACKEND", "jax")
if BACKEND == "jax":
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
elif BACKEND == "torch":
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)          # small arrays; OpenMP spin-waits on a shared machine
keras = pytest.importorskip("keras")
keras.config.set_floatx("float64")
from scipy import stats as sps  # noqa: E402

import reference as ref  # noqa: E402
from properties import stats  # noqa: E402

pytestmark = pytest.mark.differential

from tests.differential._strategies import EPS, LRS, problems, ref_trajectory as _ref_trajectory  # noqa: E402

EPS32 = float(np.finfo(np.float32).eps)      # 2**-23
TINY = float(np.finfo(np.float64).tiny)
assert keras.backend.backend() == BACKEND


def _np(x) -> np.ndarray:
    # The torch backend's convert_to_numpy calls np.array(tensor): numpy 2 warns on every call.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.array(keras.ops.convert_to_numpy(x), dtype=np.float64, copy=True)


def _is_float32(a) -> bool:
    a = np.asarray(a, dtype=np.float64)
    return bool(np.all(a.astype(np.float32).astype(np.float64) == a))


# --- optimisers ------------------------------------------------------------------------------


def _keras_trajectory(make, p0, grads):
    """Parameters after each ``apply_gradients`` of the Keras optimiser ``make()`` on a float64 variable."""
    var = keras.Variable(np.array(p0), dtype="float64")
    opt = make()
    out = []
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(np.array(g)), var)])
        out.append(_np(var.value))
    assert str(opt.learning_rate.dtype).endswith("float64"), opt.learning_rate.dtype
    return out


def _magnitudes(kind, kw, p0, grads, traj):
    """``U_j``: the step of Keras's recursion with every signed term replaced by its size,
    times the conditioning factors of the module docstring."""
    lr = kw["lr"]
    a = np.abs(grads)
    d = grads.shape[1]
    prev_p = [np.abs(p0)] + [np.abs(q) for q in traj[:-1]]
    out = []
    if kind == "sgd":
        mu, wd = kw["momentum"], kw["weight_decay"]
        b = np.zeros(d)
        for g, p in zip(a, prev_p):
            if mu:
                b = mu * b + lr * g
                out.append(mu * b + lr * g if kw["nesterov"] else b)
            else:
                out.append(lr * g + lr * wd * p)
    elif kind == "adagrad":
        G = np.full(d, kw["g0"])
        for g in a:
            G = G + g * g
            out.append(lr * g / np.sqrt(G + kw["eps"]))
    elif kind == "rmsprop":
        rho, mu, eps = kw["rho"], kw["momentum"], kw["eps"]
        v, A, avg, b = np.zeros(d), np.zeros(d), np.zeros(d), np.zeros(d)
        for g, gs in zip(a, grads):
            v = rho * v + (1 - rho) * g * g
            if kw["centered"]:
                A = rho * A + (1 - rho) * g
                avg = rho * avg + (1 - rho) * gs
                den = np.maximum(v - avg * avg, 0.0) + eps
                kappa = (v + A * A) / den
            else:
                den, kappa = v + eps, 0.0
            inc = lr * g / np.sqrt(den) * (1 + 2 * kappa)
            b = mu * b + inc
            out.append(b if mu else inc)
    elif kind == "adadelta":
        rho, eps = kw["rho"], kw["eps"]
        eg, ex = np.zeros(d), np.zeros(d)
        for g in a:
            eg = rho * eg + (1 - rho) * g * g
            dx = np.sqrt(ex + eps) / np.sqrt(eg + eps) * g
            ex = rho * ex + (1 - rho) * dx * dx
            out.append(lr * dx)
    else:  # adam
        b1, b2, eps, wd = kw["b1"], kw["b2"], kw["eps"], kw["weight_decay"]
        A, v, vmax = np.zeros(d), np.zeros(d), np.zeros(d)
        for t, (g, p) in enumerate(zip(a, prev_p), 1):
            A_prev = A
            A = b1 * A + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vmax = np.maximum(vmax, v)
            c1, c2 = 1 - b1**t, 1 - b2**t
            k1, k2 = b1**t / c1, b2**t / c2
            alpha = lr * math.sqrt(c2) / c1
            den = np.sqrt(vmax if kw["amsgrad"] else v) + eps
            out.append(alpha * (A + (1 - b1) * A_prev) / den * (1 + (k1 + k2 / 2) / (32 + 16 * t)) + lr * wd * p)
    return out


def _compare(kind, kw, p0, grads, got, want):
    U = _magnitudes(kind, kw, p0, grads, want)
    acc_u, acc_p = np.zeros_like(p0), np.abs(p0)
    for j, (x, y) in enumerate(zip(got, want), 1):
        acc_u = acc_u + (32 + 16 * j) * EPS * U[j - 1]
        acc_p = acc_p + np.abs(y)
        # XLA on the CPU flushes subnormal results to zero (test_optax.py): 8 j tiny absolute.
        tol = acc_u + 2 * EPS * acc_p + 8 * j * TINY
        err = np.abs(x - y)
        if not np.all(err <= tol):
            i = int(np.argmax(err - tol))
            raise AssertionError(f"{kind}({kw}) step {j} [{BACKEND}]: keras p={x!r}, reference p={y!r}; |diff|[{i}]="
                                 f"{err[i]:.3g} > tol {tol[i]:.3g} (p0={p0!r}, grads={grads!r})")


@given(pg=problems(), lr=LRS, momentum=st.sampled_from([0.0, 0.5, 0.9, 0.95]), nesterov=st.booleans(),
       weight_decay=st.sampled_from([0.0, 0.01]))
def test_sgd_trajectories_match(pg, lr, momentum, nesterov, weight_decay):
    """keras SGD = reference sgd(lr_inside_velocity=True); decoupled weight decay without momentum
    = the reference's coupled L2 (drawn only with momentum 0)."""
    p0, grads = pg
    if momentum:
        weight_decay = 0.0
    kw = dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    got = _keras_trajectory(lambda: keras.optimizers.SGD(learning_rate=lr, momentum=momentum, nesterov=nesterov,
                                                         weight_decay=weight_decay or None), p0, grads)
    want = _ref_trajectory(ref.sgd(lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay,
                                   lr_inside_velocity=True), p0, grads)
    _compare("sgd", kw, p0, grads, got, want)


@given(pg=problems(), lr=LRS, g0=st.sampled_from([0.0, 0.1, 1.0]), eps=st.sampled_from([1e-7, 1e-3]))
def test_adagrad_trajectories_match(pg, lr, g0, eps):
    """keras Adagrad = reference adagrad(G_0, eps inside the root)."""
    p0, grads = pg
    kw = dict(lr=lr, g0=g0, eps=eps)
    got = _keras_trajectory(lambda: keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=g0,
                                                             epsilon=eps), p0, grads)
    want = _ref_trajectory(ref.adagrad(lr, eps=eps, initial_accumulator_value=g0, eps_inside_sqrt=True), p0, grads)
    _compare("adagrad", kw, p0, grads, got, want)


@given(pg=problems(), lr=LRS, rho=st.sampled_from([0.5, 0.9, 0.99]), eps=st.sampled_from([1e-7, 1e-3]),
       momentum=st.sampled_from([0.0, 0.9]), centered=st.booleans())
def test_rmsprop_trajectories_match(pg, lr, rho, eps, momentum, centered):
    """keras RMSprop = reference rmsprop(rho, eps inside the root, centered, momentum) (constant lr)."""
    p0, grads = pg
    kw = dict(lr=lr, rho=rho, eps=eps, momentum=momentum, centered=centered)
    got = _keras_trajectory(lambda: keras.optimizers.RMSprop(learning_rate=lr, rho=rho, momentum=momentum,
                                                             epsilon=eps, centered=centered), p0, grads)
    want = _ref_trajectory(ref.rmsprop(lr, rho=rho, eps=eps, eps_inside_sqrt=True, centered=centered,
                                       momentum=momentum), p0, grads)
    _compare("rmsprop", kw, p0, grads, got, want)


@given(pg=problems(), lr=st.sampled_from([1.0, 0.5, 1e-3]), rho=st.sampled_from([0.5, 0.9, 0.95]),
       eps=st.sampled_from([1e-7, 1e-6, 1e-3]))
def test_adadelta_trajectories_match(pg, lr, rho, eps):
    """keras Adadelta = reference adadelta(lr, rho, eps) (eps inside both roots, E[dx^2] before lr)."""
    p0, grads = pg
    kw = dict(lr=lr, rho=rho, eps=eps)
    got = _keras_trajectory(lambda: keras.optimizers.Adadelta(learning_rate=lr, rho=rho, epsilon=eps), p0, grads)
    want = _ref_trajectory(ref.adadelta(lr, rho=rho, eps=eps), p0, grads)
    _compare("adadelta", kw, p0, grads, got, want)


@given(pg=problems(), lr=LRS, b1=st.sampled_from([0.0, 0.5, 0.9]), b2=st.sampled_from([0.5, 0.9, 0.999]),
       eps=st.sampled_from([1e-7, 1e-3]), amsgrad=st.booleans(), weight_decay=st.sampled_from([0.0, 0.004, 0.01]),
       adamw=st.booleans())
def test_adam_trajectories_match(pg, lr, b1, b2, eps, amsgrad, weight_decay, adamw):
    """keras Adam / AdamW (or Adam(weight_decay)) = reference adam(eps_form="eps_hat", amsgrad on the raw v,
    decoupled weight decay)."""
    p0, grads = pg
    kw = dict(lr=lr, b1=b1, b2=b2, eps=eps, amsgrad=amsgrad, weight_decay=weight_decay)
    args = dict(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps, amsgrad=amsgrad)
    if weight_decay and adamw:
        make = lambda: keras.optimizers.AdamW(weight_decay=weight_decay, **args)  # noqa: E731
    else:
        make = lambda: keras.optimizers.Adam(weight_decay=weight_decay or None, **args)  # noqa: E731
    got = _keras_trajectory(make, p0, grads)
    want = _ref_trajectory(ref.adam(lr, b1=b1, b2=b2, eps=eps, eps_form="eps_hat", amsgrad=amsgrad,
                                    weight_decay=weight_decay), p0, grads)
    _compare("adam", kw, p0, grads, got, want)


# --- initialisers ----------------------------------------------------------------------------

N_INIT = stats.N_VAR
ALPHA = stats.ALPHA
TRUNC_STD = 0.87962566103423978
KI = keras.initializers

#: Keras layout ([in, out] and [*k, in, out]), 23 040 values each (>= N_INIT: one call).
SHAPES = [(144, 160), (3, 3, 64, 40)]
#: name -> (keras initializer(seed), reference call(shape, rng), distribution, mode, scale)
INITS = {
    "GlorotUniform": (lambda s: KI.GlorotUniform(seed=s), lambda sh, r: ref.glorot_uniform(sh, r, layout="keras"),
                      "uniform", "fan_avg", 1.0),
    "GlorotNormal": (lambda s: KI.GlorotNormal(seed=s),
                     lambda sh, r: ref.glorot_normal(sh, r, layout="keras", truncated=True),
                     "truncated_normal", "fan_avg", 1.0),
    "HeUniform": (lambda s: KI.HeUniform(seed=s), lambda sh, r: ref.he_uniform(sh, r, layout="keras"),
                  "uniform", "fan_in", 2.0),
    "HeNormal": (lambda s: KI.HeNormal(seed=s), lambda sh, r: ref.he_normal(sh, r, layout="keras", truncated=True),
                 "truncated_normal", "fan_in", 2.0),
    "LecunUniform": (lambda s: KI.LecunUniform(seed=s), lambda sh, r: ref.lecun_uniform(sh, r, layout="keras"),
                     "uniform", "fan_in", 1.0),
    "LecunNormal": (lambda s: KI.LecunNormal(seed=s),
                    lambda sh, r: ref.lecun_normal(sh, r, layout="keras", truncated=True),
                    "truncated_normal", "fan_in", 1.0),
    # Keras's "normal" is its truncated normal.
    "VarianceScaling(2, fan_out, normal)": (
        lambda s: KI.VarianceScaling(2.0, "fan_out", "normal", seed=s),
        lambda sh, r: ref.variance_scaling(sh, r, scale=2.0, mode="fan_out", distribution="truncated_normal",
                                           layout="keras"),
        "truncated_normal", "fan_out", 2.0),
    "VarianceScaling(0.5, fan_avg, untruncated_normal)": (
        lambda s: KI.VarianceScaling(0.5, "fan_avg", "untruncated_normal", seed=s),
        lambda sh, r: ref.variance_scaling(sh, r, scale=0.5, mode="fan_avg", distribution="normal", layout="keras"),
        "normal", "fan_avg", 0.5),
    "VarianceScaling(3, fan_in, uniform)": (
        lambda s: KI.VarianceScaling(3.0, "fan_in", "uniform", seed=s),
        lambda sh, r: ref.variance_scaling(sh, r, scale=3.0, mode="fan_in", distribution="uniform", layout="keras"),
        "uniform", "fan_in", 3.0),
    # TruncatedNormal(stddev=0.05): +-2 * 0.05, no 0.8796 correction: the reference's truncated
    # family with sigma0 = 0.05, i.e. scale = (0.05 * 0.8796...)^2 * fan_in over fan_in.
    "TruncatedNormal(stddev=0.05)": (
        lambda s: KI.TruncatedNormal(mean=0.0, stddev=0.05, seed=s),
        lambda sh, r: ref.variance_scaling(sh, r, scale=(0.05 * TRUNC_STD) ** 2 * ref.fan_in_fan_out(sh, "keras")[0],
                                           mode="fan_in", distribution="truncated_normal", layout="keras"),
        "truncated_normal", "stddev", (0.05 * TRUNC_STD) ** 2),
}

#: P(|Z| > 2)^4: the torch backend's truncated normal keeps an untruncated draw (K7).
P_K7 = float(2 * sps.norm.sf(2.0)) ** 4
#: Largest count beyond the bound accepted on the torch backend: P(Poisson(N * P_K7) > 5) ~ 1.1e-9.
K7_MAX_BEYOND = 5


def _reference_distribution(shape, distribution, mode, scale):
    """The reference's variance (Keras-layout fans), distribution, bound and excess kurtosis."""
    fi, fo = ref.fan_in_fan_out(shape, layout="keras")
    var = scale if mode == "stddev" else scale / {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]
    if distribution == "uniform":
        b = math.sqrt(3 * var)
        return var, sps.uniform(-b, 2 * b), b, -1.2
    if distribution == "normal":
        return var, sps.norm(scale=math.sqrt(var)), None, 0.0
    s0 = math.sqrt(var) / TRUNC_STD
    return var, sps.truncnorm(-2, 2, scale=s0), 2 * s0, float(sps.truncnorm(-2, 2).stats(moments="k"))


@given(name=st.sampled_from(sorted(INITS)), shape=st.sampled_from(SHAPES), seed=stats.seeds())
def test_initializer_distributions_match(name, shape, seed):
    """keras.initializers draws (Keras layout, one seeded call) follow the reference's distribution:
    variance test, one-sample KS against the exact cdf, two-sample KS against reference draws
    (alpha 1e-7 each); bounds exact (torch backend: K7, at most 5 draws beyond)."""
    make, draw_ref, distribution, mode, scale = INITS[name]
    kw = _np(make(int(seed % (2**31 - 1)))(shape, dtype="float64")).ravel()[:N_INIT]
    rw = np.asarray(draw_ref(shape, stats.rng_from(seed))).ravel()[:N_INIT]
    var, dist, bound, kurt = _reference_distribution(shape, distribution, mode, scale)
    what = f"keras.initializers.{name} on {shape} [{BACKEND}]"
    if bound is not None:
        beyond = int(np.count_nonzero(np.abs(kw) > bound * (1 + 4 * EPS)))
        if BACKEND == "torch" and distribution == "truncated_normal":
            assert beyond <= K7_MAX_BEYOND, (f"{what}: {beyond} of {N_INIT} draws beyond 2 sigma0 = {bound!r}; K7 "
                                             f"explains Poisson({N_INIT * P_K7:.3g}), at most {K7_MAX_BEYOND}")
        else:
            assert beyond == 0, f"{what}: max|w| = {np.abs(kw).max()!r} > bound {bound!r} ({beyond} draws)"
    stats.check_variance(kw, var, mean=0.0, excess_kurtosis=kurt, alpha=ALPHA, what=what, seed=seed)
    stats.check_distribution(kw, dist, alpha=ALPHA, what=what, seed=seed)
    d = sps.ks_2samp(kw, rw).statistic
    crit = math.sqrt(-math.log(ALPHA / 2) / 2) * math.sqrt(2 / N_INIT)
    assert d <= crit, (f"{what}: two-sample KS against the reference D={d:.4g} > {crit:.4g} (alpha={ALPHA}, "
                       f"n=m={N_INIT}, seed={seed}); keras std {kw.std():.6g}, reference std {rw.std():.6g}")


@pytest.mark.skipif(BACKEND != "torch", reason="K7 is the torch backend's truncated normal sampler")
def test_k7_torch_truncated_normal_keeps_untruncated_draws():
    """Finding K7, pinned (torch backend): keras/src/backend/torch/random.py ``truncated_normal``
    draws 4 normals per output and keeps the first inside (-2, 2), or the first of all 4 when
    none is (argmax of an all-False mask is 0), so a fraction ``P(|Z| > 2)^4 = 4.3e-6`` of the
    draws lies beyond 2 stddev. 5e6 draws (seeds 1..5): under K7 the count beyond is
    Binomial(5e6, 4.3e-6), mean 21.4, zero with probability 5e-10; a fixed sampler gives 0 and
    fails this test. The count must also fit K7's rate (exact binomial test, alpha 1e-7)."""
    n, beyond = 0, 0
    for seed in range(1, 6):
        w = _np(KI.TruncatedNormal(mean=0.0, stddev=1.0, seed=seed)((1000, 1000), dtype="float64"))
        n += w.size
        beyond += int(np.count_nonzero(np.abs(w) > 2.0))
    assert beyond > 0, "K7 seems fixed: no truncated-normal draw beyond 2 stddev in 5e6 draws"
    stats.check_proportion(beyond, n, P_K7, alpha=ALPHA, what="K7: draws beyond 2 stddev")


# --- BatchNormalization ----------------------------------------------------------------------

def _f32(v):
    return np.asarray(v, dtype=np.float32).astype(np.float64)


@st.composite
def bn_batches(draw):
    """``k`` float32-representable batches ``(m, C)`` or ``(m, C, L)``: ``spread * (o + j / 1000)``
    per channel, integer j in [-1000, 1000], o in [-10, 10], spread in [1e-3, 1e3]."""
    k = draw(st.integers(1, 4), label="batches")
    c = draw(st.integers(1, 3), label="channels")
    n = draw(st.integers(2, 8), label="rows")
    length = draw(st.sampled_from([None, 1, 3]), label="L")
    shape = (n, c) if length is None else (n, c, length)
    o = draw(st.floats(-10, 10), label="offset")
    spread = draw(st.floats(1e-3, 1e3), label="spread")
    out = []
    for _ in range(k):
        j = draw(hnp.arrays(np.int64, shape, elements=st.integers(-1000, 1000)), label="j")
        out.append(_f32(spread * (o + j / 1000.0)))
    return out


def _rows(x):
    """``(N, C)`` or ``(N, C, L)`` -> ``(N*L, C)``: the values each channel is normalised over."""
    return x if x.ndim == 2 else np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _dvar(r):
    """The bound on Keras's batch-variance error (module docstring), per channel, u = EPS32."""
    m = r.shape[0]
    xmax = np.abs(r).max(axis=0)
    if BACKEND == "torch":                       # E[x^2] - E[x]^2
        return (3 * m + 6) * EPS32 * xmax**2
    return (m + 3) * EPS32 * r.var(axis=0) + ((m + 1) * EPS32 * xmax) ** 2   # two-pass jnp.var


F32_FLOATS = st.floats(-3, 3, width=32)
#: gamma and beta: 0 or at least 2^-60 in magnitude. XLA on the CPU flushes float32 subnormal results to
#: zero (as test_optax.py's float64 ``tiny`` term), and with gamma near 1e-37 the outputs and their
#: intermediates fall below float32's smallest normal 1.18e-38 (seen: 2.9e-39 and 9.4e-38 off); the
#: flush is XLA's, not a Keras convention, so such scales are not drawn.
AFFINE_F32 = F32_FLOATS.map(lambda v: v if v == 0 or abs(v) >= 2.0**-60 else 0.0)


@given(batches=bn_batches(), eps=st.sampled_from([1e-3, 1e-5, 0.1]), momentum=st.sampled_from([0.99, 0.9, 0.5, 0.0]),
       data=st.data())
def test_batchnormalization_training_moving_statistics_and_inference_match(batches, eps, momentum, data):
    """layers.BatchNormalization(axis=1) (training, then inference) = reference batchnorm_forward /
    batchnorm_running_update(momentum_weights="old", unbiased=False) from (0, 1) / batchnorm_inference,
    on float32-representable data with float32 rounding bounds (K1)."""
    c = batches[0].shape[1]
    for x in batches:
        r = _rows(x)
        assume(np.all(_dvar(r) <= (r.var(axis=0) + eps) / 4))   # the first-order bound holds
    gamma = data.draw(hnp.arrays(np.float64, c, elements=AFFINE_F32), label="gamma")
    beta = data.draw(hnp.arrays(np.float64, c, elements=AFFINE_F32), label="beta")
    u = EPS32
    layer = keras.layers.BatchNormalization(axis=1, momentum=momentum, epsilon=eps, dtype="float64")
    layer.build(batches[0].shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    running = ref.batchnorm_running_init(c)
    tol_m = np.zeros(c)
    tol_v = np.zeros(c)
    for k, x in enumerate(batches, 1):
        y_k = _np(layer(keras.ops.convert_to_tensor(x), training=True))
        y_r, _ = ref.batchnorm_forward(x, gamma, beta, eps=eps)
        running_prev = running
        running = ref.batchnorm_running_update(running, x, momentum, momentum_weights="old", unbiased=False)
        r = _rows(x)
        m = r.shape[0]
        var, xmax = r.var(axis=0), np.abs(r).max(axis=0)
        dv = _dvar(r)
        kappa = xmax / np.sqrt(var + eps)
        tol = np.abs(gamma) * (4 * (m + 2) * u * np.maximum(kappa, 1.0) + math.sqrt(m) * (dv / (var + eps) + 4 * u)) \
            + 4 * u * np.abs(beta)
        err = np.abs(_rows(y_k) - _rows(y_r))
        assert np.all(err <= tol), (f"batch {k} [{BACKEND}]: training output differs by {err.max():.3g} > "
                                    f"{tol[np.argmax(err.max(axis=0))]:.3g} (eps={eps}, gamma={gamma!r}, x={x!r})")
        tol_m = tol_m + (m + 1) * u * xmax + 4 * u * (np.abs(running_prev.mean) + xmax) + 8 * EPS * xmax
        tol_v = tol_v + dv + 4 * u * (np.abs(running_prev.var) + var) + 8 * EPS * (running_prev.var + var)
        mm, mv = _np(layer.moving_mean.value), _np(layer.moving_variance.value)
        assert np.all(np.abs(mm - running.mean) <= tol_m), \
            f"batch {k} [{BACKEND}]: moving_mean {mm!r} vs reference {running.mean!r} (tol {tol_m!r})"
        assert np.all(np.abs(mv - running.var) <= tol_v), \
            f"batch {k} [{BACKEND}]: moving_variance {mv!r} vs reference {running.var!r} (tol {tol_v!r})"
    x = batches[-1]
    mm, mv = _np(layer.moving_mean.value), _np(layer.moving_variance.value)
    y_k = _np(layer(keras.ops.convert_to_tensor(x), training=False))
    y_r = ref.batchnorm_inference(x, mm, mv, gamma, beta, eps=eps)
    r = _rows(x)
    scale = np.abs(gamma) * (np.abs(r) + np.abs(mm)) / np.sqrt(mv + eps)
    tol = 6 * u * scale + 4 * u * np.abs(beta) + 8 * EPS * (scale + np.abs(beta))
    err = np.abs(_rows(y_k) - _rows(y_r))
    assert np.all(err <= tol), f"inference [{BACKEND}]: output differs by {err.max():.3g} (x={x!r})"


def test_batchnormalization_of_a_constant_channel_is_beta_or_nan_by_backend():
    """Seven values 87.24998474121094 (float32-representable), eps 1e-3: the batch variance is 0 and
    the reference's output is beta = 0, its moving variance 0.99 * 1 + 0.01 * 0 = 0.99.

    jax backend (two-pass variance): the same. **torch backend: a deviation, pinned.** Keras
    computes the batch variance as ``E[x^2] - E[x]^2`` (keras/src/backend/torch/nn.py
    ``moments``), here in float32 (K1); it comes out -1.5e-3 < -eps, so ``rsqrt(var + eps)`` is
    NaN: every output of the channel is NaN and the moving variance drops below 0.99 (the
    layer documents ``(batch - mean(batch)) / sqrt(var(batch) + epsilon)``, a variance >= 0).
    The cancellation is the formula's, not only float32's: ``keras.ops.moments`` (no K1 cast) of
    seven float64 values 5000000.1 gives a variance below -eps = -1e-3 on the torch backend
    (-0.0117 measured; 0 on jax), so a float64 BatchNormalization would give NaN there too once K1 is fixed."""
    x = np.full((7, 1), 87.24998474121094)
    layer = keras.layers.BatchNormalization(axis=1, momentum=0.99, epsilon=1e-3, dtype="float64")
    y = _np(layer(keras.ops.convert_to_tensor(x), training=True))
    mv = float(_np(layer.moving_variance.value)[0])
    y_r, _ = ref.batchnorm_forward(x, np.ones(1), np.zeros(1), eps=1e-3)
    assert np.all(y_r == 0.0)
    if BACKEND == "torch":
        assert np.all(np.isnan(y)), f"torch backend: constant channel gave {y.ravel()!r} (pinned NaN; fixed?)"
        assert mv < 0.99, f"torch backend: moving variance {mv!r} (pinned below 0.99; fixed?)"
        _, v64 = keras.ops.moments(keras.ops.convert_to_tensor(np.full(7, 5000000.1)), axes=[0])
        assert float(_np(v64)) < -1e-3, f"torch backend float64 moments: {float(_np(v64))!r} (pinned below -eps)"
    else:
        assert np.all(np.abs(y) <= 1e-3), y.ravel()
        assert abs(mv - 0.99) <= 8 * EPS32, mv


# --- Normalization -----------------------------------------------------------------------------

@st.composite
def z_data(draw):
    """``(n, f)`` float64: ``offset + spread * j / 1000``, integer j in [-1000, 1000], offset in
    [-1e3, 1e3], spread in [1e-3, 1e3] per feature (a constant feature when the j are equal)."""
    n = draw(st.integers(1, 12), label="rows")
    f = draw(st.integers(1, 3), label="features")
    offset = draw(hnp.arrays(np.float64, f, elements=st.floats(-1e3, 1e3)), label="offset")
    spread = draw(hnp.arrays(np.float64, f, elements=st.floats(1e-3, 1e3)), label="spread")
    j = draw(hnp.arrays(np.int64, (n, f), elements=st.integers(-1000, 1000)), label="j")
    return offset + spread * (j / 1000.0)


@given(x=z_data(), data=st.data())
def test_normalization_adapt_and_call_match(x, data):
    """layers.Normalization(axis=-1).adapt(numpy) = reference fit_zscore (population mean and
    variance); call = apply_zscore, with Keras's divisor max(sqrt(var), 1e-7) for a feature of
    standard deviation below 1e-7 (K5); on the torch backend the divisor is float32 (K1)."""
    n = x.shape[0]
    layer = keras.layers.Normalization(axis=-1, dtype="float64")
    layer.adapt(x)
    mean_k, var_k = _np(layer.mean).reshape(-1), _np(layer.variance).reshape(-1)
    st_r = ref.fit_zscore(x)
    xmax = np.abs(x).max(axis=0)
    assert np.all(np.abs(mean_k - st_r.mean) <= 2 * (n + 1) * EPS * xmax), (mean_k, st_r.mean, x)
    assert np.all(np.abs(var_k - st_r.var) <= 2 * (n + 3) * EPS * st_r.var + 2 * ((n + 1) * EPS * xmax) ** 2), \
        (var_k, st_r.var, x)
    rows = data.draw(st.integers(1, 4), label="new rows")
    z = np.concatenate([x, x[:rows] + np.abs(x[:rows]).max() * 0.5])   # fitted rows and others
    y_k = _np(layer(keras.ops.convert_to_tensor(z)))
    y_r = ref.apply_zscore(st_r, z)
    u_div = EPS32 if BACKEND == "torch" else EPS
    s = np.sqrt(st_r.var)
    normal = s >= 1e-7
    dmu = 4 * (n + 1) * EPS * xmax
    dv = 4 * (n + 3) * EPS * st_r.var + 4 * ((n + 1) * EPS * xmax) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        tol = (dmu + 2 * EPS * (np.abs(z) + np.abs(st_r.mean))) / s + np.abs(y_r) * (dv / st_r.var + u_div + 4 * EPS)
    err = np.abs(y_k - y_r)
    assert np.all((err <= tol)[:, normal]), f"[{BACKEND}] call differs by {err[:, normal].max():.3g} (x={x!r})"
    # K5, Keras's documented rule: divide by max(sqrt(var), 1e-7)
    keras_rule = (z - mean_k) / np.maximum(np.sqrt(var_k), 1e-7)
    assert np.all((np.abs(y_k - keras_rule) <= (u_div + 4 * EPS) * np.abs(keras_rule))[:, ~normal]), (y_k, x)


# --- K1, pinned ----------------------------------------------------------------------------------

def test_k1_float64_is_computed_in_float32():
    """Finding K1, pinned: keras 3.15.1 maps float64 to float32 in ``backend.result_type``
    (``BIT64_TO_BIT32_DTYPE``), so BatchNormalization (every backend), ``ops.mean`` / ``ops.var``
    (hence Normalization.adapt of a backend tensor), Normalization's call divisor (torch
    backend) and tanh (jax backend) round float64 work to float32. On fixed float64 data whose
    float64 results are not float32 numbers, Keras's are, and differ from the reference by far
    more than float64 rounding. Fails (loudly) when Keras computes float64 in float64."""
    x = np.array([[0.1, 3.3], [0.2, -1.7], [0.7, 2.9]])
    gamma, beta = np.array([1.3, 0.7]), np.array([0.1, -0.2])
    layer = keras.layers.BatchNormalization(axis=1, momentum=0.5, epsilon=1e-3, dtype="float64")
    layer.build(x.shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    y = _np(layer(keras.ops.convert_to_tensor(x), training=True))
    y_r, _ = ref.batchnorm_forward(x, gamma, beta, eps=1e-3)
    assert _is_float32(y) and _is_float32(layer.moving_mean.value) and _is_float32(layer.moving_variance.value)
    assert np.abs(y - y_r).max() > 1e-10, "float32-level difference expected (float64 bound ~1e-15)"
    assert _is_float32(_np(layer(keras.ops.convert_to_tensor(x), training=False)))

    t = keras.ops.convert_to_tensor(x)
    assert _is_float32(_np(keras.ops.mean(t, axis=0))) and _is_float32(_np(keras.ops.var(t, axis=0)))
    norm = keras.layers.Normalization(axis=-1, dtype="float64")
    norm.adapt(t)
    assert _is_float32(_np(norm.mean)) and _is_float32(_np(norm.variance))

    # Normalization's call on the adapter's reproduction: [32768.36523438, 0] -> +-1 in float64.
    z = np.array([[32768.36523438], [0.0]])
    norm = keras.layers.Normalization(axis=-1, dtype="float64")
    norm.adapt(z)
    yz = _np(norm(keras.ops.convert_to_tensor(z))).ravel()
    if BACKEND == "torch":
        assert np.all(np.abs(np.abs(yz) - 1.0) > 1e-8), f"torch backend: {yz!r} (pinned float32 divisor)"
    else:
        assert np.all(np.abs(np.abs(yz) - 1.0) <= 8 * EPS), yz

    th = _np(keras.activations.tanh(keras.ops.convert_to_tensor(np.array([1.0]))))[0]
    if BACKEND == "jax":
        assert _is_float32(th) and abs(th - math.tanh(1.0)) > 1e-9, f"jax backend: tanh(1.0) = {th!r} (pinned float32)"
    else:
        assert abs(th - math.tanh(1.0)) <= 2 * EPS, th


# --- activations -------------------------------------------------------------------------------

ACT_X = hnp.arrays(np.float64, st.integers(1, 16),
                   elements=st.floats(-40, 40, allow_subnormal=False).map(lambda v: v if abs(v) >= 1e-30 else 0.0))


@given(x=ACT_X)
def test_activations_match(x):
    """keras.activations relu (exact), sigmoid and tanh (8 EPS relative; tanh on jax in float32, K1)."""
    t = keras.ops.convert_to_tensor(x)
    relu = _np(keras.activations.relu(t))
    assert np.array_equal(relu, ref.relu(x)), (relu, x)
    sig, sig_r = _np(keras.activations.sigmoid(t)), ref.sigmoid(x)
    assert np.all(np.abs(sig - sig_r) <= 8 * EPS * sig_r), (sig, sig_r, x)
    th, th_r = _np(keras.activations.tanh(t)), ref.tanh(x)
    if BACKEND == "jax":   # K1: float32 tanh of float32(x)
        tol = 4 * EPS32 * np.abs(th_r) + EPS32 * np.abs(x) * (1 - th_r**2) + 2.0**-126
    else:
        tol = 8 * EPS * np.abs(th_r)
    assert np.all(np.abs(th - th_r) <= tol), (th, th_r, x)
