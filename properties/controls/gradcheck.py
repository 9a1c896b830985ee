"""Negative controls for gradient checking (seed 003) and for the hand-written backwards.

Each is a one-bug mutant: the seed's ``/ 2*eps`` precedence error, the seed's own forward
difference, the seed's "Euclidean distance" ``sqrt(sum (b_i^2 - a_i^2)^2)``, a relative error
without the 0/0 case, and wrong backward passes (a missing factor, a transposed weight, a
dropped term) for the laws that check every backward of the target.
"""

from __future__ import annotations


import numpy as np

from properties._law import Control


def _numgrad(f, x, h=1e-6, *, kind="centred"):
    x0 = np.array(x, dtype=np.float64)
    g = np.empty_like(x0)
    w = x0.copy()
    wf, gf, xf = w.reshape(-1), g.reshape(-1), x0.reshape(-1)
    for i in range(wf.size):
        wf[i] = xf[i] + h
        fp = float(f(w))
        if kind == "forward":
            wf[i] = xf[i]
            gf[i] = (fp - float(f(w))) / h
            continue
        wf[i] = xf[i] - h
        fm = float(f(w))
        wf[i] = xf[i]
        # seed 003: "(J(+eps) - J(-eps)) / 2*eps" parses as ((J+ - J-) / 2) * eps.
        gf[i] = (fp - fm) / 2 * h if kind == "slash_2_times" else (fp - fm) / (2 * h)
    return g


def _numgrad_forward(f, x, h=1e-6):
    return _numgrad(f, x, h, kind="forward")


def _numgrad_slash(f, x, h=1e-6):
    return _numgrad(f, x, h, kind="slash_2_times")


def _relerr(a, b, *, numerator="difference", zero_case=True):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if numerator == "squares":
        # seed 003: ||a, b|| = sqrt(sum (b_i^2 - a_i^2)^2)
        num = float(np.sqrt(np.sum((b**2 - a**2) ** 2)))
    else:
        num = float(np.linalg.norm(a - b))
    den = float(np.linalg.norm(a) + np.linalg.norm(b))
    if den == 0 and zero_case:
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(num) / np.float64(den))


def _relerr_squares(a, b):
    return _relerr(a, b, numerator="squares")


def _relerr_no_zero_case(a, b):
    return _relerr(a, b, zero_case=False)


def _gradient_check_with(numgrad, relerr):
    """``gradient_check`` built from a (possibly wrong) numerical gradient and relative error."""
    import reference

    def gradient_check(f, grad_f, x, h=1e-6, good=1e-7, wrong=1e-3):
        x0 = np.array(x, dtype=np.float64)
        a = np.asarray(grad_f(x0.copy()), dtype=np.float64)
        n = numgrad(f, x0, h)
        r = relerr(a, n)
        verdict = "ok" if r <= good else ("wrong" if not r <= wrong else "suspicious")
        worst = np.unravel_index(int(np.argmax(np.abs(a - n))), x0.shape) if x0.ndim else ()
        return reference.GradCheckResult(r, verdict, tuple(int(i) for i in worst), a, n)

    return gradient_check


def _ref(name):
    import reference
    return getattr(reference, name)


slash_2_times_eps = Control(
    "slash_2_times_eps", "seed 003 pseudo-code `(J(+eps) - J(-eps)) / 2*eps`",
    "operator precedence: multiplies the difference by eps/2 instead of dividing by 2 eps",
    {"numerical_gradient": _numgrad_slash,
     "gradient_check": _gradient_check_with(_numgrad_slash, lambda a, b: _ref("relative_error")(a, b))},
    correct="(J(θ + ε e_i) − J(θ − ε e_i)) / (2ε): the parentheses matter; `/ 2*eps` multiplies by ε/2")
forward_difference = Control(
    "forward_difference", "seed 003's definition of the derivative (f(x+h) - f(x)) / h",
    "forward difference: error h f''/2 = O(h), not O(h^2)",
    {"numerical_gradient": _numgrad_forward,
     "gradient_check": _gradient_check_with(_numgrad_forward, lambda a, b: _ref("relative_error")(a, b))},
    correct="centred difference (f(x + h) − f(x − h)) / (2h), error h² f'''/6")
