"""Differential: PyTorch's optimisers, BatchNorm1d and nn.init against the reference.

torch is called directly here (not through ``properties/targets/torch.py``), and the
reference is configured with torch's conventions (``/work/shared/conventions.md`` sections
1-5, 6 and 7, re-read in torch 2.13.0's source; the adapter's ``CONVENTIONS`` has the links):

* ``SGD(lr, momentum, dampening, nesterov, weight_decay)`` -> ``sgd(...)`` with
  ``lr_inside_velocity=False`` (lr outside the buffer, ``b_1 = g``, coupled L2);
* ``Adagrad(lr, lr_decay, initial_accumulator_value, eps)`` -> ``adagrad(...,
  eps_inside_sqrt=False)`` (eps outside ``sqrt(G)``);
* ``RMSprop(lr, alpha, eps, momentum, centered=False)`` -> ``rmsprop(lr, rho=alpha,
  eps_inside_sqrt=False, momentum)`` (eps outside the root, lr outside the buffer);
* ``Adadelta(lr, rho, eps)`` -> ``adadelta(lr, rho, eps)`` (eps inside both roots);
* ``Adam(lr, betas, eps, amsgrad)`` / ``AdamW(..., weight_decay)`` -> ``adam(lr, b1, b2, eps,
  eps_form="sqrt_vhat", amsgrad, weight_decay)`` (decoupled decay is AdamW);
* ``BatchNorm1d(C, eps, momentum)`` in training mode -> ``batchnorm_forward`` (biased batch
  variance) and ``batchnorm_running_update(momentum_weights="new", unbiased=True)`` from
  ``batchnorm_running_init`` (0, 1); eval mode -> ``batchnorm_inference``;
* ``nn.init`` (torch layout ``[out, in, *k]``): ``xavier_*_`` -> ``glorot_*``,
  ``kaiming_*_(a, mode, nonlinearity)`` -> ``he_*(mode, nonlinearity, negative_slope=a)``,
  ``kaiming_normal_(nonlinearity="linear")`` -> ``lecun_normal``, and ``trunc_normal_(std=s0,
  a=-2 s0, b=2 s0)`` with ``s0 = sigma / 0.8796...`` -> ``he_normal(truncated=True)``.

Every eps is > 0: at eps = 0 torch returns NaN for a zero gradient (finding T1 in
``properties/findings/torch.py``), which the laws cover.

**Optimiser tolerances** (float64, ``EPS = 2**-52``). Gradients are drawn per step and fed to
both implementations (open loop), so the trajectories ``p_k = p_0 + sum_j u_j`` differ only
by rounding. Each step of these recursions rounds a bounded number of times (at most about
12 operations), relative to the *magnitude* of what it computes: the same recursion run on
``|g|`` (so that the cancellations of momentum buffers and first moments are accounted
for), ``U_j`` below (:func:`_magnitudes`); the moment EMAs and sums contract, so their
errors grow at most linearly in the step ``j``. Both implementations err, so

    ``|p_torch,k - p_ref,k| <= sum_{j<=k} (32 + 16 j) EPS U_j + 2 EPS sum_{j<=k} |p_j|``

(the last term: rounding of each ``p + u``). Adam adds the conditioning of torch's
``1 - beta**t`` (finding T2): ``fl(beta**t)`` is within one ulp, so ``1 - beta**t`` carries a
relative error ``EPS kappa_t`` with ``kappa_t = beta**t / (1 - beta**t)``, and the step one of
``EPS (kappa1_t + kappa2_t / 2)`` (the second correction enters under a root): added to the
factor of ``U_j``. With weight decay the error of ``p`` feeds back into ``g`` with gain at
most ``lr wd / (1 - mu) <= 0.05`` per step, at most 8 steps: a factor ``1.05**8 < 2``.

**BatchNorm tolerances**: the normalised value carries ``(m + 2) EPS kappa`` per
implementation (``kappa = max|x| / sqrt(var + eps)``, the conditioning the batch-norm laws
use), so ``|dy| <= 4 (m + 2) EPS max(kappa, 1) |gamma| + 4 EPS |beta|``; the running mean
``4 (m + 2) EPS max|x| + 8 k EPS max|rm|``, the running variance ``8 (m + 2) EPS max(kappa,
1) v_max + 8 k EPS max|rv|`` (two-pass variance: relative error ``~ 2 (m + 2) EPS kappa``,
measured on torch's CPU kernel at offset 1e8: 2.3e-6 with kappa 5e10).

**Initialisers** are compared as distributions: a two-sample Kolmogorov-Smirnov test of
``N = 200_000`` torch draws against ``N`` reference draws, acceptance region
``D <= c(alpha) sqrt(2 / N) = 0.00917`` with the asymptotic ``c(alpha) = sqrt(-ln(alpha / 2)
/ 2)``, ``alpha = 1e-7`` per check (at most 25 examples per run: family-wise false alarm below
2.5e-6). Power, from the population distance ``D_pop = sup|F_torch - F_ref|`` and the
sampling s.d. of ``D``, at most ``0.5 sqrt(2 / N) = 0.0016``: a standard deviation off by
10% gives ``D_pop = 0.0230`` (normal) or ``0.0455`` (uniform), 8.8 s.d. beyond the region
(miss < 1e-17); an untruncated normal in place of the truncated one (same variance) gives
``D_pop = 0.0167``, 4.75 s.d. beyond (miss ~ 1e-6). Bounds are also checked exactly:
``max|w| <= bound`` for the uniform ones, ``max|w| <= 2 s0`` for ``trunc_normal_``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")
from scipy import stats as sps  # noqa: E402

import reference as ref  # noqa: E402

pytestmark = pytest.mark.differential

from tests.differential._strategies import EPS, LRS, problems, ref_trajectory as _ref_trajectory  # noqa: E402


# --- optimisers ------------------------------------------------------------------------------


def _torch_trajectory(make, p0, grads):
    """Parameters after each step of the torch optimiser ``make([p])`` fed ``grads``."""
    p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    out = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


def _magnitudes(kind, kw, p0, grads, traj):
    """``U_j``: the step of the same recursion with every signed term replaced by its size."""
    lr = kw["lr"]
    a = np.abs(grads)
    out, d = [], grads.shape[1]
    prev_p = [np.abs(p0)] + [np.abs(q) for q in traj[:-1]]
    if kind == "sgd":
        mu, wd = kw["momentum"], kw["weight_decay"]
        b = None
        for g, p in zip(a, prev_p):
            g = g + wd * p
            b = g.copy() if b is None else mu * b + g
            out.append(lr * ((g + mu * b) if kw["nesterov"] else b))
    elif kind == "adagrad":
        G = np.full(d, kw["initial_accumulator_value"])
        for t, g in enumerate(a, 1):
            G = G + g * g
            out.append(lr / (1 + (t - 1) * kw["lr_decay"]) * g / (np.sqrt(G) + kw["eps"]))
    elif kind == "rmsprop":
        al, mu = kw["alpha"], kw["momentum"]
        v, b = np.zeros(d), np.zeros(d)
        for g in a:
            v = al * v + (1 - al) * g * g
            s = g / (np.sqrt(v) + kw["eps"])
            b = mu * b + s
            out.append(lr * b)
    elif kind == "adadelta":
        rho, eps = kw["rho"], kw["eps"]
        eg, ex = np.zeros(d), np.zeros(d)
        for g in a:
            eg = rho * eg + (1 - rho) * g * g
            dx = np.sqrt(ex + eps) / np.sqrt(eg + eps) * g
            ex = rho * ex + (1 - rho) * dx * dx
            out.append(lr * dx)
    else:  # adam / adamw
        (b1, b2), eps, wd = kw["betas"], kw["eps"], kw.get("weight_decay", 0.0)
        m, v, vmax = np.zeros(d), np.zeros(d), np.zeros(d)
        for t, (g, p) in enumerate(zip(a, prev_p), 1):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vmax = np.maximum(vmax, v)
            c1, c2 = 1 - b1**t, 1 - b2**t
            k1, k2 = b1**t / c1, b2**t / c2
            den = np.sqrt((vmax if kw["amsgrad"] else v) / c2) + eps
            out.append((lr * m / c1 / den) * (1 + (k1 + k2 / 2) / (32 + 16 * t)) + lr * wd * p)
    return out


def _compare(kind, kw, p0, grads, got, want):
    U = _magnitudes(kind, kw, p0, grads, want)
    feedback = 2.0 if kw.get("weight_decay", 0.0) else 1.0
    acc_u = np.zeros_like(p0)
    acc_p = np.abs(p0)
    for j, (x, y) in enumerate(zip(got, want), 1):
        acc_u = acc_u + (32 + 16 * j) * EPS * U[j - 1]
        acc_p = acc_p + np.abs(y)
        tol = feedback * (acc_u + 2 * EPS * acc_p)
        err = np.abs(x - y)
        if not np.all(err <= tol):
            i = int(np.argmax(err - tol))
            raise AssertionError(f"{kind}({kw}) step {j}: torch p={x!r}, reference p={y!r}; |diff|[{i}]="
                                 f"{err[i]:.3g} > tol {tol[i]:.3g} (p0={p0!r}, grads={grads!r})")


@given(pg=problems(), lr=LRS, variant=st.sampled_from(["plain", "heavy_ball", "nesterov", "dampened"]),
       mu=st.sampled_from([0.5, 0.9, 0.95]), weight_decay=st.sampled_from([0.0, 0.01]))
def test_sgd_trajectories_match(pg, lr, variant, mu, weight_decay):
    """torch.optim.SGD = reference sgd (lr outside the buffer, b_1 = g, coupled L2); Nesterov
    needs momentum > 0 and dampening 0 in torch, dampening 0.3 is drawn without Nesterov."""
    p0, grads = pg
    momentum = 0.0 if variant == "plain" else mu
    nesterov = variant == "nesterov"
    dampening = 0.3 if variant == "dampened" else 0.0
    kw = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    got = _torch_trajectory(lambda ps: torch.optim.SGD(ps, **kw), p0, grads)
    want = _ref_trajectory(ref.sgd(lr, momentum=momentum, nesterov=nesterov, dampening=dampening,
                                   weight_decay=weight_decay), p0, grads)
    _compare("sgd", kw, p0, grads, got, want)


@given(pg=problems(), lr=LRS, lr_decay=st.sampled_from([0.0, 0.1]), g0=st.sampled_from([0.0, 0.1]),
       eps=st.sampled_from([1e-10, 1e-3]))
def test_adagrad_trajectories_match(pg, lr, lr_decay, g0, eps):
    """torch.optim.Adagrad = reference adagrad (G_0, eps outside sqrt(G), lr / (1 + (t-1) lr_decay))."""
    p0, grads = pg
    kw = dict(lr=lr, lr_decay=lr_decay, initial_accumulator_value=g0, eps=eps)
    got = _torch_trajectory(lambda ps: torch.optim.Adagrad(ps, **kw), p0, grads)
    want = _ref_trajectory(ref.adagrad(lr, eps=eps, initial_accumulator_value=g0, lr_decay=lr_decay), p0, grads)
    _compare("adagrad", kw, p0, grads, got, want)


@given(pg=problems(), lr=LRS, alpha=st.sampled_from([0.5, 0.9, 0.99]), eps=st.sampled_from([1e-8, 1e-3]),
       momentum=st.sampled_from([0.0, 0.9]))
def test_rmsprop_trajectories_match(pg, lr, alpha, eps, momentum):
    """torch.optim.RMSprop(centered=False) = reference rmsprop(rho=alpha, eps outside the root)."""
    p0, grads = pg
    kw = dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum)
    got = _torch_trajectory(lambda ps: torch.optim.RMSprop(ps, centered=False, **kw), p0, grads)
    want = _ref_trajectory(ref.rmsprop(lr, rho=alpha, eps=eps, eps_inside_sqrt=False, momentum=momentum), p0, grads)
    _compare("rmsprop", kw, p0, grads, got, want)


@given(pg=problems(), lr=st.sampled_from([1.0, 0.5]), rho=st.sampled_from([0.5, 0.9, 0.95]),
       eps=st.sampled_from([1e-6, 1e-3]))
def test_adadelta_trajectories_match(pg, lr, rho, eps):
    """torch.optim.Adadelta = reference adadelta (eps inside both roots, E[dx^2] before lr)."""
    p0, grads = pg
    kw = dict(lr=lr, rho=rho, eps=eps)
    got = _torch_trajectory(lambda ps: torch.optim.Adadelta(ps, **kw), p0, grads)
    want = _ref_trajectory(ref.adadelta(lr, rho=rho, eps=eps), p0, grads)
    _compare("adadelta", kw, p0, grads, got, want)


@given(pg=problems(), lr=LRS, b1=st.sampled_from([0.0, 0.5, 0.9]), b2=st.sampled_from([0.5, 0.9, 0.999]),
       eps=st.sampled_from([1e-8, 1e-3]), amsgrad=st.booleans(), weight_decay=st.sampled_from([0.0, 0.01]))
def test_adam_trajectories_match(pg, lr, b1, b2, eps, amsgrad, weight_decay):
    """torch.optim.Adam / AdamW = reference adam (eps on sqrt(v_hat), AMSGrad on raw v, decoupled wd)."""
    p0, grads = pg
    kw = dict(lr=lr, betas=(b1, b2), eps=eps, amsgrad=amsgrad)
    if weight_decay:
        kw["weight_decay"] = weight_decay
        make = lambda ps: torch.optim.AdamW(ps, **kw)  # noqa: E731
    else:
        make = lambda ps: torch.optim.Adam(ps, **kw)  # noqa: E731
    got = _torch_trajectory(make, p0, grads)
    want = _ref_trajectory(ref.adam(lr, b1=b1, b2=b2, eps=eps, amsgrad=amsgrad, weight_decay=weight_decay),
                           p0, grads)
    _compare("adam", kw, p0, grads, got, want)


# --- BatchNorm1d ----------------------------------------------------------------------------

@st.composite
def bn_batches(draw):
    """``k`` batches ``(m, C)`` or ``(m, C, L)``: ``offset + spread * j / 1000`` per channel with
    integer j in [-1000, 1000], offset in [-1e3, 1e3], spread in [1e-3, 1e3] (m >= 2 values
    per channel, as torch requires in training)."""
    k = draw(st.integers(1, 4), label="batches")
    c = draw(st.integers(1, 3), label="channels")
    n = draw(st.integers(2, 8), label="rows")
    length = draw(st.sampled_from([None, 1, 3]), label="L")
    shape = (n, c) if length is None else (n, c, length)
    offset = draw(st.floats(-1e3, 1e3), label="offset")
    spread = draw(st.floats(1e-3, 1e3), label="spread")
    out = []
    for _ in range(k):
        j = draw(hnp.arrays(np.int64, shape, elements=st.integers(-1000, 1000)), label="j")
        out.append(offset + spread * (j / 1000.0))
    return out


def _rows(x):
    """``(N, C)`` or ``(N, C, L)`` -> ``(N*L, C)``: the values each channel is normalised over."""
    return x if x.ndim == 2 else np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


@given(batches=bn_batches(), eps=st.sampled_from([1e-5, 1e-3, 0.1]), momentum=st.sampled_from([0.1, 0.3, 1.0]),
       data=st.data())
def test_batchnorm1d_training_and_running_statistics_match(batches, eps, momentum, data):
    """nn.BatchNorm1d (train, then eval) = reference batchnorm_forward / running_update (new-weighted,
    unbiased) / batchnorm_inference."""
    c = batches[0].shape[1]
    gamma = data.draw(hnp.arrays(np.float64, c, elements=st.floats(-3, 3)), label="gamma")
    beta = data.draw(hnp.arrays(np.float64, c, elements=st.floats(-3, 3)), label="beta")
    _check_batchnorm1d(batches, eps, momentum, gamma, beta)


def test_batchnorm1d_running_variance_of_a_constant_batch():
    """Pinned (Hypothesis): five values 0.013 -- torch's running variance is 3.76e-36, the square
    of its mean's rounding error, where the reference's is 0; the tolerance's (delta)^2 term."""
    _check_batchnorm1d([np.full((5, 1), 0.013)], 1e-5, 1.0, np.zeros(1), np.zeros(1))


