"""Negative controls for activations, networks and signal propagation (seeds 000-002).

One-bug mutants of ``reference.activations`` and ``reference.networks``; the initialisation
mutants are in ``properties/controls/initialization.py``.
"""

from __future__ import annotations

import numpy as np

from properties._law import Control


def _ref():
    import reference
    return reference


# --- deep linear network ------------------------------------------------------------------------
def _deep_linear_off_by_one(weights, x):
    # seed 000: y = W^{L-1} x (the last layer forgotten)
    return _ref().deep_linear_forward(weights[:-1], x) if len(weights) > 1 else np.asarray(x, dtype=float).copy()


def _deep_linear_transposed(weights, x):
    # layout confusion (conventions.md 7a): x @ W instead of x @ W.T, i.e. W^T ... W^T x
    return _ref().deep_linear_forward([np.asarray(w).T for w in weights], x)


# --- activations ---------------------------------------------------------------------------------
def _sigmoid_grad_on_input(x):
    # s(1 - s) applied to the input instead of the output: x (1 - x)
    x = np.asarray(x, dtype=np.float64)
    return x * (1.0 - x)


def _sigmoid_grad_is_sigmoid(x):
    return _ref().sigmoid(x)


def _tanh_grad_on_input(x):
    x = np.asarray(x, dtype=np.float64)
    return 1.0 - x * x


def _relu_grad_is_relu(x):
    return _ref().relu(x)


def _sigmoid_sign_error(x):
    x = np.asarray(x, dtype=np.float64)
    return _ref().sigmoid(-x)


# --- backward pass ---------------------------------------------------------------------------------
def _backward_with(derivative):
    def f(weights, cache, grad_output, activation="tanh", output_activation="linear"):
        from reference import networks as N
        ws = N._check_weights(weights, "dense_backward")
        g = np.asarray(grad_output, dtype=np.float64)
        return N._backward(ws, cache, g, derivative, derivative)
    return f


def _bad_sigmoid_derivative_one(z):
    return np.ones_like(z)  # the activation derivative forgotten


def _bad_sigmoid_derivative_value(z):
    from reference.activations import _sigmoid
    return _sigmoid(z)  # sigma(z) instead of sigma(z)(1 - sigma(z))


# --- training ------------------------------------------------------------------------------------
def _constant_is_normal(shape, rng, *, value):
    # constant_ confused with normal_(mean=value): every entry different
    return value + rng.standard_normal(tuple(np.atleast_1d(shape)) if np.ndim(shape) == 0 else tuple(shape))


def _gd_ascent(params, grads, lr):
    return [np.asarray(p, dtype=float) + lr * np.asarray(g, dtype=float) for p, g in zip(params, grads)]


def _mse_grad_residual_sign(pred, y):
    # (y - pred) instead of (pred - y)
    return -_ref().mse_loss_grad(pred, y)


off_by_one_depth = Control(
    "off_by_one_depth", "seed 000 (y = [[1.5, 0], [0, 1.5]]^(L-1) x)", "deep linear network skips its last layer",
    {"deep_linear_forward": _deep_linear_off_by_one})
transposed_weights = Control(
    "transposed_weights", "conventions.md 7a (torch [out, in] vs keras [in, out])",
    "deep linear network multiplies by W^T", {"deep_linear_forward": _deep_linear_transposed})
sigmoid_grad_on_input = Control(
    "sigmoid_grad_on_input", "plausible bug (s(1-s) written with the input)", "sigmoid_grad(x) = x (1 - x)",
    {"sigmoid_grad": _sigmoid_grad_on_input})
sigmoid_grad_is_sigmoid = Control(
    "sigmoid_grad_is_sigmoid", "plausible bug", "sigmoid_grad returns sigma(x)", {"sigmoid_grad": _sigmoid_grad_is_sigmoid})
tanh_grad_on_input = Control(
    "tanh_grad_on_input", "plausible bug (1 - tanh^2 written with the input)", "tanh_grad(x) = 1 - x^2",
    {"tanh_grad": _tanh_grad_on_input})
relu_grad_is_relu = Control(
    "relu_grad_is_relu", "plausible bug", "relu_grad returns max(x, 0)", {"relu_grad": _relu_grad_is_relu})