squared_difference_norm = Control(
    "squared_difference_norm", "seed 003 (\"the || is the Euclidean distance\")",
    "relative error with numerator sqrt(sum (b_i^2 - a_i^2)^2): zero for b = -a, wrong scale",
    {"relative_error": _relerr_squares,
     "gradient_check": _gradient_check_with(lambda f, x, h: _ref("numerical_gradient")(f, x, h), _relerr_squares)},
    correct="‖a − b‖₂ = sqrt(Σ_i (a_i − b_i)²), not sqrt(Σ_i (b_i² − a_i²)²)")
relative_error_nan_at_zero = Control(
    "relative_error_nan_at_zero", "plausible bug",
    "relative error 0/0 = NaN for two zero gradients (and a verdict that cannot be 'ok')",
    {"relative_error": _relerr_no_zero_case})


# --- wrong backward passes ------------------------------------------------------------------

def _sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _sigmoid_grad_missing_one_minus(x, *args, **kwargs):
    # sigma(x) instead of sigma(x) (1 - sigma(x))
    return _sigmoid(x)


def _tanh_grad_missing_square(x, *args, **kwargs):
    # 1 - tanh(x) instead of 1 - tanh(x)^2
    return 1.0 - np.tanh(np.asarray(x, dtype=np.float64))


def _relu_grad_leaky(x, *args, **kwargs):
    # slope 0.01 on the negative side: the gradient of a leaky ReLU, not of ReLU
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, 1.0, 0.01)


def _batchnorm_backward_no_mean_terms(dy, cache):
    # treats the batch mean and variance as constants: dx = gamma / sqrt(var + eps) * dy
    dy = np.asarray(dy, dtype=np.float64)
    shape = (1, -1) + (1,) * (dy.ndim - 2)
    dx = dy * (cache.gamma * cache.inv_std).reshape(shape)
    axes = (0,) + tuple(range(2, dy.ndim))
    return dx, np.sum(dy * cache.x_hat, axis=axes), np.sum(dy, axis=axes)


sigmoid_grad_missing_factor = Control(
    "sigmoid_grad_missing_factor", "plausible bug", "sigmoid'(x) written as sigma(x), without the factor (1 - sigma(x))",
    {"sigmoid_grad": _sigmoid_grad_missing_one_minus})
tanh_grad_missing_square = Control(
    "tanh_grad_missing_square", "plausible bug", "tanh'(x) written as 1 - tanh(x) instead of 1 - tanh(x)^2",
    {"tanh_grad": _tanh_grad_missing_square})
relu_grad_leaky = Control(
    "relu_grad_leaky", "plausible bug", "ReLU backward with slope 0.01 for x < 0 (a leaky ReLU's)",
    {"relu_grad": _relu_grad_leaky})
batchnorm_backward_constant_statistics = Control(
    "batchnorm_backward_constant_statistics", "plausible bug",
    "batch-norm backward that ignores the dependence of the batch mean and variance on x",
    {"batchnorm_backward": _batchnorm_backward_no_mean_terms})



# --- dense network and losses ----------------------------------------------------------------

def _dense_backward_mutant(bug):
    def dense_backward(weights, cache, grad_output, activation="tanh", output_activation="linear"):
        import reference
        from reference.networks import DenseGrads

        def deriv(name, z, a):
            if bug == "derivative_at_output":
                z = a  # f'(a) instead of f'(z): the derivative evaluated at the activation's output
            return np.ones_like(z) if name == "linear" else getattr(reference, name + "_grad")(z)

        ws = [np.asarray(w, dtype=np.float64) for w in weights]
        zs, acts = cache.pre_activations, cache.activations
        delta = np.asarray(grad_output, dtype=np.float64) * deriv(output_activation, zs[-1], acts[-1])
        gws, gbs = [], []
        for i in range(len(ws) - 1, -1, -1):
            gws.append(delta.T @ acts[i])
            gbs.append(delta.sum(axis=0))
            w = ws[i]
            if bug == "transposed_weight" and w.shape[0] == w.shape[1]:
                w = w.T  # (only expressible for square layers; the shapes would catch the others)
            grad_a = delta @ w
            if i > 0:
                delta = grad_a * deriv(activation, zs[i - 1], acts[i])
        return DenseGrads(tuple(reversed(gws)), tuple(reversed(gbs)), grad_a)

    return dense_backward


