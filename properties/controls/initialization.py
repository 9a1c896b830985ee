"""Negative controls for weight initialisation (seeds 000-004, conventions.md section 7).

Each is a one-bug mutant of the reference initialisers; every law of
``properties/laws/initialization.py`` and of ``properties/laws/signal.py`` names the ones it
rejects.
"""

from __future__ import annotations

import math

import numpy as np

from properties._law import Control

_TRUNC = 0.87962566103423978


def _fans(shape, layout="torch"):
    import reference
    return reference.fan_in_fan_out(shape, layout=layout)


def _trunc(rng, shape, sigma0, lo=-2.0, hi=2.0):
    z = rng.standard_normal(shape) * sigma0
    bad = (z < lo) | (z > hi)
    while np.any(bad):
        z[bad] = rng.standard_normal(int(bad.sum())) * sigma0
        bad = (z < lo) | (z > hi)
    return z


# --- seed 003: np.random.rand(shape) * sqrt(k / n): uniform on [0, 1), not zero-mean -------
def _rand_lecun_normal(shape, rng, *, gain=1.0, layout="torch", truncated=False):
    fi, _ = _fans(shape, layout)
    return rng.random(tuple(shape)) * math.sqrt(gain**2 / fi)


def _rand_he_normal(shape, rng, *, mode="fan_in", nonlinearity="relu", negative_slope=0.0, layout="torch",
                    truncated=False):
    fi, fo = _fans(shape, layout)
    return rng.random(tuple(shape)) * math.sqrt(2.0 / (fi if mode == "fan_in" else fo))


# --- He with factor 1 ------------------------------------------------------------------------
def _he_one_normal(shape, rng, *, mode="fan_in", nonlinearity="relu", negative_slope=0.0, layout="torch",
                   truncated=False):
    import reference
    return reference.lecun_normal(shape, rng, layout=layout, truncated=truncated) if mode == "fan_in" else \
        reference.variance_scaling(shape, rng, scale=1.0, mode=mode, layout=layout,
                                   distribution="truncated_normal" if truncated else "normal")


def _he_one_uniform(shape, rng, *, mode="fan_in", nonlinearity="relu", negative_slope=0.0, layout="torch"):
    import reference
    return reference.variance_scaling(shape, rng, scale=1.0, mode=mode, layout=layout, distribution="uniform")


# --- Glorot with n_out only --------------------------------------------------------------------
def _glorot_out_normal(shape, rng, *, gain=1.0, layout="torch", truncated=False):
    import reference
    return reference.variance_scaling(shape, rng, scale=gain**2, mode="fan_out", layout=layout,
                                      distribution="truncated_normal" if truncated else "normal")


def _glorot_out_uniform(shape, rng, *, gain=1.0, layout="torch"):
    import reference
    return reference.variance_scaling(shape, rng, scale=gain**2, mode="fan_out", layout=layout,
                                      distribution="uniform")


# --- uniform bound sqrt(3 / (in + out)) (variance halved) ------------------------------------
def _glorot_uniform_sqrt3(shape, rng, *, gain=1.0, layout="torch"):
    fi, fo = _fans(shape, layout)
    b = gain * math.sqrt(3.0 / (fi + fo))
    return rng.uniform(-b, b, size=tuple(shape))


# --- seed 000: std sqrt(2 / (n + 1)) called "Xavier" --------------------------------------------
def _glorot_seed000(shape, rng, *, gain=1.0, layout="torch", truncated=False):
    fi, _ = _fans(shape, layout)
    return rng.standard_normal(tuple(shape)) * gain * math.sqrt(2.0 / (fi + 1))


# --- the standard deviation set to 1/n instead of the variance --------------------------------
def _lecun_std_one_over_n(shape, rng, *, gain=1.0, layout="torch", truncated=False):
    fi, _ = _fans(shape, layout)
    return rng.standard_normal(tuple(shape)) * gain / fi


def _lecun_uniform_std_one_over_n(shape, rng, *, gain=1.0, layout="torch"):
    fi, _ = _fans(shape, layout)
    b = math.sqrt(3.0) * gain / fi
    return rng.uniform(-b, b, size=tuple(shape))