sigmoid_sign_error = Control(
    "sigmoid_sign_error", "plausible bug", "sigmoid(x) = 1 / (1 + exp(x))", {"sigmoid": _sigmoid_sign_error})
backward_forgets_derivative = Control(
    "backward_forgets_derivative", "plausible bug", "dense_backward treats every activation derivative as 1",
    {"dense_backward": _backward_with(_bad_sigmoid_derivative_one)})
backward_uses_activation_value = Control(
    "backward_uses_activation_value", "plausible bug", "dense_backward uses sigma(z) as the derivative of sigma",
    {"dense_backward": _backward_with(_bad_sigmoid_derivative_value)})
constant_is_normal = Control(
    "constant_is_normal", "plausible bug (constant_ vs normal_(mean=value))", "constant_init adds N(0, 1) noise",
    {"constant_init": _constant_is_normal})
gd_ascent = Control(
    "gd_ascent", "plausible bug (sign)", "gradient_descent_step adds lr * g", {"gradient_descent_step": _gd_ascent})
mse_grad_residual_sign = Control(
    "mse_grad_residual_sign", "plausible bug (y - pred for pred - y)", "mse_loss_grad has the wrong sign",
    {"mse_loss_grad": _mse_grad_residual_sign})


# --- issue 16: the derivatives at |x| up to 1e3 ------------------------------------------------------

def _sigmoid_grad_exp_without_abs(x):
    # e^-x / (1 + e^-x)^2 with e^-x unguarded: inf / inf = NaN for x < -709
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-x)
        return e / ((1.0 + e) * (1.0 + e))


def _tanh_grad_exp_without_abs(x):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-2.0 * x)
        return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _sigmoid_grad_from_output(x):
    # autograd's form: s (1 - s) from the output s = sigmoid(x); 1 - s rounds to 0 for x > 37
    s = _ref().sigmoid(x)
    return s * (1.0 - s)


def _tanh_grad_from_output(x):
    th = np.tanh(np.asarray(x, dtype=np.float64))
    return 1.0 - th * th


exp_without_abs = Control(
    "exp_without_abs", "plausible bug (the stable form e^-|x| written as e^-x)",
    "sigmoid' = e / (1 + e)^2 and tanh' = 4 e / (1 + e)^2 with e = exp(-x) (exp(-2x)): NaN once e overflows",
    {"sigmoid_grad": _sigmoid_grad_exp_without_abs, "tanh_grad": _tanh_grad_exp_without_abs},
    correct="e = exp(-|x|) (the derivatives are even functions), which never overflows")
derivative_from_output = Control(
    "derivative_from_output", "torch / JAX autograd (sigmoid' = s (1 - s), tanh' = 1 - t^2 from the output)",
    "the derivative computed from the rounded output: 0 for x > 37 (sigmoid) and |x| > 19 (tanh) where the true "
    "value is a normal number",
    {"sigmoid_grad": _sigmoid_grad_from_output, "tanh_grad": _tanh_grad_from_output},
    correct="e^-|x| / (1 + e^-|x|)^2 and 4 e^-2|x| / (1 + e^-2|x|)^2: full relative precision in the tails")


# --- mutation gaps of reference.activations and reference.networks -----------------------------------

def _sigmoid_always_float64(x):
    # the result cast to float64 whatever the input's floating dtype (the dtype-keeping cast dropped)
    return np.asarray(_ref().sigmoid(x), dtype=np.float64)


def _tanh_grad_four_e_rounded(x):
    # 4 * exp(-2|x|): where exp(-2|x|) is subnormal it is already rounded to a unit of the smallest
    # subnormal, and the factor 4 scales that rounding to up to two units
    x = np.asarray(x)
    x = x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)
    a = 2.0 * np.abs(x)
    e = np.exp(-a)
    return np.minimum(4.0 * e / ((1.0 + e) * (1.0 + e)), 1.0).astype(x.dtype)


