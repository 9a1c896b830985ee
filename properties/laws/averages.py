"""Laws of moving averages (seed 001, "An aside: moving averages").

Target names used: ``ema(values, alpha, v0=0.0)``, ``ema_bias_corrected(values, alpha)``,
``sma(values, n)``, ``running_mean(values)``. ``values`` is ``(T,)`` or ``(T, d)`` with time
on axis 0; ``ema``, ``ema_bias_corrected`` and ``running_mean`` return one value per step
(the shape of ``values``), ``sma`` one per full window (``T - n + 1`` rows, row i averaging
``values[i:i + n]``). ``alpha`` in (0, 1] weights the new value.

Tolerances. One EMA step ``alpha v + (1 - alpha) a`` commits a rounding error of a few
``eps * M`` (M: the largest magnitude involved); older errors are damped by ``(1 - alpha)``
a step, so after t steps the accumulated error is at most ``c eps M min(t, 1/alpha)``. An
oracle ``(1 - alpha)^k`` has relative error ``k eps``, which weighted by the EMA's weights
sums to ``eps (1 - alpha)/alpha`` and to at most ``eps t``: the same bound. The laws use
``c = 8``.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from properties._law import LawViolation, law, per_technique
from properties.controls import averages as ctl
from properties.laws._contract import refuses, unchanged
from properties.laws._tolerance import EPS64
from properties.strategies import arrays_of_ndim, finite_floats, non_real, with_a_nonfinite

#: alpha in (0, 1]: the boundary 1, common values, and a range. Bounded away from 0 and
#: from just below 1 so that (1 - alpha)^t for t <= 40 stays a normal float (relative
#: tolerances do not apply to subnormals), and alpha = 0.5 (where weighting the old or the
#: new value is the same thing) is not the only value drawn.
ALPHAS = st.one_of(st.sampled_from([1.0, 0.5, 0.1, 0.01, 0.9, 2 / 11]), st.floats(1e-3, 0.999))


def _series(max_t: int = 30, max_d: int = 3, bound: float = 1e6):
    """``(T, d)`` series of finite values; bounded so the float64 oracles cannot overflow."""
    shapes = st.tuples(st.integers(1, max_t), st.integers(1, max_d))
    return hnp.arrays(np.float64, shapes, elements=finite_floats(bound))


def _out(a, shape, what):
    a = np.asarray(a, dtype=np.float64)
    if a.shape != shape:
        raise LawViolation(f"{what}: out.shape={a.shape}, but should be {shape}")
    if not np.all(np.isfinite(a)):
        raise LawViolation(f"{what}: returned non-finite values for finite input: {a!r}")
    return a


def _ema_tol(mag: float, t: int, alpha: float) -> float:
    return 8 * EPS64 * mag * (1 + min(t, 1 / alpha))


@law(needs=("ema",), values=_series(), alpha=ALPHAS, v0=finite_floats(1e6),
     controls=(ctl.ema_alpha_weights_old, ctl.ema_undamped, ctl.ema_ignores_v0))
def ema_recursion_equals_expanded_closed_form(t, values, alpha, v0):
    """The EMA recursion equals its expansion (seed 001):

    ``ema_t = alpha sum_{k=0}^{t-1} (1 - alpha)^k v_{t-k} + (1 - alpha)^t v0``.

    Oracle: the expanded sum with ``math.fsum``. Tolerance ``8 eps M (1 + min(t, 1/alpha))``
    with M the largest magnitude among v0 and the values so far (module docstring).
    """
    out = _out(t.ema(values, alpha, v0=v0), values.shape, f"ema(alpha={alpha}, v0={v0})")
    r = 1.0 - alpha
    for j in range(values.shape[1]):
        col = values[:, j].tolist()
        for i in range(len(col)):
            want = alpha * math.fsum(r**k * col[i - k] for k in range(i + 1)) + r ** (i + 1) * v0
            mag = max(abs(v0), max(abs(v) for v in col[: i + 1]))
            tol = _ema_tol(mag, i + 1, alpha)
            if abs(out[i, j] - want) > tol:
                raise LawViolation(f"ema(alpha={alpha}, v0={v0}) at t={i + 1}, series {j}: got {out[i, j]!r}; the "
                                   f"expanded sum gives {want!r} (tol {tol:.2g}) [values[:, {j}]={values[:, j]!r}]")


@law(needs=("ema",), values=_series(), alpha=ALPHAS, v0=finite_floats(1e6), controls=(ctl.ema_undamped,))
def ema_is_a_convex_combination_of_v0_and_the_inputs(t, values, alpha, v0):
    """The EMA's weights ``alpha (1 - alpha)^k`` and ``(1 - alpha)^t`` sum to 1, so every
    ``ema_t`` lies in ``[min, max]`` of ``v0, v_1, ..., v_t`` (seed 001's expansion).

    Tolerance ``8 eps M (1 + min(t, 1/alpha))`` outside the interval (module docstring).
    """
    out = _out(t.ema(values, alpha, v0=v0), values.shape, f"ema(alpha={alpha}, v0={v0})")
    for j in range(values.shape[1]):
        lo = hi = v0
        for i in range(values.shape[0]):
            lo, hi = min(lo, values[i, j]), max(hi, values[i, j])
            tol = _ema_tol(max(abs(lo), abs(hi)), i + 1, alpha)
            if not lo - tol <= out[i, j] <= hi + tol:
                raise LawViolation(f"ema(alpha={alpha}, v0={v0}) at t={i + 1}, series {j}: {out[i, j]!r} lies outside "
                                   f"[{lo!r}, {hi!r}], the range of v0 and the inputs so far (tol {tol:.2g}) "
                                   f"[values[:, {j}]={values[:, j]!r}]")


_IMPULSES = st.one_of(st.floats(1e-3, 1e6), st.floats(-1e6, -1e-3))


@law(needs=("ema",), length=st.integers(1, 30), alpha=ALPHAS, c0=_IMPULSES, c=_IMPULSES, data=st.data(),
     controls=(ctl.ema_alpha_weights_old, ctl.ema_undamped, ctl.ema_ignores_v0))
def ema_past_contribution_decays_as_one_minus_alpha_to_the_dt(t, length, alpha, c0, c, data):
    """A contribution ``dt`` steps old is weighted by ``(1 - alpha)^dt`` (seed 001).

    Impulses on a zero series: ``v0 = c0`` and ``v_s = c`` give
    ``ema_t = c0 (1 - alpha)^t + c alpha (1 - alpha)^(t - s) [t >= s]`` exactly.
    Tolerance ``4 (t + 2) eps (|ema_(t-1)| + |ema_t| + alpha |v_t|)``: a step's rounding is
    relative to its operands, and the update form ``a + alpha (v - a)`` forms
    ``a - alpha a``, whose error is relative to ``|a| = |ema_(t-1)|``, not to the smaller
    result (a factor 1/(1 - alpha) for alpha near 1); earlier errors decay with the signal
    itself, so t of them add up. For alpha = 1 both terms vanish after their step, and the
    law requires an exact 0.
    """
    s = data.draw(st.integers(1, length), label="s")
    values = np.zeros((length, 1))
    values[s - 1, 0] = c
    out = _out(t.ema(values, alpha, v0=c0), values.shape, f"ema(alpha={alpha}, v0={c0})")
    r = 1.0 - alpha
    prev = abs(c0)
    for i in range(length):
        step = i + 1
        a = abs(c0) * r**step
        b = abs(c) * alpha * r ** (step - s) if step >= s else 0.0
        want = math.copysign(a, c0) + (math.copysign(b, c) if step >= s else 0.0)
        tol = 4 * (step + 2) * EPS64 * (prev + a + b + (alpha * abs(c) if step == s else 0.0))
        prev = a + b
        if abs(out[i, 0] - want) > tol:
            raise LawViolation(f"ema(alpha={alpha}) of v0={c0} and an impulse {c} at s={s}: at t={step} got "
                               f"{out[i, 0]!r}; (1 - alpha)^dt decay gives {want!r} (tol {tol:.2g})")


@law(needs=("ema", "sma"), n=st.integers(1, 12), extra=st.integers(0, 25),
     p=st.integers(-4096, 4096), q=st.integers(-4096, 4096), v0=st.integers(-4096, 4096),
     controls=(ctl.sma_n_plus_one_terms, ctl.ema_alpha_weights_old))
def ema_and_sma_coincide_on_a_ramp_at_alpha_2_over_n_plus_1(t, n, extra, p, q, v0):
    """At ``alpha = 2/(n + 1)`` the EMA's mean lag ``(1 - alpha)/alpha`` equals the SMA's
    ``(n - 1)/2`` (seed 001's rule of thumb), so on a ramp ``v_t = p + q t`` the two agree
    up to the EMA's start-up transient:

    ``ema_t - sma_t = (1 - alpha)^t (v0 - p + q (n - 1)/2)`` exactly, for t >= n.

    (The EMA of a ramp is ``p + q (t - L) + (1 - alpha)^t (v0 - p + q L)`` with
    ``L = (1 - alpha)/alpha``; the SMA is ``p + q (t - (n - 1)/2)``.) The ramp has dyadic
    values (integers / 16), so only the averages round: tolerance
    ``8 eps M (n + 2/alpha + 2)`` with M the largest magnitude.
    """
    alpha = 2.0 / (n + 1)
    lag = (n - 1) / 2
    if abs((1 - alpha) / alpha - lag) > 4 * EPS64 * max(lag, 1.0):  # arithmetic, not the target
        raise LawViolation(f"mean lags differ at n={n}: {(1 - alpha) / alpha} vs {lag}")
    p, q, v0 = p / 16, q / 16, v0 / 16
    length = n + extra
    steps = np.arange(1, length + 1, dtype=np.float64)
    ramp = p + q * steps
    e = _out(t.ema(ramp, alpha, v0=v0), ramp.shape, f"ema(alpha=2/{n + 1})")
    s = _out(t.sma(ramp, n), (length - n + 1,), f"sma(n={n})")
    mag = max(np.abs(ramp).max(), abs(v0))
    tol = 8 * EPS64 * mag * (n + 2 / alpha + 2)
    for k in range(length - n + 1):
        step = n + k
        want = (1 - alpha) ** step * (v0 - p + q * lag)
        got = e[step - 1] - s[k]
        if abs(got - want) > tol:
            raise LawViolation(f"ramp p={p}, q={q}, v0={v0}, n={n}: ema - sma at t={step} is {got!r}; equal lags "
                               f"require the transient {want!r} (tol {tol:.2g}) [ema={e[step - 1]!r}, sma={s[k]!r}]")


@law(needs=("ema", "sma"), c=finite_floats(1e6), length=st.integers(1, 30), d=st.integers(1, 3), alpha=ALPHAS,
     data=st.data(), controls=(ctl.sma_n_plus_one_terms, ctl.ema_undamped))
def ema_and_sma_are_exact_on_constant_signals(t, c, length, d, alpha, data):
    """On a constant signal ``v_t = c`` (with ``v0 = c``) the EMA and the SMA return c.

    The weights of both sum to 1 (seed 001). Tolerances: EMA ``8 eps |c| (1 + min(t, 1/alpha))``
    (module docstring); SMA ``2 (n + 1) eps |c|`` (a sum of n equal terms, then a division).
    """
    n = data.draw(st.integers(1, length), label="n")
    values = np.full((length, d), c)
    e = _out(t.ema(values, alpha, v0=c), values.shape, f"ema(alpha={alpha}, v0={c})")
    s = _out(t.sma(values, n), (length - n + 1, d), f"sma(n={n})")
    for i in range(length):
        tol = _ema_tol(abs(c), i + 1, alpha)
        if np.any(np.abs(e[i] - c) > tol):
            raise LawViolation(f"ema(alpha={alpha}) of the constant {c!r} at t={i + 1}: got {e[i]!r} (tol {tol:.2g})")
    tol = 2 * (n + 1) * EPS64 * abs(c)
    if np.any(np.abs(s - c) > tol):
        raise LawViolation(f"sma(n={n}) of the constant {c!r} (T={length}): got {s[:, 0]!r} (tol {tol:.2g})")


@law(needs=("ema_bias_corrected",), c=finite_floats(1e6), length=st.integers(1, 30), d=st.integers(1, 3),
     alpha=ALPHAS, controls=(ctl.bias_correction_t_minus_1, ctl.no_bias_correction))
def bias_corrected_ema_of_a_constant_is_exact_from_the_first_step(t, c, length, d, alpha):
    """``ema_t / (1 - (1 - alpha)^t)`` of a constant c is c for every t >= 1 (seed 001's
    Adam slide; Kingma & Ba 2015, section 3).

    Tolerance ``4 eps |c| (t + 1) (1 + 1/c_t)`` with ``c_t = 1 - (1 - alpha)^t``: the
    zero-started EMA has relative error at most ``2 t eps`` (each step's rounding is
    relative to ``|c| c_k <= |c| c_t``), and a divisor computed as ``1 - (1 - alpha)**t``
    has absolute error ``(t + 1) eps``, i.e. relative ``(t + 1) eps / c_t`` (large for
    ``alpha t << 1``; ``-expm1(t log1p(-alpha))`` avoids it, but the law admits both).
    """
    values = np.full((length, d), c)
    out = _out(t.ema_bias_corrected(values, alpha), values.shape, f"ema_bias_corrected(alpha={alpha})")
    for i in range(length):
        step = i + 1
        ct = -math.expm1(step * math.log1p(-alpha)) if alpha < 1 else 1.0
        tol = 4 * EPS64 * abs(c) * (step + 1) * (1 + 1 / ct)
        if np.any(np.abs(out[i] - c) > tol):
            raise LawViolation(f"ema_bias_corrected(alpha={alpha}) of the constant {c!r} at t={step}: got {out[i]!r} "
                               f"(tol {tol:.2g})")


@law(needs=("ema_bias_corrected",), values=_series(), alpha=ALPHAS,
     controls=(ctl.bias_corrected_ema_from_first_value, ctl.no_bias_correction, ctl.bias_correction_t_minus_1))
def bias_corrected_ema_is_the_normalised_weighted_mean(t, values, alpha):
    """The bias-corrected EMA at step t is the mean of ``v_1..v_t`` with weights
    ``(1 - alpha)^(t - k)``, normalised to sum to 1 (the zero start's missing weight is
    what the divisor ``1 - (1 - alpha)^t`` restores; Kingma & Ba 2015, section 3; pandas
    ``ewm(adjust=True)``). So it is a convex combination of the values so far.

    Oracle: ``math.fsum`` of the weighted values over ``math.fsum`` of the weights (each
    weight ``(1 - alpha)**(t - k)`` has relative error at most ``(t - k) eps``). Tolerance
    ``8 eps M (t + 1)``, M the largest ``|v_k|`` so far: every step of a recursion commits a
    few ``eps M``, damped by the later steps; the oracle's weights add ``t eps M``.
    """
    out = _out(t.ema_bias_corrected(values, alpha), values.shape, f"ema_bias_corrected(alpha={alpha})")
    for j in range(values.shape[1]):
        col = values[:, j].tolist()
        for i in range(len(col)):
            w = [(1.0 - alpha) ** (i - k) for k in range(i + 1)]
            want = math.fsum(wk * v for wk, v in zip(w, col)) / math.fsum(w)
            tol = 8 * EPS64 * max(abs(v) for v in col[: i + 1]) * (i + 2)
            if abs(out[i, j] - want) > tol:
                raise LawViolation(f"ema_bias_corrected(alpha={alpha}) at t={i + 1}, series {j}: got {out[i, j]!r}; the "
                                   f"normalised weighted mean is {want!r} (tol {tol:.2g}) [values[:, {j}]={values[:, j]!r}]")


@law(needs=("running_mean",), values=_series(max_t=40), controls=(ctl.running_mean_off_by_one,))
def running_mean_equals_the_arithmetic_mean_of_the_values_so_far(t, values):
    """Seed 001's incremental form ``m_T = m_{T-1} + (v_T - m_{T-1}) / T`` equals
    ``(1/T) sum_{k<=T} v_k``.

    Oracle ``math.fsum``. Tolerance ``4 eps M (T + 1)``: step k's rounding (a few eps M) is
    damped by the later factors ``(1 - 1/j)``, whose product is ``k/T``; the sum over k is
    ``(T + 1)/2`` roundings.
    """
    out = _out(t.running_mean(values), values.shape, "running_mean")
    for j in range(values.shape[1]):
        col = values[:, j].tolist()
        for i in range(len(col)):
            want = math.fsum(col[: i + 1]) / (i + 1)
            tol = 4 * EPS64 * max(abs(v) for v in col[: i + 1]) * (i + 2)
            if abs(out[i, j] - want) > tol:
                raise LawViolation(f"running_mean at T={i + 1}, series {j}: got {out[i, j]!r}; the arithmetic mean is "
                                   f"{want!r} (tol {tol:.2g}) [values[:, {j}]={values[:, j]!r}]")


@law(needs=("sma",), values=_series(), window=st.integers(1, 30), controls=(ctl.sma_n_plus_one_terms,))
def sma_averages_exactly_the_last_n_values(t, values, window):
    """``sma(values, n)[i] = (1/n) sum(values[i:i + n])``: a window of exactly n values,
    one output per full window (seed 001, corrected: its sum from T - n to T has n + 1 terms).
    ``n = min(window, T)``.

    Oracle ``math.fsum``; tolerance ``2 (n + 1) eps M`` with M the largest magnitude in the
    window (a float sum of n terms, then a division: the mean of a window is as well
    conditioned as its own values, whatever came before it).
    """
    length = values.shape[0]
    n = min(window, length)
    out = _out(t.sma(values, n), (length - n + 1, values.shape[1]), f"sma(n={n}) of {length} steps")
    for j in range(values.shape[1]):
        col = values[:, j].tolist()
        for i in range(length - n + 1):
            window = col[i: i + n]
            want = math.fsum(window) / n
            tol = 2 * (n + 1) * EPS64 * max(abs(v) for v in window)
            if abs(out[i, j] - want) > tol:
                raise LawViolation(f"sma(n={n}) row {i} (T={i + n}), series {j}: got {out[i, j]!r}; the mean of "
                                   f"values[{i}:{i + n}] is {want!r} (tol {tol:.2g}) [values[:, {j}]={values[:, j]!r}]")


@law(needs=("ema",), values=_series(), alpha=ALPHAS, controls=(ctl.ema_none_starts_at_zero,))
def ema_from_the_first_value_is_ema_with_v0_equal_to_the_first_value(t, values, alpha):
    """``v0=None`` starts the EMA at the first value (seed 001's batch-norm statistics,
    pandas ``adjust=False``): it is the EMA with ``v0 = v_1``, per series, since
    ``alpha v_1 + (1 - alpha) v_1 = v_1``.

    Compared with the target's own EMA from ``v0 = values[0]`` (shape ``(d,)``, one start
    per series). Tolerance ``16 eps M (1 + min(t, 1/alpha))``: each of the two is within
    ``8 eps M (1 + min(t, 1/alpha))`` of the same expansion (module docstring), M the
    largest magnitude of the values so far.
    """
    got = _out(t.ema(values, alpha, v0=None), values.shape, f"ema(alpha={alpha}, v0=None)")
    want = _out(t.ema(values, alpha, v0=values[0].copy()), values.shape, f"ema(alpha={alpha}, v0=values[0])")
    for j in range(values.shape[1]):
        for i in range(values.shape[0]):
            tol = 2 * _ema_tol(float(np.max(np.abs(values[: i + 1, j]))), i + 1, alpha)
            if abs(got[i, j] - want[i, j]) > tol:
                raise LawViolation(f"ema(alpha={alpha}) at t={i + 1}, series {j}: v0=None gives {got[i, j]!r}, "
                                   f"v0=values[0] gives {want[i, j]!r} (tol {tol:.2g}) [values[:, {j}]={values[:, j]!r}]")


#: Averages and the tolerance (in units of eps M) each is held to by its closed-form law at
#: step t (``n``: sma's window).
_AVERAGES = ("ema", "ema_bias_corrected", "sma", "running_mean")


def _avg_tol_units(name, t, alpha, n):
    return {"ema": 8 * (1 + min(t, 1 / alpha)), "ema_bias_corrected": 8 * (t + 1), "sma": 2 * (n + 1),
            "running_mean": 4 * (t + 1)}[name]


def _call_average(t, name, values, alpha, n, v0):
    if name == "ema":
        return t.ema(values, alpha, v0=v0)
    if name == "ema_bias_corrected":
        return t.ema_bias_corrected(values, alpha)
    if name == "sma":
        return t.sma(values, n)
    return t.running_mean(values)


#: Per-series exponents: near the float64 maximum (up to (2^20 - 1) 2^1004, just below it, so a
#: difference of two values or a sum of two overflows), unscaled, and near the smallest normals
#: (2^-1000: no rounding of the averages reaches the subnormals by more than 2^-1074, far below
#: eps M). The base integers are often the extremes +-(2^20 - 1).
_EXPONENTS = st.one_of(st.just(1004), st.integers(983, 1003), st.just(0), st.integers(-1000, -950))
_BASE_INTS = st.one_of(st.sampled_from([2**20 - 1, 1 - 2**20]), st.integers(1 - 2**20, 2**20 - 1)).map(float)


@st.composite
def _scaled_series(draw):
    """``(ints, ks, v0, n)``: a ``(T, d)`` base series of integers, one exponent per series, a
    base ``v0`` per series and an SMA window ``n <= T``."""
    length, d = draw(st.integers(1, 20), label="T"), draw(st.integers(1, 3), label="d")
    ints = draw(hnp.arrays(np.float64, (length, d), elements=_BASE_INTS), label="ints")
    ks = tuple(draw(st.lists(_EXPONENTS, min_size=d, max_size=d), label="k"))
    v0 = draw(hnp.arrays(np.float64, (d,), elements=_BASE_INTS), label="v0")
    return ints, ks, v0, draw(st.integers(1, length), label="n")


@law(needs=(), cases=per_technique(_AVERAGES), case=lambda c: st.just(c), series=_scaled_series(), alpha=ALPHAS,
     controls=(ctl.ema_overflows_near_the_float64_maximum, ctl.averages_scaled_across_series))
def averages_scale_with_each_series_up_to_the_float64_limits(t, case, series, alpha):
    """Every average is linear in its series: multiplying series j (and its ``v0``) by a power
    of two ``2^k_j`` multiplies its averages by ``2^k_j``, from about ``2^-1000`` up to the
    float64 maximum (values up to ``(2^20 - 1) 2^1004``, where ``v - avg`` or a sum of two values
    overflows although every average is a convex combination of the values and fits), each
    series on its own scale whatever the others' (a series of ``2^-1000`` beside one of
    ``2^1000``).

    The base series are integers below ``2^20`` in magnitude (scaling them is exact); oracle: the
    target's own averages of the base series, times ``2^k_j``. Tolerance: twice the bound of
    the average's closed-form law, ``c eps M`` at each magnitude (``c``: ``8 (1 + min(t,
    1/alpha))`` EMA, ``8 (t + 1)`` bias-corrected EMA, ``2 (n + 1)`` SMA, ``4 (t + 1)``
    running mean; M the series' largest magnitude, v0 included), since both results are
    within that bound of the same exact average.
    """
    name = case
    ints, ks, v0, n = series
    length, d = ints.shape
    scale = np.ldexp(1.0, np.array(ks))
    shape = (length - n + 1, d) if name == "sma" else (length, d)
    plain = _out(_call_average(t, name, ints, alpha, n, v0), shape, f"{name} of the base series")
    big = _out(_call_average(t, name, ints * scale, alpha, n, v0 * scale), shape,
               f"{name} of the series scaled by 2^{ks}")
    for j in range(d):
        mag = max(float(np.max(np.abs(ints[:, j]))), abs(v0[j]) if name == "ema" else 0.0)
        for i in range(shape[0]):
            step = i + (n if name == "sma" else 1)
            tol = 2 * _avg_tol_units(name, step, alpha, n) * EPS64 * mag
            got, want = big[i, j] / scale[j], plain[i, j]
            if abs(got - want) > tol:
                raise LawViolation(f"{name}(alpha={alpha}, n={n}) of series {j} scaled by 2^{ks[j]} (others by "
                                   f"2^{ks}) at row {i}: {big[i, j]!r} = 2^{ks[j]} * {got!r}, unscaled {want!r} "
                                   f"(tol {tol:.2g}) [base[:, {j}]={ints[:, j]!r}, v0={v0[j]!r}]")


@law(needs=(), cases=per_technique(_AVERAGES), case=lambda c: st.just(c), values=_series(max_t=8, bound=1e3),
     alpha=ALPHAS, dtype=st.sampled_from(["float32", "float64", "int64", "int32"]),
     controls=(ctl.running_mean_always_float64,))
def averages_keep_the_floating_dtype_of_their_input(t, case, values, alpha, dtype):
    """float32 series in -> float32 averages out, float64 -> float64, integers -> float64 (an
    average of integers is not an integer: never truncated). Exact (a dtype)."""
    vin = values.astype(dtype)
    want = np.dtype("float64") if dtype.startswith("int") else np.dtype(dtype)
    out = np.asarray(_call_average(t, case, vin, alpha, 1, 0.0))
    if out.dtype != want:
        raise LawViolation(f"{case} of a {dtype} series: out.dtype={out.dtype}, but should be {want}")


# --- alpha = 1 and the defaults -------------------------------------------------------------------

@st.composite
def _spread_series(draw):
    """``(T, d)`` series whose values differ in magnitude (up to 1e6 against 1e-3), so that the
    general EMA step ``avg + 1 * (v - avg)`` rounds where alpha = 1 must give ``v`` itself."""
    length, d = draw(st.integers(1, 12), label="T"), draw(st.integers(1, 3), label="d")
    mags = st.one_of(st.floats(1e3, 1e6), st.floats(1e-3, 1.0), st.floats(-1e6, -1e3), st.floats(-1.0, -1e-3))
    return draw(hnp.arrays(np.float64, (length, d), elements=mags), label="values")


@law(needs=(), cases=per_technique(("ema", "ema_bias_corrected")), case=lambda c: st.just(c),
     values=_spread_series(), v0=st.one_of(st.floats(1e5, 1e6), st.floats(-1e6, -1e5)),
     controls=(ctl.ema_step_always_in_general_form,), max_examples=10,
     examples=({"_case": "ema", "case": "ema", "values": np.array([[0.1], [3e5], [0.3]]), "v0": 1e6},
               {"_case": "ema_bias_corrected", "case": "ema_bias_corrected", "values": np.array([[1e5], [0.1]]),
                "v0": 1e6}))
def ema_with_alpha_one_is_the_series_itself(t, case, values, v0):
    """With ``alpha = 1`` the new value has all the weight: ``ema(values, 1, v0)`` and
    ``ema_bias_corrected(values, 1)`` return ``values`` itself, bit for bit, in its shape (seed
    001's recursion with ``1 - alpha = 0``; the reference's ``ema_update`` returns the value
    exactly at alpha = 1, which is also batch norm with momentum 1).

    Exact: ``alpha v + 0 a`` is ``v`` without rounding, whereas the general form
    ``a + alpha (v - a)`` rounds ``v - a``; the series mixes magnitudes from 1e-3 to 1e6 and v0
    is large, so that rounding shows.
    """
    out = np.asarray(_call_average(t, case, values, 1.0, 1, v0))
    if out.shape != values.shape or not np.array_equal(out, values):
        raise LawViolation(f"{case}(values, alpha=1{f', v0={v0!r}' if case == 'ema' else ''}) returned "
                           f"{out.ravel()[:6].tolist()} (shape {out.shape}); alpha = 1 gives the series itself, "
                           f"{values.ravel()[:6].tolist()} (shape {values.shape}), exactly")


@law(needs=("ema",), values=_series(max_t=12), alpha=ALPHAS, controls=(ctl.ema_defaults_to_the_first_value,),
     max_examples=10)
def ema_defaults_to_starting_from_zero(t, values, alpha):
    """``ema(values, alpha)`` with ``v0`` omitted is ``ema(values, alpha, v0=0.0)`` bit for bit:
    the documented default state before the first value is 0 (Adam's moments; the zero start
    that :func:`ema_bias_corrected` corrects), not the first value (pandas ``adjust=False``).

    A law about a default (the others pass ``v0`` explicitly): the interface's default, which an
    adapter maps onto its framework. Two deterministic calls; no tolerance.
    """
    got = np.asarray(t.ema(values, alpha))
    want = np.asarray(t.ema(values, alpha, v0=0.0))
    if got.shape != want.shape or not np.array_equal(got, want):
        raise LawViolation(f"ema(values, alpha={alpha}) without v0 gives {got.ravel()[:4].tolist()}...; with the "
                           f"documented default v0=0.0 {want.ravel()[:4].tolist()}... [values={values.ravel()[:6]!r}]")


# --- contract: argument domains (tier contract) --------------------------------------------------

#: Smoothing factors outside (0, 1]: both bounds (0 itself, the open one, and the next double
#: above 1), negative zero, NaN, infinities and ranges beyond either bound.
BAD_ALPHAS = st.one_of(st.sampled_from([0.0, -0.0, float(np.nextafter(1.0, 2.0)), -5e-324, -0.5, 1.5, 2.0,
                                        math.nan, math.inf, -math.inf]),
                       st.floats(1.0, 1e300, exclude_min=True), st.floats(-1e300, 0.0))


def _refused(t, case, values, what, expect, alpha=0.5, n=1):
    before = np.array(values, copy=True)
    refuses(lambda: _call_average(t, case, values, alpha, n, 0.0), what, expect)
    if before.dtype.kind in "fc":
        unchanged(before, values, f"{what}: values")


@law(needs=(), cases=per_technique(("ema", "ema_bias_corrected")), tier="contract", case=lambda c: st.just(c),
     values=_series(max_t=6), alpha=BAD_ALPHAS, max_examples=10,
     controls=(ctl.alpha_unchecked, ctl.alpha_zero_accepted, ctl.alpha_refused_with_type_error),
     examples=tuple({"_case": c, "case": c, "values": np.array([[1.0], [2.0]]), "alpha": a}
                    for c in ("ema", "ema_bias_corrected") for a in (0.0, float(np.nextafter(1.0, 2.0)), math.nan)))
def ema_smoothing_factors_outside_zero_one_are_refused(t, case, values, alpha):
    """``alpha`` (the weight of the new value) lies in ``(0, 1]``: 0 would never move the
    average (and divide the bias correction by 0), beyond 1 the weights alternate in sign and the
    average leaves the range of the values, NaN/inf is no weight. A value outside raises
    ``ValueError`` (a number of the right type with a wrong value, not ``TypeError``), both
    bounds exactly: 0 (the open end) and the next double above 1 are refused; the series is left
    unchanged. Every example of this law is such a value.
    """
    _refused(t, case, values, f"{case}(values, alpha={alpha!r})", ValueError, alpha=alpha)


_SERIES_SHAPES = st.tuples(st.integers(1, 6), st.integers(1, 3))


@law(needs=(), cases=per_technique(_AVERAGES), tier="contract", case=lambda c: st.just(c),
     values=arrays_of_ndim((0, 3, 4)), max_examples=10, controls=(ctl.series_ndim_unchecked,))
def moving_averages_refuse_series_that_are_not_1_or_2_d(t, case, values):
    """``values`` is one series ``(T,)`` or ``T`` rows of side-by-side series ``(T, d)``: a 0-d
    value has no time axis, and an array of 3 or more dimensions is no documented layout (its
    averages would silently treat the trailing axes as series). Either raises ``ValueError``
    (a wrong shape), and the input stays unchanged.
    """
    _refused(t, case, values, f"{case} of a {values.ndim}-d array of shape {values.shape}", ValueError)


@law(needs=(), cases=per_technique(_AVERAGES), tier="contract", case=lambda c: st.just(c),
     values=with_a_nonfinite(_SERIES_SHAPES), max_examples=10, controls=(ctl.series_finiteness_unchecked,))
def moving_averages_refuse_nan_and_inf_values(t, case, values):
    """The values of a series are finite: a NaN or an infinity would propagate into every later
    average (forever, for an EMA) instead of being reported. A series holding one raises
    ``ValueError`` and stays unchanged.
    """
    _refused(t, case, values, f"{case} of a series holding {values[~np.isfinite(values)][0]!r}", ValueError)


@law(needs=(), cases=per_technique(_AVERAGES), tier="contract", case=lambda c: st.just(c),
     values=non_real(_SERIES_SHAPES), max_examples=10, controls=(ctl.series_cast_to_float,))
def moving_averages_refuse_series_that_are_not_real_numbers(t, case, values):
    """A series is an array of real numbers: strings (even numerals such as ``'1.5'``) and
    complex numbers (whose imaginary part a cast would drop) are the wrong type of data and raise
    ``TypeError``; the input stays unchanged.
    """
    _refused(t, case, values, f"{case} of a {values.dtype} array", TypeError)


#: Hyperparameters of the wrong type: alpha a string, a bool, None, a list or a complex number;
#: the window n a float (even 2.0), a bool, a string or None.
_BAD_TYPED = {"ema": ("alpha", ["0.5", True, None, [0.5], 0.5 + 0j]),
              "ema_bias_corrected": ("alpha", ["0.5", True, None, [0.5], 0.5 + 0j]),
              "sma": ("n", [2.0, 2.5, True, "2", None])}


@law(needs=(), cases=per_technique(tuple(_BAD_TYPED)), tier="contract", case=lambda c: st.just(c),
     values=_series(max_t=6), value=lambda c: st.sampled_from(_BAD_TYPED[c][1]), max_examples=10,
     controls=(ctl.hyperparameter_types_unchecked,),
     examples=tuple({"_case": c, "case": c, "values": np.array([[1.0], [2.0], [4.0]]), "value": v}
                    for c, (_, bad) in _BAD_TYPED.items() for v in bad))
def averages_refuse_hyperparameters_of_the_wrong_type(t, case, values, value):
    """``alpha`` is a real number (not a bool, a string, a list or a complex number) and the SMA
    window ``n`` an integer (not a bool, and not a float, even an integral one: ``2.5`` would be
    truncated silently). A value of the wrong type raises ``TypeError``; the series stays
    unchanged.
    """
    arg = _BAD_TYPED[case][0]
    kw = {"alpha": value} if arg == "alpha" else {"n": value}
    _refused(t, case, values, f"{case}(values, {arg}={value!r})", TypeError, **kw)
