"""Negative controls for the loss landscape (seed 000): Hessian classification and conditioning."""

from __future__ import annotations

import math

import numpy as np

from properties._law import Control


def _kind(pos: bool, neg: bool, zero: bool) -> str:
    if pos and neg:
        return "saddle"
    if zero:
        return "degenerate"
    return "minimum" if pos else "maximum"


def _classify_by_diagonal(H, tol=None):
    # The seed's reasoning made code: the d curvatures along the coordinate axes, read off the
    # diagonal, as if they were the eigenvalues (independent signs: P(minimum) = 2^-d on GOE).
    d = np.diag(np.asarray(H, dtype=np.float64))
    t = 0.0 if tol is None else tol
    return _kind(bool(np.any(d > t)), bool(np.any(d < -t)), bool(np.any(np.abs(d) <= t)))


def _classify_exact_zero(H, tol=None):
    # Eigenvalues compared with 0 exactly: a singular Hessian formed in floating point has
    # eigenvalues of order eps ||H|| of either sign and is called a minimum, maximum or saddle.
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    return _kind(bool(np.any(lam > 0)), bool(np.any(lam < 0)), bool(np.any(lam == 0)))


def _goe_two_to_minus_d(d):
    # seed 000: "the probability of each point to be in a local minimum is 2^-d"
    return 2.0 ** -int(d)


def _cond_diagonal_ratio(A, spd=False):
    d = np.abs(np.diag(np.asarray(A, dtype=np.float64)))
    return math.inf if d.min() == 0 else float(d.max() / d.min())


def _cond_eigenvalue_ratio(A, spd=False):
    # |lambda|_max / |lambda|_min: the 2-norm condition number only for normal matrices
    lam = np.abs(np.linalg.eigvals(np.asarray(A, dtype=np.float64)))
    return math.inf if lam.min() == 0 else float(lam.max() / lam.min())


def _cond_squared(A, spd=False):
    # cond(A^T A) = cond(A)^2: the normal equations' condition, not A's
    s = np.linalg.svd(np.asarray(A, dtype=np.float64), compute_uv=False)
    return math.inf if s[-1] == 0 else float((s[0] / s[-1]) ** 2)


classify_by_diagonal = Control(
    "classify_by_diagonal", "plausible bug (the saddle-point notes' independent-signs argument, made code)",
    "classifies a critical point by the signs of the Hessian's diagonal instead of its eigenvalues",
    {"classify_critical_point": _classify_by_diagonal},
    correct="classify by the signs of the eigenvalues of H (numpy.linalg.eigvalsh); the diagonal "
            "entries are the curvatures along the axes only, and their signs are what 2^-d counts")
classify_exact_zero = Control(
    "classify_exact_zero", "plausible bug", "eigenvalues tested against 0 with == instead of an n eps ||H|| bound",
    {"classify_critical_point": _classify_exact_zero})
minima_fraction_two_to_minus_d = Control(
    "minima_fraction_two_to_minus_d", "seed 000 (\"the probability ... is 2^-d\")",
    "probability that a random d x d Hessian is a minimum taken as 2^-d (independent eigenvalue signs)",
    {"goe_minimum_probability": _goe_two_to_minus_d},
    correct="for random symmetric Gaussian (GOE) Hessians P(all eigenvalues > 0) is 1/2, 0.146, 0.0249, "
            "0.00245 for d = 1..4 and ≈ exp(−(ln 3 / 4) d²) for large d (Dean & Majumdar 2006): far "
            "below 2^-d, the eigenvalue signs are not independent")
cond_diagonal_ratio = Control(
    "cond_diagonal_ratio", "plausible bug", "condition number as max|A_ii| / min|A_ii|",
    {"condition_number": _cond_diagonal_ratio})
cond_eigenvalue_ratio = Control(
    "cond_eigenvalue_ratio", "plausible bug",
    "condition number as |lambda|_max / |lambda|_min (right only for normal matrices)",
    {"condition_number": _cond_eigenvalue_ratio})