def _mse_loss_grad_overflowing(pred, y):
    # 2 (pred - y) / n evaluated as written: pred - y overflows to inf although the gradient fits
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(y, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 2.0 * (p - t) / p.size


def _mse_loss_grad_halved_always(pred, y):
    # the overflow fall-back (p/2 - y/2) / n * 4 used everywhere: halving a subnormal rounds it
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return (p / 2 - t / 2) / p.size * 4.0


def _mse_loss_unscaled(pred, y):
    # mean((pred - y)^2) as written: the squares overflow although their mean fits
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean((p - t) ** 2))


def _bce_unscaled(logits, y):
    # the mean of the terms summed unscaled: the sum overflows for logits near the float64 limit
    z, t = np.asarray(logits, dtype=np.float64), np.asarray(y, dtype=np.float64)
    with np.errstate(over="ignore"):
        return float(np.mean(np.maximum(z, 0.0) - t * z + np.log1p(np.exp(-np.abs(z)))))


def _deep_linear_unscaled(weights, x):
    # W_L ... W_1 x layer by layer without rescaling: an intermediate beyond the float64 range
    # becomes inf although the result is representable
    a = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        for w in weights:
            a = a @ np.asarray(w, dtype=np.float64).T
    return a


def _deep_linear_shift_sign(weights, x):
    # the scale-back exponent subtracted instead of added (the result off by 2^(2 shift))
    a = np.asarray(x, dtype=np.float64)
    exponent = 0
    for w in weights:
        w = np.asarray(w, dtype=np.float64)
        bits = np.frexp(np.max(np.abs(a)))[1] + np.frexp(np.max(np.abs(w)))[1] + np.frexp(w.shape[1])[1]
        shift = max(0, int(bits) - 1023)
        a = np.ldexp(a, -shift) @ w.T
        exponent -= shift
    with np.errstate(over="ignore"):
        return np.ldexp(a, exponent)


def _dense_forward_default_linear_bias(weights, biases, x, activation="tanh", output_activation="linear"):
    # biases=None read as "the default bias" of torch.nn.Linear, U(-1/sqrt(n_in), 1/sqrt(n_in)), not as no bias
    if biases is None:
        rng = np.random.default_rng(0)
        biases = [rng.uniform(-1, 1, np.shape(w)[0]) / np.sqrt(np.shape(w)[1]) for w in weights]
    return _ref().dense_forward(weights, biases, x, activation, output_activation)


def _gd_in_input_dtype(params, grads, lr):
    # p - lr * g in the inputs' dtype: float32 parameters and gradients are updated in float32
    out = []
    for p, g in zip(params, grads):
        p, g = np.asarray(p), np.asarray(g)
        out.append(p - np.asarray(lr, dtype=np.result_type(p, g)) * g)
    return out


sigmoid_always_float64 = Control(
    "sigmoid_always_float64", "plausible bug (the dtype-keeping cast dropped)",
    "sigmoid returns float64 for a float32 input", {"sigmoid": _sigmoid_always_float64},
    correct="the result in the input's floating dtype (float64 for integers)")
tanh_grad_four_e_rounded = Control(
    "tanh_grad_four_e_rounded", "plausible bug (the stable form without its subnormal guard)",
    "tanh' = 4 e / (1 + e)^2 with e = exp(-2|x|) rounded before the factor 4: up to two units of the smallest "
    "subnormal off where the derivative is subnormal", {"tanh_grad": _tanh_grad_four_e_rounded},
    correct="exp(ln 4 - 2|x|) where exp(-2|x|) is subnormal: one rounding")
mse_loss_grad_overflowing = Control(
    "mse_loss_grad_overflowing", "plausible bug (2 (p - y) / n as written)",
    "mse_loss_grad is inf where pred - y overflows although the gradient fits",
    {"mse_loss_grad": _mse_loss_grad_overflowing}, correct="(p/2 - y/2) / n * 4 where p - y overflows (halving is exact)")
mse_loss_grad_halved_always = Control(
    "mse_loss_grad_halved_always", "plausible bug (the overflow fall-back used everywhere)",
    "mse_loss_grad = (p/2 - y/2) / n * 4 for every input: inexact for subnormal pred and y",
    {"mse_loss_grad": _mse_loss_grad_halved_always})
