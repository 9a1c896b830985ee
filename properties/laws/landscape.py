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