cond_squared = Control(
    "cond_squared", "plausible bug", "condition number of A^T A (the square) reported for A",
    {"condition_number": _cond_squared})


# --- issue 16: an explicit tol -------------------------------------------------------------------

def _classify_tol_ignored(H, tol=None):
    # the explicit tol dropped: the default bound 8 n eps ||H|| decides zero
    import reference
    return reference.classify_critical_point(H)


def _classify_tol_not_rescaled(H, tol=None):
    # the reference's internal scaling H / s (s a power of two) without tol / s
    import reference
    from reference._numerics import pow2_scale
    H = np.asarray(H, dtype=np.float64)
    s = float(pow2_scale(np.max(np.abs(H)))) if H.size else 1.0
    return reference.classify_critical_point(H / s, tol)


def _classify_tol_at_least_one(H, tol=None):
    # mutation testing: check_in_range(tol, lo=1.0) survived (tol in [0, 1) refused)
    import reference
    if tol is not None and tol < 1.0:
        raise ValueError(f"classify_critical_point: tol must be in [1, inf); got {tol!r}")
    return reference.classify_critical_point(H, tol)


classify_tol_ignored = Control(
    "classify_tol_ignored", "plausible bug (a keyword accepted and dropped)",
    "classify_critical_point ignores an explicit tol and uses the default 8 n eps ||H||",
    {"classify_critical_point": _classify_tol_ignored})
classify_tol_not_rescaled = Control(
    "classify_tol_not_rescaled", "plausible bug", "H rescaled by a power of two before the eigensolver, tol not",
    {"classify_critical_point": _classify_tol_not_rescaled})
classify_tol_at_least_one = Control(
    "classify_tol_at_least_one", "mutation testing (check_in_range(tol, lo=1.0) survived)",
    "an explicit tol below 1 (including 0) is refused with ValueError",
    {"classify_critical_point": _classify_tol_at_least_one})


# --- mutation testing: hessian_eigen_tolerance, the default threshold, goe_hessian, singular matrices ---