def _check_batchnorm1d(batches, eps, momentum, gamma, beta):
    c = batches[0].shape[1]
    bn = torch.nn.BatchNorm1d(c, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(gamma))
        bn.bias.copy_(torch.from_numpy(beta))
    bn.train()
    running = ref.batchnorm_running_init(c)
    kappa_max, vmax, xmax = 1.0, 0.0, 0.0
    for k, x in enumerate(batches, 1):
        with torch.no_grad():
            y_t = bn(torch.from_numpy(x)).numpy()
        y_r, _ = ref.batchnorm_forward(x, gamma, beta, eps=eps)
        running = ref.batchnorm_running_update(running, x, momentum, momentum_weights="new", unbiased=True)
        r = _rows(x)
        m = r.shape[0]
        var = r.var(axis=0)
        kappa = np.max(np.abs(r), axis=0) / np.sqrt(var + eps)
        kappa_max = max(kappa_max, float(kappa.max()))
        vmax, xmax = max(vmax, float(var.max()) * m / (m - 1)), max(xmax, float(np.abs(r).max()))
        tol = 4 * (m + 2) * EPS * np.maximum(kappa, 1.0) * np.abs(gamma) + 4 * EPS * np.abs(beta)
        err = np.abs(_rows(y_t) - _rows(y_r))
        assert np.all(err <= tol), (f"batch {k}: training output differs by {err.max():.3g} > {tol.max():.3g} "
                                    f"(eps={eps}, x={x!r})")
        rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
        tol_m = 4 * (m + 2) * EPS * xmax + 8 * k * EPS * np.abs(rm).max()
        # A mean off by delta <= (m + 2) EPS max|x| adds delta^2 to the variance (sum (x - mu')^2 / m
        # = var + (mu - mu')^2): an absolute term, which matters when var is 0 (a constant batch).
        tol_v = 8 * (m + 2) * EPS * kappa_max * vmax + 8 * k * EPS * np.abs(rv).max() \
            + k * (4 * (m + 2) * EPS * xmax) ** 2 * m / (m - 1)
        assert np.all(np.abs(rm - running.mean) <= tol_m), f"batch {k}: running_mean {rm!r} vs {running.mean!r}"
        assert np.all(np.abs(rv - running.var) <= tol_v), f"batch {k}: running_var {rv!r} vs {running.var!r}"
        assert int(bn.num_batches_tracked) == running.count
    bn.eval()
    x = batches[-1]
    with torch.no_grad():
        y_t = bn(torch.from_numpy(x)).numpy()
    y_r = ref.batchnorm_inference(x, bn.running_mean.numpy(), bn.running_var.numpy(), gamma, beta, eps=eps)
    # Inference is one affine map per channel on the same running statistics: a few roundings
    # relative to |gamma| |x - rm| / sqrt(rv + eps) + |beta|.
    r, rm, rv = _rows(x), bn.running_mean.numpy(), bn.running_var.numpy()
    scale = np.abs(gamma) * (np.abs(r) + np.abs(rm)) / np.sqrt(rv + eps) + np.abs(beta)
    assert np.all(np.abs(_rows(y_t) - _rows(y_r)) <= 8 * EPS * scale), "eval-mode output differs"