# --- truncated normal without the 0.8796 correction (torch trunc_normal_(std=sigma)) -----------
def _uncorrected(name):
    def f(shape, rng, *, truncated=False, **kw):
        import reference
        if not truncated:
            return getattr(reference, name)(shape, rng, **kw)
        w = getattr(reference, name)(shape, rng, truncated=True, **kw)
        return w * _TRUNC  # sigma0 = sigma: truncates at 2 sigma, variance 0.774 sigma^2
    return f


# --- truncation at absolute +-2 (torch trunc_normal_(a=-2, b=2) read as multiples of sigma) -----
def _absolute(name):
    def f(shape, rng, *, truncated=False, **kw):
        import reference
        if not truncated:
            return getattr(reference, name)(shape, rng, **kw)
        w = getattr(reference, name)(shape, rng, truncated=False, **kw)
        sigma0 = float(np.sqrt(np.mean(w * w))) / _TRUNC  # the corrected sigma0, then bounds +-2 (absolute)
        return _trunc(rng, w.shape, sigma0)
    return f


# --- truncated flag ignored (a plain normal where Keras/JAX truncate) --------------------------
def _ignored(name):
    def f(shape, rng, *, truncated=False, **kw):
        import reference
        return getattr(reference, name)(shape, rng, truncated=False, **kw)
    return f


# --- rejection with a capped number of redraws (a rare escape beyond 2 sigma0) ------------------
def _retries_capped(name, retries=3):
    def f(shape, rng, *, truncated=False, **kw):
        import reference
        if not truncated:
            return getattr(reference, name)(shape, rng, **kw)
        # sigma of the plain normal: the reference draws standard_normal(shape) * sigma
        w = getattr(reference, name)(shape, np.random.default_rng(0), truncated=False, **kw)
        z0 = np.random.default_rng(0).standard_normal(tuple(shape))
        sigma = float(w.flat[0] / z0.flat[0])
        z = rng.standard_normal(tuple(shape))
        for _ in range(retries):                 # at most `retries` redraws: P(|z| > 2) = 0.0455^4 = 4.3e-6 remains
            bad = np.abs(z) > 2.0
            z[bad] = rng.standard_normal(int(bad.sum()))
        return z * (sigma / _TRUNC)
    return f


# --- fans --------------------------------------------------------------------------------------
def _fans_ignore_layout(shape, layout="torch"):
    import reference
    return reference.fan_in_fan_out(shape, layout="torch")


def _fans_no_receptive_field(shape, layout="torch"):
    import reference
    shape = tuple(shape)
    reference.fan_in_fan_out(shape, layout=layout)  # same validation
    return (shape[1], shape[0]) if layout == "torch" else (shape[-2], shape[-1])


def _gain_squared(nonlinearity, param=None):
    import reference
    return reference.calculate_gain(nonlinearity, param) ** 2


# --- one draw for the whole layer (size= forgotten) ---------------------------------------------
def _one_draw(name):
    def f(shape, rng, **kw):
        import reference
        w = getattr(reference, name)(shape, rng, **kw)
        return np.full(w.shape, w.flat[0])
    return f


rand_times_sqrt = Control(
    "rand_times_sqrt", "seed 003 (np.random.rand(shape) * np.sqrt(1/n[l-1]))",
    "uniform on [0, 1) times sqrt(k/n): mean 0.5 sqrt(k/n), variance k/(12 n)",
    {"lecun_normal": _rand_lecun_normal, "he_normal": _rand_he_normal})
he_factor_one = Control(
    "he_factor_one", "plausible bug (LeCun's 1/n used for ReLU)", "He normal/uniform with Var = 1/fan instead of 2/fan",
    {"he_normal": _he_one_normal, "he_uniform": _he_one_uniform})
glorot_fan_out_only = Control(
    "glorot_fan_out_only", "plausible bug (seed 002's backward-only rule)", "Glorot with Var = 1/fan_out",
    {"glorot_normal": _glorot_out_normal, "glorot_uniform": _glorot_out_uniform})