def _sym(H):
    H = np.asarray(H, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # near the float64 maximum: inf, quietly
        return (H + H.T) / 2.0


def _eigen_tolerance_without_n(H):
    # 8 eps ||H||_2: the dimension factor of the eigensolver's error bound dropped
    return 8.0 * 2.0**-52 * float(np.max(np.abs(np.linalg.eigvalsh(_sym(H)))))


def _eigen_tolerance_largest_signed(H):
    # the largest eigenvalue (signed) instead of the largest magnitude
    H = _sym(H)
    return 8.0 * H.shape[0] * 2.0**-52 * float(np.max(np.linalg.eigvalsh(H)))


def _eigen_tolerance_frobenius(H):
    # ||H||_F instead of ||H||_2 (up to sqrt(n) too large)
    H = _sym(H)
    with np.errstate(over="ignore", invalid="ignore"):
        return 8.0 * H.shape[0] * 2.0**-52 * float(np.linalg.norm(H))


def _eigen_tolerance_unscaled(H):
    # mutation testing (pow2_scale(None): no rescaling): (H + H^T) / 2 overflows near the float64 maximum
    H = np.asarray(H, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        S = (H + H.T) / 2.0
        if not np.all(np.isfinite(S)):
            return float("nan")
        return 8.0 * H.shape[0] * 2.0**-52 * float(np.max(np.abs(np.linalg.eigvalsh(S))))


def _classify_default_tol_over_n(H, tol=None):
    # mutation testing: the default threshold 8 / n eps ||H||_2 (a / for a *)
    import reference
    if tol is None:
        H = _sym(H)
        tol = 8.0 / H.shape[0] * 2.0**-52 * float(np.max(np.abs(np.linalg.eigvalsh(H))))
    return reference.classify_critical_point(H, tol=tol)


def _goe_upper_triangle_mirrored(d, rng, size=None):
    # the upper triangle of A mirrored: symmetric, but off-diagonal entries N(0, 1) instead of N(0, 1/2)
    shape = (d, d) if size is None else (size, d, d)
    A = np.asarray(rng.standard_normal(shape))
    U = np.triu(A)
    return U + np.swapaxes(np.triu(A, 1), -1, -2)


def _goe_sum_not_halved(d, rng, size=None):
    # A + A^T without the 1/2: every variance 4x too large
    shape = (d, d) if size is None else (size, d, d)
    A = rng.standard_normal(shape)
    return A + np.swapaxes(A, -1, -2)


def _goe_not_symmetrised(d, rng, size=None):
    # A itself: the right variances on the diagonal, not symmetric
    shape = (d, d) if size is None else (size, d, d)
    return rng.standard_normal(shape)


def _cond_singular_only_when_nonzero(A, spd=False):
    # mutation testing (lam[0] <= 0 -> lam[0] < 0): sigma_max / sigma_min divided even when sigma_min = 0:
    # inf for a nonzero singular matrix, but 0 / 0 = nan for the zero matrix
    A = np.asarray(A, dtype=np.float64)
    v = np.linalg.eigvalsh(A) if spd else np.linalg.svd(A, compute_uv=False)[::-1]
    if v[0] < 0:
        return math.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        return max(float(v[-1] / v[0]), 1.0)


def _cond_inf_when_smallest_is_one(A, spd=False):
    # mutation testing (s[-1] == 0 -> s[-1] == 1): "singular" tested against 1
    A = np.asarray(A, dtype=np.float64)
    s = np.linalg.svd(A, compute_uv=False)
    if s[-1] == 1:
        return math.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        return max(float(s[0] / s[-1]), 1.0)


eigen_tolerance_without_n = Control(
    "eigen_tolerance_without_n", "plausible bug", "hessian_eigen_tolerance = 8 eps ||H||_2, without the factor n",
    {"hessian_eigen_tolerance": _eigen_tolerance_without_n})
eigen_tolerance_largest_signed = Control(
    "eigen_tolerance_largest_signed", "plausible bug",
    "hessian_eigen_tolerance from the largest (signed) eigenvalue instead of the largest magnitude",
    {"hessian_eigen_tolerance": _eigen_tolerance_largest_signed})
eigen_tolerance_frobenius = Control(
    "eigen_tolerance_frobenius", "plausible bug", "hessian_eigen_tolerance from ||H||_F instead of ||H||_2",
    {"hessian_eigen_tolerance": _eigen_tolerance_frobenius})
eigen_tolerance_unscaled = Control(
    "eigen_tolerance_unscaled", "mutation testing (pow2_scale(None) survived: no rescaling)",
    "hessian_eigen_tolerance forms (H + H^T) / 2 without rescaling: non-finite near the float64 maximum",
    {"hessian_eigen_tolerance": _eigen_tolerance_unscaled})
classify_default_tol_over_n = Control(
    "classify_default_tol_over_n", "mutation testing (8 * n -> 8 / n survived)",
    "classify_critical_point's default threshold is 8 / n eps ||H||_2 instead of 8 n eps ||H||_2",
    {"classify_critical_point": _classify_default_tol_over_n})
goe_upper_triangle_mirrored = Control(
    "goe_upper_triangle_mirrored", "plausible bug",
    "GOE Hessian as the upper triangle of a Gaussian matrix mirrored: off-diagonal variance 1, not 1/2",
    {"goe_hessian": _goe_upper_triangle_mirrored})
goe_sum_not_halved = Control(
    "goe_sum_not_halved", "plausible bug", "GOE Hessian as A + A^T (the 1/2 forgotten)",
    {"goe_hessian": _goe_sum_not_halved})
goe_not_symmetrised = Control(
    "goe_not_symmetrised", "plausible bug", "GOE Hessian as the Gaussian matrix A, not symmetrised",
    {"goe_hessian": _goe_not_symmetrised})
cond_singular_only_when_nonzero = Control(
    "cond_singular_only_when_nonzero", "mutation testing (lam[0] <= 0 -> lam[0] < 0 survived)",
    "condition number divides by a zero smallest eigenvalue/singular value: nan (0 / 0) for the zero matrix",
    {"condition_number": _cond_singular_only_when_nonzero})
cond_inf_when_smallest_is_one = Control(
    "cond_inf_when_smallest_is_one", "mutation testing (s[-1] == 0 -> s[-1] == 1 survived)",
    "condition number inf when the smallest singular value is 1 (a test against 1 instead of 0)",
    {"condition_number": _cond_inf_when_smallest_is_one})


def _refuse_asymmetry_above(factor_of_n):
    def check(H):
        H = np.asarray(H, dtype=np.float64)
        n = H.shape[0]
        if np.max(np.abs(H - H.T)) > factor_of_n(n) * 2.0**-52 * np.max(np.abs(H)):
            raise ValueError("H must be symmetric")

    def classify(H, tol=None):
        import reference
        check(H)
        return reference.classify_critical_point(H, tol)

    def tolerance(H):
        import reference
        check(H)
        return reference.hessian_eigen_tolerance(H)
    return {"classify_critical_point": classify, "hessian_eigen_tolerance": tolerance}


symmetry_bound_over_n = Control(
    "symmetry_bound_over_n", "mutation testing (8 * n -> 8 / n in the symmetry check survived)",
    "Hessians asymmetric by more than 8 / n eps max|H| refused (the documented bound is 8 n eps max|H|)",
    _refuse_asymmetry_above(lambda n: 8.0 / n))
symmetry_exact = Control(
    "symmetry_exact", "plausible bug", "a Hessian that is not exactly symmetric refused (H == H^T demanded)",
    _refuse_asymmetry_above(lambda n: 0.0))


def _eigen_tolerance_in_float32(H):
    # mutation testing (dtype=np.float64 -> dtype=None survived): a float32 H solved in float32
    import reference
    H = np.asarray(H)
    if H.dtype != np.float32:
        return reference.hessian_eigen_tolerance(H)
    S = (H + H.T) / np.float32(2)
    return 8.0 * H.shape[0] * 2.0**-52 * float(np.max(np.abs(np.linalg.eigvalsh(S))))


eigen_tolerance_in_float32 = Control(
    "eigen_tolerance_in_float32", "mutation testing (np.asarray(H, dtype=None) survived)",
    "hessian_eigen_tolerance of a float32 H computed with a float32 eigensolver (the norm off by ~ n 6e-8)",
    {"hessian_eigen_tolerance": _eigen_tolerance_in_float32})


# --- contract: removed or weakened argument checks -------------------------------------------------------
from properties.controls._patch import lenient_range, patched_all  # noqa: E402


def _as_given(H, func, name="H", symmetric=True):
    """The matrix scaled as the reference scales it, nothing checked."""
    H = np.asarray(H, dtype=np.float64)
    s = float(2.0 ** np.frexp(np.max(np.abs(H)))[1]) if H.size and np.max(np.abs(H)) > 0 else 1.0
    return H / s, s


def _square_only(H, func, name="H", symmetric=True):
    """Shape checked, symmetry not (then symmetrised anyway)."""
    from properties.controls._patch import original
    H2, s = original("landscape", "_square_symmetric")(H, func, name, symmetric=False)
    return (H2 + H2.T) / 2.0, s


_LANDSCAPE = ("classify_critical_point", "hessian_eigen_tolerance", "condition_number")
square_symmetric_unchecked = Control(
    "square_symmetric_unchecked", "plausible bug", "any array taken as the Hessian (no shape or symmetry check)",
    patched_all(_LANDSCAPE, "landscape", _square_symmetric=_as_given))
symmetry_unchecked = Control(
    "symmetry_unchecked", "plausible bug (numpy.linalg.eigvalsh reads one triangle)",
    "an asymmetric Hessian symmetrised silently instead of refused", patched_all(_LANDSCAPE, "landscape",
                                                                               _square_symmetric=_square_only))
tol_unchecked = Control(
    "tol_unchecked", "plausible bug", "classify_critical_point takes any tol",
    patched_all(("classify_critical_point",), "landscape", check_in_range=lenient_range))
