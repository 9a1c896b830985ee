"""Laws of weight initialisation: fans, gains, and the distribution of every initialiser.

Target names used: ``fan_in_fan_out(shape, layout)``, ``calculate_gain(nonlinearity, param)``,
and the initialisers ``lecun_normal, lecun_uniform, glorot_normal, glorot_uniform, he_normal,
he_uniform`` with the signature ``(shape, rng, *, ...)`` (``gain=`` for LeCun / Glorot;
``mode=, nonlinearity=, negative_slope=`` for He; ``layout=``; ``truncated=`` for the normal
ones). Layouts: ``"torch"`` = ``[out, in, *k]``, ``"keras"`` = ``[*k, in, out]``.

Oracles (written here, independently of any target): ``fan_in = in * prod(k)``,
``fan_out = out * prod(k)``; target variances ``gain^2/fan_in`` (LeCun),
``2 gain^2/(fan_in + fan_out)`` (Glorot), ``g^2/fan`` with torch's gain table (He); uniform
bound ``sqrt(3 var)``; truncated normals ``N(0, sigma0^2)`` on ``[-2 sigma0, 2 sigma0]`` with
``sigma0 = sqrt(var) / std(truncnorm(-2, 2))`` (scipy).

Statistics: alpha = 1e-7 per check (properties.stats); sample sizes give power >= 1 - 1e-6
against the named alternative of each law.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps

from properties import stats
from properties._law import LawViolation, law, per_technique
from properties._profiles import large_sample
from properties.laws._calls import init_kwargs
from properties.controls import initialization as ctl
from properties.laws._tolerance import EPS64

TRUNC_STD = float(sps.truncnorm(-2, 2).std())
TRUNC_KURT = float(sps.truncnorm(-2, 2).stats(moments="k"))
UNIFORM_KURT = -1.2
NORMAL_INITS = ("lecun_normal", "glorot_normal", "he_normal")
UNIFORM_INITS = ("lecun_uniform", "glorot_uniform", "he_uniform")
GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}


def oracle_fans(shape, layout):
    rec = math.prod(shape[2:]) if layout == "torch" else math.prod(shape[:-2])
    n_in, n_out = (shape[1], shape[0]) if layout == "torch" else (shape[-2], shape[-1])
    return n_in * rec, n_out * rec


def oracle_gain(nonlinearity, slope=0.0):
    return math.sqrt(2.0 / (1.0 + slope * slope)) if nonlinearity == "leaky_relu" else GAINS[nonlinearity]


def target_variance(case) -> float:
    """The variance an initialiser call must have (the law's own formula)."""
    name, shape, kw = case
    fi, fo = oracle_fans(shape, kw.get("layout", "torch"))
    if name == "variance_scaling":
        return kw["scale"] / {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[kw["mode"]]
    if name.startswith("lecun"):
        return kw.get("gain", 1.0) ** 2 / fi
    if name.startswith("glorot"):
        return 2.0 * kw.get("gain", 1.0) ** 2 / (fi + fo)
    g = oracle_gain(kw.get("nonlinearity", "relu"), kw.get("negative_slope", 0.0))
    return g * g / (fi if kw.get("mode", "fan_in") == "fan_in" else fo)


def kind(case) -> str:
    name, _, kw = case
    if name == "variance_scaling":
        return {"normal": "normal", "truncated_normal": "truncated", "uniform": "uniform"}[kw["distribution"]]
    if name in UNIFORM_INITS:
        return "uniform"
    return "truncated" if kw.get("truncated", False) else "normal"


def exact_distribution(case):
    var = target_variance(case)
    k = kind(case)
    if k == "uniform":
        b = math.sqrt(3.0 * var)
        return sps.uniform(-b, 2 * b)
    if k == "truncated":
        s0 = math.sqrt(var) / TRUNC_STD
        lo, mass = sps.norm.cdf(-2.0), sps.norm.cdf(2.0) - sps.norm.cdf(-2.0)
        # scipy's truncnorm(-2, 2).cdf, written with the normal cdf (several times faster)
        return lambda x: np.clip((sps.norm.cdf(np.asarray(x) / s0) - lo) / mass, 0.0, 1.0)
    return sps.norm(scale=math.sqrt(var))


def draw(t, case, rng, n) -> np.ndarray:
    """At least ``n`` i.i.d. weights: repeated calls of the target on the case's shape."""
    name, shape, kw = case
    out, got = [], 0
    while got < n:
        w = np.asarray(getattr(t, name)(shape, rng, **kw), dtype=np.float64)
        if w.shape != tuple(shape):
            raise LawViolation(f"{name}{shape}: out.shape={w.shape}, but should be {tuple(shape)}")
        out.append(w.ravel())
        got += w.size
    return np.concatenate(out)


def repro(case, seed) -> str:
    name, shape, kw = case
    args = "".join(f", {k}={v!r}" for k, v in kw.items())
    return f"w = t.{name}({tuple(shape)}, numpy.random.default_rng({seed}){args})  # repeated until n values"


@st.composite
def init_cases(draw_, names=NORMAL_INITS + UNIFORM_INITS, truncated=(False, True)):
    """(name, shape, kwargs): a dense or conv shape of at least 1024 entries, either layout.

    ``out`` is doubled until the shape has 1024 entries, so that a statistical sample needs
    at most about a hundred calls (time); fans 1..64 (out: up to 1024) times a kernel of up
    to 2 dims of 1..3.
    """
    name = draw_(st.sampled_from(names))
    layout = draw_(st.sampled_from(["torch", "keras"]))
    n_in = draw_(st.integers(1, 64), label="in")
    n_out = draw_(st.integers(1, 64), label="out")
    kernel = draw_(st.lists(st.integers(1, 3), max_size=2), label="kernel")
    while n_in * n_out * math.prod(kernel) < 1024:
        n_out *= 2
    shape = (n_out, n_in, *kernel) if layout == "torch" else (*kernel, n_in, n_out)
    kw = {"layout": layout}
    if name.startswith(("lecun", "glorot")):
        kw["gain"] = draw_(st.sampled_from([1.0, 0.5, 5.0 / 3.0, math.sqrt(2.0)]))
    else:
        kw["mode"] = draw_(st.sampled_from(["fan_in", "fan_out"]))
        kw["nonlinearity"] = draw_(st.sampled_from(["relu", "leaky_relu", "tanh", "linear"]))
        if kw["nonlinearity"] == "leaky_relu":
            kw["negative_slope"] = draw_(st.sampled_from([0.01, 0.2, math.sqrt(5.0)]))
        else:
            kw["negative_slope"] = 0.0  # explicit, though only leaky_relu reads it
    if name in NORMAL_INITS:
        kw["truncated"] = draw_(st.sampled_from(truncated))
    return name, shape, kw


def n_for_ks(distance: float, alpha: float = stats.ALPHA, beta: float = stats.BETA) -> int:
    """Smallest n at which the KS test rejects a cdf at sup-distance ``distance`` w.p. >= 1 - beta.

    By the Dvoretzky-Kiefer-Wolfowitz inequality the empirical cdf stays within
    ``sqrt(log(2/beta)/(2n))`` of the true one with probability >= 1 - beta, so D exceeds
    ``distance - that``; require this to exceed the critical value ``kstwo(n).isf(alpha)``.
    """
    def ok(n):
        return math.sqrt(math.log(2 / beta) / (2 * n)) + sps.kstwo(n).isf(alpha) <= distance
    lo, hi = 2, 4
    while not ok(hi):
        lo, hi = hi, hi * 2
    while hi - lo > max(1, lo // 1000):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


#: KS distance between N(0, 1) and the truncated normal of variance 1 (torch vs Keras/JAX).
D_TRUNC_VS_NORMAL = float(np.max(np.abs(sps.norm.cdf(np.linspace(-3, 3, 60001))
                                        - sps.truncnorm(-2, 2, scale=1 / TRUNC_STD).cdf(np.linspace(-3, 3, 60001)))))
N_KS = n_for_ks(D_TRUNC_VS_NORMAL)
N_VAR = stats.N_VAR


@law(needs=("fan_in_fan_out",),
     shape=st.lists(st.integers(1, 9), min_size=2, max_size=5), layout=st.sampled_from(["torch", "keras"]),
     controls=(ctl.fans_ignore_layout, ctl.fans_no_receptive_field))
def fans_follow_the_layout(t, shape, layout):
    """``fan_in_fan_out(shape, layout) = (in * prod(k), out * prod(k))``.

    torch layout ``[out, in, *k]``, keras ``[*k, in, out]`` (conventions.md 7a: a 3x3 conv
    with 32 inputs and 64 outputs has fans (288, 576) on both). Exact integers.
    """
    got = tuple(int(v) for v in t.fan_in_fan_out(tuple(shape), layout=layout))
    want = oracle_fans(tuple(shape), layout)
    if got != want:
        raise LawViolation(f"fan_in_fan_out({tuple(shape)}, layout={layout!r}) = {got}; should be {want} "
                           f"(fan_in = in * prod(kernel), fan_out = out * prod(kernel))")


@law(needs=("calculate_gain",), cases={n: () for n in ("linear", "sigmoid", "tanh", "relu", "selu", "leaky_relu")},
     nonlinearity=lambda c: st.just(c),
     slope=lambda c: st.sampled_from([None, 0.0, 0.01, 0.2, math.sqrt(5.0)]) if c == "leaky_relu" else st.just(None),
     controls=(ctl.gain_squared,))
def calculate_gain_follows_torch_table(t, nonlinearity, slope):
    """``calculate_gain``: linear/sigmoid 1, tanh 5/3, relu sqrt 2, selu 3/4,
    leaky_relu ``sqrt(2/(1 + s^2))`` with ``s = 0.01`` when no slope is given. One case per
    nonlinearity, so a drifted entry (selu) cannot hide a wrong formula in another.

    Source: ``torch.nn.init.calculate_gain`` (conventions.md 7b). Tolerance 4 eps (one
    square root and a division).
    """
    want = oracle_gain(nonlinearity, 0.01 if slope is None else slope)
    got = float(t.calculate_gain(nonlinearity, slope))
    if abs(got - want) > 4 * EPS64 * want:
        raise LawViolation(f"calculate_gain({nonlinearity!r}, {slope!r}) = {got!r}; should be {want!r}")


_EVERY = per_technique(NORMAL_INITS + UNIFORM_INITS)


def _cases_of(name):
    return init_cases(names=(name,))


@law(needs=(), cases=_EVERY, statistical=True, case=_cases_of, seed=stats.seeds(),
     controls=(ctl.he_factor_one, ctl.glorot_fan_out_only, ctl.uniform_bound_sqrt3, ctl.seed000_xavier,
               ctl.std_is_one_over_fan, ctl.truncated_uncorrected, ctl.rand_times_sqrt))
def initialiser_variance_matches_target(t, case, seed):
    """Each initialiser's weights have ``E[w^2] = Var`` of its rule (mean known to be 0).

    LeCun ``gain^2/fan_in``, Glorot ``2 gain^2/(fan_in + fan_out)``, He ``gain^2/fan``
    (seed 002; papers of LeCun 1998, Glorot & Bengio 2010, He et al. 2015); the truncated
    normals keep the same variance (Keras/JAX divide sigma by 0.8796). Test: chi-square
    (normal, exact) or the asymptotic variance z-test with the distribution's excess kurtosis
    (uniform -1.2, truncated normal -0.634), alpha = 1e-7, n = N_VAR = 22528 values: power
    >= 1 - 1e-6 against a variance off by 10% either way (every control is off by >= 10% on
    most shapes: factor 2, 1/fan_out, sqrt(3/...), sqrt(2/(n+1)), std 1/n, 0.774).
    """
    rng = stats.rng_from(seed)
    w = draw(t, case, rng, N_VAR)
    k = {"normal": 0.0, "uniform": UNIFORM_KURT, "truncated": TRUNC_KURT}[kind(case)]
    stats.check_variance(w, target_variance(case), mean=0.0, excess_kurtosis=k, what=f"{case[0]} variance",
                         seed=seed, repro=repro(case, seed))


@law(needs=(), cases=_EVERY, statistical=True, case=_cases_of, seed=stats.seeds(),
     controls=(ctl.rand_times_sqrt,))
def initialiser_mean_is_zero(t, case, seed):
    """Each initialiser's weights have mean 0 (every rule of seeds 000-004 and the papers).

    z-test with the target standard deviation known, alpha = 1e-7, n = N_MEAN = 10161:
    power >= 1 - 1e-6 against a mean shift of 0.1 sigma (seed 003's ``rand * sqrt(1/n)`` is
    shifted by 0.5 sqrt(1/n), i.e. 0.5 sigma).
    """
    rng = stats.rng_from(seed)
    w = draw(t, case, rng, stats.N_MEAN)
    stats.check_mean(w, 0.0, std=math.sqrt(target_variance(case)), what=f"{case[0]} mean", seed=seed,
                     repro=repro(case, seed))


@law(needs=(), cases=_EVERY, statistical=True, case=_cases_of, seed=stats.seeds(),
     controls=(ctl.rand_times_sqrt, ctl.truncated_flag_ignored))
def initialiser_distribution_is_exact(t, case, seed):
    """Each initialiser draws from its exact distribution (Kolmogorov-Smirnov).

    Normal ``N(0, var)`` (torch; ``truncated=False``), truncated normal on +-2 sigma0 with
    ``sigma0 = sqrt(var)/0.8796`` (Keras/JAX; ``truncated=True``), uniform on
    ``+-sqrt(3 var)``. alpha = 1e-7; n = N_KS (~1.1e5) gives power >= 1 - 1e-6 against the
    closest named alternative, the plain normal where the truncated one is specified (or
    vice versa; sup-distance 0.0167), by the DKW inequality (see :func:`n_for_ks`).
    """
    rng = stats.rng_from(seed)
    w = draw(t, case, rng, N_KS)
    stats.check_distribution(w, exact_distribution(case), what=f"{case[0]} ({kind(case)}) distribution",
                             seed=seed, repro=repro(case, seed))


def _fill_margin(n: int, p_edge) -> float:
    """Smallest delta with P(no |w| in the top delta fraction of the support) <= alpha."""
    return optimize.brentq(lambda d: n * math.log1p(-p_edge(d)) - math.log(stats.ALPHA), 1e-12, 0.5)


@functools.lru_cache(maxsize=None)
def _margins(n):
    uni = _fill_margin(n, lambda d: d)  # P(|U| > b (1 - d)) = d
    tr = sps.truncnorm(-2, 2)
    trunc = _fill_margin(n, lambda d: 2 * tr.sf(2 * (1 - d)))
    return uni, trunc


@law(needs=(), cases=per_technique(UNIFORM_INITS), statistical=True, case=_cases_of, seed=stats.seeds(),
     controls=(ctl.uniform_bound_sqrt3, ctl.he_factor_one, ctl.glorot_fan_out_only))
def uniform_initialiser_fills_its_bound(t, case, seed):
    """Uniform initialisers stay within ``b = sqrt(3 var)`` and reach it.

    ``|w| <= b (1 + 4 eps)`` always (rounding of ``-b + 2 b u``), and the largest of n =
    N_VAR draws exceeds ``b (1 - delta)`` where ``(1 - delta)^n = alpha = 1e-7``
    (delta ~ 7e-4): a bound that is too small (``sqrt(3/(in+out))``: 0.71 b) fails with
    probability 1.
    """
    rng = stats.rng_from(seed)
    w = draw(t, case, rng, N_VAR)
    b = math.sqrt(3.0 * target_variance(case))
    delta = _margins(w.size)[0]
    m = float(np.max(np.abs(w)))
    if m > b * (1 + 4 * EPS64) or m < b * (1 - delta):
        raise LawViolation(f"{case[0]}: max|w| = {m!r}; should be in [{b * (1 - delta)!r}, {b!r}] (bound "
                           f"b = sqrt(3 var), false-alarm probability 1e-7); seed={seed}\n    {repro(case, seed)}")


@law(needs=(), cases=per_technique(NORMAL_INITS), statistical=True,
     case=lambda name: init_cases(names=(name,), truncated=(True,)), seed=stats.seeds(),
     controls=(ctl.truncated_flag_ignored, ctl.truncated_uncorrected, ctl.truncation_absolute))
def truncated_normal_stays_within_two_sigma0(t, case, seed):
    """``truncated=True``: every ``|w| <= 2 sigma0`` and the sample reaches ``2 sigma0 (1 - delta)``.

    ``sigma0 = sqrt(var) / 0.87962566`` (Keras / JAX variance scaling, conventions.md 7b).
    delta solves ``(1 - P(|Z| > 2 (1 - delta)))^n = 1e-7`` for Z ~ truncnorm(-2, 2),
    n = N_VAR. A plain normal exceeds 2 sigma0 = 2.27 sigma (w.p. 0.023 per draw); an
    uncorrected sigma0 = sigma never reaches 2.27 sigma; absolute bounds +-2 rarely truncate.
    """
    rng = stats.rng_from(seed)
    w = draw(t, case, rng, N_VAR)
    s0 = math.sqrt(target_variance(case)) / TRUNC_STD
    delta = _margins(w.size)[1]
    m = float(np.max(np.abs(w)))
    if m > 2 * s0 * (1 + 4 * EPS64) or m < 2 * s0 * (1 - delta):
        raise LawViolation(f"{case[0]}(truncated=True): max|w| = {m!r}; should be in [{2 * s0 * (1 - delta)!r}, "
                           f"{2 * s0!r}] (2 sigma0); seed={seed}\n    {repro(case, seed)}")


#: Shape of each call of the large-sample law (torch layout [out, in]: fan_in 512, fan_out 256).
BIG_INIT_SHAPE = (256, 512)


@law(needs=(), cases=per_technique(NORMAL_INITS), statistical=True, max_examples=3, name=lambda c: st.just(c),
     seed=stats.seeds(),
     controls=(ctl.truncated_flag_ignored, ctl.truncation_retries_capped))
def truncated_normal_never_draws_beyond_two_sigma0(t, name, seed):
    """``truncated=True``: no draw is beyond ``2 sigma0`` (``sigma0 = sqrt(var) / 0.87962566``,
    rounding allowance 4 eps) in ``N`` draws: ``N = 1e7`` under the ``thorough`` profile,
    ``2^17`` under dev and ci (``properties._profiles.LARGE_SAMPLE``), in calls of shape
    ``BIG_INIT_SHAPE``; at most 3 examples (seeds) a technique.

    False-alarm rate: 0 - the check is deterministic, a correct sampler never draws beyond the
    bound. Power against a sampler that puts a fraction p of its draws beyond it:
    ``1 - (1 - p)^N`` per example, e.g. ``1 - e^-10 = 0.99995`` for p = 1e-6 at N = 1e7 (and
    0.12 at N = 2^17); a rejection loop capped at 3 redraws (p = 0.0455^4 = 4.3e-6) is caught
    with probability 1 - 2e-19 at N = 1e7. (``|z| >= 2`` for ``|z| > 2`` as the rejection test
    differs only at |z| = 2 exactly, which no sample of any size shows.)
    """
    n = large_sample()
    kw = dict(init_kwargs(name), truncated=True)
    case = (name, BIG_INIT_SHAPE, kw)
    bound = 2 * math.sqrt(target_variance(case)) / TRUNC_STD * (1 + 4 * EPS64)
    rng = stats.rng_from(seed)
    drawn, worst = 0, 0.0
    while drawn < n:
        w = np.asarray(getattr(t, name)(BIG_INIT_SHAPE, rng, **kw), dtype=np.float64)
        if w.shape != BIG_INIT_SHAPE:
            raise LawViolation(f"{name}{BIG_INIT_SHAPE}: out.shape={w.shape}")
        worst = max(worst, float(np.max(np.abs(w))))
        drawn += w.size
        if worst > bound:
            raise LawViolation(f"{name}(truncated=True): a draw of magnitude {worst!r} beyond 2 sigma0 = {bound!r} within "
                               f"the first {drawn} draws (N = {n}); seed={seed}\n    {repro(case, seed)}")


# --- variance_scaling: the rule behind every initialiser ----------------------------------------

@st.composite
def variance_scaling_cases(draw_):
    """("variance_scaling", shape, kwargs): a dense or conv shape as :func:`init_cases` (fans
    1..64 times a kernel of up to 2 dims of 1..3, either layout) but with ``out`` doubled until
    the shape has 8192 entries (a sample of 1.1e5 in about 14 calls); every mode and
    distribution, scale in {1, 2, 1/3, 0.01, 9} (all explicit)."""
    layout = draw_(st.sampled_from(["torch", "keras"]), label="layout")
    n_in = draw_(st.integers(1, 64), label="in")
    n_out = draw_(st.integers(1, 64), label="out")
    kernel = draw_(st.lists(st.integers(1, 3), max_size=2), label="kernel")
    while n_in * n_out * math.prod(kernel) < 8192:
        n_out *= 2
    shape = (n_out, n_in, *kernel) if layout == "torch" else (*kernel, n_in, n_out)
    return "variance_scaling", shape, {
        "scale": draw_(st.sampled_from([1.0, 2.0, 1.0 / 3.0, 0.01, 9.0]), label="scale"),
        "mode": draw_(st.sampled_from(["fan_in", "fan_out", "fan_avg"]), label="mode"),
        "distribution": draw_(st.sampled_from(["normal", "truncated_normal", "uniform"]), label="distribution"),
        "layout": layout}


@law(needs=("variance_scaling",), statistical=True, max_examples=5, case=variance_scaling_cases(),
     seed=stats.seeds(),
     controls=(ctl.vs_fan_avg_sum, ctl.vs_mode_ignored, ctl.vs_uniform_no_3, ctl.vs_scale_is_std,
               ctl.vs_truncated_uncorrected))
def variance_scaling_variance_is_scale_over_fan(t, case, seed):
    """``variance_scaling(shape, rng, scale, mode, distribution, layout)`` has ``E[w^2] =
    scale / n`` with ``n = fan_in``, ``fan_out`` or ``(fan_in + fan_out) / 2`` (mode), for the
    normal, the truncated normal (sigma0 corrected by 0.8796) and the uniform on
    ``+-sqrt(3 scale / n)`` (Keras ``VarianceScaling``, JAX ``variance_scaling``; the rule
    behind LeCun, Glorot and He).

    Test as ``initialiser_variance_matches_target``: chi-square (normal) or the asymptotic
    variance z-test with the excess kurtosis (uniform -1.2, truncated -0.634), mean known to
    be 0, alpha = 1e-7, n = N_VAR = 22528: power >= 1 - 1e-6 against a variance off by 10%
    (controls: fan_in + fan_out for fan_avg: x1/2; the mode ignored: fan_in/fan, off by >= 10%
    on most shapes; uniform bound without sqrt 3: x1/3; scale as the std numerator:
    x scale (scale != 1); sigma0 uncorrected: x0.774). At most 5 examples (each is a
    sample of 22528).
    """
    rng = stats.rng_from(seed)
    w = draw(t, case, rng, N_VAR)
    k = {"normal": 0.0, "uniform": UNIFORM_KURT, "truncated": TRUNC_KURT}[kind(case)]
    stats.check_variance(w, target_variance(case), mean=0.0, excess_kurtosis=k,
                         what=f"variance_scaling({case[2]}) variance", seed=seed, repro=repro(case, seed))


@law(needs=("variance_scaling",), statistical=True, max_examples=3, case=variance_scaling_cases(),
     seed=stats.seeds(),
     controls=(ctl.vs_normal_is_truncated, ctl.vs_distribution_ignored))
def variance_scaling_distribution_is_exact(t, case, seed):
    """``variance_scaling`` draws from its exact distribution (Kolmogorov-Smirnov): ``N(0,
    scale/n)`` for ``"normal"`` (untruncated, as torch and JAX; Keras maps "normal" to the
    truncated one), the normal truncated at ``+-2 sigma0``, ``sigma0 = sqrt(scale/n) /
    0.8796``, for ``"truncated_normal"``, ``U(+-sqrt(3 scale/n))`` for ``"uniform"``.

    alpha = 1e-7; n = N_KS (~1.1e5) gives power >= 1 - 1e-6 against the closest named
    alternative, the plain normal for the truncated one or vice versa (sup-distance
    0.0167; see :func:`n_for_ks`). At most 3 examples (each is a sample of 1.1e5).
    """
    rng = stats.rng_from(seed)
    w = draw(t, case, rng, N_KS)
    stats.check_distribution(w, exact_distribution(case), what=f"variance_scaling({case[2]}) distribution",
                             seed=seed, repro=repro(case, seed))


@law(needs=(), cases=per_technique(NORMAL_INITS), statistical=True, max_examples=1, name=lambda c: st.just(c),
     seed=stats.seeds(),
     controls=(ctl.truncation_shared_redraw, ctl.one_draw_broadcast))
def truncated_normal_call_is_one_sample_of_its_distribution(t, name, seed):
    """One call ``name(BIG_INIT_SHAPE, rng, truncated=True)`` (131072 weights) is itself a
    sample of the truncated normal on ``+-2 sigma0`` (Kolmogorov-Smirnov on that call alone):
    the weights of a call are independent draws, including the ~4.6% redrawn by rejection.

    alpha = 1e-7; 131072 >= N_KS, so power >= 1 - 1e-6 against any cdf at sup-distance
    0.0167 (DKW, :func:`n_for_ks`). A sampler that gives every rejected entry of a call one
    shared redraw puts a point mass of P(|Z| > 2) = 0.0455 in the call (sup-distance >= 0.0227,
    ~0.0005 less by binomial fluctuation); one value broadcast to the whole call is a point
    mass of 1. One example (seed) per technique: each is a sample of 131072.
    """
    kw = dict(init_kwargs(name), truncated=True)
    case = (name, BIG_INIT_SHAPE, kw)
    rng = stats.rng_from(seed)
    w = np.asarray(getattr(t, name)(BIG_INIT_SHAPE, rng, **kw), dtype=np.float64)
    if w.shape != BIG_INIT_SHAPE:
        raise LawViolation(f"{name}{BIG_INIT_SHAPE}: out.shape={w.shape}")
    stats.check_distribution(w.ravel(), exact_distribution(case), what=f"{name}(truncated=True), one call",
                             seed=seed, repro=f"w = t.{name}({BIG_INIT_SHAPE}, numpy.random.default_rng({seed}), "
                                              f"**{kw!r})  # one call")


# --- defaults ------------------------------------------------------------------------------------

#: The documented defaults (torch layout, gain 1, He on fan_in for a ReLU with torch's a = 0,
#: untruncated normals; variance_scaling scale 1 on fan_in, normal).
DEFAULTS = {n: init_kwargs(n) for n in NORMAL_INITS + UNIFORM_INITS}
DEFAULTS["variance_scaling"] = {"scale": 1.0, "mode": "fan_in", "distribution": "normal", "layout": "torch"}
DEFAULT_SHAPES = [(5, 3, 2), (4, 7), (2, 3, 3, 3)]


@law(needs=(), cases=per_technique(tuple(DEFAULTS)), max_examples=3, name=lambda c: st.just(c),
     shape=st.sampled_from(DEFAULT_SHAPES), seed=stats.seeds(),
     controls=(ctl.defaults_keras_layout, ctl.defaults_truncated, ctl.defaults_leaky_slope, ctl.defaults_he_fan_out,
               ctl.defaults_variance_scaling_scale_two))
def initialisers_default_to_the_documented_conventions(t, name, shape, seed):
    """An initialiser called with only ``(shape, rng)`` draws exactly what it draws with its
    keyword arguments set to the documented defaults: ``layout="torch"``, ``gain=1``,
    ``truncated=False``; He ``mode="fan_in"``, ``nonlinearity="relu"``, ``negative_slope=0``
    (torch's ``a = 0``, also when ``nonlinearity="leaky_relu"`` is the only argument given:
    gain sqrt 2); ``variance_scaling`` ``scale=1, mode="fan_in", distribution="normal"``.

    A law about defaults (the others pass every argument): the defaults of the interface a target
    implements (docs/writing-a-target.md), which are torch's; a framework whose own defaults
    differ (jax's truncated normals, Keras's layout) is mapped by its adapter and its
    CONVENTIONS say so. Both calls start from generators seeded alike, so a deterministic target
    gives equal arrays; no tolerance. Shapes whose fans differ in both layouts, so a changed layout or mode default changes the variance.
    At most 3 examples per technique (each is two deterministic calls).
    """
    calls = [({}, dict(DEFAULTS[name]))]
    if name.startswith("he_"):
        calls.append(({"nonlinearity": "leaky_relu"}, dict(DEFAULTS[name], nonlinearity="leaky_relu")))
    for given, full in calls:
        want = np.asarray(getattr(t, name)(shape, stats.rng_from(seed), **full), dtype=np.float64)
        got = np.asarray(getattr(t, name)(shape, stats.rng_from(seed), **given), dtype=np.float64)
        if got.shape != want.shape or not np.array_equal(got, want):
            raise LawViolation(f"{name}({shape}, rng{''.join(f', {k}={v!r}' for k, v in given.items())}) differs from "
                               f"the call with the defaults {full!r} given explicitly (same seed {seed}): "
                               f"{got.ravel()[:4].tolist()}... vs {want.ravel()[:4].tolist()}...")


# --- zeros and constants fill any shape ---------------------------------------------------------

@law(needs=("zeros_init", "constant_init"),
     shape=st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple),
     value=st.floats(-1e300, 1e300, allow_nan=False, allow_subnormal=False), seed=stats.seeds(),
     controls=(ctl.fill_empty_as_one,), max_examples=10,
     examples=({"shape": (), "value": 0.5, "seed": 0}, {"shape": (3, 0), "value": -2.0, "seed": 0}))
def zeros_and_constant_init_fill_every_shape(t, shape, value, seed):
    """``zeros_init(shape, rng)`` and ``constant_init(shape, rng, value=v)`` return float64
    arrays of exactly ``shape`` filled with 0 and v, for every shape: 0-d ``()``, 1-d biases,
    and dimensions of size 0 (an empty layer). Exact: no arithmetic is involved.
    """
    for what, w, v in (("zeros_init", t.zeros_init(shape, stats.rng_from(seed)), 0.0),
                       ("constant_init", t.constant_init(shape, stats.rng_from(seed), value=value), value)):
        w = np.asarray(w)
        if w.shape != shape or w.dtype != np.float64 or not np.all(w == v):
            raise LawViolation(f"{what}({shape}{'' if what == 'zeros_init' else f', value={value!r}'}) returned "
                               f"dtype {w.dtype}, shape {w.shape}, values {w.ravel()[:4].tolist()}; should be float64 "
                               f"of shape {shape}, all {v!r}")


# --- contract: the documented argument domains --------------------------------------------------

#: Values outside (0, inf): zero of both signs (the open bound), negatives, and NaN / inf.
NOT_POSITIVE_FINITE = st.sampled_from([0.0, -0.0, -1.0, -1e-300, -5e-324, float("nan"), float("inf"), float("-inf")]) \
    | st.floats(max_value=0.0, allow_nan=False)
_GAIN_ARG = {"lecun_normal": "gain", "lecun_uniform": "gain", "glorot_normal": "gain", "glorot_uniform": "gain",
             "variance_scaling": "scale"}
_WEIGHT_INITS = NORMAL_INITS + UNIFORM_INITS + ("variance_scaling",)


def _refused_init(t, name, shape, seed, what, **kw):
    """``name(shape, rng, **kw)`` raises ValueError (``refuses``)."""
    from properties.laws._contract import refuses
    shown = "".join(f", {k}={v!r}" for k, v in kw.items())
    refuses(lambda: getattr(t, name)(shape, stats.rng_from(seed), **kw), f"{name}({shape!r}, rng{shown}): {what}")


@law(needs=(), cases=per_technique(tuple(_GAIN_ARG)), tier="contract", max_examples=10, name=lambda c: st.just(c),
     value=NOT_POSITIVE_FINITE, shape=st.sampled_from(DEFAULT_SHAPES), seed=stats.seeds(),
     examples=tuple({"_case": n, "name": n, "value": 0.0, "shape": (4, 7), "seed": 0} for n in _GAIN_ARG),
     controls=(ctl.gain_unchecked, ctl.gain_zero_accepted))
def initialisers_refuse_a_gain_that_is_not_positive_and_finite(t, name, value, shape, seed):
    """LeCun and Glorot initialisers refuse a ``gain`` outside (0, inf), and ``variance_scaling``
    a ``scale`` outside it, with ``ValueError``: 0 (of either sign: the bound is open, a zero
    gain draws all-zero weights, the symmetric start the random initialisers exist to avoid),
    negatives, NaN and inf (the documented domain ``gain > 0``, ``scale > 0``; a negative gain
    only flips signs and would hide a caller's error). At most 10 examples per initialiser.
    """
    _refused_init(t, name, shape, seed, f"{_GAIN_ARG[name]} must be in (0, inf)", **{_GAIN_ARG[name]: value})


#: Weight shapes without both fans: fewer than 2 dimensions (a bias has no fan), a dimension 0
#: (a fan of 0: the variance scale / fan is infinite), a negative dimension.
NO_FAN_SHAPES = [(), (3,), (0, 3), (3, 0), (2, 0, 3), (4, 3, 0), (-1, 3), (3, -2)]


@law(needs=(), cases={**per_technique(_WEIGHT_INITS), "fan_in_fan_out": ("fan_in_fan_out",)}, tier="contract",
     max_examples=10, name=lambda c: st.just(c), shape=st.sampled_from(NO_FAN_SHAPES),
     layout=st.sampled_from(["torch", "keras"]), seed=stats.seeds(),
     examples=tuple({"_case": n, "name": n, "shape": s, "layout": "torch", "seed": 0}
                    for n in (*_WEIGHT_INITS, "fan_in_fan_out") for s in ((3,), (0, 3))),
     controls=(ctl.fans_of_any_shape,))
def initialisers_refuse_a_weight_shape_without_a_fan(t, name, shape, layout, seed):
    """``fan_in_fan_out`` and every random initialiser refuse, with ``ValueError``, a weight
    shape that has no fan: fewer than 2 dimensions (a 1-d bias, as torch and JAX refuse it;
    initialise biases with ``zeros_init`` / ``constant_init``), a dimension 0 (fan 0: the
    variance ``scale / fan`` is undefined) or a negative dimension. The documented domain is
    a tuple of at least 2 integers, each >= 1, in either layout.
    """
    from properties.laws._contract import refuses
    if name == "fan_in_fan_out":
        refuses(lambda: t.fan_in_fan_out(shape, layout=layout),
                f"fan_in_fan_out({shape!r}, layout={layout!r}): a weight shape needs 2 dimensions, each >= 1")
        return
    _refused_init(t, name, shape, seed, "a weight shape needs 2 dimensions, each >= 1", layout=layout)


#: Shapes with a dimension that is not an integer (floats, even integral ones, strings, bools).
NON_INTEGER_SHAPES = [(2.0, 3), (2, 3.5), (4, 3, 2.0), ("2", 3), (True, 3), (3, None)]


@law(needs=(), cases={**per_technique(_WEIGHT_INITS), **per_technique(("zeros_init", "constant_init")),
                      "fan_in_fan_out": ("fan_in_fan_out",)}, tier="contract",
     max_examples=6, name=lambda c: st.just(c), shape=st.sampled_from(NON_INTEGER_SHAPES), seed=stats.seeds(),
     controls=(ctl.shape_truncated_to_int,))
def initialisers_refuse_a_shape_of_non_integers(t, name, shape, seed):
    """Every initialiser and ``fan_in_fan_out`` refuse a shape with a dimension that is not an
    integer (``2.0``, ``3.5``, ``"2"``, ``True``, ``None``) with ``TypeError``: a shape is a
    tuple of integers (numpy refuses float dimensions too; silently truncating 3.5 to 3 would
    draw an array of another shape than asked for).
    """
    from properties.laws._contract import refuses
    if name == "fan_in_fan_out":
        call = lambda: t.fan_in_fan_out(shape)  # noqa: E731
    elif name == "constant_init":
        call = lambda: t.constant_init(shape, stats.rng_from(seed), value=0.5)  # noqa: E731
    else:
        call = lambda: getattr(t, name)(shape, stats.rng_from(seed))  # noqa: E731
    refuses(call, f"{name}({shape!r}, ...): a shape's dimensions are integers", expect=TypeError)


UNKNOWN_NONLINEARITIES = ["softmax", "ReLU", "", "gelu", "leaky-relu", "swish"]


@law(needs=(), cases=per_technique(("he_normal", "he_uniform")), tier="contract", max_examples=6,
     name=lambda c: st.just(c), nonlinearity=st.sampled_from(UNKNOWN_NONLINEARITIES),
     shape=st.sampled_from(DEFAULT_SHAPES), seed=stats.seeds(), controls=(ctl.he_unknown_nonlinearity_linear,))
def he_initialisers_refuse_an_unknown_nonlinearity(t, name, nonlinearity, shape, seed):
    """He initialisers refuse a ``nonlinearity`` outside torch's gain table (``linear``,
    ``conv*``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``selu``; names are
    case-sensitive) with ``ValueError``: the gain of an unknown nonlinearity is unknown, and
    falling back to 1 (or to ReLU's sqrt 2) would scale the weights silently.
    """
    _refused_init(t, name, shape, seed, "the nonlinearity is not in the gain table", nonlinearity=nonlinearity)


@law(needs=("fan_in_fan_out",), shape=st.sampled_from(DEFAULT_SHAPES + [(3, 5), (6, 2, 1, 4)]), max_examples=5,
     controls=(ctl.fans_default_keras,))
def fan_in_fan_out_defaults_to_the_torch_layout(t, shape):
    """``fan_in_fan_out(shape)`` equals ``fan_in_fan_out(shape, layout="torch")`` exactly: the
    documented default layout is torch's ``[out, in, *kernel]`` (a law about a default: every
    other law passes the layout). Shapes whose fans differ between the layouts.
    """
    got, want = tuple(t.fan_in_fan_out(shape)), tuple(t.fan_in_fan_out(shape, layout="torch"))
    if got != want:
        raise LawViolation(f"fan_in_fan_out({shape}) = {got}; with the documented default layout='torch' it is {want}")


@law(needs=(), cases=per_technique(("lecun_normal", "lecun_uniform", "glorot_uniform")), tier="contract",
     max_examples=4, name=lambda c: st.just(c), gain=st.sampled_from([1.7e308, 1.7976931348623157e308]),
     truncated=st.booleans(), seed=stats.seeds(), controls=(ctl.overflowing_gain_returned,))
def initialisers_refuse_a_gain_whose_weights_do_not_fit_float64(t, name, gain, truncated, seed):
    """An initialiser refuses, with ``ValueError`` (and no warning), a finite gain whose
    weights do not fit float64: LeCun normal on ``(256, 1)`` (fan_in 1, std = gain ~ 1.7e308:
    a draw beyond |z| = 1.06 overflows; the chance that none of 256 does is below 1e-37),
    the uniforms' bound ``sqrt(3) gain / sqrt(fan)`` beyond the range (documented: "gain must
    give samples that fit float64"; infinite weights are no initialisation).
    """
    shape = (256, 1) if name == "lecun_normal" else (1, 1)
    kw = {"gain": gain, **({"truncated": truncated} if name == "lecun_normal" else {})}
    _refused_init(t, name, shape, seed, "the weights overflow float64", **kw)
