"""Laws of signal propagation with depth, activation derivatives, and the symmetry of
constant initialisation (seeds 000-004; seed 002 has the derivations).

Target names used: the initialisers (``lecun_normal``, ``lecun_uniform``, ``glorot_normal``,
``glorot_uniform``, ``he_normal``, ``he_uniform``, ``constant_init``, ``zeros_init``; shape
``(n_out, n_in)`` in the default torch layout), ``sigmoid, tanh, relu`` and
``sigmoid_grad, tanh_grad, relu_grad`` (derivative w.r.t. the input, elementwise),
``deep_linear_forward(weights, x)`` (``W_L ... W_1 x``, rows of ``x`` are samples),
``dense_forward(weights, biases, x, activation, output_activation)`` returning an object with
``.output``, ``dense_backward(weights, cache, grad_output, activation, output_activation)``
returning ``.weights, .biases, .x``, ``mse_loss_grad``, ``bce_with_logits_loss_grad``,
``gradient_descent_step(params, grads, lr)``.

The forward-variance laws use the independence structure of seed 002's derivation: the j-th
output ``y_j = sum_i W_ji x_ji`` is built from row j of a fresh weight matrix and its own
input vector, so the samples are i.i.d. and the calibrated tests of properties.stats apply.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps
from scipy.special import gammaln, logsumexp

from properties import stats
from properties._law import LawViolation, law, per_technique
from properties.laws._calls import init_kwargs
from properties.controls import initialization as ictl
from properties.controls import signal as ctl
from properties.laws._tolerance import EPS64

#: Sample size catching a propagation factor off by 25% (either way) with power 1 - 1e-6 at
#: alpha 1e-7 when the samples' excess kurtosis is up to 1 (every forward-variance law below
#: stays under it: the fans are >= 8, >= 16 for the ReLU layer). The named wrong alternatives
#: of these laws are factor-of-2 errors (He's 2, ReLU's 1/2, 1/fan_out for 2/(in+out), ...),
#: all >= 25% off; the 10% accuracy of each initialiser's variance is the business of
#: ``initialization.initialiser_variance_matches_target``.
N_VAR_K1 = stats.n_for_variance_ratio(1.25, excess_kurtosis=1.0)
#: relu(x) for x ~ N(0, 1) has excess kurtosis 3 about 0.
N_VAR_K3 = stats.n_for_variance_ratio(1.25, excess_kurtosis=3.0)


def _rows_sample(t, name, n_in, rows, rng, n, kw, x_fn):
    """i.i.d. ``y_j = W[j] . x_j`` from fresh ``(rows, n_in)`` weights and fresh inputs."""
    out, got = [], 0
    while got < n:
        w = np.asarray(getattr(t, name)((rows, n_in), rng, **kw), dtype=np.float64)
        x = x_fn(rng, (rows, n_in))
        out.append(np.einsum("ij,ij->i", w, x))
        got += rows
    return np.concatenate(out)


def _normal_inputs(rng, shape):
    return rng.standard_normal(shape)


@law(needs=(), cases=per_technique(("lecun_normal", "lecun_uniform")), statistical=True, seed=stats.seeds(),
     name=lambda c: st.just(c), n_in=st.integers(8, 64), rows=st.integers(256, 1024),
     controls=(ictl.std_is_one_over_fan, ictl.rand_times_sqrt))
def lecun_preserves_forward_variance(t, name, n_in, rows, seed):
    """LeCun init keeps ``Var(W x) = Var(x)`` for zero-mean i.i.d. x (seed 002).

    ``Var(Y) = n Var(W) Var(X)`` for ``Y = sum_i W_i X_i`` with independent zero-mean terms,
    and ``Var(W) = 1/n``. x ~ N(0, 1); the test is the variance z-test about the known mean 0
    with the excess kurtosis of Y, ``((k_W + 3) 3 - 3) / n`` (k_W = 0 normal, -1.2 uniform),
    alpha = 1e-7, n = N_VAR_K1 samples: power >= 1 - 1e-6 against a variance factor off by 25%.
    """
    rng = stats.rng_from(seed)
    y = _rows_sample(t, name, n_in, rows, rng, N_VAR_K1, init_kwargs(name), _normal_inputs)
    kw = 0.0 if name == "lecun_normal" else -1.2
    stats.check_variance(y, 1.0, mean=0.0, excess_kurtosis=((kw + 3) * 3 - 3) / n_in,
                         what=f"Var(W x)/Var(x) with W = {name}", seed=seed,
                         repro=f"W = t.{name}(({rows}, {n_in}), rng); y_j = W[j] @ x_j, x_j ~ N(0, I)")


@law(needs=(), cases=per_technique(("glorot_normal", "glorot_uniform")), statistical=True, seed=stats.seeds(),
     name=lambda c: st.just(c), direction=st.sampled_from(["forward", "backward"]),
     n_small=st.integers(8, 64), n_big=st.integers(256, 1024),
     controls=(ictl.glorot_fan_out_only, ictl.seed000_xavier, ictl.uniform_bound_sqrt3))
def glorot_balances_forward_and_backward_variance(t, name, direction, n_small, n_big, seed):
    """Glorot init scales the forward variance by ``2 n_in/(n_in + n_out)`` and the backward
    (gradient) variance by ``2 n_out/(n_in + n_out)``: both 1 when ``n_in = n_out``.

    Seed 002: keeping the forward variance needs ``Var(W) = 1/n_in``, keeping the backward
    one ``1/n_out``; Glorot & Bengio's ``2/(n_in + n_out)`` is the compromise (the two
    factors sum to 2). Forward: ``y_j = W[j] . x_j``; backward: ``(W^T g)_i = W[:, i] . g_i``,
    x, g ~ N(0, I). Variance z-test about the known mean 0 with the sample's excess kurtosis,
    alpha = 1e-7, n = N_VAR_K1: power >= 1 - 1e-6 against a variance factor off by 25%.
    """
    rng = stats.rng_from(seed)
    n_in, n_out = (n_small, n_big) if direction == "forward" else (n_big, n_small)
    out, got = [], 0
    while got < N_VAR_K1:
        w = np.asarray(getattr(t, name)((n_out, n_in), rng, **init_kwargs(name)), dtype=np.float64)
        v = rng.standard_normal(w.shape)
        out.append(np.einsum("ij,ij->i", w, v) if direction == "forward" else np.einsum("ij,ij->j", w, v))
        got += out[-1].size
    fan = n_in if direction == "forward" else n_out
    ratio = 2.0 * fan / (n_in + n_out)
    kw = 0.0 if name == "glorot_normal" else -1.2
    stats.check_variance(np.concatenate(out), ratio, mean=0.0, excess_kurtosis=((kw + 3) * 3 - 3) / fan,
                         what=f"{direction} variance factor of {name} ({n_out}x{n_in}), expected 2*{fan}/({n_in}+{n_out})",
                         seed=seed, repro=f"W = t.{name}(({n_out}, {n_in}), rng)")


@law(needs=("relu",), cases=per_technique(("he_normal", "he_uniform")), statistical=True, seed=stats.seeds(),
     name=lambda c: st.just(c), n_in=st.integers(16, 64), rows=st.integers(256, 1024),
     controls=(ictl.he_factor_one, ictl.rand_times_sqrt))
def he_restores_the_second_moment_a_relu_halves(t, name, n_in, rows, seed):
    """A ReLU halves the second moment of a symmetric input; He's factor 2 restores it.

    ``E[relu(x)^2] = Var(x)/2`` for x ~ N(0, 1), and with ``Var(W) = 2/n``,
    ``E[(W relu(x))_j^2] = n (2/n) (1/2) = 1 = E[x^2]`` (He et al. 2015; seed 002: "a ReLU is
    zero for half of its input, so you need to double the weight variance"). Both are tested
    with the variance z-test about 0 (excess kurtosis 3 for relu(x), ``((k_W + 3) 6 - 3)/n``
    for the layer output), alpha = 1e-7 each, n = N_VAR_K3 and N_VAR_K1: power >= 1 - 1e-6 against a factor off by 25%.
    """
    rng = stats.rng_from(seed)
    x = rng.standard_normal(N_VAR_K3)
    h = np.asarray(t.relu(x), dtype=np.float64)
    stats.check_variance(h, 0.5, mean=0.0, excess_kurtosis=3.0, what="E[relu(x)^2] for x ~ N(0, 1)", seed=seed,
                         repro="h = t.relu(rng.standard_normal(n)); mean(h**2) should be 1/2")
    z = _rows_sample(t, name, n_in, rows, rng, N_VAR_K1, init_kwargs(name),
                     lambda r, s: np.asarray(t.relu(r.standard_normal(s)), dtype=np.float64))
    kw = 0.0 if name == "he_normal" else -1.2
    stats.check_variance(z, 1.0, mean=0.0, excess_kurtosis=((kw + 3) * 6 - 3) / n_in,
                         what=f"E[(W relu(x))^2] with W = {name}", seed=seed,
                         repro=f"W = t.{name}(({rows}, {n_in}), rng); z_j = W[j] @ relu(x_j)")


# --- the 50-layer ReLU network ---------------------------------------------------------------------
WIDTH, DEPTH = 64, 50


@functools.lru_cache(maxsize=None)
def relu_depth_band(width: int = WIDTH, depth: int = DEPTH, alpha: float = stats.ALPHA):
    """Acceptance band ``[lo, hi]`` for ``S = log(mean h_L^2 / mean x^2)`` of a He network.

    With Gaussian ``Var(W) = 2/w`` weights, each layer multiplies ``||h||^2`` by an
    independent ``q = (2/w) chi2_K``, ``K ~ Binomial(w, 1/2)`` (the number of active units),
    whatever the input; so ``S = sum_l log q_l``. Chernoff bounds with
    ``E[q^theta] = (4/w)^theta E[Gamma(K/2 + theta)/Gamma(K/2)]`` give
    ``P(S > hi) <= alpha/2`` and ``P(S < lo) <= alpha/2`` (the lower one conditioned on every
    ``K >= k_min``, whose complement has probability <= alpha/20). Returns (lo, hi, power)
    where power is a lower bound on rejecting a network whose per-layer factor is halved
    (LeCun's ``1/w``), i.e. whose S is shifted by ``-depth log 2``.
    """
    L = depth
    kmin = 1
    while L * sps.binom.cdf(kmin, width, 0.5) < alpha / 20:
        kmin += 1
    tail = L * sps.binom.cdf(kmin - 1, width, 0.5)
    k = np.arange(kmin, width + 1)
    lp = sps.binom.logpmf(k, width, 0.5) - math.log(sps.binom.sf(kmin - 1, width, 0.5))

    def log_m(theta):
        return float(logsumexp(lp + theta * math.log(4 / width) + gammaln(k / 2 + theta) - gammaln(k / 2)))

    def best(f, top):  # any theta gives a valid bound; minimise over a grid, then refine
        grid = np.linspace(1e-3, top, 60)
        th0 = min(grid, key=f)
        res = optimize.minimize_scalar(f, bounds=(max(1e-3, th0 - top / 60), min(top, th0 + top / 60)),
                                       method="bounded")
        return min(f(th0), float(res.fun))

    hi = best(lambda th: (L * log_m(th) + math.log(2 / alpha)) / th, 20.0)
    lo = -best(lambda th: (L * log_m(-th) + math.log(1 / (alpha / 2 - tail))) / th, kmin / 2 - 1e-3)
    shift = L * math.log(2)
    miss = math.exp(best(lambda th: L * log_m(th) - th * (shift + lo), 20.0))  # P(S_he - shift >= lo)
    return lo, hi, 1 - miss


def _deep_relu_log_ratio(t, init, rng, shift_per_layer=0.0):
    x = rng.standard_normal(WIDTH)
    h = x
    for _ in range(DEPTH):
        w = np.asarray(getattr(t, init)((WIDTH, WIDTH), rng, **init_kwargs(init)), dtype=np.float64)
        h = np.asarray(t.relu(w @ h), dtype=np.float64)
    num = math.fsum(h * h)
    if num == 0.0:
        return -math.inf
    return math.log(num / math.fsum(x * x)) + DEPTH * shift_per_layer


@law(needs=("he_normal", "relu"), statistical=True, seed=stats.seeds(),
     controls=(ictl.he_factor_one, ictl.rand_times_sqrt))
def he_keeps_a_deep_relu_signal_in_band(t, seed):
    """Through a 50-layer, width-64 ReLU network with He-normal weights (no biases), the mean
    squared activation stays within a calibrated band around the input's.

    He et al. 2015 (Fig. 2/3 as a law). The band for ``S = log(mean h_50^2 / mean x^2)`` is
    exact-tailed (Chernoff, see :func:`relu_depth_band`): about [-14.5, 9.2], false alarm
    <= 1e-7; with LeCun's ``1/n`` (He with factor 1) S shifts by ``-50 log 2 = -34.7`` and is
    rejected with probability >= 1 - 1e-30. Needs untruncated normal weights (the band uses
    the chi-square law of a Gaussian layer).
    """
    lo, hi, _ = relu_depth_band()
    s = _deep_relu_log_ratio(t, "he_normal", stats.rng_from(seed))
    if not lo <= s <= hi:
        raise LawViolation(f"50-layer ReLU network with he_normal: log(mean h^2 / mean x^2) = {s:.4g} outside the "
                           f"band [{lo:.4g}, {hi:.4g}] (false alarm 1e-7); seed={seed}")


@law(needs=("lecun_normal", "relu"), statistical=True, seed=stats.seeds(),
     controls=(ictl.lecun_is_he, ictl.std_is_one_over_fan))
def lecun_shrinks_a_deep_relu_signal_by_two_per_layer(t, seed):
    """With LeCun-normal weights (``Var = 1/n``) the same 50-layer ReLU network shrinks the
    mean squared activation by ``2^-50`` times a factor in the He band.

    Each layer's factor is exactly half of the He network's (in distribution), so
    ``S + 50 log 2`` lies in the band of :func:`relu_depth_band` (false alarm <= 1e-7); a
    LeCun with the ReLU factor 2 (seed 003's "He / Xavier" conflation) is rejected with
    probability >= 1 - 1e-8.
    """
    lo, hi, _ = relu_depth_band()
    s = _deep_relu_log_ratio(t, "lecun_normal", stats.rng_from(seed), shift_per_layer=math.log(2))
    if not lo <= s <= hi:
        raise LawViolation(f"50-layer ReLU network with lecun_normal: log(mean h^2 / mean x^2) + 50 log 2 = {s:.4g} "
                           f"outside the band [{lo:.4g}, {hi:.4g}] (false alarm 1e-7); seed={seed}")


# --- deep linear networks ---------------------------------------------------------------------------
def _as_out(y, what):
    y = np.asarray(y, dtype=np.float64)
    return y


@law(needs=("deep_linear_forward",), examples=({"c": 0.5, "depth": 41, "x": [5.567831933587295e-301]},),
     c=st.one_of(st.sampled_from([1.5, 0.5, -2.0, 0.25, -1.0, 2.0]), st.floats(0.3, 1.7)),
     depth=st.integers(1, 50), x=st.lists(st.floats(-1e3, 1e3, allow_subnormal=False), min_size=1, max_size=5),
     controls=(ctl.off_by_one_depth,))
def deep_linear_scaled_identity_gives_c_to_the_L_times_x(t, c, depth, x):
    """``deep_linear_forward([c I] * L, x) = c^L x`` (seeds 000, 003, 004: ``1.5^L`` explodes,
    ``0.5^L`` vanishes).

    Exact (tolerance 0) when c is a power of two, as long as the values stay out of the
    subnormal range (there each layer may round by 2^-1074; found by Hypothesis at
    c = 0.5, L = 41, x = 5.6e-301, pinned); otherwise each layer rounds ``c x_i`` once,
    so the relative error is at most ``(1 + u)^L - 1 <= 1.01 L u``; tolerance
    ``2 (L + 1) eps |c^L x_i|``. Seed 000 writes ``W^(L-1) x`` for an L-layer network: that
    off-by-one is the negative control.
    """
    x = np.asarray(x, dtype=np.float64)
    d = x.size
    y = np.asarray(t.deep_linear_forward([c * np.eye(d)] * depth, x), dtype=np.float64)
    want = np.array([xi * c**depth for xi in x.tolist()])
    exact = math.frexp(abs(c))[0] == 0.5
    tol = 0.0 if exact else 2 * (depth + 1) * EPS64
    # Below 2^-1022 the spacing is absolute (2^-1074): each layer may round by that much,
    # so a power of two is exact only while the values stay normal (pinned example).
    tiny = (depth + 1) * 2.0**-1074
    if y.shape != x.shape or np.any(np.abs(y - want) > tol * np.abs(want) + tiny):
        raise LawViolation(f"deep_linear_forward([{c!r} * I] * {depth}, x) = {y!r}; should be c^L x = {want!r} "
                           f"(relative tolerance {tol:.2g})")


#: Vector coordinates 0 or 1e-3 <= |v| <= 10: W^k x then stays far from the subnormal range
#: (rho^k >= 0.3^40), where relative tolerances do not apply (found by Hypothesis: x = 1e-300
#: made the law's own norm underflow to 0; pinned below).
_COORDS = st.just(0.0) | st.floats(1e-3, 10.0) | st.floats(-10.0, -1e-3)


@st.composite
def _diagonalisable(draw_, symmetric=None):
    """(W, Q, lambdas): ``W = Q diag(lambda) Q^-1`` with a well-conditioned Q (cond <= ~3).

    ``symmetric`` draws an orthogonal Q (so W = W^T and seed 001's formula with ``e_i . x``
    applies literally); otherwise ``Q = I + 0.3 R`` rescaled, a non-orthogonal eigenbasis.
    """
    d = draw_(st.integers(2, 5), label="d")
    seed = draw_(stats.seeds(), label="seed")
    if symmetric is None:
        symmetric = draw_(st.booleans(), label="symmetric")
    lam = draw_(st.lists(st.floats(0.3, 1.6) | st.floats(-1.6, -0.3), min_size=d, max_size=d), label="lambdas")
    rng = stats.rng_from(seed)
    if symmetric:
        q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    else:
        q = np.eye(d) + 0.3 * rng.standard_normal((d, d)) / math.sqrt(d)
    q = q / np.linalg.norm(q, axis=0)
    return q, np.array(lam), symmetric


@law(needs=("deep_linear_forward",), case=_diagonalisable(), k=st.integers(1, 30),
     xs=st.lists(_COORDS, min_size=5, max_size=5),
     controls=(ctl.off_by_one_depth, ctl.transposed_weights))
def deep_linear_power_follows_the_eigendecomposition(t, case, k, xs):
    """``W^k x = sum_i lambda_i^k (f_i . x) e_i`` for diagonalisable ``W = Q diag(lambda) Q^-1``
    (``e_i`` the columns of Q, ``f_i`` the rows of ``Q^-1``).

    Seed 001 writes ``(e_i . x)``: that holds for an orthonormal eigenbasis (symmetric W,
    ``f_i = e_i``) only; for a non-orthogonal eigenbasis the coordinates of x are ``f_i . x``
    (e.g. ``W = [[1, 1], [0, 2]]``, ``x = e_1 = (1, 0)``: ``W^k x = x`` while the seed's
    formula gives ``x + 2^k (1/sqrt 2) (1/sqrt 2)(1, 1)``). Tolerance
    ``32 (k + 2) d kappa(Q)^3 eps rho^k ||x||``: the rounding of W (relative ``d kappa eps``),
    amplified at most ``k kappa^2 rho^(k-1)`` times through k products, plus the products' own.
    """
    q, lam, symmetric = case
    d = lam.size
    x = np.asarray(xs[:d], dtype=np.float64)
    qinv = q.T if symmetric else np.linalg.inv(q)
    w = (q * lam) @ qinv
    y = np.asarray(t.deep_linear_forward([w] * k, x), dtype=np.float64)
    coords = [math.fsum(qinv[i] * x) for i in range(d)]
    want = np.array([math.fsum(lam[i] ** k * coords[i] * q[j, i] for i in range(d)) for j in range(d)])
    kappa = np.linalg.cond(q)
    rho = float(np.max(np.abs(lam)))
    tol = 32 * (k + 2) * d * kappa**3 * EPS64 * rho**k * max(float(np.linalg.norm(x)), 1e-300)
    err = float(np.linalg.norm(y - want)) if y.shape == want.shape else math.inf
    if not err <= tol:
        raise LawViolation(f"deep_linear_forward([W] * {k}, x) differs from sum_i lambda_i^k (f_i . x) e_i by {err:.3g} "
                           f"> {tol:.3g}; lambdas={lam.tolist()}, symmetric={symmetric}, x={x.tolist()}, got {y.tolist()}, "
                           f"want {want.tolist()}")


@law(needs=("deep_linear_forward",), case=_diagonalisable(symmetric=True), k=st.integers(1, 40),
     examples=({"case": (np.array([[0.6, -0.8], [0.8, 0.6]]), np.array([1.0, 1.0]), True),
                "k": 1, "aligned": False, "xs": [0.0, 1e-3, 0.0, 0.0, 0.0]},),
     aligned=st.booleans(), xs=st.lists(_COORDS, min_size=5, max_size=5),
     controls=(ctl.off_by_one_depth,))
def deep_linear_norm_follows_spectral_radius_power(t, case, k, aligned, xs):
    """For symmetric W with spectral radius rho: ``|e_max . x| rho^k <= ||W^k x|| <= rho^k ||x||``.

    So rho > 1 explodes and rho < 1 vanishes geometrically, and the norm ratio equals
    ``rho^k`` when x lies along the top eigenvector (``aligned``), seed 001's "any
    lambda_i > 1 leads to explosion, < 1 to vanishing". Relative slack ``32 (k + 2) d eps``
    (rounding of W and of k products; W is normal so no condition-number amplification).
    """
    q, lam, _ = case
    d = lam.size
    top = int(np.argmax(np.abs(lam)))
    rho = abs(float(lam[top]))
    x = q[:, top].copy() if aligned else np.asarray(xs[:d], dtype=np.float64)
    if not np.any(x):
        return
    w = (q * lam) @ q.T
    y = np.asarray(t.deep_linear_forward([w] * k, x), dtype=np.float64)
    ny = float(np.linalg.norm(y))
    slack = 32 * (k + 2) * d * EPS64
    lo = abs(math.fsum(q[:, top] * x)) * rho**k * (1 - slack)
    hi = rho**k * float(np.linalg.norm(x)) * (1 + slack)
    if not lo <= ny <= hi:
        raise LawViolation(f"||W^{k} x|| = {ny!r} outside [|e_max . x| rho^k, rho^k ||x||] = [{lo!r}, {hi!r}] "
                           f"(rho = {rho!r}, aligned={aligned})")


# --- activation derivatives ---------------------------------------------------------------------------
_XS = st.lists(st.floats(-30, 30, allow_subnormal=False), min_size=1, max_size=20).map(lambda v: np.array(v + [0.0]))


def _sigmoid_oracle(v):
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


@law(needs=("sigmoid", "tanh", "relu"), x=_XS, controls=(ctl.sigmoid_sign_error,))
def activations_match_their_closed_forms(t, x):
    """``sigmoid(x) = 1/(1 + e^-x)``, ``tanh(x)``, ``relu(x) = max(x, 0)`` elementwise.

    Oracles from ``math`` (correctly rounded to a few ulp); tolerance 8 eps relative for
    sigmoid and tanh, exact for relu.
    """
    s = np.asarray(t.sigmoid(x), dtype=np.float64)
    th = np.asarray(t.tanh(x), dtype=np.float64)
    r = np.asarray(t.relu(x), dtype=np.float64)
    for i, v in enumerate(x.tolist()):
        for name, got, want in (("sigmoid", s[i], _sigmoid_oracle(v)), ("tanh", th[i], math.tanh(v))):
            if abs(got - want) > 8 * EPS64 * abs(want):
                raise LawViolation(f"{name}({v!r}) = {got!r}; should be {want!r}")
        if r[i] != max(v, 0.0):
            raise LawViolation(f"relu({v!r}) = {r[i]!r}; should be {max(v, 0.0)!r}")


@law(needs=("sigmoid_grad",), x=_XS, examples=({"x": np.array([1e-12, 0.0])},), controls=(ctl.sigmoid_grad_on_input, ctl.sigmoid_grad_is_sigmoid))
def sigmoid_derivative_is_at_most_a_quarter(t, x):
    """``0 <= sigmoid'(x) = sigma(x)(1 - sigma(x)) <= 1/4``, with ``sigmoid'(0) = 1/4``.

    Seed 001: the factor ``g'(x) << 1`` behind vanishing gradients. The value is also checked
    against ``e^-|x| / (1 + e^-|x|)^2`` (math) within ``8 eps |g| + eps``: the output-based
    formula ``s (1 - s)`` of autograd frameworks (torch) rounds s first, an absolute error of
    about ``eps/4`` that cancellation turns into a large relative one in the tails (torch gives
    sigma'(3) with relative error 3e-15; 0 instead of 4e-18 at x = 40), hence the absolute term
    (``4 eps`` times the maximum 1/4). The bound is required exactly: evaluated naively, ``sigmoid'(1e-12)`` rounds to
    0.25000000000000006 > 1/4 (found by Hypothesis, pinned).
    """
    g = np.asarray(t.sigmoid_grad(x), dtype=np.float64)
    for v, gv in zip(x.tolist(), g.tolist()):
        e = math.exp(-abs(v))
        want = e / (1 + e) ** 2
        if not (0 <= gv <= 0.25) or abs(gv - want) > 8 * EPS64 * want + EPS64 or (v == 0 and gv != 0.25):
            raise LawViolation(f"sigmoid_grad({v!r}) = {gv!r}; should be {want!r}, in [0, 1/4], and 1/4 at 0")


@law(needs=("tanh_grad",), x=_XS, examples=({"x": np.array([1.2450506793772108e-09, 0.0])}, {"x": np.array([19.0, 0.0])}),
     controls=(ctl.tanh_grad_on_input,))
def tanh_derivative_is_at_most_one(t, x):
    """``0 <= tanh'(x) = 1 - tanh(x)^2 <= 1``, with ``tanh'(0) = 1``; checked against
    ``1/cosh(x)^2`` (math) within ``8 eps |g| + 4 eps`` (|x| <= 30): the absolute term covers
    the output-based ``1 - t^2`` of autograd frameworks (torch: relative error 2.6e-15 at
    x = 3, 0 for |x| > 19), whose rounding of t costs about ``2 eps`` absolute. The bound is
    required exactly: naively,
    ``tanh'(1.245e-9)`` rounds to 1.0000000000000002 (found by Hypothesis, pinned)."""
    g = np.asarray(t.tanh_grad(x), dtype=np.float64)
    for v, gv in zip(x.tolist(), g.tolist()):
        want = 1 / math.cosh(v) ** 2
        if not (0 <= gv <= 1) or abs(gv - want) > 8 * EPS64 * want + 4 * EPS64 or (v == 0 and gv != 1.0):
            raise LawViolation(f"tanh_grad({v!r}) = {gv!r}; should be {want!r}, in [0, 1], and 1 at 0")


@law(needs=("relu_grad",), x=_XS, controls=(ctl.relu_grad_is_relu,))
def relu_derivative_is_zero_or_one(t, x):
    """``relu'(x) = 1`` for x > 0 and 0 for x < 0; at 0 any value in {0, 1} is accepted
    (a subgradient; torch and JAX use 0, as the reference does)."""
    g = np.asarray(t.relu_grad(x), dtype=np.float64)
    for v, gv in zip(x.tolist(), g.tolist()):
        want = {1.0} if v > 0 else {0.0} if v < 0 else {0.0, 1.0}
        if gv not in want:
            raise LawViolation(f"relu_grad({v!r}) = {gv!r}; should be in {sorted(want)}")


@st.composite
def _sigmoid_nets(draw_):
    depth = draw_(st.integers(1, 6), label="depth")
    widths = draw_(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1), label="widths")
    scale = draw_(st.sampled_from([0.3, 1.0, 3.0, 10.0]), label="weight scale")
    rng = stats.rng_from(draw_(stats.seeds(), label="seed"))
    ws = [scale * rng.standard_normal((widths[i + 1], widths[i])) for i in range(depth)]
    bs = [rng.standard_normal(widths[i + 1]) for i in range(depth)]
    batch = draw_(st.integers(1, 4), label="batch")
    x = rng.standard_normal((batch, widths[0])) * draw_(st.sampled_from([0.0, 0.1, 1.0, 5.0]))
    g = rng.standard_normal((batch, widths[-1]))
    return ws, bs, x, g


@law(needs=("dense_forward", "dense_backward"), net=_sigmoid_nets(),
     controls=(ctl.backward_forgets_derivative, ctl.backward_uses_activation_value))
def sigmoid_chain_gradient_is_bounded_by_a_quarter_power(t, net):
    """Through L sigmoid layers, ``||dL/dx|| <= (1/4)^L prod_l ||W_l||_2 ||dL/da_L||`` per sample.

    The Jacobian is ``D_L W_L ... D_1 W_1`` with ``D_l = diag(sigma'(z_l))``, ``||D_l|| <= 1/4``
    (seed 001's vanishing-gradient argument). Every layer (output included) is a sigmoid.
    Relative slack ``16 (L + 1) (d + 1) eps`` for the rounding of the backward products and of
    the law's own spectral norms (SVD, backward stable).
    """
    ws, bs, x, g = net
    cache = t.dense_forward(ws, bs, x, activation="sigmoid", output_activation="sigmoid")
    gx = np.asarray(t.dense_backward(ws, cache, g, activation="sigmoid", output_activation="sigmoid").x,
                    dtype=np.float64)
    L = len(ws)
    d = max(max(w.shape) for w in ws)
    bound = 0.25**L * math.prod(float(np.linalg.norm(w, 2)) for w in ws)
    slack = 1 + 16 * (L + 1) * (d + 1) * EPS64
    for i in range(x.shape[0]):
        lhs = float(np.linalg.norm(gx[i]))
        rhs = bound * float(np.linalg.norm(g[i])) * slack
        if lhs > rhs:
            raise LawViolation(f"sample {i}: ||dL/dx|| = {lhs:.6g} > (1/4)^{L} prod ||W_l||_2 ||dL/da_L|| = {rhs:.6g}")


# --- symmetry of constant initialisation (seed 002) -------------------------------------------------
@st.composite
def _training_setups(draw_):
    """A dense net (1-2 hidden layers of width 2-4), data, activation, lr and a step count.

    Bounded data (|x|, |y| <= 3) and lr <= 0.2 keep a few steps finite.
    """
    n_hidden = draw_(st.integers(1, 2), label="hidden layers")
    widths = [draw_(st.integers(1, 3), label="n_in")] + [draw_(st.integers(2, 4)) for _ in range(n_hidden)] + \
        [draw_(st.integers(1, 2), label="n_out")]
    activation = draw_(st.sampled_from(["sigmoid", "tanh", "relu"]), label="activation")
    consts = draw_(st.lists(st.floats(-1, 1, allow_subnormal=False), min_size=2 * len(widths),
                            max_size=2 * len(widths)), label="constants")
    rng = stats.rng_from(draw_(stats.seeds(), label="seed"))
    batch = draw_(st.integers(1, 5), label="batch")
    x = rng.uniform(-3, 3, (batch, widths[0]))
    y = rng.uniform(-3, 3, (batch, widths[-1]))
    lr = draw_(st.sampled_from([0.01, 0.1, 0.2]), label="lr")
    steps = draw_(st.integers(1, 4), label="steps")
    return widths, activation, consts, x, y, lr, steps


def _train(t, ws, bs, x, y, activation, lr, steps):
    for _ in range(steps):
        cache = t.dense_forward(ws, bs, x, activation=activation, output_activation="linear")
        g = t.dense_backward(ws, cache, t.mse_loss_grad(cache.output, y), activation=activation,
                             output_activation="linear")
        new = t.gradient_descent_step(list(ws) + list(bs), list(g.weights) + list(g.biases), lr)
        ws, bs = [np.asarray(p, dtype=np.float64) for p in new[:len(ws)]], \
            [np.asarray(p, dtype=np.float64) for p in new[len(ws):]]
    return ws, bs


def _hidden_spread(ws, bs):
    """Largest difference between two hidden units of a layer: incoming rows, biases, outgoing columns."""
    spread = 0.0
    for l in range(len(ws) - 1):
        spread = max(spread, float(np.ptp(ws[l], axis=0).max()), float(np.ptp(bs[l])),
                     float(np.ptp(ws[l + 1], axis=1).max()))
    return spread


@law(needs=("constant_init", "dense_forward", "dense_backward", "mse_loss_grad", "gradient_descent_step"),
     setup=_training_setups(), controls=(ctl.constant_is_normal,))
def constant_init_symmetry_persists_under_gradient_descent(t, setup):
    """If every weight of a layer (and every bias) starts equal, the hidden units of that layer
    stay identical after any number of gradient-descent steps, on any data.

    Seed 002: with ``w1 = w3``, ``w2 = w4``, ``b1 = b2`` the partial derivatives of the two
    hidden units are equal, so the update keeps them equal, by induction for every step.
    Checked for 1-2 hidden layers, sigmoid/tanh/relu, MSE. The units perform the same float
    operations but BLAS may order a row's sum differently from another's, so a spread of
    ``64 (steps + 1) (width + batch) eps`` times the parameters' magnitude is allowed (a
    broken symmetry is of the order of the weights).
    """
    widths, activation, consts, x, y, lr, steps = setup
    rng = np.random.default_rng(0)
    ws = [np.asarray(t.constant_init((widths[i + 1], widths[i]), rng, value=consts[2 * i]), dtype=np.float64)
          for i in range(len(widths) - 1)]
    bs = [np.asarray(t.constant_init((widths[i + 1],), rng, value=consts[2 * i + 1]), dtype=np.float64)
          for i in range(len(widths) - 1)]
    ws, bs = _train(t, ws, bs, x, y, activation, lr, steps)
    mag = max(1.0, max(float(np.abs(p).max()) for p in ws + bs))
    if not all(np.all(np.isfinite(p)) for p in ws + bs):
        raise LawViolation("parameters became non-finite in a few bounded gradient-descent steps")
    tol = 64 * (steps + 1) * (max(widths) + x.shape[0]) * EPS64 * mag
    spread = _hidden_spread(ws, bs)
    if spread > tol:
        raise LawViolation(f"after {steps} step(s) from constant init ({activation}), hidden units differ by {spread:.3g} "
                           f"> {tol:.2g}; they should stay identical (seed 002)")


@law(needs=("dense_forward", "dense_backward", "mse_loss_grad", "gradient_descent_step"),
     cases=per_technique(("he_normal", "glorot_normal", "lecun_normal")),
     setup=_training_setups(), init=lambda c: st.just(c),
     controls=(ictl.one_draw_broadcast,))
def random_init_breaks_the_symmetry(t, setup, init):
    """With random (He / Glorot / LeCun normal) init, the hidden units of a layer differ, at
    init and after gradient descent (seed 002: "can we initialise a network with zeros? No").

    Two continuous draws are equal with probability 0, and the differences are of the order
    of the weights' std (>= 1/8 here); the law requires a spread above ``1e-6`` of it, at
    init and after the steps (GD is a continuous map that cannot merge distinct units in a
    few small steps except on a null set).
    """
    widths, activation, _, x, y, lr, steps = setup
    rng = np.random.default_rng(1)
    ws = [np.asarray(getattr(t, init)((widths[i + 1], widths[i]), rng, **init_kwargs(init)), dtype=np.float64)
          for i in range(len(widths) - 1)]
    bs = [np.zeros(widths[i + 1]) for i in range(len(widths) - 1)]
    for when, (w_, b_) in (("at init", (ws, bs)), (f"after {steps} step(s)", _train(t, ws, bs, x, y, activation, lr, steps))):
        for l in range(len(w_) - 1):
            rows = w_[l]
            gaps = [float(np.max(np.abs(rows[i] - rows[j]))) for i in range(rows.shape[0]) for j in range(i)]
            if min(gaps) <= 1e-6 * float(np.abs(rows).max() or 1.0):
                raise LawViolation(f"{init}: two hidden units of layer {l} have identical incoming weights {when} "
                                   f"(min row gap {min(gaps):.3g}); random init must break the symmetry")


@st.composite
def _regressions(draw_):
    kind = draw_(st.sampled_from(["linear", "logistic"]), label="kind")
    rng = stats.rng_from(draw_(stats.seeds(), label="seed"))
    n, d = draw_(st.integers(2, 20), label="n"), draw_(st.integers(1, 4), label="d")
    x = rng.standard_normal((n, d)) * draw_(st.sampled_from([0.1, 1.0, 10.0]), label="x scale")
    y = rng.standard_normal((n, 1)) if kind == "linear" else rng.integers(0, 2, (n, 1)).astype(np.float64)
    return kind, x, y


@law(needs=("zeros_init", "dense_forward", "dense_backward", "mse_loss_grad", "bce_with_logits_loss_grad",
            "gradient_descent_step"),
     problem=_regressions(), controls=(ctl.gd_ascent, ctl.mse_grad_residual_sign))
def zero_init_regression_still_learns(t, problem):
    """Linear and logistic regression started at zero weights and bias learn: one gradient step
    with ``lr = 1/L`` (L the smoothness constant) lowers the loss by at least
    ``lr/2 ||grad||^2`` (the descent lemma) and moves the weights off zero whenever the
    gradient at zero is not 0 (seed 002: "can we initialise linear/logistic regression with
    zeros? Yes": there is a single unit, so no symmetry to break).

    The law computes its own loss and gradient at zero (math.fsum):
    MSE ``(1/n) sum (w.x + b - y)^2`` with ``L = 2 lambda_max([X 1]^T [X 1]) / n``; logistic
    ``(1/n) sum softplus(z) - y z`` with ``L = lambda_max / (4 n)``. Tolerance
    ``64 n eps (loss_0 + ||grad||^2 lr)`` for the rounding of the losses.
    """
    kind, x, y = problem
    n, d = x.shape
    xt = np.hstack([x, np.ones((n, 1))])
    lam = float(np.linalg.eigvalsh(xt.T @ xt).max())
    rng = np.random.default_rng(0)
    w = np.asarray(t.zeros_init((1, d), rng), dtype=np.float64)
    b = np.asarray(t.zeros_init((1,), rng), dtype=np.float64)

    def loss(theta):
        z = xt @ theta
        if kind == "linear":
            return math.fsum(((z - y[:, 0]) ** 2).tolist()) / n
        return math.fsum((np.maximum(z, 0) - y[:, 0] * z + np.log1p(np.exp(-np.abs(z)))).tolist()) / n

    if kind == "linear":
        grad0 = np.array([math.fsum((-2 * y[:, 0] * xt[:, j]).tolist()) / n for j in range(d + 1)])
        lr = n / (2 * lam)
        loss_grad = t.mse_loss_grad
    else:
        grad0 = np.array([math.fsum(((0.5 - y[:, 0]) * xt[:, j]).tolist()) / n for j in range(d + 1)])
        lr = 4 * n / lam
        loss_grad = t.bce_with_logits_loss_grad
    g2 = float(grad0 @ grad0)
    if g2 == 0.0:
        return
    cache = t.dense_forward([w], [b], x, activation="linear", output_activation="linear")
    g = t.dense_backward([w], cache, loss_grad(cache.output, y), activation="linear", output_activation="linear")
    w1, b1 = t.gradient_descent_step([w, b], [g.weights[0], g.biases[0]], lr)
    theta = np.concatenate([np.asarray(w1, dtype=np.float64).ravel(), np.asarray(b1, dtype=np.float64).ravel()])
    l0, l1 = loss(np.zeros(d + 1)), loss(theta)
    tol = 64 * n * EPS64 * (l0 + lr * g2)
    if not l1 <= l0 - lr * g2 / 2 + tol or not np.any(theta != 0):
        raise LawViolation(f"{kind} regression from zero init: loss {l0:.6g} -> {l1:.6g} after one step of lr={lr:.3g}; "
                           f"the descent lemma requires <= {l0 - lr * g2 / 2:.6g} (||grad||^2 = {g2:.3g}), weights {theta}")


# --- the derivatives at |x| up to 1e3 (issue 16) ------------------------------------------------------

#: Inputs up to 1e3 in magnitude: sigmoid' = e^-|x| / (1 + e^-|x|)^2 is a normal number for
#: |x| < 708.4, subnormal up to 745.1 and below half the smallest subnormal beyond; tanh' =
#: 4 e^-2|x| / (...)^2 likewise at half these |x|. The pinned values straddle the edges.
_XS_WIDE = st.lists(st.floats(-1e3, 1e3, allow_subnormal=False), min_size=1, max_size=20).map(
    lambda v: np.array(v + [0.0]))
_EDGES = np.array([-1e3, -800.0, -745.2, -745.0, -720.0, -709.0, -40.0, 19.5, 40.0, 354.0, 360.0, 373.0, 373.5, 708.0,
                   720.0, 745.0, 745.2, 800.0, 1e3, 0.0])
TINY_SUB = 2.0**-1074


def _sigmoid_grad_true(v):
    e = math.exp(-abs(v))
    return e / (1 + e) ** 2


def _tanh_grad_true(v):
    # 4 e^-2|x| / (1 + e^-2|x|)^2 in exact-enough floats: for |x| > 354 the factor 4 e^-2|x| is
    # subnormal or 0, so form it from exp(-2|x| + ln 4) (one rounding of a subnormal)
    e = math.exp(-2 * abs(v))
    return math.exp(-2 * abs(v) + math.log(4.0)) / (1 + e) ** 2


@law(needs=("sigmoid_grad", "tanh_grad"), x=_XS_WIDE, examples=({"x": _EDGES},),
     controls=(ctl.exp_without_abs,))
def sigmoid_and_tanh_derivatives_stay_finite_and_bounded_up_to_1e3(t, x):
    """For every ``|x| <= 1e3``, ``sigmoid'(x)`` and ``tanh'(x)`` are finite numbers in
    ``[0, 1/4]`` and ``[0, 1]`` (never NaN, never negative), within the normwise error
    ``8 eps |g| + eps`` (sigmoid) and ``8 eps |g| + 4 eps`` (tanh) of the true value, the
    tolerances of ``sigmoid_derivative_is_at_most_a_quarter`` and ``tanh_derivative_is_at_most_one``
    extended from |x| <= 30: deep in the tails the true values are below the absolute terms,
    so 0 is accepted there (the relative demand is the accuracy law
    ``sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails``). Written with
    ``e^-x`` instead of ``e^-|x|`` the derivatives overflow to NaN (inf / inf) for x < -709
    (tanh: x < -354).
    """
    for name, f, true, top, absolute in (("sigmoid_grad", t.sigmoid_grad, _sigmoid_grad_true, 0.25, EPS64),
                                         ("tanh_grad", t.tanh_grad, _tanh_grad_true, 1.0, 4 * EPS64)):
        g = np.asarray(f(x), dtype=np.float64)
        if g.shape != x.shape:
            raise LawViolation(f"{name}: out.shape={g.shape}, but should be {x.shape}")
        for v, gv in zip(x.tolist(), g.tolist()):
            want = true(v)
            if not (0 <= gv <= top) or abs(gv - want) > 8 * EPS64 * want + absolute:
                raise LawViolation(f"{name}({v!r}) = {gv!r}; should be {want!r} (finite, in [0, {top}], within "
                                   f"8 eps |g| + {absolute:.3g})")


@law(needs=("sigmoid_grad", "tanh_grad"), x=_XS_WIDE, examples=({"x": _EDGES},), tier="accuracy",
     controls=(ctl.derivative_from_output,))
def sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails(t, x):
    """Accuracy: for every ``|x| <= 1e3`` the derivatives are within ``(8 + 2|x|) eps g + 2^-1074``
    of the true value ``g``: relative accuracy wherever ``g`` is a normal number, and at most
    one unit of the smallest subnormal ``2^-1074`` where it is subnormal. So 0 is returned only
    where the true value is at most ``2^-1074`` (sigmoid' at |x| >= 744.4, tanh' at |x| >= 372.9);
    e.g. ``sigmoid_grad(-800)`` (true value 1e-348) is 0 and ``sigmoid_grad(740)`` (4e-322) is
    that subnormal, never 0.

    ``2 |x| eps`` is the conditioning: ``|x g'(x) / g(x)|`` tends to ``|x|`` (sigmoid) and
    ``2|x|`` (tanh) in the tails, so a backward-stable evaluation may lose that much. The
    output-based ``s (1 - s)`` and ``1 - t^2`` of autograd frameworks give 0 from x = 37 (19)
    on, where the true value is a normal number: the correctness law
    ``sigmoid_and_tanh_derivatives_stay_finite_and_bounded_up_to_1e3`` accepts that.
    """
    for name, f, true in (("sigmoid_grad", t.sigmoid_grad, _sigmoid_grad_true), ("tanh_grad", t.tanh_grad, _tanh_grad_true)):
        g = np.asarray(f(x), dtype=np.float64)
        if g.shape != x.shape:
            raise LawViolation(f"{name}: out.shape={g.shape}, but should be {x.shape}")
        for v, gv in zip(x.tolist(), g.tolist()):
            want = true(v)
            if not abs(gv - want) <= (8 + 2 * abs(v)) * EPS64 * want + TINY_SUB:
                raise LawViolation(f"{name}({v!r}) = {gv!r}; should be {want!r} within (8 + 2|x|) eps g + 2^-1074 "
                                   f"(relative accuracy in the tails)")


# --- dtypes, underflow and overflow of the activations, losses and networks (mutation gaps) ------------------
_ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "sigmoid_grad", "tanh_grad", "relu_grad")


@law(needs=(), cases=per_technique(_ACTIVATION_NAMES), name=lambda c: st.just(c),
     shape=st.sampled_from([(0,), (3,), (2, 3), (0, 4), (2, 1, 2)]),
     dtype=st.sampled_from(["float32", "float64", "int64"]), seed=stats.seeds(),
     controls=(ctl.sigmoid_always_float64,))
def activations_keep_the_shape_and_floating_dtype_of_their_input(t, name, shape, dtype, seed):
    """Every activation and derivative is elementwise: its output has the shape of the input
    (an empty array and any number of dimensions included) and the input's floating dtype,
    float64 for integers (float32 in, float32 out: the dtype selects the precision, as for
    ``normalization.output_dtype_follows_input``). Exact: shapes and dtypes have no rounding."""
    x = (stats.rng_from(seed).standard_normal(shape) * 3.0).astype(dtype)
    out = np.asarray(getattr(t, name)(x))
    want = np.dtype("float64") if dtype.startswith("int") else np.dtype(dtype)
    if out.shape != x.shape or out.dtype != want:
        raise LawViolation(f"{name}({dtype} array of shape {x.shape}): out.shape={out.shape}, out.dtype={out.dtype}; "
                           f"should be {x.shape} and {want}")


#: Where tanh'(x) = 4 e^-2|x| / (1 + e^-2|x|)^2 is a subnormal number of 2^-1073 .. 2^-1062
#: (float64; 2|x| = ln 4 + k ln 2) and of 2^-148 .. 2^-137 (float32): a few to a few thousand
#: units of the smallest subnormal, so a rounding of one unit is visible.
_TANH_SUBNORMAL_BAND = {"float64": (368.8, 372.5), "float32": (48.2, 51.9)}


@st.composite
def _tanh_subnormal_inputs(draw_):
    dtype = draw_(st.sampled_from(sorted(_TANH_SUBNORMAL_BAND)), label="dtype")
    lo, hi = _TANH_SUBNORMAL_BAND[dtype]
    v = draw_(st.lists(st.floats(lo, hi) | st.floats(-hi, -lo), min_size=1, max_size=20), label="x")
    return dtype, np.array(v).astype(dtype)


@law(needs=("tanh_grad",), case=_tanh_subnormal_inputs(), tier="accuracy",
     examples=({"case": ("float64", np.array([370.1, -371.3, 369.7, 372.2]))},
               {"case": ("float32", np.array([49.1, -50.3, 48.7, 51.2], dtype=np.float32))}),
     controls=(ctl.tanh_grad_four_e_rounded,))
def tanh_derivative_is_accurate_where_it_is_subnormal(t, case):
    """Accuracy: where ``tanh'(x)`` is a subnormal number of its dtype it is within
    ``(8 + 2|x|) eps g + u`` of the true value g, u the smallest subnormal (2^-1074 float64,
    2^-149 float32): the tolerance of ``sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails``
    (``2|x| eps`` the conditioning, one unit for the final rounding), here on the narrow band
    of |x| where g is 1 to 2^11 units, which a uniform draw over |x| <= 1e3 rarely visits, and
    for float32 too. ``4 * exp(-2|x|)`` rounds ``exp(-2|x|)`` to a unit first and the factor 4
    makes that up to two units; ``exp(ln 4 - 2|x|)`` rounds once.
    """
    dtype, x = case
    eps, unit = (EPS64, 2.0**-1074) if dtype == "float64" else (float(np.finfo(np.float32).eps), 2.0**-149)
    g = np.asarray(t.tanh_grad(x), dtype=np.float64)
    for v, gv in zip(x.astype(np.float64).tolist(), g.tolist()):
        want = _tanh_grad_true(v)
        if not abs(gv - want) <= (8 + 2 * abs(v)) * eps * want + unit:
            raise LawViolation(f"tanh_grad({dtype}({v!r})) = {gv!r}; should be {want!r} within (8 + 2|x|) eps g + {unit!r} "
                               f"({(gv - want) / unit:+.2f} units of the smallest subnormal)")


@st.composite
def _pairs_across_the_range(draw_, regimes):
    """(regime, p, y): n <= 6 values m 2^k, |m| in [1, 2), with k from the regime's range;
    "subnormal" draws integer multiples of 2^-1074."""
    regime = draw_(st.sampled_from(regimes), label="regime")
    n = draw_(st.integers(1, 6), label="n")
    if regime == "subnormal":
        ints = st.integers(-2**12, 2**12)
        p = [math.ldexp(draw_(ints), -1074) for _ in range(n)]
        y = [math.ldexp(draw_(ints), -1074) for _ in range(n)]
        return regime, np.array([p]), np.array([y])
    lo, hi = {"huge": (1015, 1023), "tiny": (-480, -401), "moderate": (-5, 5), "large": (401, 511),
              "squares overflow": (510, 512)}[regime]
    vals = [math.ldexp(draw_(st.floats(1.0, 2.0, exclude_max=True)) * draw_(st.sampled_from([-1.0, 1.0])),
                       draw_(st.integers(lo, hi))) for _ in range(2 * n)]
    return regime, np.array([vals[:n]]), np.array([vals[n:]])


def _exact(v):
    from fractions import Fraction
    return Fraction(float(v))


@law(needs=("mse_loss_grad",), py=_pairs_across_the_range(("subnormal", "huge", "moderate", "large")),
     examples=({"py": ("subnormal", np.array([[3 * 2.0**-1074]]), np.array([[0.0]]))},
               {"py": ("huge", np.array([[1.5e308, -1.0e308, 0.0]]), np.array([[-1.0e308, 1.0e308, 0.0]]))}),
     controls=(ctl.mse_loss_grad_overflowing, ctl.mse_loss_grad_halved_always))
def mse_loss_grad_is_twice_the_residual_over_n_up_to_the_float64_limit(t, py):
    """``mse_loss_grad(p, y) = 2 (p - y) / n`` elementwise whenever that value is a float64
    number, also where ``p - y`` itself overflows (|p|, |y| near 1.8e308 of opposite signs,
    n >= 2) and for subnormal p and y.

    Compared with the exact value (fractions): ``p - y`` rounded once, the division by n once,
    the doubling exact, so ``2 eps |g| + 2^-1074`` (where g is subnormal the division rounds by
    half a unit, doubled). Examples whose true gradient overflows are skipped.
    """
    _, p, y = py
    n = p.size
    wants = [2 * (_exact(pv) - _exact(yv)) / n for pv, yv in zip(p.ravel().tolist(), y.ravel().tolist())]
    if max(abs(w) for w in wants) > _exact(np.finfo(np.float64).max):
        return
    g = np.asarray(t.mse_loss_grad(p, y), dtype=np.float64)
    for pv, yv, gv, want in zip(p.ravel().tolist(), y.ravel().tolist(), g.ravel().tolist(), wants):
        if not (math.isfinite(gv) and abs(_exact(gv) - want) <= 2 * _exact(EPS64) * abs(want) + _exact(2.0**-1074)):
            raise LawViolation(f"mse_loss_grad: element for pred={pv!r}, y={yv!r} (n={n}) is {gv!r}; "
                               f"should be 2 (pred - y) / n = {float(want)!r}")


def _loss_terms_exact(name, p, y):
    """The exact elementwise terms (fractions; bce's log1p term rounded once in math)."""
    if name == "mse_loss":
        return [(_exact(a) - _exact(b)) ** 2 for a, b in zip(p, y)]
    return [_exact(max(z, 0.0)) - _exact(b) * _exact(z) + _exact(math.log1p(math.exp(-abs(z)))) for z, b in zip(p, y)]


@st.composite
def _loss_inputs(draw_, name):
    if name == "mse_loss":
        return draw_(_pairs_across_the_range(("tiny", "moderate", "large", "squares overflow")))
    regime = draw_(st.sampled_from(["moderate", "huge", "near the limit"]), label="regime")
    n = draw_(st.integers(1, 6), label="n")
    lo, hi = {"moderate": (-5, 5), "huge": (401, 1023), "near the limit": (1023, 1023)}[regime]
    z = [math.ldexp(draw_(st.floats(1.0, 2.0, exclude_max=True)), draw_(st.integers(lo, hi))) for _ in range(n)]
    z = [v * draw_(st.sampled_from([-1.0, 1.0])) for v in z]
    if regime == "near the limit":   # z = +-m 2^1023 with the label that makes the term |z|: the sum overflows
        z, y = [v for v in z] + [z[0]], [0.0 if v > 0 else 1.0 for v in z] + [0.0 if z[0] > 0 else 1.0]
        return regime, np.array([z]), np.array([y])
    y = [draw_(st.sampled_from([0.0, 1.0, 0.25, 0.5])) for _ in range(n)]
    return regime, np.array([z]), np.array([y])


@law(needs=(), cases=per_technique(("mse_loss", "bce_with_logits_loss")), name=lambda c: st.just(c),
     data=lambda c: _loss_inputs(c),
     controls=(ctl.mse_loss_unscaled, ctl.bce_unscaled))
def losses_are_the_mean_of_their_terms_up_to_the_float64_limit(t, name, data):
    """``mse_loss`` is ``mean((p - y)^2)`` and ``bce_with_logits_loss`` is
    ``mean(max(z, 0) - y z + log(1 + e^-|z|))`` whenever that mean is a float64 number: for
    values from 2^-480 to 2^1023, also where a square overflows although the mean does not
    (differences near 2^512, n >= 2) and where the sum of the bce terms would (logits near
    1.8e308).

    Compared with the exact mean (fractions; bce's log1p term rounded once): each term rounds a
    few times (``2 eps`` relative for mse; for bce the product ``y z`` by ``eps |y z|``, the two
    additions by ``eps`` of the term each), the mean of n terms ``n eps`` relative, so
    ``2 (n + 2) eps |mean| + 2 eps mean(|y z|)`` (the last for bce) plus one unit 2^-1074 for a
    subnormal mean. Examples whose mean overflows are
    skipped; moderate values are pinned by ``gradcheck``.
    """
    _, p, y = data
    n = p.size
    want = sum(_loss_terms_exact(name, p.ravel().tolist(), y.ravel().tolist())) / n
    if abs(want) > _exact(np.finfo(np.float64).max):
        return
    got = float(getattr(t, name)(p, y))
    tol = 2 * (n + 2) * _exact(EPS64) * abs(want) + _exact(2.0**-1074)
    if name == "bce_with_logits_loss":
        tol += 2 * _exact(EPS64) * sum(_exact(abs(b * z)) for z, b in zip(p.ravel().tolist(), y.ravel().tolist())) / n
    if not (math.isfinite(got) and abs(_exact(got) - want) <= tol):
        raise LawViolation(f"{name}(p={p.tolist()!r}, y={y.tolist()!r}) = {got!r}; should be the mean of the terms, "
                           f"{float(want)!r} (tolerance {float(tol):.3g})")


@st.composite
def _out_of_range_chains(draw_):
    """(weights, x, K, mantissas): ``W_l = 2^k_l M_l`` and ``x = 2^k_0 m`` with positive M_l, m
    (entries in [1, 2)), so ``W_L ... W_1 x = 2^K (M_L ... M_1 m)``; the partial exponents
    ``k_0 + ... + k_l`` reach 1030 .. 1800 (beyond the float64 range) after the first layer
    and end in -700 .. 800."""
    depth = draw_(st.integers(2, 5), label="depth")
    widths = draw_(st.lists(st.integers(1, 6), min_size=depth + 1, max_size=depth + 1), label="widths")
    batch = draw_(st.sampled_from([0, 1, 3]), label="batch (0: one 1-d sample)")
    rng = stats.rng_from(draw_(stats.seeds(), label="seed"))
    s = [draw_(st.integers(100, 1000), label="k_0")]
    s.append(draw_(st.integers(max(1030, s[0] - 1000), min(1800, s[0] + 1000)), label="S_1"))
    for l in range(2, depth + 1):
        top = 1800 if l < depth else 800
        s.append(draw_(st.integers(max(-700, s[-1] - 1000), min(top, s[-1] + 1000)), label=f"S_{l}"))
    ms = [rng.uniform(1.0, 2.0, (widths[l + 1], widths[l])) for l in range(depth)]
    m = rng.uniform(1.0, 2.0, (batch, widths[0]) if batch else (widths[0],))
    ws = [np.ldexp(ms[l], s[l + 1] - s[l]) for l in range(depth)]
    return ws, np.ldexp(m, s[0]), s[-1], (ms, m)


@law(needs=("deep_linear_forward",), chain=_out_of_range_chains(), controls=(ctl.deep_linear_unscaled, ctl.deep_linear_shift_sign))
def deep_linear_forward_is_exact_through_intermediates_beyond_the_float64_range(t, chain):
    """``deep_linear_forward(weights, x) = W_L ... W_1 x`` whenever the result is a (normal)
    float64 number, even where an intermediate ``W_l ... W_1 x`` is beyond the float64 range
    (the documented contract: an entry is inf exactly when its true value is), for one sample
    (1-d x) and for a batch (rows are samples).

    The weights are ``2^k_l M_l`` with positive M_l, so the result is ``2^K (M_L ... M_1 m)``
    and the law computes the moderate product in float64; with positive entries every product
    has the componentwise relative error ``n_l eps`` of its inner dimension, and scaling by
    powers of two is exact, so both sides are within ``sum n_l eps`` of the truth:
    tolerance ``2 (sum_l n_l + L) eps`` relative, entry by entry.
    """
    ws, x, K, (ms, m) = chain
    want = m
    for mw in ms:
        want = want @ mw.T
    want = np.ldexp(want, K)
    y = np.asarray(t.deep_linear_forward(ws, x), dtype=np.float64)
    tol = 2 * (sum(w.shape[1] for w in ws) + len(ws)) * EPS64
    if y.shape != want.shape or not np.all(np.abs(y - want) <= tol * want):
        raise LawViolation(f"deep_linear_forward of {len(ws)} layers 2^k M (k = {[int(np.frexp(w.max())[1]) for w in ws]}) "
                           f"on x of shape {x.shape}: {y!r}; should be {want!r} (relative tolerance {tol:.2g})")


@st.composite
def _plain_nets(draw_):
    depth = draw_(st.integers(1, 4), label="depth")
    widths = draw_(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1), label="widths")
    rng = stats.rng_from(draw_(stats.seeds(), label="seed"))
    ws = [rng.standard_normal((widths[i + 1], widths[i])) for i in range(depth)]
    return ws, rng.standard_normal((draw_(st.integers(1, 4), label="batch"), widths[0]))


_ACT_NAMES = st.sampled_from(["linear", "sigmoid", "tanh", "relu"])


@law(needs=("dense_forward",), net=_plain_nets(), activation=_ACT_NAMES, output_activation=_ACT_NAMES,
     controls=(ctl.dense_forward_default_linear_bias,))
def dense_forward_without_biases_equals_zero_biases(t, net, activation, output_activation):
    """``dense_forward(weights, None, x, ...)`` is the network with every bias 0: the same
    output as explicit zero biases ``[zeros(n_l)]`` (layers of any shape, n_out != n_in
    included). Exact: adding 0.0 changes no float (``-0.0 + 0.0`` compares equal)."""
    ws, x = net
    got = np.asarray(t.dense_forward(ws, None, x, activation=activation, output_activation=output_activation).output,
                     dtype=np.float64)
    want = np.asarray(t.dense_forward(ws, [np.zeros(w.shape[0]) for w in ws], x, activation=activation,
                                      output_activation=output_activation).output, dtype=np.float64)
    if got.shape != want.shape or not np.array_equal(got, want):
        raise LawViolation(f"dense_forward(biases=None) = {got!r}; with zero biases {want!r} "
                           f"(widths {[ws[0].shape[1]] + [w.shape[0] for w in ws]}, {activation}/{output_activation})")


@law(needs=("gradient_descent_step",),
     shapes=st.lists(st.sampled_from([(), (0,), (3,), (2, 2), (0, 3)]), min_size=1, max_size=3),
     dtypes=st.tuples(st.sampled_from(["float32", "float64"]), st.sampled_from(["float32", "float64"])),
     lr=st.sampled_from([0.1, 0.01, 0.3]) | st.floats(1e-4, 1.0), seed=stats.seeds(),
     controls=(ctl.gd_in_input_dtype,))
def gradient_descent_step_is_p_minus_lr_g_in_float64(t, shapes, dtypes, lr, seed):
    """``gradient_descent_step(params, grads, lr)[i] = params[i] - lr grads[i]`` elementwise, of
    the shape of ``params[i]`` (0-d and empty parameters included), computed in float64 for
    float32 as for float64 inputs (the documented "new float64 arrays": a float32 input is the
    float64 number it represents).

    Compared with the exact value (fractions): ``lr g`` and the difference round once each in
    float64, so ``eps (|p| + |lr g|)``; a float32 evaluation errs by ``eps32 |lr g| / 2``.
    """
    rng = stats.rng_from(seed)
    ps = [rng.standard_normal(s).astype(dtypes[0]) for s in shapes]
    gs = [rng.standard_normal(s).astype(dtypes[1]) for s in shapes]
    out = t.gradient_descent_step(ps, gs, lr)
    if len(out) != len(ps):
        raise LawViolation(f"gradient_descent_step returned {len(out)} arrays for {len(ps)} parameters")
    for i, (p, g, o) in enumerate(zip(ps, gs, out)):
        o = np.asarray(o)
        if o.shape != p.shape:
            raise LawViolation(f"gradient_descent_step: result {i} has shape {o.shape}; should be {p.shape}")
        for pv, gv, ov in zip(p.ravel().tolist(), g.ravel().tolist(), o.astype(np.float64).ravel().tolist()):
            want = _exact(pv) - _exact(lr) * _exact(gv)
            if not abs(_exact(ov) - want) <= _exact(EPS64) * (abs(_exact(pv)) + abs(_exact(lr) * _exact(gv))):
                raise LawViolation(f"gradient_descent_step: {pv!r} - {lr!r} * {gv!r} ({dtypes[0]} p, {dtypes[1]} g) "
                                   f"gave {ov!r}; should be {float(want)!r} (computed in float64)")


# --- contract: the documented argument domains of the network functions ------------------------------

from properties.laws._contract import refuses, unchanged  # noqa: E402

_NETWORK_CASES = {"dense_forward": ("dense_forward",), "dense_backward": ("dense_forward", "dense_backward"),
                  "deep_linear_forward": ("deep_linear_forward",)}


def _net(seed, widths, batch=2):
    """Weights ``(n_{l+1}, n_l)`` for ``widths`` and an input ``(batch, n_0)``, standard normal."""
    rng = stats.rng_from(seed)
    ws = [rng.standard_normal((widths[i + 1], widths[i])) for i in range(len(widths) - 1)]
    return ws, rng.standard_normal((batch, widths[0]))


def _network_call(t, name, ws_good, ws, x, biases=None):
    """The call of ``name`` with weights ``ws`` (a dense_backward gets the cache of the good network)."""
    if name == "dense_forward":
        return lambda: t.dense_forward(ws, biases, x, activation="tanh", output_activation="linear")
    if name == "deep_linear_forward":
        return lambda: t.deep_linear_forward(ws, x)
    cache = t.dense_forward(ws_good, None, x, activation="tanh", output_activation="linear")
    g = np.ones_like(np.asarray(cache.output, dtype=np.float64))
    return lambda: t.dense_backward(ws, cache, g, activation="tanh", output_activation="linear")


_WIDTHS = st.lists(st.integers(1, 3), min_size=3, max_size=4)
_CHAIN_BREAKS = ("1-d", "3-d", "columns of weights[1]", "columns of the last weight")


@law(needs=(), cases=_NETWORK_CASES, tier="contract", max_examples=10, name=lambda c: st.just(c), widths=_WIDTHS,
     kind=st.sampled_from(_CHAIN_BREAKS), layer=st.integers(0, 2), seed=stats.seeds(),
     examples=tuple({"_case": c, "name": c, "widths": w, "kind": k, "layer": 0, "seed": 0}
                    for c in _NETWORK_CASES for k in _CHAIN_BREAKS for w in ([2, 1, 2], [2, 2, 2])),
     controls=(ctl.weights_unchecked, ctl.weights_chain_checked_from_the_second_pair))
def networks_refuse_weights_that_are_not_a_chain_of_matrices(t, name, widths, kind, layer, seed):
    """``dense_forward``, ``dense_backward`` and ``deep_linear_forward`` refuse, with
    ``ValueError``, weights that are not a chain of matrices: a weight that is not 2-d, or
    ``weights[l]`` whose columns differ from the rows of ``weights[l - 1]`` (layout
    ``(n_out, n_in)``), the first pair and the last one included (one column more or fewer). The documented domain is a
    list of 2-d arrays ``weights[l]`` of shape ``(n_{l+1}, n_l)``; a mismatched chain can still
    broadcast (a width-1 layer), giving a result of a network that does not exist. The weights
    stay unchanged.
    """
    ws_good, x = _net(seed, widths)
    if name == "deep_linear_forward":
        x = x[0]
    rng = stats.rng_from(seed + 1)
    ws = [w.copy() for w in ws_good]
    k = layer % len(ws)
    if kind == "1-d":
        ws[k] = ws[k][0]
    elif kind == "3-d":
        ws[k] = ws[k][None]
    else:
        j = 1 if kind == "columns of weights[1]" else len(ws) - 1
        cols = ws[j].shape[1]
        ws[j] = rng.standard_normal((ws[j].shape[0], cols + 1 if cols == 1 else 1))
    before = [w.copy() for w in ws]
    refuses(_network_call(t, name, ws_good, ws, x),
            f"{name}: weights of shapes {[w.shape for w in ws]} ({kind}) are not a chain of (n_out, n_in) matrices")
    for i, (b, w) in enumerate(zip(before, ws)):
        unchanged(b, w, f"{name}: weights[{i}]")


@law(needs=(), cases=_NETWORK_CASES, tier="contract", max_examples=10, name=lambda c: st.just(c),
     n=st.integers(1, 3), depth=st.integers(1, 3), kind=st.sampled_from(["a stacked array", "an empty list", "None"]),
     seed=stats.seeds(), controls=(ctl.weights_any_sequence,))
def networks_refuse_weights_that_are_not_a_list(t, name, n, depth, kind, seed):
    """The network functions refuse, with ``TypeError``, weights that are not a non-empty list
    of arrays: a numpy array (even a stack of square layers, which iterates like a list: the
    interface takes a list, one array per layer, and an array of layers is a type confusion),
    an empty list (a network without layers) or None.
    """
    ws_good, x = _net(seed, [n] * (depth + 1))
    if name == "deep_linear_forward":
        x = x[0]
    ws = {"a stacked array": np.stack(ws_good), "an empty list": [], "None": None}[kind]
    refuses(_network_call(t, name, ws_good, ws, x), f"{name}: weights given as {kind}", expect=TypeError)


@law(needs=("dense_forward",), tier="contract", max_examples=10, widths=_WIDTHS,
     kind=st.sampled_from(["one bias fewer", "one bias more", "a numpy array"]), seed=stats.seeds(),
     controls=(ctl.biases_zipped,))
def dense_forward_refuses_biases_that_are_not_one_per_layer(t, widths, kind, seed):
    """``dense_forward`` refuses, with ``TypeError``, biases that are not None or a list of one
    1-d array per layer: a list one shorter or longer (zipping would silently drop a layer's
    bias or ignore an extra one) or a numpy array (of equal-width layers' biases, stacked).
    """
    widths = [widths[0]] + [widths[1]] * (len(widths) - 1) if kind == "a numpy array" else widths
    ws, x = _net(seed, widths)
    bs = [np.full(w.shape[0], 0.5) for w in ws]
    bad = bs[:-1] if kind == "one bias fewer" else bs + [bs[-1]] if kind == "one bias more" else np.stack(bs)
    refuses(lambda: t.dense_forward(ws, bad, x, activation="tanh", output_activation="linear"),
            f"dense_forward: biases given as {kind} for {len(ws)} layers", expect=TypeError)


@law(needs=(), cases={"dense_forward": ("dense_forward",), "deep_linear_forward": ("deep_linear_forward",)},
     tier="contract", max_examples=10, name=lambda c: st.just(c), n=st.integers(1, 3),
     ndim=lambda c: st.sampled_from([0, 1, 3] if c == "dense_forward" else [0, 3]), seed=stats.seeds(),
     controls=(ctl.x_of_any_ndim,))
def networks_refuse_an_input_of_the_wrong_ndim(t, name, n, ndim, seed):
    """``dense_forward`` refuses an ``x`` that is not 2-d ``(batch, n_0)`` and
    ``deep_linear_forward`` one that is neither 1-d (one sample) nor 2-d (a batch) with
    ``ValueError`` (the documented shapes): a 3-d input would be multiplied batch-wise into a
    result of another shape, a 1-d one to ``dense_forward`` loses the batch axis, a 0-d one
    has no features. The input stays unchanged.
    """
    ws, _ = _net(seed, [n, 2, 1])
    x = stats.rng_from(seed + 1).standard_normal({0: (), 1: (n,), 3: (2, 2, n)}[ndim]) if ndim else np.float64(0.5)
    x = np.asarray(x, dtype=np.float64)
    before = x.copy()
    call = (lambda: t.dense_forward(ws, None, x, activation="tanh", output_activation="linear")) \
        if name == "dense_forward" else (lambda: t.deep_linear_forward(ws, x))
    refuses(call, f"{name}: x of shape {x.shape} ({ndim}-d)")
    unchanged(before, x, f"{name}: x")


@law(needs=(), cases=per_technique(("bce_with_logits_loss", "bce_with_logits_loss_grad")), tier="contract",
     max_examples=10, name=lambda c: st.just(c),
     label=st.sampled_from([-1.0, -5e-324, -1e-300, 1.0000000000000002, 2.0, 1e300])
     | st.floats(1.0, 1e300, exclude_min=True) | st.floats(-1e300, 0.0, exclude_max=True),
     n=st.integers(1, 4), seed=stats.seeds(),
     examples=tuple({"_case": c, "name": c, "label": v, "n": 2, "seed": 0}
                    for c in ("bce_with_logits_loss", "bce_with_logits_loss_grad") for v in (-1e-300, 1.0000000000000002)),
     controls=(ctl.labels_unchecked,))
def logistic_losses_refuse_labels_outside_zero_one(t, name, label, n, seed):
    """``bce_with_logits_loss`` and its gradient refuse targets ``y`` outside [0, 1] with
    ``ValueError``: ``y`` is a probability (or a 0/1 label); the formula ``max(z, 0) - y z +
    log(1 + e^-|z|)`` evaluates for any ``y`` but is no cross-entropy outside [0, 1] (a label
    2 gives a loss unbounded below). Both bounds are closed: 0 and 1 are labels. The inputs
    stay unchanged.
    """
    rng = stats.rng_from(seed)
    z = rng.standard_normal((n, 1))
    y = rng.uniform(0.0, 1.0, (n, 1))
    y[rng.integers(n), 0] = label
    zb, yb = z.copy(), y.copy()
    refuses(lambda: getattr(t, name)(z, y), f"{name}: y with an entry {label!r} outside [0, 1]")
    unchanged(zb, z, f"{name}: logits")
    unchanged(yb, y, f"{name}: y")


NOT_POSITIVE_FINITE = st.sampled_from([0.0, -0.0, -0.1, -5e-324, float("nan"), float("inf"), float("-inf")]) \
    | st.floats(max_value=0.0, allow_nan=False)


@law(needs=("gradient_descent_step",), tier="contract", max_examples=10, lr=NOT_POSITIVE_FINITE, seed=stats.seeds(),
     examples=({"lr": 0.0, "seed": 0}, {"lr": -0.5, "seed": 0}),
     controls=(ctl.gd_lr_unchecked, ctl.gd_lr_zero_accepted))
def gradient_descent_step_refuses_a_learning_rate_that_is_not_positive_and_finite(t, lr, seed):
    """``gradient_descent_step`` refuses ``lr`` outside (0, inf) with ``ValueError``: 0 (a step
    that does nothing, the bound is open), negatives (gradient *ascent*), NaN and inf (the
    documented ``lr > 0``). The parameters and gradients stay unchanged.
    """
    rng = stats.rng_from(seed)
    ps, gs = [rng.standard_normal((2, 3)), rng.standard_normal(3)], [rng.standard_normal((2, 3)), rng.standard_normal(3)]
    before = [a.copy() for a in ps + gs]
    refuses(lambda: t.gradient_descent_step(ps, gs, lr), f"gradient_descent_step(lr={lr!r}): lr must be in (0, inf)")
    for b, a in zip(before, ps + gs):
        unchanged(b, a, "gradient_descent_step: params / grads")


@law(needs=("gradient_descent_step",), tier="contract", max_examples=10,
     kind=st.sampled_from(["params an array", "grads an array", "both arrays", "one grad fewer", "one grad more"]),
     seed=stats.seeds(), controls=(ctl.gd_zipped,))
def gradient_descent_step_refuses_params_and_grads_that_are_not_lists_of_equal_length(t, kind, seed):
    """``gradient_descent_step`` refuses, with ``TypeError``, ``params`` or ``grads`` that are
    numpy arrays (a stacked array iterates row by row, so it would be taken as a list of
    parameters) or lists of different lengths (zipping would drop a parameter's update): the
    documented arguments are lists of arrays of matching shapes.
    """
    rng = stats.rng_from(seed)
    ps = [rng.standard_normal(3) for _ in range(2)]
    gs = [rng.standard_normal(3) for _ in range(2)]
    p, g = {"params an array": (np.stack(ps), gs), "grads an array": (ps, np.stack(gs)),
            "both arrays": (np.stack(ps), np.stack(gs)), "one grad fewer": (ps, gs[:1]),
            "one grad more": (ps, gs + [gs[0]])}[kind]
    refuses(lambda: t.gradient_descent_step(p, g, 0.1), f"gradient_descent_step: {kind}", expect=TypeError)


#: Networks whose pass overflows float64: (x, weights, grad_output): a pre-activation beyond the
#: range (overflow), one that is inf - inf (invalid), and finite forward passes whose gradients
#: overflow (dLoss/dx beyond the range, or inf - inf).
_OVERFLOWING = {
    "dense_forward": [([[1e300]], [np.array([[1e300]])], None),
                      ([[1e308, 1e308]], [np.array([[1e10, -1e10]])], None),
                      ([[1e200, -1e200]], [np.array([[1e200, 1e200]]), np.array([[1.0]])], None)],
    "dense_backward": [([[1.0]], [np.array([[1e200]])], [[1e300]]),
                       ([[1.0]], [np.array([[1e200], [-1e200]])], [[1e300, 1e300]]),
                       ([[1e300]], [np.array([[1.0]])], [[1e300]])],
}


@law(needs=(), cases={"dense_forward": ("dense_forward",), "dense_backward": ("dense_forward", "dense_backward")},
     tier="contract", max_examples=5, name=lambda c: st.just(c), which=st.integers(0, 2), sign=st.sampled_from([1.0, -1.0]),
     controls=(ctl.overflow_returned,))
def dense_passes_refuse_values_that_overflow(t, name, which, sign):
    """``dense_forward`` refuses, with ``ValueError`` (and no warning), inputs whose
    pre-activations do not fit float64 (an overflow, or ``inf - inf`` in a product), and
    ``dense_backward`` a finite forward pass whose gradients do not: the documented domain is
    "values that fit float64" (linear output, so the overflow is not an activation's
    saturation). The inputs stay unchanged.
    """
    x, ws, g = _OVERFLOWING[name][which]
    x = sign * np.array(x, dtype=np.float64)
    before = [x.copy()] + [w.copy() for w in ws]
    if name == "dense_forward":
        call = lambda: t.dense_forward(ws, None, x, activation="linear", output_activation="linear")  # noqa: E731
    else:
        cache = t.dense_forward(ws, None, x, activation="linear", output_activation="linear")
        call = lambda: t.dense_backward(ws, cache, np.array(g), activation="linear", output_activation="linear")  # noqa: E731
    refuses(call, f"{name}: x = {x.tolist()}, weights {[w.tolist() for w in ws]}"
                  f"{'' if g is None else f', grad_output {g}'}: the pass overflows float64")
    for b, a in zip(before, [x] + ws):
        unchanged(b, a, f"{name}: x / weights")


@law(needs=("dense_forward", "dense_backward"), widths=_WIDTHS, seed=stats.seeds(), max_examples=5,
     controls=(ctl.dense_forward_default_tanh_output, ctl.dense_backward_default_sigmoid))
def dense_networks_default_to_tanh_hidden_units_and_a_linear_output(t, widths, seed):
    """``dense_forward(weights, biases, x)`` and ``dense_backward(weights, cache, grad_output)``
    without activations equal the calls with the documented defaults ``activation="tanh"``,
    ``output_activation="linear"`` given explicitly, bit for bit (a law about defaults: every
    other law passes them). Networks of 2 or 3 layers, so both defaults matter.
    """
    ws, x = _net(seed, widths)
    bs = [np.full(w.shape[0], 0.25) for w in ws]
    rng = stats.rng_from(seed + 1)
    f0 = t.dense_forward(ws, bs, x)
    f1 = t.dense_forward(ws, bs, x, activation="tanh", output_activation="linear")
    if not np.array_equal(np.asarray(f0.output), np.asarray(f1.output)):
        raise LawViolation(f"dense_forward(weights, biases, x).output = {np.asarray(f0.output).tolist()}; with "
                           f"activation='tanh', output_activation='linear' it is {np.asarray(f1.output).tolist()}")
    g = rng.standard_normal(np.shape(f1.output))
    b0 = t.dense_backward(ws, f1, g)
    b1 = t.dense_backward(ws, f1, g, activation="tanh", output_activation="linear")
    for what, u, v in [("x", b0.x, b1.x)] + [(f"weights[{i}]", u, v) for i, (u, v) in enumerate(zip(b0.weights, b1.weights))]:
        if not np.array_equal(np.asarray(u), np.asarray(v)):
            raise LawViolation(f"dense_backward(weights, cache, grad_output): gradient of {what} = "
                               f"{np.asarray(u).tolist()}; with the documented defaults it is {np.asarray(v).tolist()}")


@law(needs=("deep_linear_forward",), c=st.sampled_from([1e200, 1e160, -1e250]), depth=st.integers(2, 4),
     x=st.sampled_from([[1.0, -1.0], [3.0, 0.0], [-2.0, 0.5]]), max_examples=8,
     controls=(ctl.deep_linear_saturates,))
def deep_linear_forward_overflows_to_signed_infinity_without_a_warning(t, c, depth, x):
    """``deep_linear_forward([c I] * L, x)`` for exploding ``c`` (``|c|^L |x_i|`` beyond the
    float64 range) is ``+-inf`` with the sign of ``c^L x_i`` where ``x_i != 0`` and 0 where
    ``x_i = 0`` (documented: an entry is +-inf exactly when its true value is beyond the range,
    never NaN, no warning; the exploding signal is the phenomenon shown, not an error).
    """
    ws = [c * np.eye(2)] * depth
    out = np.asarray(t.deep_linear_forward(ws, np.array(x)), dtype=np.float64)
    want = np.array([math.copysign(math.inf, (1.0 if c > 0 or depth % 2 == 0 else -1.0) * v) if v else 0.0
                     for v in x])
    if out.shape != want.shape or not np.array_equal(out, want):
        raise LawViolation(f"deep_linear_forward([{c!r} I] * {depth}, {x}) = {out.tolist()}; the true values are "
                           f"beyond float64, so it should be {want.tolist()}")
