"""Laws of the loss landscape near critical points (seed 000): saddles, minima, conditioning.

Target names used: ``classify_critical_point(H)`` -> one of "minimum", "maximum", "saddle",
"degenerate" (signs of the eigenvalues of the symmetric Hessian, zero decided against a
rounding bound); ``condition_number(A, spd=False)`` (2-norm, ``sigma_max / sigma_min``);
``goe_minimum_probability(d)`` (P(all eigenvalues > 0) for a d x d GOE Hessian).

GOE here is ``(A + A^T) / 2`` with i.i.d. N(0, 1) entries of A (diagonal N(0, 1),
off-diagonal N(0, 1/2)); the probability that all eigenvalues are positive is
``P_1 = 1/2``, ``P_2 = (2 - sqrt 2) / 4`` (derived in ``reference/landscape.py``: a 45-degree
cone in R^3), ``P_3 = (pi - 2 sqrt 2) / (4 pi)`` (Dean & Majumdar, PRE 77, 041108, 2008),
and ``P_4 = 0.002452 +- 2.5e-5`` (Monte Carlo, 4e6 matrices, docs/techniques/landscape.md);
``ln P_d ~ -(ln 3 / 4) d^2`` for large d (Dean & Majumdar, PRL 97, 160201, 2006). Seed
000's ``2^-d`` assumes independent eigenvalue signs; the measured rate is the law.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as sps

from properties import stats
from properties._law import LawViolation, law
from properties.controls import landscape as ctl
from properties.laws._tolerance import EPS64

#: P(all eigenvalues of a d x d GOE matrix > 0): exact for d <= 3, Monte Carlo for d = 4.
GOE_P = {
    1: 0.5,
    2: (2.0 - math.sqrt(2.0)) / 4.0,
    3: (math.pi - 2.0 * math.sqrt(2.0)) / (4.0 * math.pi),
    4: 0.002452,
}
#: Standard error of the tabulated value (0 for the closed forms).
GOE_P_SE = {1: 0.0, 2: 0.0, 3: 0.0, 4: 2.5e-5}


@functools.lru_cache(maxsize=None)
def n_against(p0: float, p1: float, alpha: float = stats.ALPHA, beta: float = stats.BETA) -> int:
    """Smallest n (to 5%) at which the equal-tailed exact binomial test of ``p0`` at level
    ``alpha`` rejects ``p1`` with probability >= 1 - beta."""
    n = 10
    while True:
        lo, hi = sps.binom.ppf(alpha / 2, n, p0), sps.binom.isf(alpha / 2, n, p0)
        if sps.binom.cdf(hi, n, p1) - sps.binom.cdf(lo - 1, n, p1) <= beta:
            return n
        n = int(n * 1.05) + 1


def _goe(rng, n, d):
    a = rng.standard_normal((n, d, d))
    return (a + np.swapaxes(a, 1, 2)) / 2.0


def _repro(name, seed, d):
    return (f"from properties import load_target; from properties.laws.landscape import {name} as law\n"
            f"law(load_target('reference'), seed={seed}, d={d})")


@law(needs=("goe_minimum_probability",), statistical=True, seed=stats.seeds(), d=st.sampled_from([2, 3, 4]),
     controls=(ctl.minima_fraction_two_to_minus_d,))
def goe_minimum_probability_matches_simulation(t, seed, d):
    """``goe_minimum_probability(d)`` is the fraction of GOE Hessians with all eigenvalues > 0.

    The law draws n GOE matrices, counts those whose smallest eigenvalue (numpy ``eigvalsh``,
    the oracle; ties at 0 have probability 0) is positive, and runs the exact binomial test
    (``stats.check_proportion``, alpha = 1e-7) of the stated probability. n is the smallest
    size with power >= 1 - 1e-6 against seed 000's ``2^-d`` (1545 at d = 2, 606 at d = 3,
    577 at d = 4); at d = 1 both are 1/2, so d >= 2.
    """
    p = float(t.goe_minimum_probability(d))
    n = n_against(GOE_P[d], 2.0 ** -d)
    rng = stats.rng_from(seed)
    lam_min = np.linalg.eigvalsh(_goe(rng, n, d))[:, 0]
    count = int(np.count_nonzero(lam_min > 0))
    if not 0.0 < p < 1.0:
        raise LawViolation(f"goe_minimum_probability({d}) = {p!r}; should be a probability in (0, 1)")
    stats.check_proportion(count, n, p, what=f"fraction of {d}x{d} GOE Hessians that are minima",
                           seed=seed, repro=_repro("goe_minimum_probability_matches_simulation", seed, d))


@law(needs=("classify_critical_point",), statistical=True, seed=stats.seeds(), d=st.sampled_from([2, 3]),
     controls=(ctl.classify_by_diagonal,))
def classifier_finds_goe_minima_at_the_known_rate(t, seed, d):
    """On GOE Hessians, ``classify_critical_point`` says "minimum" with probability ``P_d``.

    ``P_2 = (2 - sqrt 2)/4 = 0.1464`` and ``P_3 = (pi - 2 sqrt 2)/(4 pi) = 0.0249`` (closed
    forms, module docstring), far below seed 000's ``2^-d`` = 0.25, 0.125: the eigenvalues of
    a random symmetric matrix repel, their signs are not independent. Exact binomial test,
    alpha = 1e-7; n = 1545 (d = 2) and 606 (d = 3) give power >= 1 - 1e-6 against ``2^-d``,
    which is exactly what a classifier reading the diagonal of H reports (the diagonal
    entries *are* independent N(0, 1)).
    """
    n = n_against(GOE_P[d], 2.0 ** -d)
    rng = stats.rng_from(seed)
    hs = _goe(rng, n, d)
    count = sum(1 for h in hs if t.classify_critical_point(h) == "minimum")
    stats.check_proportion(count, n, GOE_P[d], what=f"fraction of {d}x{d} GOE Hessians classified 'minimum'",
                           seed=seed, repro=_repro("classifier_finds_goe_minima_at_the_known_rate", seed, d))


@law(needs=("goe_minimum_probability",), d=st.sampled_from([1, 2, 3, 4]),
     controls=(ctl.minima_fraction_two_to_minus_d,))
def minimum_probability_falls_faster_than_two_to_minus_d(t, d):
    """``P_d`` is the tabulated value and each added dimension costs more than the factor 1/2
    of seed 000's heuristic: ``P_1 = 1/2`` and ``P_(d+1) / P_d <= 0.3`` (measured 0.293,
    0.170, 0.098 for d = 1, 2, 3), so ``P_d < 2^-d`` for d >= 2 and, asymptotically,
    ``ln P_d ~ -0.275 d^2`` instead of ``-0.693 d``.

    Tolerance: ``4 eps`` relative on the closed forms; 5 standard errors on the Monte Carlo
    value at d = 4 (so the check cannot false-alarm on a better estimate).
    """
    p = float(t.goe_minimum_probability(d))
    tol = 4 * EPS64 * GOE_P[d] + 5 * GOE_P_SE[d]
    if abs(p - GOE_P[d]) > tol:
        raise LawViolation(f"goe_minimum_probability({d}) = {p!r}; should be {GOE_P[d]!r} within {tol:.2g} "
                           f"(2^-d = {2.0 ** -d!r} assumes independent eigenvalue signs)")
    if d < 4:
        ratio = float(t.goe_minimum_probability(d + 1)) / p
        if not ratio <= 0.3:
            raise LawViolation(f"P_{d + 1} / P_{d} = {ratio:.4g}; the GOE rate gives {GOE_P[d + 1] / GOE_P[d]:.4g} "
                               f"<= 0.3, faster than the independent-signs factor 1/2")


# --- the classifier -------------------------------------------------------------------------

def _spectra(zero=False):
    """(eigenvalues, seed): d in 1..6, magnitudes in [1e-6, 1] times a scale in 1e-3..1e3,
    signs drawn; with ``zero`` one or more eigenvalues are exactly 0 (at least one nonzero)."""
    mag = st.floats(1e-6, 1.0, allow_nan=False, allow_subnormal=False)
    sign = st.sampled_from([1.0, -1.0])
    one = st.tuples(mag, sign).map(lambda p: p[0] * p[1])

    def build(a):
        lam, scale, nzero = a
        lam = np.array(lam) * scale
        if zero:
            k = min(nzero, lam.size - 1)
            lam[:k] = 0.0
        return lam
    return st.tuples(st.lists(one, min_size=2 if zero else 1, max_size=6),
                     st.sampled_from([1e-3, 1.0, 7.0, 1e3]), st.integers(1, 3)).map(build)


def _rotate(lam, seed):
    rng = np.random.default_rng(seed)
    n = lam.size
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    q = q * np.sign(np.diag(r))
    h = (q * lam) @ q.T
    return (h + h.T) / 2.0, q


def _expected(lam, zero_tol=0.0):
    pos, neg = bool(np.any(lam > zero_tol)), bool(np.any(lam < -zero_tol))
    if pos and neg:
        return "saddle"
    if np.any(np.abs(lam) <= zero_tol):
        return "degenerate"
    return "minimum" if pos else "maximum"


_SWAP = {"minimum": "maximum", "maximum": "minimum", "saddle": "saddle", "degenerate": "degenerate"}


@law(needs=("classify_critical_point",), lam=_spectra(), seed=st.integers(0, 2**32 - 1),
     c=st.sampled_from([2.0**-40, 3.0, 1e10]),
     controls=(ctl.classify_by_diagonal,),
     examples=({"lam": np.array([1.0, -0.1]), "seed": 0, "c": 3.0},))
def classification_follows_eigenvalue_signs_and_is_similarity_invariant(t, lam, seed, c):
    """``H = Q diag(lambda) Q^T`` (Q a random orthogonal matrix) is classified by the signs of
    ``lambda``: all positive "minimum", all negative "maximum", both "saddle"; and so are
    ``c H`` (c > 0, any scale), ``P H P^T`` (a permutation) and ``-H`` (minimum and maximum
    swapped). Every ``|lambda_i| >= 1e-6 max|lambda|``, far above the rounding of forming H
    (~ n eps ||H||), so the kind is certain. Seed 000: "most critical points are saddles";
    a classifier reading the diagonal of H is wrong as soon as Q mixes the axes.
    """
    h, _ = _rotate(lam, seed)
    want = _expected(lam)
    perm = np.random.default_rng(seed + 1).permutation(lam.size)
    cases = (("H", h, want), (f"{c:g} H", c * h, want), ("P H P^T", h[np.ix_(perm, perm)], want),
             ("-H", -h, _SWAP[want]))
    for name, m, expect in cases:
        got = t.classify_critical_point(m)
        if got != expect:
            raise LawViolation(f"classify_critical_point({name}) = {got!r}; should be {expect!r} for "
                               f"eigenvalues {lam.tolist()} (H = Q diag(lambda) Q^T, seed {seed}) [H={h.tolist()}]")


@law(needs=("classify_critical_point",), lam=_spectra(zero=True), seed=st.integers(0, 2**32 - 1),
     controls=(ctl.classify_exact_zero,),
     examples=({"lam": np.array([0.0, 1.0, 2.0]), "seed": 3},))
def singular_hessian_is_degenerate_unless_saddle(t, lam, seed):
    """A Hessian with a zero eigenvalue is "degenerate" (second-order test inconclusive)
    unless it also has eigenvalues of both signs ("saddle").

    ``H = Q diag(lambda) Q^T`` formed in floating point has, instead of each 0, an eigenvalue
    of order ``n eps ||H||_2`` of either sign (measured <= 0.78 n eps ||H||); the law's own
    ``eigvalsh`` confirms ``|lambda| <= n eps ||H||_2`` (else the example is not used). So a
    classifier must decide zero against a bound: any threshold between ``2 n eps ||H||_2``
    (the rounding plus its own solver's error) and ``1e-6 ||H||_2`` (the smallest nonzero
    eigenvalue drawn) passes; ``== 0`` does not.
    """
    h, _ = _rotate(lam, seed)
    ev = np.linalg.eigvalsh(h)
    norm2 = float(np.max(np.abs(ev)))
    nz = int(np.count_nonzero(lam == 0))
    if np.sort(np.abs(ev))[nz - 1] > lam.size * EPS64 * norm2:
        return  # the construction's rounding exceeded the bound the law states; not a test case
    want = _expected(lam)
    got = t.classify_critical_point(h)
    if got != want:
        raise LawViolation(f"classify_critical_point = {got!r}; should be {want!r} for eigenvalues {lam.tolist()} "
                           f"(computed {ev.tolist()}, n eps ||H|| = {lam.size * EPS64 * norm2:.3g}) [H={h.tolist()}]")


# --- the condition number -------------------------------------------------------------------

def _svd_matrices():
    """(s, seed, spd): singular values in [1e-4, 1] times a scale (1e-3..1e3, condition <= 1e4),
    for a general ``U diag(s) V^T`` or an SPD ``Q diag(s) Q^T``."""
    s = st.lists(st.floats(1e-4, 1.0, allow_nan=False, allow_subnormal=False), min_size=1, max_size=6)
    return st.tuples(s, st.sampled_from([1e-3, 1.0, 1e3]), st.integers(0, 2**32 - 1), st.booleans()).map(
        lambda a: (np.array(a[0]) * a[1], a[2], a[3]))


@law(needs=("condition_number",), m=_svd_matrices(), c=st.sampled_from([2.0**-30, -3.0, 1e8]),
     controls=(ctl.cond_diagonal_ratio, ctl.cond_eigenvalue_ratio, ctl.cond_squared),
     examples=({"m": (np.array([1.0, 1e-3]), 5, False), "c": -3.0},))
def condition_number_is_the_singular_value_ratio(t, m, c):
    """``condition_number(A) = sigma_max / sigma_min`` (2-norm), >= 1, and scale-invariant:
    ``condition_number(c A) = condition_number(A)`` for c != 0. For SPD A (``spd=True`` and
    the default) it is ``lambda_max / lambda_min``.

    ``A = U diag(s) V^T`` with random orthogonal U, V (V = U for the SPD case), so the
    exact value is ``max s / min s``. Tolerance ``16 n eps kappa`` relative: a
    backward-stable SVD perturbs ``sigma_min`` by ~ ``n eps sigma_max`` (and forming A
    adds as much), i.e. the ratio by ``n eps kappa`` relatively; kappa <= 1e4 here. Neither
    the ratio of the diagonal entries nor, for a non-normal A, of the eigenvalue
    magnitudes is this number, nor is the square (the normal equations' condition).
    """
    s, seed, spd = m
    n = s.size
    rng = np.random.default_rng(seed)
    u, r = np.linalg.qr(rng.standard_normal((n, n)))
    u = u * np.sign(np.diag(r))
    if spd:
        v = u
    else:
        v, r = np.linalg.qr(rng.standard_normal((n, n)))
        v = v * np.sign(np.diag(r))
    a = (u * s) @ v.T
    if spd:
        a = (a + a.T) / 2.0
    kappa = float(s.max() / s.min())
    tol = 16 * n * EPS64 * kappa * kappa
    calls = [("A", a, {}), (f"{c:g} A", c * a, {})]
    if spd:
        calls.append(("A, spd=True", a, {"spd": True}))
    for name, mat, kw in calls:
        got = float(t.condition_number(mat, **kw))
        if not (got >= 1.0 and abs(got - kappa) <= tol):
            raise LawViolation(f"condition_number({name}) = {got!r}; should be sigma_max / sigma_min = {kappa!r} "
                               f"within {tol:.2g} (and >= 1) [s={s.tolist()}, seed={seed}, spd={spd}]")


# --- an explicit tol (issue 16) ---------------------------------------------------------------

@st.composite
def _spectra_and_tol(draw_):
    """(eigenvalues, tol, rotate): a spectrum as ``_spectra`` (or the zero Hessian), and tol = 0
    or the geometric mean of two neighbouring distinct magnitudes |lambda| (or 2 max|lambda|), so
    no eigenvalue lies within a factor sqrt(2) of tol (far beyond the rounding of forming H).
    With tol = 0 and a zero eigenvalue H is a permuted diagonal matrix (exact eigenvalues)."""
    if draw_(st.integers(0, 9), label="zero H") == 0:
        lam = np.zeros(draw_(st.integers(1, 4), label="d"))
        return lam, draw_(st.sampled_from([0.0, 1e-300, 1.0, 1e100]), label="tol"), False
    lam = draw_(_spectra(zero=draw_(st.booleans(), label="zero eigenvalue")))
    mags = np.unique(np.abs(lam))
    mags = mags[mags > 0]
    # candidate cut points: between neighbours at least a factor 2 apart, or above all
    cuts = [math.sqrt(a * b) for a, b in zip(mags[:-1], mags[1:]) if b >= 2 * a] + [2.0 * float(mags[-1])]
    tol = draw_(st.sampled_from([0.0] + cuts), label="tol")
    return lam, tol, bool(tol > 0 or np.all(lam != 0))


@law(needs=("classify_critical_point",), spec=_spectra_and_tol(), seed=st.integers(0, 2**32 - 1),
     c=st.sampled_from([2.0**-600, 2.0**-40, 1.0, 3.0, 1e10, 2.0**600]),
     controls=(ctl.classify_tol_ignored, ctl.classify_tol_not_rescaled, ctl.classify_tol_at_least_one),
     examples=({"spec": (np.zeros(3), 0.0, False), "seed": 0, "c": 1.0},
               {"spec": (np.array([0.0, 1.0, 2.0]), 0.0, False), "seed": 0, "c": 1.0},
               {"spec": (np.array([1e-3, -1.0, 2.0]), 0.03, True), "seed": 1, "c": 2.0**-40}))
def classification_with_an_explicit_tol_compares_the_eigenvalues_with_tol(t, spec, seed, c):
    """``classify_critical_point(H, tol)`` with an explicit ``tol >= 0`` (including 0) decides by
    ``lambda > tol`` (positive), ``lambda < -tol`` (negative), ``|lambda| <= tol`` (zero):
    "saddle" with both signs, else "degenerate" with a zero, else "minimum" / "maximum"; and
    ``(c H, c tol)`` is classified as ``(H, tol)`` for every scale c > 0 (``2^-600`` to ``2^600``:
an implementation that rescales H must rescale tol). The zero Hessian is
    "degenerate" for every tol, 0 included.

    ``H = Q diag(lambda) Q^T`` (a permuted diagonal matrix when tol = 0 meets a zero
    eigenvalue, so that the zero is exact); tol never lies within a factor sqrt(2) of an
    eigenvalue's magnitude, so rounding cannot move one across it.
    """
    lam, tol, rotate = spec
    if rotate:
        h, _ = _rotate(lam, seed)
    else:
        perm = np.random.default_rng(seed).permutation(lam.size)
        h = np.diag(lam)[np.ix_(perm, perm)]
    want = _expected(lam, zero_tol=tol)
    try:
        got = t.classify_critical_point(c * h, tol=c * tol)
    except ValueError as exc:
        raise LawViolation(f"classify_critical_point refused tol={c * tol!r} (any tol >= 0 is valid): {exc}") from None
    if got != want:
        raise LawViolation(f"classify_critical_point({c:g} H, tol={c * tol!r}) = {got!r}; should be {want!r} for "
                           f"eigenvalues {lam.tolist()} against tol {tol!r} [H={h.tolist()}]")


# --- the eigenvalue tolerance, the default zero threshold, GOE sampling, singular matrices -------

def _unit_scaled(h):
    """``h / 2^k`` (exact) with ``max|h|`` in [1, 2)."""
    _, e = np.frexp(np.max(np.abs(h)))
    return np.ldexp(h, 1 - int(e))


@law(needs=("hessian_eigen_tolerance",), lam=_spectra(), seed=st.integers(0, 2**32 - 1),
     c=st.sampled_from([2.0**-1000, 1.0, 3.0, 2.0**1023]), f32=st.booleans(),
     controls=(ctl.eigen_tolerance_without_n, ctl.eigen_tolerance_largest_signed, ctl.eigen_tolerance_frobenius,
               ctl.eigen_tolerance_unscaled, ctl.eigen_tolerance_in_float32),
     examples=({"lam": np.array([1.0, -4.0]), "seed": 0, "c": 2.0**1023, "f32": False},
               {"lam": np.array([1.0, -4.0, 0.3]), "seed": 0, "c": 3.0, "f32": True}))
def hessian_eigen_tolerance_is_eight_n_eps_times_the_spectral_norm(t, lam, seed, c, f32):
    """``hessian_eigen_tolerance(c H) = 8 n eps ||c H||_2`` for an n x n symmetric H at every
    scale c > 0, up to 2^1023 (entries near the float64 maximum, where ``H + H^T`` overflows
    unless H is rescaled first) and down to 2^-1000.

    ``H = Q diag(lambda) Q^T`` divided by a power of two so that ``max|H|`` is in [1, 2); the
    law's ``||H||_2`` is ``max |eigvalsh(H)|`` (the largest *magnitude*, a negative eigenvalue
    included), times c. Two backward-stable eigensolvers on the same matrix agree on
    ``||H||_2`` within about ``n eps ||H||_2`` each, and ``c = 3`` rounds H once: relative
    tolerance ``8 (n + 1) eps``, far below the 12% of a factor 9 instead of 8 or the factor n.

    A float32 H (``f32``, at c = 1 and 3: the other scales are outside float32's range) is the
    same matrix as its exact float64 conversion and has the same tolerance: an eigensolver run
    in float32 misses ``||H||_2`` by ~ ``n 6e-8``, millions of times the tolerance here.
    """
    h = _unit_scaled(_rotate(lam, seed)[0])
    n = lam.size
    m = c * h
    if f32 and c in (1.0, 3.0):
        m = m.astype(np.float32)
    want = 8.0 * n * EPS64 * float(np.max(np.abs(np.linalg.eigvalsh(m.astype(np.float64)))))
    got = float(t.hessian_eigen_tolerance(m))
    if not abs(got - want) <= 8 * (n + 1) * EPS64 * want:
        raise LawViolation(f"hessian_eigen_tolerance({c:g} H) = {got!r}; should be 8 n eps ||H||_2 = {want!r} "
                           f"(n = {n}, c = {c!r}, dtype {m.dtype}, H proportional to Q diag({lam.tolist()}) Q^T) [seed={seed}]")


@law(needs=("classify_critical_point", "hessian_eigen_tolerance"), lam=_spectra(), seed=st.integers(0, 2**32 - 1),
     r=st.sampled_from([0.25, 0.5, 2.0, 4.0]), sign=st.sampled_from([1.0, -1.0]),
     controls=(ctl.classify_default_tol_over_n,),
     examples=({"lam": np.array([1.0, -1.0, 1.0, 1.0]), "seed": 0, "r": 0.5, "sign": 1.0},))
def default_zero_threshold_is_hessian_eigen_tolerance(t, lam, seed, r, sign):
    """``classify_critical_point(H)`` (no tol) classifies as ``classify_critical_point(H,
    tol=hessian_eigen_tolerance(H))``: the documented default threshold.

    ``H = Q diag(lambda) Q^T`` gets one more eigenvalue, ``sign r tau`` with ``tau = 8 n eps
    ||H||_2`` (n counting it) and r in {1/4, 1/2, 2, 4}: on the zero side of the threshold or on the nonzero
    side by a factor 2 at least. Forming H moves an eigenvalue by at most about ``n eps
    ||H||_2 = tau / 8`` (measured <= 0.78 n eps ||H||), so the side is certain; the law checks
    it with its own eigvalsh and skips an example where it is not.
    """
    tau = 8.0 * (lam.size + 1) * EPS64 * float(np.max(np.abs(lam)))
    lam = np.concatenate([[sign * r * tau], lam])
    n = lam.size
    h, _ = _rotate(lam, seed)
    ev = np.linalg.eigvalsh(h)
    tau_h = 8.0 * n * EPS64 * float(np.max(np.abs(ev)))
    small = ev[int(np.argmin(np.abs(ev)))]
    if not (abs(small) <= tau_h / 1.5 or abs(small) >= 1.5 * tau_h):
        return  # rounding moved the eigenvalue towards the threshold: not a test case
    want = t.classify_critical_point(h, tol=float(t.hessian_eigen_tolerance(h)))
    got = t.classify_critical_point(h)
    if got != want:
        raise LawViolation(f"classify_critical_point(H) = {got!r} but with tol = hessian_eigen_tolerance(H) it is "
                           f"{want!r}; the default threshold is hessian_eigen_tolerance (eigenvalues {lam.tolist()}, "
                           f"computed {ev.tolist()}) [seed={seed}]")


#: GOE entries per test: a variance off by a factor 1.5 either way (or 2/3) is caught with
#: power >= 1 - 1e-6 at alpha = 1e-7 (chi-square with the known mean 0).
_GOE_N = stats.n_for_variance_ratio(1.5)


@law(needs=("goe_hessian",), seed=stats.seeds(), d=st.integers(1, 5), m=st.integers(1, 4),
     controls=(ctl.goe_not_symmetrised,))
def goe_hessian_is_exactly_symmetric_with_its_shape(t, seed, d, m):
    """``goe_hessian(d, rng)`` is a d x d exactly symmetric matrix and ``goe_hessian(d, rng,
    size=m)`` m of them, shape ``(m, d, d)``. Exact (a symmetrised matrix, ``(A + A^T) / 2``,
    is symmetric bit for bit)."""
    rng = stats.rng_from(seed)
    one = np.asarray(t.goe_hessian(d, rng))
    many = np.asarray(t.goe_hessian(d, rng, size=m))
    if one.shape != (d, d) or many.shape != (m, d, d):
        raise LawViolation(f"goe_hessian({d}) has shape {one.shape}, with size={m} {many.shape}; should be "
                           f"{(d, d)} and {(m, d, d)}")
    if np.any(one != one.T) or np.any(many != np.swapaxes(many, 1, 2)):
        raise LawViolation(f"goe_hessian({d}) is not exactly symmetric (max |H - H^T| = "
                           f"{float(np.max(np.abs(many - np.swapaxes(many, 1, 2)))):.3g}) [seed={seed}]")


@law(needs=("goe_hessian",), statistical=True, seed=stats.seeds(), d=st.integers(1, 5),
     controls=(ctl.goe_upper_triangle_mirrored, ctl.goe_sum_not_halved))
def goe_hessian_has_the_goe_entry_distribution(t, seed, d):
    """The entries of ``goe_hessian(d, rng, size=m)`` on and above the diagonal are independent,
    the diagonal ones N(0, 1) and the off-diagonal ones N(0, 1/2): ``(A + A^T) / 2`` with i.i.d.
    N(0, 1) entries of A, the density ``exp(-tr(H^2) / 2)``. (Shape and symmetry:
    ``goe_hessian_is_exactly_symmetric_with_its_shape``.)

    Chi-square tests with the known mean 0 of the diagonal variance (1) and, for d >= 2, the
    off-diagonal variance (1/2), each at alpha = 1e-7 (false alarm <= 2e-7 per example) on
    ``n = stats.n_for_variance_ratio(1.5)`` entries (power >= 1 - 1e-6 against a variance off
    by 1.5 or 2/3; mirroring the upper triangle gives 2x, not halving the sum 4x off the
    diagonal).
    """
    rng = stats.rng_from(seed)
    m = -(-_GOE_N // max(1, d * (d - 1) // 2)) if d > 1 else _GOE_N
    m = max(m, -(-_GOE_N // d))
    many = np.asarray(t.goe_hessian(d, rng, size=m))
    if many.shape != (m, d, d):        # the premise of the tests below (the shape law states it)
        raise LawViolation(f"goe_hessian({d}, size={m}) has shape {many.shape}; should be {(m, d, d)}")
    repro = (f"from properties import load_target; from properties.laws.landscape import "
             f"goe_hessian_has_the_goe_entry_distribution as law\nlaw(load_target({t.name!r}), seed={seed}, d={d})")
    diag = many[:, np.arange(d), np.arange(d)].ravel()
    stats.check_variance(diag, 1.0, mean=0.0, what=f"variance of the diagonal of goe_hessian({d})", seed=seed,
                         repro=repro)
    if d > 1:
        iu = np.triu_indices(d, 1)
        stats.check_variance(many[:, iu[0], iu[1]].ravel(), 0.5, mean=0.0,
                             what=f"variance of the off-diagonal entries of goe_hessian({d})", seed=seed, repro=repro)


@law(needs=("condition_number",), d=st.integers(1, 5), rank=st.integers(0, 4), spd=st.booleans(),
     c=st.sampled_from([2.0**-40, 1.0, 3.0, 2.0**40]), controls=(ctl.cond_singular_only_when_nonzero,),
     examples=({"d": 2, "rank": 0, "spd": True, "c": 1.0},))
def condition_number_of_a_singular_matrix_is_inf(t, d, rank, spd, c):
    """``condition_number(A) = inf`` when A is exactly singular (``sigma_min = 0``), the zero
    matrix included. A is ``diag(c, ..., c, 0, ..., 0)`` with ``min(rank, d - 1)`` nonzero entries
    (exactly representable, exactly singular; eigvalsh and svd of a diagonal matrix return its
    entries exactly). Exact."""
    a = np.diag(np.where(np.arange(d) < min(rank, d - 1), c, 0.0))
    got = float(t.condition_number(a, spd=spd))
    if got != math.inf:
        raise LawViolation(f"condition_number(diag({np.diag(a).tolist()}), spd={spd}) = {got!r}; a singular matrix "
                           f"has condition number inf")


@law(needs=("condition_number",), d=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), spd=st.booleans(),
     c=st.sampled_from([2.0**-40, 1.0, 3.0, 2.0**40]), controls=(ctl.cond_inf_when_smallest_is_one,),
     examples=({"d": 3, "seed": 0, "spd": False, "c": 1.0}, {"d": 1, "seed": 0, "spd": False, "c": 1.0}))
def condition_number_of_a_scaled_orthogonal_matrix_is_one(t, d, seed, spd, c):
    """``condition_number(A) = 1`` for ``A = c Q`` (Q orthogonal, or ``c I`` with ``spd=True``):
    ``sigma_max / sigma_min`` with all singular values equal. Their singular values are ``|c|``
    within ``d eps |c|``: ratio 1 within ``4 d eps``.
    """
    if spd:
        a = c * np.eye(d)
    else:
        q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
        a = c * q
    got = float(t.condition_number(a, spd=spd))
    if not abs(got - 1.0) <= 4 * d * EPS64:
        raise LawViolation(f"condition_number({c:g} {'I' if spd else 'Q'}, spd={spd}) = {got!r}; all singular "
                           f"values are equal, so it is 1 [seed={seed}]")


@law(needs=("classify_critical_point", "hessian_eigen_tolerance"), lam=_spectra(), seed=st.integers(0, 2**32 - 1),
     c=st.sampled_from([2.0**-40, 1.0, 2.0**40]),
     controls=(ctl.symmetry_bound_over_n, ctl.symmetry_exact),
     examples=({"lam": np.array([1.0, -0.5]), "seed": 0, "c": 1.0},))
def hessian_asymmetric_within_rounding_is_taken_as_its_symmetric_part(t, lam, seed, c):
    """A Hessian symmetric up to rounding, ``max|H - H^T| <= 8 n eps max|H|`` (the documented
    acceptance bound: a numerical Hessian is never exactly symmetric), is accepted by
    ``classify_critical_point`` and ``hessian_eigen_tolerance`` and treated as its symmetric part.

    ``H = S + delta e_i e_j^T`` (one entry above the diagonal) with ``S = Q diag(lambda) Q^T``
    and ``delta = 4 n eps max|S|``: the asymmetry is at most ``(4 n + 2) eps max|S|`` (the
    addition rounds) <= 8 n eps max|H|. It moves the eigenvalues by at most ``delta``, far
    below the ``1e-6 max|lambda|`` of the smallest drawn eigenvalue, so the kind is that of
    S; and ``||H||_2`` within ``delta`` of ``||S||_2``, so the tolerance is that of S within
    ``8 n eps (delta + 2 n eps ||S||_2)``.
    """
    n = lam.size
    if n < 2:
        lam = np.concatenate([lam, [-lam[0]]])
        n = 2
    s = c * _unit_scaled(_rotate(lam, seed)[0])
    delta = 4 * n * EPS64 * float(np.max(np.abs(s)))
    h = s.copy()
    h[0, n - 1] += delta
    want = _expected(lam)
    norm2 = float(np.max(np.abs(np.linalg.eigvalsh(s))))
    want_tol = 8 * n * EPS64 * norm2
    try:
        got = t.classify_critical_point(h, tol=0.0)       # explicit: the default threshold is another law's
        got_tol = float(t.hessian_eigen_tolerance(h))
    except ValueError as exc:
        raise LawViolation(f"a Hessian with max|H - H^T| = {float(np.max(np.abs(h - h.T))):.3g} <= 8 n eps max|H| = "
                           f"{8 * n * EPS64 * float(np.max(np.abs(h))):.3g} was refused: {exc}") from None
    if got != want or not abs(got_tol - want_tol) <= 8 * n * EPS64 * (delta + 2 * n * EPS64 * norm2):
        raise LawViolation(f"H = S + {delta:.3g} e_1 e_{n}^T classified {got!r} with tolerance {got_tol!r}; S is {want!r} "
                           f"with tolerance {want_tol!r} (eigenvalues {lam.tolist()}, c = {c!r}) [seed={seed}]")


# --- contract: the documented argument domains --------------------------------------------------------

from properties.laws._contract import refuses, unchanged  # noqa: E402

#: Matrices that are not square and symmetric (symmetric up to 8 n eps max|H|): of another ndim,
#: not square, asymmetric by far or just beyond the bound.
_NOT_SQUARE_SYMMETRIC = {
    "1-d": np.array([1.0, -2.0]),
    "3-d": np.eye(2)[None],
    "2x3": np.array([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]),
    "3x2": np.array([[1.0, 0.0], [0.0, -1.0], [0.0, 0.0]]),
    "asymmetric by 1e-3": np.array([[2.0, 1e-3], [0.0, -1.0]]),
    "asymmetric by 9 n eps max|H|": np.array([[2.0, 9 * 2 * 2.0**-52 * 2.0], [0.0, -1.0]]),
}
_LANDSCAPE_CASES = {"classify_critical_point": ("classify_critical_point",),
                    "hessian_eigen_tolerance": ("hessian_eigen_tolerance",),
                    "condition_number(spd=True)": ("condition_number",),
                    "condition_number(spd=False)": ("condition_number",)}
#: What each case refuses: condition_number(spd=False) takes any square matrix (asymmetric ones too).
_SHAPE_KINDS = ("1-d", "3-d", "2x3", "3x2")


def _kinds(case):
    return _SHAPE_KINDS if case == "condition_number(spd=False)" else tuple(sorted(_NOT_SQUARE_SYMMETRIC))


def _landscape_call(t, name, h):
    if name.startswith("condition_number"):
        return lambda: t.condition_number(h, spd=name.endswith("(spd=True)"))
    return lambda: getattr(t, name)(h)


@law(needs=(), cases=_LANDSCAPE_CASES, tier="contract", max_examples=10, name=lambda c: st.just(c),
     kind=lambda c: st.sampled_from(_kinds(c)), scale=st.sampled_from([1.0, 2.0**-700, 2.0**700, -3.0]),
     examples=tuple({"_case": c, "name": c, "kind": k, "scale": 1.0} for c in _LANDSCAPE_CASES for k in _kinds(c)),
     controls=(ctl.square_symmetric_unchecked, ctl.symmetry_unchecked))
def landscape_functions_refuse_a_matrix_that_is_not_square_and_symmetric(t, name, kind, scale):
    """``classify_critical_point``, ``hessian_eigen_tolerance`` and ``condition_number(A,
    spd=True)`` refuse, with ``ValueError``, a matrix that is not 2-d, not square, or not
    symmetric up to rounding (``condition_number(A)``, spd=False, any square matrix: it refuses
    the shapes only) (``max|H - H^T| <= 8 n eps max|H|``; a numerical Hessian is
    symmetrised first): a Hessian is symmetric, and the eigenvalues of an asymmetric matrix
    are not the curvatures. At any scale (the bound is relative). The matrix stays unchanged.
    """
    h = _NOT_SQUARE_SYMMETRIC[kind] * scale
    before = h.copy()
    refuses(_landscape_call(t, name, h), f"{name}: H {kind} (scaled by {scale!r}): {h.tolist()}")
    unchanged(before, h, f"{name}: H")


@law(needs=("classify_critical_point",), tier="contract", max_examples=10,
     tol=st.sampled_from([-1e-12, -1.0, -5e-324, float("nan"), float("inf"), float("-inf")])
     | st.floats(max_value=0.0, exclude_max=True),
     examples=({"tol": -5e-324},), controls=(ctl.tol_unchecked,))
def classify_critical_point_refuses_a_tol_that_is_negative_or_not_finite(t, tol):
    """``classify_critical_point(H, tol)`` refuses a ``tol`` below 0 or not finite with
    ``ValueError`` (the documented ``tol >= 0``: a negative threshold makes an eigenvalue both
    "positive" and "negative"; NaN compares false with everything). 0 is allowed.
    """
    h = np.diag([1.0, -2.0])
    refuses(lambda: t.classify_critical_point(h, tol=tol), f"classify_critical_point(tol={tol!r})")
