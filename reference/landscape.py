"""The loss landscape near a critical point: Hessian classification and conditioning.

Source: seed 000 ("Optimization and speeding learning up"): in high dimension most critical
points are saddles, not minima. The seed argues that each of the d curvatures is
independently positive or negative with probability 1/2, so a critical point is a minimum
with probability ``2^-d``. For a Gaussian random Hessian (the Gaussian orthogonal ensemble,
GOE) the eigenvalues repel each other and are *not* independent: the probability that all
are positive falls like ``exp(-theta d^2)`` with ``theta = ln(3) / 4`` (Dean & Majumdar,
PRL 97, 160201, 2006), much faster than ``2^-d``. :func:`goe_minimum_probability` gives the
exact values for d <= 3 and documented Monte Carlo values for d = 4, 5.

The seed's ``2^-d`` is exactly the probability that the d *diagonal* entries of a GOE
matrix are positive, i.e. what a classifier that reads the diagonal of H instead of its
eigenvalues reports; it is a negative control in ``properties/controls/landscape.py``.
"""

from __future__ import annotations

import math

import numpy as np

from ._numerics import EPS64, pow2_scale
from ._validation import _short, as_float_array, check_in_range, check_positive_int, check_rng

__all__ = [
    "CRITICAL_POINT_KINDS",
    "hessian_eigen_tolerance",
    "classify_critical_point",
    "condition_number",
    "goe_hessian",
    "goe_minimum_probability",
]

CRITICAL_POINT_KINDS = ("minimum", "maximum", "saddle", "degenerate")

#: Safety factor on ``n eps ||H||_2``: LAPACK's symmetric eigensolvers are backward stable
#: with a modest p(n) (LAPACK Users' Guide, section 4.7), and a Hessian formed in floating
#: point carries its own rounding of the same order.
_EIG_FACTOR = 8.0

# P(all eigenvalues of a d x d GOE matrix > 0). d = 1: symmetry. d = 2: with u = (a + c)/sqrt(2),
# v = (a - c)/sqrt(2), w = sqrt(2) b, all N(0, 1), both eigenvalues are positive iff
# u > sqrt(v^2 + w^2): a cone of half-angle 45 degrees in R^3, probability (1 - 1/sqrt(2)) / 2.
# d = 3: Dean & Majumdar (PRE 77, 041108, 2008). d = 4, 5: Monte Carlo with 4e6 matrices each
# (numpy default_rng(20261123), eigvalsh), standard errors 2.5e-5 and see the docs.
_GOE_P = {
    1: 0.5,
    2: (2.0 - math.sqrt(2.0)) / 4.0,
    3: (math.pi - 2.0 * math.sqrt(2.0)) / (4.0 * math.pi),
    4: 0.002452,
}


def _square_symmetric(H, func: str, name: str = "H", symmetric: bool = True):
    """``(H / s, s)``: the validated square matrix divided by a power of two ``s`` (exact)
    that brings its largest entry into [0.5, 1), so that ``H + H.T``, the eigensolver and
    the norms neither overflow nor underflow; signs and ratios of eigenvalues are unchanged."""
    H = np.asarray(as_float_array(H, func, name, ndim=2), dtype=np.float64)
    if H.shape[0] != H.shape[1]:
        raise ValueError(f"{func}: {name} must be square; got shape {H.shape}")
    s = float(pow2_scale(np.max(np.abs(H))))
    H = H / s
    if symmetric:
        asym = float(np.abs(H - H.T).max())
        bound = _EIG_FACTOR * H.shape[0] * EPS64 * float(np.abs(H).max())
        if asym > bound:
            raise ValueError(f"{func}: {name} must be symmetric; got max |H - H.T| = {asym * s:.3g} > {bound * s:.3g} "
                             f"(symmetrise a numerical Hessian with (H + H.T) / 2)")
        H = (H + H.T) / 2.0
    return H, s