def _mse_loss_grad_no_two(pred, y):
    # d/dp mean((p - y)^2) written as (p - y) / size, dropping the 2 of the square
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return (p - t) / p.size


def _bce_grad_no_mean(logits, y):
    # the per-element gradient sigmoid(z) - y, without the 1/size of the mean
    z, t = np.asarray(logits, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(0.5 * z)) - t


dense_backward_transposed_weight = Control(
    "dense_backward_transposed_weight", "plausible bug",
    "dense backward propagating delta through W^T instead of W (delta @ W.T on square layers)",
    {"dense_backward": _dense_backward_mutant("transposed_weight")})
dense_backward_derivative_at_output = Control(
    "dense_backward_derivative_at_output", "plausible bug",
    "dense backward evaluating f' at the activation a = f(z) instead of at z",
    {"dense_backward": _dense_backward_mutant("derivative_at_output")})
mse_loss_grad_missing_two = Control(
    "mse_loss_grad_missing_two", "plausible bug", "gradient of mean((p - y)^2) without the factor 2",
    {"mse_loss_grad": _mse_loss_grad_no_two})
bce_grad_missing_mean = Control(
    "bce_grad_missing_mean", "plausible bug", "logistic-loss gradient sigmoid(z) - y without the 1/size of the mean",
    {"bce_with_logits_loss_grad": _bce_grad_no_mean})


# --- the float64 range and the dtype of the computation --------------------------------------

def _numgrad_variant(f, x, h=1e-6, *, guard=True, always_halved=False, keep_dtype=False):
    """The reference's centred difference with one switch changed: no overflow fall-back
    (``guard=False``), the halved quotient used always (``always_halved``), or the arithmetic
    done in the input's dtype (``keep_dtype``: float32 in, float32 steps and f on float32)."""
    arr = np.asarray(x)
    x0 = np.array(arr, dtype=arr.dtype if keep_dtype and np.issubdtype(arr.dtype, np.floating) else np.float64)
    g = np.empty_like(x0)
    w = x0.copy()
    wf, gf, xf = w.reshape(-1), g.reshape(-1), x0.reshape(-1)
    for i in range(wf.size):
        xi = xf[i]
        xp, xm = xi + x0.dtype.type(h), xi - x0.dtype.type(h)
        wf[i] = xp
        fp = float(f(w))
        wf[i] = xm
        fm = float(f(w))
        wf[i] = xi
        with np.errstate(over="ignore", invalid="ignore"):
            xp, xm = float(xp), float(xm)
            if always_halved:
                gf[i] = (fp / 2 - fm / 2) / (xp / 2 - xm / 2)
            else:
                gf[i] = (fp - fm) / (xp - xm)
                if guard and not np.isfinite(gf[i]):
                    gf[i] = (fp / 2 - fm / 2) / (xp / 2 - xm / 2)
    return g


def _numgrad_no_guard(f, x, h=1e-6):
    return _numgrad_variant(f, x, h, guard=False)


def _numgrad_always_halved(f, x, h=1e-6):
    return _numgrad_variant(f, x, h, always_halved=True)


def _numgrad_input_dtype(f, x, h=1e-6):
    return _numgrad_variant(f, x, h, keep_dtype=True)


def _relerr_input_dtype(a, b):
    # the reference's scaled norms, computed in the inputs' dtype (float32 stays float32)
    a, b = np.asarray(a), np.asarray(b)
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    if scale == 0.0:
        return 0.0
    a, b = a / a.dtype.type(scale), b / b.dtype.type(scale)
    num = float(np.linalg.norm((a - b).ravel()))
    den = float(np.linalg.norm(a.ravel())) + float(np.linalg.norm(b.ravel()))
    return min(num / den, 1.0)