uniform_bound_sqrt3 = Control(
    "uniform_bound_sqrt3", "plausible bug (3 for 6 in the bound)", "Glorot uniform bound sqrt(3/(in+out)): variance halved",
    {"glorot_uniform": _glorot_uniform_sqrt3})
seed000_xavier = Control(
    "seed000_xavier", "seed 000 ('also called Xavier initialization: sqrt(2/(n+1))')",
    "Glorot normal with std sqrt(2/(fan_in + 1))", {"glorot_normal": _glorot_seed000})
std_is_one_over_fan = Control(
    "std_is_one_over_fan", "plausible bug (seed 004's 'variance 1/n' read as the std)",
    "LeCun with standard deviation 1/fan_in instead of variance 1/fan_in",
    {"lecun_normal": _lecun_std_one_over_n, "lecun_uniform": _lecun_uniform_std_one_over_n})
truncated_uncorrected = Control(
    "truncated_uncorrected", "conventions.md 7b (torch trunc_normal_ does not correct sigma)",
    "truncated normal without dividing sigma by 0.8796: truncates at 2 sigma, variance 0.774x",
    {n: _uncorrected(n) for n in ("lecun_normal", "glorot_normal", "he_normal")})
truncation_absolute = Control(
    "truncation_absolute", "conventions.md 7b (torch trunc_normal_ a, b are absolute values)",
    "normal with the corrected sigma0 truncated at +-2 absolute instead of +-2 sigma0",
    {n: _absolute(n) for n in ("lecun_normal", "glorot_normal", "he_normal")})
truncated_flag_ignored = Control(
    "truncated_flag_ignored", "conventions.md 7b (torch normal vs Keras/JAX truncated normal)",
    "truncated=True returns the plain normal", {n: _ignored(n) for n in ("lecun_normal", "glorot_normal", "he_normal")})
fans_ignore_layout = Control(
    "fans_ignore_layout", "conventions.md 7a (torch formula on a Keras array gives (6144, 6144))",
    "fan_in_fan_out always uses the torch layout", {"fan_in_fan_out": _fans_ignore_layout})
fans_no_receptive_field = Control(
    "fans_no_receptive_field", "plausible bug", "fans of a convolution without the kernel size",
    {"fan_in_fan_out": _fans_no_receptive_field})
gain_squared = Control(
    "gain_squared", "plausible bug (variance for standard deviation)", "calculate_gain returns gain^2 (relu 2, tanh 25/9)",
    {"calculate_gain": _gain_squared})
one_draw_broadcast = Control(
    "one_draw_broadcast", "plausible bug (size= forgotten)", "one random value broadcast to the whole weight",
    {n: _one_draw(n) for n in ("lecun_normal", "glorot_normal", "he_normal")})
lecun_is_he = Control(
    "lecun_is_he", "seed 003 ('He Initialization / Xavier Initialization' conflated)",
    "LeCun normal with the ReLU factor 2", {"lecun_normal": lambda shape, rng, *, gain=1.0, layout="torch",
                                            truncated=False: _he_like(shape, rng, layout, truncated)})


def _he_like(shape, rng, layout, truncated):
    import reference
    return reference.he_normal(shape, rng, layout=layout, truncated=truncated)
truncation_retries_capped = Control(
    "truncation_retries_capped", "plausible bug (a rejection sampler with a bounded loop)",
    "truncated normal by rejection with at most 3 redraws: a fraction 0.0455^4 = 4.3e-6 of draws stays beyond 2 sigma0",
    {n: _retries_capped(n) for n in ("lecun_normal", "glorot_normal", "he_normal")},
    correct="redraw until every value lies in [-2 sigma0, 2 sigma0] (or invert the truncated cdf)")