mse_loss_unscaled = Control(
    "mse_loss_unscaled", "plausible bug (mean((p - y)^2) as written)",
    "mse_loss overflows to inf where a square does although the mean fits", {"mse_loss": _mse_loss_unscaled},
    correct="the differences divided by a power of two before squaring, the mean scaled back")
bce_unscaled = Control(
    "bce_unscaled", "plausible bug (the mean summed unscaled)",
    "bce_with_logits_loss is inf for logits near the float64 limit whose mean fits",
    {"bce_with_logits_loss": _bce_unscaled})
deep_linear_unscaled = Control(
    "deep_linear_unscaled", "plausible bug (no rescaling of the intermediates)",
    "deep_linear_forward gives inf (or NaN) where an intermediate leaves the float64 range but the result does not",
    {"deep_linear_forward": _deep_linear_unscaled})
deep_linear_shift_sign = Control(
    "deep_linear_shift_sign", "plausible bug (sign of the kept exponent)",
    "deep_linear_forward scales the result back by 2^-shift instead of 2^shift",
    {"deep_linear_forward": _deep_linear_shift_sign})
dense_forward_default_linear_bias = Control(
    "dense_forward_default_linear_bias", "torch.nn.Linear (bias=True draws U(-1/sqrt(n_in), 1/sqrt(n_in)))",
    "dense_forward with biases=None adds torch.nn.Linear's default random bias instead of none",
    {"dense_forward": _dense_forward_default_linear_bias}, correct="biases=None: no bias (zeros of shape (n_out,))")
gd_in_input_dtype = Control(
    "gd_in_input_dtype", "plausible bug (no float64 conversion)",
    "gradient_descent_step updates float32 parameters with float32 gradients in float32",
    {"gradient_descent_step": _gd_in_input_dtype}, correct="p - lr g computed in float64, returned as float64")


# --- contract: removed or weakened argument checks of the network functions ---------------------------
from properties.controls._patch import lenient_range, lenient_range_closed, original, patched_all  # noqa: E402

_NETS = ("dense_forward", "dense_backward", "deep_linear_forward")


def _weights_as_given(weights, func, *, square=False):
    """Weights converted to float64 arrays, nothing checked but the list itself."""
    if isinstance(weights, np.ndarray) or not hasattr(weights, "__len__") or len(weights) == 0:
        raise TypeError(f"{func}: weights must be a non-empty list of 2-d arrays")
    return [np.asarray(w, dtype=np.float64) for w in weights]


def _weights_from_the_second_pair(weights, func, *, square=False):
    """The chain checked from the pair (weights[2], weights[1]) on (an off-by-one range)."""
    ws = _weights_as_given(weights, func)
    if any(w.ndim != 2 for w in ws):
        raise ValueError(f"{func}: weights must be 2-d")
    for i in range(2, len(ws)):
        if ws[i].shape[1] != ws[i - 1].shape[0]:
            raise ValueError(f"{func}: weights[{i}] does not chain")
    return ws


def _weights_any_sequence(weights, func, *, square=False):
    """Any sequence of layers (a numpy array iterates by layer, an empty list has none)."""
    if weights is None:
        raise TypeError(f"{func}: weights must be given")
    return [np.asarray(w, dtype=np.float64) for w in weights]


def _biases_zipped(biases, ws, func):
    """Biases taken as any sequence and zipped with the layers (missing ones zero)."""
    if biases is None:
        return [np.zeros(w.shape[0]) for w in ws]
    bs = [np.asarray(b, dtype=np.float64) for b in biases][: len(ws)]
    return bs + [np.zeros(w.shape[0]) for w in ws[len(bs):]]


def _x_any_ndim(x, n_in, func, ndim=2):
    return original("networks", "_check_x")(x, n_in, func, ndim=None)


def _labels_unchecked(t, func):
    return None


def _gd_zipped(params, grads, lr):
    import reference
    lr = reference._validation.check_in_range(lr, "gradient_descent_step", "lr", lo=0.0, lo_open=True)
    return [np.asarray(p, dtype=np.float64) - lr * np.asarray(g, dtype=np.float64) for p, g in zip(params, grads)]


def _fits_returns_overflow(compute, func, what, hint=""):
    with np.errstate(over="ignore", invalid="ignore"):
        return compute()