def _relerr_unclamped(a, b):
    # the reference's scaled norms without min(., 1): rounding can give 1 + eps for b = -c a
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    if scale == 0.0:
        return 0.0
    a, b = a / scale, b / scale
    return float(np.linalg.norm((a - b).ravel())) / (float(np.linalg.norm(a.ravel())) + float(np.linalg.norm(b.ravel())))


def _gradient_check_variant(*, strict_good=False, never_wrong=False, analytic_in_input_dtype=False,
                            analytic_unconverted=False):
    import reference

    def gradient_check(f, grad_f, x, h=1e-6, good=1e-7, wrong=1e-3):
        arr = np.asarray(x)
        x0 = np.array(arr, dtype=np.float64)
        xa = np.array(arr) if analytic_in_input_dtype else x0.copy()
        a = np.asarray(grad_f(xa), dtype=None if analytic_unconverted else np.float64)
        n = reference.numerical_gradient(f, x0, h)
        r = reference.relative_error(a, n)
        ok = r < good if strict_good else r <= good
        verdict = "ok" if ok else ("wrong" if r > wrong and not never_wrong else "suspicious")
        worst = np.unravel_index(int(np.argmax(np.abs(a - n))), x0.shape) if x0.ndim else ()
        return reference.GradCheckResult(r, verdict, tuple(int(i) for i in worst), a, n)

    return gradient_check


numgrad_no_overflow_guard = Control(
    "numgrad_no_overflow_guard", "plausible bug",
    "centred difference (f+ - f-) / 2h without a fall-back: inf when f(x+h) - f(x-h) overflows although the "
    "quotient fits float64", {"numerical_gradient": _numgrad_no_guard},
    correct="when f(x+h) - f(x-h) overflows, (f+/2 - f-/2) / (h) is exact and finite")
numgrad_always_halved = Control(
    "numgrad_always_halved", "plausible bug (the overflow guard applied to every coordinate)",
    "(f+/2 - f-/2) / ((x+h)/2 - (x-h)/2) always: halving a subnormal f value rounds it",
    {"numerical_gradient": _numgrad_always_halved})
numgrad_input_dtype = Control(
    "numgrad_input_dtype", "plausible bug (np.array(x) without dtype=float64)",
    "centred difference computed in the input's dtype: float32 x gives float32 steps and f sees float32",
    {"numerical_gradient": _numgrad_input_dtype})
relative_error_input_dtype = Control(
    "relative_error_input_dtype", "plausible bug (np.asarray(a) without dtype=float64)",
    "relative error of float32 gradients computed in float32 (error ~1e-7 instead of ~1e-16)",
    {"relative_error": _relerr_input_dtype})
relative_error_unclamped = Control(
    "relative_error_unclamped", "plausible bug",
    "relative error without min(., 1): rounding makes it exceed 1 for b = -c a", {"relative_error": _relerr_unclamped})
gradient_check_strict_good = Control(
    "gradient_check_strict_good", "plausible bug", "verdict 'ok' only for r < good (the threshold itself rejected)",
    {"gradient_check": _gradient_check_variant(strict_good=True)})
gradient_check_never_wrong = Control(
    "gradient_check_never_wrong", "plausible bug", "verdict 'suspicious' for every r > good (no 'wrong')",
    {"gradient_check": _gradient_check_variant(never_wrong=True)})
gradient_check_analytic_in_input_dtype = Control(
    "gradient_check_analytic_in_input_dtype", "plausible bug",
    "grad_f evaluated on the caller's float32 x while the numerical gradient is float64",
    {"gradient_check": _gradient_check_variant(analytic_in_input_dtype=True)})


def _numgrad_default_h(default):
    import reference

    def numerical_gradient(f, x, h=default):
        return reference.numerical_gradient(f, x, h)

    def gradient_check(f, grad_f, x, h=default, good=1e-7, wrong=1e-3):
        return reference.gradient_check(f, grad_f, x, h, good, wrong)

    return {"numerical_gradient": numerical_gradient, "gradient_check": gradient_check}