# --- variance_scaling ----------------------------------------------------------------------------
def _vs(shape, rng, *, scale=1.0, mode="fan_in", distribution="normal", layout="torch", fan_avg_sum=False,
        mode_ignored=False, uniform_no_3=False, scale_is_std=False, trunc_uncorrected=False, normal_truncated=False,
        distribution_ignored=False):
    """The variance-scaling rule written out, with one switch on: fan_avg as fan_in + fan_out, mode
    ignored (fan_in), uniform bound sqrt(scale/fan), scale used as the std numerator, truncated
    normal with sigma0 = sigma, Keras' "normal" -> truncated normal, distribution ignored (normal)."""
    fi, fo = _fans(shape, layout)
    shape = tuple(shape)
    fan = fi if mode_ignored else {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) if fan_avg_sum else (fi + fo) / 2}[mode]
    std = scale / math.sqrt(fan) if scale_is_std else math.sqrt(scale / fan)
    if distribution_ignored:
        distribution = "normal"
    if normal_truncated and distribution == "normal":
        distribution = "truncated_normal"
    if distribution == "uniform":
        b = std * (1.0 if uniform_no_3 else math.sqrt(3.0))
        return rng.uniform(-b, b, size=shape)
    if distribution == "truncated_normal":
        s0 = std if trunc_uncorrected else std / _TRUNC
        return _trunc(rng, shape, s0, -2 * s0, 2 * s0)
    return rng.standard_normal(shape) * std


def _vs_with(**switch):
    def variance_scaling(shape, rng, *, scale=1.0, mode="fan_in", distribution="normal", layout="torch"):
        return _vs(shape, rng, scale=scale, mode=mode, distribution=distribution, layout=layout, **switch)
    return variance_scaling


vs_fan_avg_sum = Control(
    "vs_fan_avg_sum", "plausible bug (Glorot's 2/(in + out) with the 2 forgotten)",
    "variance_scaling mode 'fan_avg' with fan = fan_in + fan_out instead of their mean: variance halved",
    {"variance_scaling": _vs_with(fan_avg_sum=True)})
vs_mode_ignored = Control(
    "vs_mode_ignored", "plausible bug", "variance_scaling always uses fan_in, whatever the mode",
    {"variance_scaling": _vs_with(mode_ignored=True)})
vs_uniform_no_3 = Control(
    "vs_uniform_no_3", "plausible bug (bound = std)", "uniform on [-sqrt(scale/fan), sqrt(scale/fan)]: variance / 3",
    {"variance_scaling": _vs_with(uniform_no_3=True)})
vs_scale_is_std = Control(
    "vs_scale_is_std", "plausible bug (scale read as a gain)", "std = scale / sqrt(fan): variance scale^2 / fan",
    {"variance_scaling": _vs_with(scale_is_std=True)})
vs_truncated_uncorrected = Control(
    "vs_truncated_uncorrected", "conventions.md 7b (torch trunc_normal_ does not correct sigma)",
    "truncated_normal with sigma0 = sqrt(scale/fan): variance 0.774 scale/fan",
    {"variance_scaling": _vs_with(trunc_uncorrected=True)})
vs_normal_is_truncated = Control(
    "vs_normal_is_truncated", "conventions.md 7b (Keras maps distribution='normal' to the truncated normal)",
    "distribution='normal' draws the truncated normal (same variance)", {"variance_scaling": _vs_with(normal_truncated=True)})
vs_distribution_ignored = Control(
    "vs_distribution_ignored", "plausible bug", "variance_scaling draws a normal for every distribution (same variance)",
    {"variance_scaling": _vs_with(distribution_ignored=True)})


# --- defaults ------------------------------------------------------------------------------------
def _with_defaults(name, **defaults):
    """``name`` whose omitted keyword arguments take ``defaults`` (a changed default)."""
    def f(shape, rng, **kw):
        import reference
        return getattr(reference, name)(shape, rng, **{**defaults, **kw})
    return f


defaults_keras_layout = Control(
    "defaults_keras_layout", "conventions.md 7a (Keras / JAX kernels are [*k, in, out])",
    "every initialiser defaults to layout='keras'",
    {n: _with_defaults(n, layout="keras") for n in ("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform",
                                                    "he_normal", "he_uniform", "variance_scaling")})
defaults_truncated = Control(
    "defaults_truncated", "conventions.md 7b (Keras / JAX normals are truncated)",
    "the normal initialisers default to truncated=True and variance_scaling to 'truncated_normal'",
    {**{n: _with_defaults(n, truncated=True) for n in ("lecun_normal", "glorot_normal", "he_normal")},
     "variance_scaling": _with_defaults("variance_scaling", distribution="truncated_normal")})