def hessian_eigen_tolerance(H) -> float:
    """Eigenvalues of ``H`` at or below this magnitude are treated as zero.

    .. math:: \\tau = 8\\, n\\, \\varepsilon\\, \\lVert H \\rVert_2

    the error bound of a backward-stable symmetric eigensolver (``|computed - exact| <=
    p(n) eps ||H||_2``, Weyl) with ``p(n) = 8 n``. Scale-equivariant: ``tau(cH) = |c| tau(H)``.

    >>> hessian_eigen_tolerance([[1.0, 0.0], [0.0, -4.0]]) == 8 * 2 * 2.0**-52 * 4
    True
    """
    H, s = _square_symmetric(H, "hessian_eigen_tolerance")
    norm2 = float(np.max(np.abs(np.linalg.eigvalsh(H)))) if H.size else 0.0
    return _EIG_FACTOR * H.shape[0] * EPS64 * norm2 * s


def classify_critical_point(H, tol: float | None = None) -> str:
    """Classify a critical point by the signs of its Hessian's eigenvalues.

    With ``lambda_1 <= ... <= lambda_n`` the eigenvalues of the symmetric ``H``:

    * ``"minimum"``: all ``lambda_i > tol``;
    * ``"maximum"``: all ``lambda_i < -tol``;
    * ``"saddle"``: some ``lambda_i > tol`` and some ``lambda_j < -tol`` (whatever the rest);
    * ``"degenerate"``: otherwise (some ``|lambda_i| <= tol`` and no sign change): the
      second-order test is inconclusive.

    Parameters
    ----------
    H : array_like, shape (n, n)
        The Hessian, finite and symmetric up to rounding (``max|H - H^T| <= 8 n eps
        max|H|``; it is then symmetrised).
    tol : float, optional
        Zero threshold for eigenvalues, >= 0. Default :func:`hessian_eigen_tolerance`,
        ``8 n eps ||H||_2``: zero is decided against the eigenvalue error bound, never
        ``== 0`` (an exactly singular Hessian computed in floating point has eigenvalues
        of order ``eps ||H||``, of either sign).

    Invariant to ``H -> Q H Q^T`` (Q orthogonal) and ``H -> c H`` (c > 0); ``-H`` swaps
    minimum and maximum. Seed 000 (saddle points).

    Examples
    --------
    >>> classify_critical_point([[2.0, 0.0], [0.0, 3.0]]), classify_critical_point([[1.0, 2.0], [2.0, 1.0]])
    ('minimum', 'saddle')
    >>> classify_critical_point([[1.0, 1.0], [1.0, 1.0]])
    'degenerate'
    """
    func = "classify_critical_point"
    H, s = _square_symmetric(H, func)
    lam = np.linalg.eigvalsh(H)  # ascending, in units of s
    lo, hi = float(lam[0]), float(lam[-1])
    if tol is None:
        tol = _EIG_FACTOR * H.shape[0] * EPS64 * max(-lo, hi)
    else:
        tol = check_in_range(tol, func, "tol", lo=0.0) / s   # inf: every eigenvalue is within tol
    pos, neg = hi > tol, lo < -tol
    if pos and neg:
        return "saddle"
    if float(np.abs(lam).min()) <= tol:
        return "degenerate"
    return "minimum" if pos else "maximum"