# --- nn.init -----------------------------------------------------------------------------------

N_INIT = 200_000
ALPHA = 1e-7
TRUNC_STD = 0.87962566103423978

INITS = {
    # name: (torch fill(w, gen, fan-dependent kwargs), reference call, uniform bound or None)
    "xavier_uniform_": (lambda w, g, o: torch.nn.init.xavier_uniform_(w, gain=o["gain"], generator=g),
                        lambda s, rng, o: ref.glorot_uniform(s, rng, gain=o["gain"]),
                        lambda fi, fo, o: o["gain"] * math.sqrt(6 / (fi + fo))),
    "xavier_normal_": (lambda w, g, o: torch.nn.init.xavier_normal_(w, gain=o["gain"], generator=g),
                       lambda s, rng, o: ref.glorot_normal(s, rng, gain=o["gain"]), None),
    "kaiming_uniform_": (lambda w, g, o: torch.nn.init.kaiming_uniform_(w, a=o["a"], mode=o["mode"],
                                                                         nonlinearity="leaky_relu", generator=g),
                         lambda s, rng, o: ref.he_uniform(s, rng, mode=o["mode"], nonlinearity="leaky_relu",
                                                          negative_slope=o["a"]),
                         lambda fi, fo, o: math.sqrt(2 / (1 + o["a"] ** 2)) * math.sqrt(
                             3 / (fi if o["mode"] == "fan_in" else fo))),
    "kaiming_normal_": (lambda w, g, o: torch.nn.init.kaiming_normal_(w, a=o["a"], mode=o["mode"],
                                                                       nonlinearity="leaky_relu", generator=g),
                        lambda s, rng, o: ref.he_normal(s, rng, mode=o["mode"], nonlinearity="leaky_relu",
                                                        negative_slope=o["a"]), None),
    "kaiming_normal_(linear)": (lambda w, g, o: torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="linear",
                                                                              generator=g),
                                lambda s, rng, o: ref.lecun_normal(s, rng), None),
    "trunc_normal_": (lambda w, g, o: torch.nn.init.trunc_normal_(
                          w, 0.0, o["s0"], -2 * o["s0"], 2 * o["s0"], generator=g),
                      lambda s, rng, o: ref.he_normal(s, rng, truncated=True),
                      lambda fi, fo, o: 2 * o["s0"]),
}