default_step_jax = Control(
    "default_step_jax", "conventions.md 9 (jax.test_util.check_grads uses eps = 1e-4)",
    "numerical_gradient and gradient_check with the default step h = 1e-4 instead of torch's 1e-6",
    _numgrad_default_h(1e-4))
gradient_check_analytic_unconverted = Control(
    "gradient_check_analytic_unconverted", "plausible bug (np.asarray(grad_f(x)) without dtype=float64)",
    "GradCheckResult.analytic returned in grad_f's dtype (float32) instead of float64",
    {"gradient_check": _gradient_check_variant(analytic_unconverted=True)})


# --- contract: removed or weakened argument checks of the finite-difference functions -----------------
from properties.controls._patch import lenient_range, lenient_range_closed, patched_all  # noqa: E402


def _central_differences(f, x, h=1e-6):
    """The textbook centred difference, nothing checked: (f(x + h e_i) - f(x - h e_i)) / 2h."""
    x0 = np.array(x, dtype=np.float64)
    g = np.empty_like(x0)
    for i in range(x0.size):
        e = np.zeros_like(x0)
        e.flat[i] = h
        with np.errstate(over="ignore", invalid="ignore"):
            g.flat[i] = (float(f(x0 + e)) - float(f(x0 - e))) / (2 * h)
    return g


def _gradient_check_over(numerical):
    def gradient_check(f, grad_f, x, h=1e-6, good=1e-7, wrong=1e-3):
        import reference
        x0 = np.array(x, dtype=np.float64)
        a = np.asarray(grad_f(x0.copy()), dtype=np.float64)
        n = numerical(f, x0, h)
        r = reference.relative_error(a, n)
        return reference.GradCheckResult(r, "ok" if r <= good else ("wrong" if r > wrong else "suspicious"),
                                         (), a, n)
    return gradient_check


def _scalar_as_float(value, func):
    """f's value through float() (a complex number: its real part, as numpy casts it)."""
    return float(np.real(value)) if np.iscomplexobj(value) else float(value)


fd_step_unchecked = Control(
    "fd_step_unchecked", "plausible bug", "numerical_gradient and gradient_check take any h (and gradient_check any "
    "thresholds)", patched_all(("numerical_gradient", "gradient_check"), "gradcheck", check_in_range=lenient_range))
fd_step_zero_accepted = Control(
    "fd_step_zero_accepted", "plausible bug (mutant: h >= 0)", "h = 0 passes the range check (refused later as below "
    "the precision of x, after f is evaluated for gradient_check's grad_f)",
    patched_all(("numerical_gradient", "gradient_check"), "gradcheck", check_in_range=lenient_range_closed))
thresholds_unchecked = Control(
    "thresholds_unchecked", "plausible bug", "gradient_check takes any good and wrong",
    patched_all(("gradient_check",), "gradcheck", check_in_range=lenient_range))
thresholds_closed = Control(
    "thresholds_closed", "plausible bug (mutant: good >= 0)", "gradient_check accepts good = 0",
    patched_all(("gradient_check",), "gradcheck", check_in_range=lenient_range_closed))
fd_without_point_checks = Control(
    "fd_without_point_checks", "plausible bug (the textbook centred difference, no checks)",
    "numerical_gradient without the checks that x +- h are two finite numbers",
    {"numerical_gradient": _central_differences, "gradient_check": _gradient_check_over(_central_differences)})
fd_quotient_returned = Control(
    "fd_quotient_returned", "plausible bug", "an overflowing difference quotient is returned as inf",
    {"numerical_gradient": _central_differences, "gradient_check": _gradient_check_over(_central_differences)})
fd_any_output = Control(
    "fd_any_output", "plausible bug", "f's value converted with float() (a string '1.5' accepted)",
    patched_all(("numerical_gradient", "gradient_check"), "gradcheck", _scalar_output=_scalar_as_float))