defaults_leaky_slope = Control(
    "defaults_leaky_slope", "plausible bug (Keras / torch LeakyReLU's own default slope 0.01, or torch's a=sqrt(5))",
    "He initialisers default to negative_slope=sqrt(5): leaky_relu without a slope gets gain sqrt(1/3)",
    {n: _with_defaults(n, negative_slope=math.sqrt(5.0)) for n in ("he_normal", "he_uniform")})
defaults_he_fan_out = Control(
    "defaults_he_fan_out", "plausible bug (torch's kaiming_normal_ in ResNets is called with mode='fan_out')",
    "He initialisers default to mode='fan_out'", {n: _with_defaults(n, mode="fan_out") for n in ("he_normal", "he_uniform")})
defaults_variance_scaling_scale_two = Control(
    "defaults_variance_scaling_scale_two", "plausible bug (He's factor 2 as the default)",
    "variance_scaling defaults to scale=2.0 (and LeCun / Glorot to gain sqrt 2)",
    {"variance_scaling": _with_defaults("variance_scaling", scale=2.0),
     **{n: _with_defaults(n, gain=math.sqrt(2.0)) for n in ("lecun_normal", "lecun_uniform", "glorot_normal",
                                                             "glorot_uniform")}})


# --- fill shapes ---------------------------------------------------------------------------------
def _full_at_least_one(name):
    def f(shape, rng, **kw):
        import reference
        dims = tuple(max(int(d), 1) for d in tuple(shape)) or (1,)
        return getattr(reference, name)(dims, rng, **kw)
    return f


fill_empty_as_one = Control(
    "fill_empty_as_one", "plausible bug (the weight-shape rule, >= 1 dimension of size >= 1, forced on biases)",
    "zeros_init / constant_init turn a 0-d shape into (1,) and zero-size dimensions into 1",
    {"zeros_init": _full_at_least_one("zeros_init"), "constant_init": _full_at_least_one("constant_init")})


# --- truncated normal: one redraw value shared by every rejected entry -----------------------------
def _init_variance(name, shape, kw):
    import reference
    fi, fo = reference.fan_in_fan_out(shape, layout=kw.get("layout", "torch"))
    if name.startswith("lecun"):
        return kw.get("gain", 1.0) ** 2 / fi
    if name.startswith("glorot"):
        return 2.0 * kw.get("gain", 1.0) ** 2 / (fi + fo)
    g = reference.calculate_gain(kw.get("nonlinearity", "relu"), kw.get("negative_slope", 0.0))
    return g * g / (fi if kw.get("mode", "fan_in") == "fan_in" else fo)


def _shared_redraw(name):
    def f(shape, rng, *, truncated=False, **kw):
        import reference
        if not truncated:
            return getattr(reference, name)(shape, rng, **kw)
        z = rng.standard_normal(tuple(shape))
        bad = np.abs(z) > 2.0
        while np.any(bad):
            z[bad] = rng.standard_normal()  # one value for every rejected entry (size= forgotten)
            bad = np.abs(z) > 2.0
        return z * (math.sqrt(_init_variance(name, shape, kw)) / _TRUNC)
    return f


truncation_shared_redraw = Control(
    "truncation_shared_redraw", "plausible bug (rng.standard_normal() without the count of rejected entries)",
    "truncated normal by rejection redrawing ONE value for all rejected entries of a call: 4.6% of each call equal",
    {n: _shared_redraw(n) for n in ("lecun_normal", "glorot_normal", "he_normal")},
    correct="redraw as many independent values as there are rejected entries")


# --- contract: removed or weakened argument checks -----------------------------------------------
from properties.controls._patch import lenient_range, lenient_range_closed, original, patched_all, with_patched  # noqa: E402

_INITS = ("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
          "variance_scaling")