@st.composite
def init_cases(draw):
    """Torch-layout shapes ``(out, in, *k)`` with at least 1024 entries, so that ``N`` draws
    take at most ~200 calls per implementation (time), fans from 32 to 1152."""
    fan_out = draw(st.integers(32, 128), label="out")
    fan_in = draw(st.integers(32, 128), label="in")
    k = draw(st.sampled_from([(), (3,), (3, 3)]), label="kernel")
    return (fan_out, fan_in, *k)


@given(name=st.sampled_from(sorted(INITS)), shape=init_cases(), gain=st.sampled_from([1.0, 5 / 3]),
       a=st.sampled_from([0.0, 0.01, math.sqrt(5)]), mode=st.sampled_from(["fan_in", "fan_out"]),
       seed=st.integers(0, 2**63 - 1))
def test_init_distributions_match(name, shape, gain, a, mode, seed):
    """torch nn.init draws and the reference's draws come from the same distribution
    (two-sample KS, alpha 1e-7; uniform bounds exact)."""
    fill, draw_ref, bound = INITS[name]
    recept = math.prod(shape[2:])
    fi, fo = shape[1] * recept, shape[0] * recept
    opts = dict(gain=gain, a=a, mode=mode, s0=math.sqrt(2 / fi) / TRUNC_STD)
    reps = -(-N_INIT // math.prod(shape))
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    tw, rw = [], []
    for _ in range(reps):
        w = torch.empty(shape, dtype=torch.float64)
        fill(w, gen, opts)
        tw.append(w.numpy().ravel())
        rw.append(np.asarray(draw_ref(shape, rng, opts), dtype=np.float64).ravel())
    tw, rw = np.concatenate(tw)[:N_INIT], np.concatenate(rw)[:N_INIT]
    if bound is not None:
        b = bound(fi, fo, opts)
        assert np.abs(tw).max() <= b * (1 + 2 * EPS), f"{name}{shape}: max|w|={np.abs(tw).max()} > bound {b}"
    d = sps.ks_2samp(tw, rw).statistic
    crit = math.sqrt(-math.log(ALPHA / 2) / 2) * math.sqrt(2 / N_INIT)
    assert d <= crit, (f"{name}{shape} {opts}: two-sample KS D={d:.4g} > {crit:.4g} (alpha={ALPHA}, n=m={N_INIT}, "
                       f"seed={seed}); torch std {tw.std():.6g}, reference std {rw.std():.6g}")