def condition_number(A, spd: bool = False) -> float:
    """2-norm condition number ``sigma_max / sigma_min`` of a square matrix.

    .. math:: \\kappa_2(A) = \\lVert A \\rVert_2 \\lVert A^{-1} \\rVert_2
        = \\sigma_{\\max}(A) / \\sigma_{\\min}(A) \\ \\ (= \\lambda_{\\max} / \\lambda_{\\min}
        \\text{ for SPD } A)

    Parameters
    ----------
    A : array_like, shape (n, n), finite
    spd : bool, default False
        If True, ``A`` must be symmetric (up to rounding) and the eigenvalues are used
        (``numpy.linalg.eigvalsh``); a non-positive eigenvalue gives ``inf``. Otherwise the
        singular values (``numpy.linalg.svd``), as ``numpy.linalg.cond(A, 2)``.

    Returns ``inf`` for a singular matrix (``sigma_min == 0``, including the zero matrix);
    always ``>= 1`` and invariant to ``A -> c A`` (c != 0). It measures how elongated the
    level sets of a quadratic loss with Hessian ``A`` are (seed 000, normalising inputs):
    gradient descent needs O(kappa) steps. Not the ratio of the diagonal entries, nor, for
    a non-normal ``A``, the ratio of the eigenvalue magnitudes.

    >>> condition_number([[4.0, 0.0], [0.0, 1.0]]), condition_number([[1.0, 0.0], [0.0, 0.0]])
    (4.0, inf)
    """
    func = "condition_number"
    if not isinstance(spd, (bool, np.bool_)):
        raise TypeError(f"{func}: spd must be True or False; got {_short(spd)}")
    A, _ = _square_symmetric(A, func, "A", symmetric=bool(spd))   # kappa is scale-invariant
    if spd:
        lam = np.linalg.eigvalsh(A)
        if lam[0] <= 0:
            return math.inf
        return max(float(lam[-1] / lam[0]), 1.0)
    s = np.linalg.svd(A, compute_uv=False)
    if s[-1] == 0:
        return math.inf
    return max(float(s[0] / s[-1]), 1.0)


def goe_hessian(d: int, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
    """Random Hessian(s) from the Gaussian orthogonal ensemble: ``(A + A^T) / 2``.

    ``A`` has i.i.d. N(0, 1) entries, so diagonal entries are N(0, 1) and off-diagonal
    entries N(0, 1/2), the density is proportional to ``exp(-tr(H^2) / 2)`` and the law of
    ``H`` is invariant under ``Q H Q^T``. Shape ``(d, d)`` or ``(size, d, d)``.

    >>> H = goe_hessian(3, np.random.default_rng(0))
    >>> H.shape, bool(np.all(H == H.T))
    ((3, 3), True)
    """
    func = "goe_hessian"
    d = check_positive_int(d, func, "d")
    rng = check_rng(rng, func)
    shape = (d, d) if size is None else (check_positive_int(size, func, "size"), d, d)
    try:
        A = rng.standard_normal(shape)
    except (MemoryError, ValueError):
        raise ValueError(f"{func}: d and size must give an array that fits in memory; got shape {shape}") from None
    return (A + np.swapaxes(A, -1, -2)) / 2.0


def goe_minimum_probability(d: int) -> float:
    """Probability that a d x d GOE Hessian is a minimum (all eigenvalues > 0), d = 1..4.

    ======  ================================  ===========
    d       P_d                               2^-d (seed)
    ======  ================================  ===========
    1       1/2                               0.5
    2       (2 - sqrt 2)/4 = 0.146447         0.25
    3       (pi - 2 sqrt 2)/(4 pi) = 0.024921 0.125
    4       0.002452 (Monte Carlo, +-2.5e-5)  0.0625
    ======  ================================  ===========

    d = 2 is derived in the module source, d = 3 is Dean & Majumdar (2008), d = 4 was
    estimated from 4e6 GOE matrices (see ``docs/techniques/landscape.md``). For large d,
    ``ln P_d ~ -(ln 3 / 4) d^2`` (Dean & Majumdar 2006). The ratios ``P_(d+1) / P_d`` are
    0.29, 0.17, 0.098: each dimension costs more than the factor 1/2 of the seed's heuristic.

    >>> round(goe_minimum_probability(2), 6)
    0.146447
    """
    func = "goe_minimum_probability"
    d = check_positive_int(d, func, "d")
    if d not in _GOE_P:
        raise ValueError(f"{func}: d must be an integer in [1, {max(_GOE_P)}] (tabulated); got {d}")
    return _GOE_P[d]