def _fans_like_keras(shape, layout, func):
    """Keras's fans: a 1-d (or 0-d) shape uses shape[0] (or 1) for both; no dimension check."""
    dims = tuple(shape)
    if len(dims) < 2:
        n = dims[0] if dims else 1
        return n, n, dims
    if any(d <= 0 for d in dims):
        rec = math.prod(dims[2:]) if layout == "torch" else math.prod(dims[:-2])
        return (dims[1] if layout == "torch" else dims[-2]) * rec, (dims[0] if layout == "torch" else dims[-1]) * rec, dims
    return original("initialization", "_fans")(shape, layout, func)


def _check_shape_int(shape, func, *, min_ndim=0, min_dim=0):
    """Dimensions converted with ``int()`` instead of checked (3.5 becomes 3)."""
    if isinstance(shape, (tuple, list)):
        try:
            shape = tuple(int(d) for d in shape)
        except (TypeError, ValueError):
            pass
    return original("initialization", "_check_shape")(shape, func, min_ndim=min_ndim, min_dim=min_dim)


def _he_gain_falls_back(mode, nonlinearity, negative_slope, func):
    """An unknown nonlinearity gets gain 1 (a dictionary lookup with a default)."""
    from reference.initialization import NONLINEARITIES
    if nonlinearity not in NONLINEARITIES:
        return 1.0
    return original("initialization", "_he_gain")(mode, nonlinearity, negative_slope, func)


gain_unchecked = Control(
    "gain_unchecked", "plausible bug (a removed range check; torch's xavier_normal_ takes any gain)",
    "LeCun / Glorot gain and variance_scaling's scale are not range-checked (0 and negatives accepted)",
    patched_all(("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "variance_scaling"),
                "initialization", check_in_range=lenient_range))
gain_zero_accepted = Control(
    "gain_zero_accepted", "plausible bug (mutant: the open bound gain > 0 made closed)",
    "gain = 0 and scale = 0 accepted (all-zero weights); negatives still refused",
    patched_all(("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "variance_scaling"),
                "initialization", check_in_range=lenient_range_closed))
fans_of_any_shape = Control(
    "fans_of_any_shape", "Keras (fan_in = fan_out = shape[0] for a 1-d shape) and torch (a zero-element tensor "
    "initialised as a no-op)", "fans and initialisers accept shapes of fewer than 2 dimensions and zero dimensions",
    {**patched_all(_INITS + ("fan_in_fan_out",), "initialization", _fans=_fans_like_keras)})
shape_truncated_to_int = Control(
    "shape_truncated_to_int", "plausible bug", "shape dimensions converted with int() (3.5 becomes 3, '2' becomes 2)",
    patched_all(_INITS + ("fan_in_fan_out", "zeros_init", "constant_init"), "initialization",
                _check_shape=_check_shape_int))
he_unknown_nonlinearity_linear = Control(
    "he_unknown_nonlinearity_linear", "plausible bug (a gain table looked up with a default)",
    "He initialisers give an unknown nonlinearity gain 1", patched_all(("he_normal", "he_uniform"), "initialization",
                                                                        _he_gain=_he_gain_falls_back))
fans_default_keras = Control(
    "fans_default_keras", "plausible bug (Keras / JAX kernels are [*k, in, out])",
    "fan_in_fan_out defaults to layout='keras'",
    {"fan_in_fan_out": lambda shape, layout="keras": with_patched("fan_in_fan_out", "initialization")(shape, layout)})


def _sample_unchecked(shape, rng, std, distribution, func, arg):
    """Samples without the overflow checks (inf weights returned)."""
    with np.errstate(over="ignore"):
        if distribution == "uniform":
            return rng.uniform(-1.0, 1.0, size=shape) * (math.sqrt(3.0) * std)
        if distribution == "truncated_normal":
            return _trunc(rng, shape, 1.0) * (std / _TRUNC)
        return rng.standard_normal(shape) * std


overflowing_gain_returned = Control(
    "overflowing_gain_returned", "plausible bug (torch's normal_(std=...) returns inf)",
    "an initialiser whose weights overflow returns them as +-inf",
    patched_all(("lecun_normal", "lecun_uniform", "glorot_uniform"), "initialization", _sample=_sample_unchecked))