def _dense_backward_unchecked(weights, cache, grad_output, activation="tanh", output_activation="linear"):
    """The chain rule without the overflow check (and without the errstate)."""
    from reference.networks import _DERIVATIVE, _backward
    ws = [np.asarray(w, dtype=np.float64) for w in weights]
    return _backward(ws, cache, np.asarray(grad_output, dtype=np.float64), _DERIVATIVE[activation],
                     _DERIVATIVE[output_activation])


def _with_activation_defaults(name, **defaults):
    def f(*args, **kw):
        import reference
        return getattr(reference, name)(*args, **{**defaults, **kw})
    return f


weights_unchecked = Control(
    "weights_unchecked", "plausible bug (numpy broadcasting does the shape checking)",
    "network weights converted to arrays without the 2-d or chain checks",
    patched_all(_NETS, "networks", _check_weights=_weights_as_given))
weights_chain_checked_from_the_second_pair = Control(
    "weights_chain_checked_from_the_second_pair", "plausible bug (mutant: range(2, L) for range(1, L))",
    "the chain check skips the pair (weights[1], weights[0])",
    patched_all(_NETS, "networks", _check_weights=_weights_from_the_second_pair))
weights_any_sequence = Control(
    "weights_any_sequence", "plausible bug", "weights may be any sequence: a stacked array or an empty list",
    patched_all(_NETS, "networks", _check_weights=_weights_any_sequence))
biases_zipped = Control(
    "biases_zipped", "plausible bug (zip truncates)", "biases zipped with the layers: too few or too many accepted",
    patched_all(("dense_forward",), "networks", _check_biases=_biases_zipped))
x_of_any_ndim = Control(
    "x_of_any_ndim", "plausible bug (matmul takes stacks)", "x of any number of dimensions accepted",
    patched_all(("dense_forward", "deep_linear_forward"), "networks", _check_x=_x_any_ndim))
labels_unchecked = Control(
    "labels_unchecked", "plausible bug (torch's BCEWithLogitsLoss does not check its targets)",
    "labels outside [0, 1] accepted", patched_all(("bce_with_logits_loss", "bce_with_logits_loss_grad"), "networks",
                                                  _check_labels=_labels_unchecked))
gd_lr_unchecked = Control(
    "gd_lr_unchecked", "plausible bug", "gradient_descent_step takes any lr",
    patched_all(("gradient_descent_step",), "networks", check_in_range=lenient_range))
gd_lr_zero_accepted = Control(
    "gd_lr_zero_accepted", "plausible bug (mutant: lr >= 0)", "gradient_descent_step accepts lr = 0",
    patched_all(("gradient_descent_step",), "networks", check_in_range=lenient_range_closed))
gd_zipped = Control(
    "gd_zipped", "plausible bug", "gradient_descent_step zips any params and grads (arrays, unequal lengths)",
    {"gradient_descent_step": _gd_zipped})
overflow_returned = Control(
    "overflow_returned", "plausible bug", "dense passes return inf / NaN where a value overflows",
    {**patched_all(("dense_forward",), "networks", _fits=_fits_returns_overflow),
     "dense_backward": _dense_backward_unchecked})
dense_forward_default_tanh_output = Control(
    "dense_forward_default_tanh_output", "plausible bug", "dense_forward defaults to output_activation='tanh'",
    {"dense_forward": _with_activation_defaults("dense_forward", output_activation="tanh")})
dense_backward_default_sigmoid = Control(
    "dense_backward_default_sigmoid", "plausible bug", "dense_backward defaults to activation='sigmoid'",
    {"dense_backward": _with_activation_defaults("dense_backward", activation="sigmoid")})


def _deep_linear_saturated(weights, x):
    """The result clipped to the largest finite float64 (np.nan_to_num) instead of +-inf."""
    import reference
    return np.nan_to_num(reference.deep_linear_forward(weights, x))


deep_linear_saturates = Control(
    "deep_linear_saturates", "plausible bug (np.nan_to_num)", "deep_linear_forward saturates at +-1.8e308 instead of "
    "returning +-inf", {"deep_linear_forward": _deep_linear_saturated})
