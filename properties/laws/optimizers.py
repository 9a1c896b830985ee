"""Laws of the first-order optimisers and their learning-rate schedules (seed 001, issue 4).

Target names used (optax-style, see reference/optimizers/_base.py): ``sgd(lr, momentum,
nesterov, dampening, weight_decay, lr_inside_velocity)``, ``nesterov_lookahead(lr, momentum)``
(state field ``lookahead``), ``adagrad(lr, eps, initial_accumulator_value, eps_inside_sqrt,
lr_decay)`` (state field ``sum_of_squares``), ``rmsprop(lr, rho, eps, eps_inside_sqrt,
centered, momentum, bias_correction)``, ``adadelta(lr, rho, eps)``, ``adam(lr, b1, b2, eps,
eps_root, eps_form, amsgrad, weight_decay)`` (state fields ``mu``, ``nu``) and the schedules
``constant_schedule``, ``step_decay``, ``exponential_decay``, ``inverse_time_decay``. Each
optimiser returns an object with ``init(params)`` and ``update(grads, state, params)``
returning ``(updates, state)``; ``params + updates`` is the next iterate. Two laws read
state fields; they also need the state class name (``AdagradState``, ``AdamState``), so a
target whose state is opaque skips them instead of crashing.

Oracles are closed forms or plain-Python loops over floats written here; tolerances are
multiples of the float64 machine epsilon times the number of steps (each step of these
recursions rounds a bounded number of times, and the recursions are contractions in the
moments, so errors grow at most linearly in t).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from properties._law import LawViolation, law, per_technique
from properties.controls import optimizers as ctl
from properties.laws._calls import _adagrad, _adam, _rmsprop, _sgd
from properties.laws._contract import refuses, unchanged
from properties.laws._tolerance import EPS64

#: Powers of two: multiplying gradients by them is exact, so a scale-invariance law sees
#: only the target's own rounding.
POW2 = st.sampled_from([2.0**-20, 0.25, 4.0, 2.0**10, 2.0**30])
LRS = st.sampled_from([1e-3, 0.01, 0.1, 0.5, 1.0])
BETAS = st.sampled_from([0.0, 0.5, 0.9, 0.99, 0.999])


def _grads(max_steps=6, max_dim=4, bound=1e3, min_abs=1e-6, nonzero=False, nonzero_first=False):
    """``(steps, dim)`` gradient sequences; magnitudes in [min_abs, bound] or exactly 0.

    Tiny magnitudes are mapped to 0 (or to ``min_abs`` when ``nonzero``) so that ``g**2``
    neither underflows nor, with the bound 1e3 (times at most 2**30), overflows.
    ``nonzero_first``: the first row has no 0, so no coordinate's gradient history is all
    zero (the premise of ``adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0``,
    which laws about something else avoid; with a decay of the second moment above 0 the
    accumulator then stays positive: ``1e-12 b^8 > 0``).
    """
    def fix(x):
        if abs(x) >= min_abs:
            return x
        return math.copysign(min_abs, x) if nonzero else 0.0
    elem = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False).map(fix)
    shapes = st.tuples(st.integers(1, max_steps), st.integers(1, max_dim))
    out = hnp.arrays(np.float64, shapes, elements=elem)
    if nonzero_first:
        out = out.map(lambda a: np.vstack([np.where(a[0] == 0, min_abs, a[0]), a[1:]]))
    return out


def _vectors(max_dim=4, bound=1e3, min_abs=1e-3):
    elem = st.floats(min_abs, bound) | st.floats(-bound, -min_abs)
    return hnp.arrays(np.float64, st.integers(1, max_dim), elements=elem)


def _run(opt, grads, params=None):
    """Feed the gradient rows in order; return the updates (as float64 copies) and states."""
    p = np.zeros(grads.shape[1]) if params is None else np.array(params, dtype=np.float64)
    state = opt.init(p)
    updates, states = [], []
    for g in grads:
        u, state = opt.update(np.array(g), state, p)
        u = np.array(u, dtype=np.float64)
        if u.shape != g.shape:
            raise LawViolation(f"update shape {u.shape}, but should be the gradient's {g.shape}")
        if not np.all(np.isfinite(u)):
            raise LawViolation(f"update {u!r} is not finite for finite gradients {grads!r}")
        updates.append(u)
        states.append(state)
        p = p + u
    return updates, states


def _close(got, want, rtol, what, atol=0.0, equal_nan=False):
    """``|got - want| <= rtol |want| + atol`` elementwise, got finite; ``equal_nan``: NaN where
    ``want`` is NaN is agreement (a law comparing two runs of the target, not a value)."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if equal_nan:
        if np.any(np.isnan(got) != np.isnan(want)):
            raise LawViolation(f"{what}: NaN in one only: got {got!r}, should be {want!r}")
        got, want = np.where(np.isnan(got), 0.0, got), np.where(np.isnan(want), 0.0, want)
    err = np.abs(got - want)
    bound = rtol * np.abs(want) + atol
    if not np.all(np.isfinite(got)) or np.any(err > bound):
        i = int(np.argmax(err - bound)) if np.all(np.isfinite(got)) else 0
        raise LawViolation(f"{what}: got {got!r}, should be {want!r} (max excess at index {i}: "
                           f"|diff|={err.flat[i]:.3g} > {bound.flat[i]:.3g})")


# --- SGD, momentum, Nesterov --------------------------------------------------------------------

@law(needs=("sgd",), grads=_grads(), lr=LRS, inside=st.booleans(),
     controls=(ctl.momentum_weights_new,))
def sgd_momentum_zero_is_plain_sgd(t, grads, lr, inside):
    """Momentum with ``gamma = 0`` is SGD: every update is ``-eta g_t``.

    Seed 001: ``u_t = gamma u_{t-1} - eta g_t``, ``theta_t = theta_{t-1} + u_t``. In either
    convention (lr inside or outside the velocity) ``gamma = 0`` leaves ``-eta g_t``, one
    rounding of ``eta g`` (tolerance 2 eps).
    """
    updates, _ = _run(_sgd(t, lr, momentum=0.0, lr_inside_velocity=inside), grads)
    for k, (u, g) in enumerate(zip(updates, grads), 1):
        _close(u, -lr * g, 2 * EPS64, f"sgd(momentum=0, lr_inside_velocity={inside}) step {k}")


@law(needs=("sgd",), g=_vectors(), lr=LRS, gamma=st.floats(0.0, 0.95), inside=st.booleans(),
     controls=(ctl.momentum_sign_flipped, ctl.momentum_weights_new))
def momentum_velocity_tends_to_terminal_velocity(t, g, lr, gamma, inside):
    """Under a constant gradient the momentum step tends to ``-eta g / (1 - gamma)``.

    Seed 001's recursion gives exactly ``u_t = -eta g (1 - gamma^t) / (1 - gamma)``, which
    increases monotonically to the terminal velocity; checked at every step t <= 40. Each
    step rounds twice and the recursion contracts by gamma, so the error after t steps is
    below ``4 t eps |eta g| / (1 - gamma)``; tolerance 8 t eps.
    """
    steps = 40
    updates, _ = _run(_sgd(t, lr, momentum=gamma, lr_inside_velocity=inside), np.tile(g, (steps, 1)))
    for k, u in enumerate(updates, 1):
        want = -lr * g * (1 - gamma**k) / (1 - gamma)
        _close(u, want, 0.0, f"momentum step {k} (gamma={gamma}, lr_inside_velocity={inside})",
               atol=8 * k * EPS64 * np.abs(lr * g) / (1 - gamma))


@law(needs=("sgd", "nesterov_lookahead"), grads=_grads(), lr=LRS,
     controls=(ctl.nesterov_correction_without_mu,))
def nesterov_momentum_zero_is_plain_sgd(t, grads, lr):
    """Nesterov momentum with ``gamma = 0`` is SGD, in both formulations: ``-eta g_t``.

    Seed 001's NAG with ``gamma = 0`` evaluates the gradient at ``theta`` and steps
    ``-eta g``; the reformulation ``g + gamma b`` reduces to ``g``. Tolerance 2 eps.
    """
    for name, opt in (("sgd(nesterov=True)", _sgd(t, lr, momentum=0.0, nesterov=True)),
                      ("nesterov_lookahead", t.nesterov_lookahead(lr, momentum=0.0))):
        updates, _ = _run(opt, grads)
        for k, (u, g) in enumerate(zip(updates, grads), 1):
            _close(u, -lr * g, 2 * EPS64, f"{name} with momentum 0, step {k}")


@law(needs=("sgd", "nesterov_lookahead"), a=hnp.arrays(np.float64, st.integers(1, 3), elements=st.floats(0.1, 10.0)),
     theta0=hnp.arrays(np.float64, 3, elements=st.floats(-10, 10)), lr_a=st.floats(0.05, 1.0),
     gamma=st.floats(0.0, 0.95),
     examples=({"a": np.array([1.0]), "theta0": np.array([5e-324, 0.0, 0.0]), "lr_a": 0.5, "gamma": 0.75},),
     controls=(ctl.nesterov_gradient_at_theta, ctl.nesterov_ignored, ctl.nesterov_correction_without_mu))
def nesterov_formulations_agree(t, a, theta0, lr_a, gamma):
    """Seed 001's NAG (gradient at the look-ahead point) and the framework reformulation agree.

    On ``L(theta) = 1/2 sum a_i theta_i^2``, NAG ``u_t = gamma u_{t-1} - eta grad(theta_{t-1}
    + gamma u_{t-1})`` and ``sgd(nesterov=True)`` (``b = gamma b + g``, ``phi -= eta (g +
    gamma b)`` with the gradient at ``phi``) started at the same point satisfy
    ``phi_t = theta_t + gamma u_t`` for every t (Sutskever et al. 2013; Bengio et al. 2013,
    eq. 7). ``eta = lr_a / max(a)`` keeps the iteration stable. Both sides round a few times
    per step and the linear recursion amplifies by at most ``O(t / (1 - gamma))``; tolerance
    ``64 t^2 eps`` times the largest magnitude seen, plus as many units of the smallest
    subnormal ``2^-1074`` (the absolute rounding unit below ``2^-1022``, where a relative bound
    says nothing: Hypothesis found ``theta0 = 5e-324`` rounding to 0 on one side only).
    """
    theta0 = theta0[: a.size]
    lr = lr_a / float(np.max(a))
    steps = 12
    A = t.nesterov_lookahead(lr, momentum=gamma)
    B = _sgd(t, lr, momentum=gamma, nesterov=True)
    theta = theta0.copy()
    sa = A.init(theta)
    phi = theta0.copy()
    sb = B.init(phi)
    for k in range(1, steps + 1):
        look = np.array(sa.lookahead, dtype=np.float64)
        u, sa = A.update(a * look, sa, theta)
        theta = theta + np.asarray(u)
        v, sb = B.update(a * phi, sb, phi)
        phi = phi + np.asarray(v)
        look = np.array(sa.lookahead, dtype=np.float64)
        scale = max(np.max(np.abs(theta0)), np.max(np.abs(phi)), np.max(np.abs(look)))
        _close(phi, look, 0.0, f"step {k}: sgd(nesterov=True) params vs NAG look-ahead theta + gamma u "
               f"(gamma={gamma}, eta={lr:.3g}, a={a!r})", atol=64 * k * k * (EPS64 * scale + 2.0**-1074))


# --- AdaGrad -------------------------------------------------------------------------------------

@law(needs=("adagrad", "AdagradState"), grads=_grads(), lr=LRS, g0=st.sampled_from([0.0, 0.1]), inside=st.booleans(),
     controls=(ctl.adagrad_sums_g,))
def adagrad_accumulator_never_decreases(t, grads, lr, g0, inside):
    """AdaGrad's accumulator ``G_t = G_{t-1} + g_t^2`` never decreases, coordinate-wise.

    Seed 001: ``G_i = sqrt(sum_j g_ij^2)``. A rounded sum of non-negative terms is monotone,
    so the law is exact (``state.sum_of_squares``).
    """
    _, states = _run(_adagrad(t, lr, eps=1e-10, initial_accumulator_value=g0, eps_inside_sqrt=inside), grads)
    prev = np.full(grads.shape[1], g0)
    for k, s in enumerate(states, 1):
        G = np.asarray(s.sum_of_squares, dtype=np.float64)
        if np.any(~(G >= prev)):
            raise LawViolation(f"adagrad accumulator decreased at step {k}: {prev!r} -> {G!r} (grads {grads!r})")
        prev = G


@law(needs=("adagrad",), grads=_grads(nonzero_first=True), lr=LRS, eps=st.sampled_from([0.0, 1e-10, 1e-3]),
     g0=st.sampled_from([0.0, 0.1]), inside=st.booleans(),
     controls=(ctl.adagrad_sums_g,))
def adagrad_effective_step_never_increases(t, grads, lr, eps, g0, inside):
    """AdaGrad's effective per-coordinate step ``|u_t| / (eta |g_t|) = 1 / (sqrt(G_t) + eps)``
    never increases (for every eps placement and initial accumulator).

    ``G_t`` is non-decreasing, so its reciprocal root is non-increasing. Measured from the
    updates, each ratio carries about 4 roundings: a rise above ``8 eps`` relative is a
    violation.
    """
    opt = _adagrad(t, lr, eps=eps, initial_accumulator_value=g0, eps_inside_sqrt=inside)
    updates, _ = _run(opt, grads)
    prev = np.full(grads.shape[1], np.inf)
    for k, (u, g) in enumerate(zip(updates, grads), 1):
        nz = g != 0
        r = np.full(g.shape, np.nan)
        r[nz] = np.abs(u[nz]) / (lr * np.abs(g[nz]))
        both = nz & np.isfinite(prev)
        if np.any(r[both] > prev[both] * (1 + 8 * EPS64)):
            raise LawViolation(f"adagrad effective step rose at step {k}: {prev!r} -> {r!r} (grads {grads!r})")
        prev = np.where(nz, r, prev)


@law(needs=("adagrad",), g=_vectors(), lr=LRS, inside=st.booleans(),
     controls=(ctl.adagrad_sums_g, ctl.adagrad_previous_accumulator))
def adagrad_first_step_is_lr_times_sign(t, g, lr, inside):
    """With ``eps = 0`` and ``G_0 = 0``, AdaGrad's first step is ``-eta sign(g)``.

    ``G_1 = g^2`` so ``g / sqrt(G_1) = sign(g)``; ``sqrt(fl(g^2)) = |g|`` holds in binary
    floating point, so only the final product rounds: tolerance 4 eps.
    """
    (u,), _ = _run(_adagrad(t, lr, eps=0.0, initial_accumulator_value=0.0, eps_inside_sqrt=inside), g[None, :])
    _close(u, -lr * np.sign(g), 4 * EPS64, "adagrad first step (eps=0)")


@law(needs=("adagrad",), grads=_grads(nonzero_first=True), lr=LRS, inside=st.booleans(), data=st.data(),
     controls=(ctl.adagrad_sums_g,))
def adagrad_invariant_to_per_coordinate_gradient_rescaling(t, grads, lr, inside, data):
    """With ``eps = 0``, multiplying coordinate i's gradients by ``c_i > 0`` at every step
    leaves every AdaGrad update unchanged.

    ``c g / sqrt(sum c^2 g^2) = g / sqrt(sum g^2)``. The ``c_i`` are powers of two, so the
    scaled computation is the unscaled one shifted in exponent: tolerance ``4 t eps``.
    """
    c = np.array(data.draw(st.lists(POW2, min_size=grads.shape[1], max_size=grads.shape[1]), label="c"))
    u0, _ = _run(_adagrad(t, lr, eps=0.0, initial_accumulator_value=0.0, eps_inside_sqrt=inside), grads)
    u1, _ = _run(_adagrad(t, lr, eps=0.0, initial_accumulator_value=0.0, eps_inside_sqrt=inside), grads * c)
    for k, (x, y) in enumerate(zip(u1, u0), 1):
        _close(x, y, 4 * k * EPS64, f"adagrad step {k} with gradients rescaled by {c!r}")


# --- RMSprop -------------------------------------------------------------------------------------

@law(needs=("rmsprop",), grads=_grads(nonzero=True), lr=LRS, scale=POW2, rho=BETAS, momentum=st.sampled_from([0.0, 0.9]),
     bias=st.booleans(), inside=st.booleans(), centered=st.booleans(),
     controls=(ctl.rmsprop_no_sqrt, ctl.centered_rmsprop_mean_cubed))
def rmsprop_invariant_to_gradient_scale(t, grads, lr, scale, rho, momentum, bias, inside, centered):
    """With ``eps = 0``, RMSprop's updates are unchanged when the loss (hence every gradient)
    is multiplied by ``c > 0``: ``c g / sqrt(EMA(c^2 g^2)) = g / sqrt(EMA(g^2))``, and centred:
    ``c g / sqrt(EMA(c^2 g^2) - EMA(c g)^2)``.

    Seed 001 (RMSprop as a diagonal Hessian approximation). ``c`` is a power of two, so the
    two computations differ only in exponents: tolerance ``4 t eps``. Centred examples have
    ``rho > 0`` and no bias correction: otherwise the first variance estimate is 0 (rho = 0:
    ``g^2 - g^2``; bias-corrected: the same), and 0 / 0 has no scale.
    """
    if centered and (rho == 0.0 or bias):
        reject()
    make = lambda: _rmsprop(t, lr, rho=rho, eps=0.0, eps_inside_sqrt=inside, centered=centered,  # noqa: E731
                            momentum=momentum, bias_correction=bias)
    u0, _ = _run(make(), grads)
    u1, _ = _run(make(), grads * scale)
    for k, (x, y) in enumerate(zip(u1, u0), 1):
        _close(x, y, 4 * k * EPS64, f"rmsprop step {k} with gradients scaled by {scale}")


@law(needs=("rmsprop",), g=_vectors(), lr=LRS, rho=st.floats(0.0, 0.99).filter(lambda r: abs(r - 0.5) > 1e-3),
     inside=st.booleans(), controls=(ctl.rmsprop_no_sqrt, ctl.rmsprop_weights_swapped))
def rmsprop_constant_gradient_step_tends_to_lr_sign(t, g, lr, rho, inside):
    """Under a constant gradient (eps = 0) RMSprop's step tends to ``-eta sign(g)``.

    ``nu_t = (1 - rho^t) g^2`` exactly, so ``u_t = -eta sign(g) / sqrt(1 - rho^t)``, which
    decreases to ``eta`` in magnitude; checked at every t <= 40 against this closed form.
    Tolerance ``(8 + 4 t) eps``: a few roundings per step, the EMA contracting by rho.
    """
    steps = 40
    updates, _ = _run(_rmsprop(t, lr, rho=rho, eps=0.0, eps_inside_sqrt=inside), np.tile(g, (steps, 1)))
    for k, u in enumerate(updates, 1):
        want = -lr * np.sign(g) / math.sqrt(-math.expm1(k * math.log(rho))) if rho else -lr * np.sign(g)
        _close(u, want, (8 + 4 * k) * EPS64, f"rmsprop step {k} under a constant gradient (rho={rho})")


@law(needs=("rmsprop",), g=st.floats(1e-3, 1e3).flatmap(lambda a: st.sampled_from([a, -a])), steps=st.integers(1, 6),
     rho=st.sampled_from([0.5, 0.9, 0.99, 0.999]), eps=st.sampled_from([1e-8, 1e-3]), lr=LRS, bias=st.booleans(),
     controls=(ctl.centered_rmsprop_unclamped,))
def centered_rmsprop_of_a_constant_gradient_is_finite(t, g, steps, rho, eps, lr, bias):
    """Centred RMSprop divides by ``sqrt(nu - mu**2) + eps``; for a constant gradient the EMA
    variance ``nu - mu**2`` is ``rho^t (1 - rho^t) g^2 >= 0`` (with bias correction: exactly 0),
    so every update is finite, of size at most ``lr |g| / eps`` (eps > 0, outside the root).
    Rounding can make the computed difference negative, and its root NaN: an implementation must
    clamp it (the reference clamps at 0). Tolerance: none needed, the property is finiteness and
    the bound ``lr |g| / eps (1 + 8 eps_64)``.
    """
    opt = _rmsprop(t, lr, rho=rho, eps=eps, eps_inside_sqrt=False, centered=True, bias_correction=bias)
    p = np.zeros(1)
    state = opt.init(p)
    for k in range(1, steps + 1):
        u, state = opt.update(np.array([g]), state, p)
        u = np.asarray(u, dtype=np.float64)
        if not np.all(np.isfinite(u)) or abs(u[0]) > lr * abs(g) / eps * (1 + 8 * EPS64):
            raise LawViolation(f"rmsprop(lr={lr}, rho={rho}, eps={eps}, centered=True, bias_correction={bias}) update "
                               f"{k} of the constant gradient {g!r}: {u[0]!r}; should be finite, at most "
                               f"lr |g| / eps = {lr * abs(g) / eps!r} in magnitude")
        p = p + u


@law(needs=("rmsprop", "adam"), grads=_grads(nonzero=True), lr=LRS, rho=BETAS, eps=st.sampled_from([0.0, 1e-8, 0.1, 1.0]),
     controls=(ctl.rmsprop_eps_inside_sqrt, ctl.adam_eps_inside_sqrt, ctl.adam_no_bias_correction,
               ctl.adam_correction_t_minus_1))
def rmsprop_with_bias_correction_equals_adam_beta1_zero(t, grads, lr, rho, eps):
    """RMSprop with bias correction is Adam with ``beta1 = 0`` (same rho/beta2 and eps).

    With ``b1 = 0``, ``m_t = g_t`` and ``1 - b1^t = 1``, so Adam's step is
    ``eta g / (sqrt(v_hat) + eps)``, RMSprop's (eps outside the root, optax's
    ``bias_correction=True``). eps up to 1 makes a misplaced eps visible. Tolerance
    ``8 t eps`` (both sides round a few times per step, differently ordered).
    """
    rms = _rmsprop(t, lr, rho=rho, eps=eps, eps_inside_sqrt=False, bias_correction=True)
    ur, _ = _run(rms, grads)
    ua, _ = _run(_adam(t, lr, b1=0.0, b2=rho, eps=eps), grads)
    for k, (x, y) in enumerate(zip(ur, ua), 1):
        _close(x, y, 8 * k * EPS64, f"step {k}: rmsprop(bias_correction=True) vs adam(b1=0) (rho={rho}, eps={eps})")


# --- AdaDelta ------------------------------------------------------------------------------------

@law(needs=("adadelta",), grads=_grads(min_abs=0.5, bound=100.0, nonzero=True), scale=st.sampled_from([4.0, 2.0**10, 2.0**20]),
     rho=st.sampled_from([0.5, 0.9, 0.95]), eps=st.sampled_from([1e-6, 1e-8]),
     controls=(ctl.adadelta_no_sqrt,))
def adadelta_update_invariant_to_loss_scale(t, grads, scale, rho, eps):
    """Multiplying the loss by ``c >= 1`` leaves AdaDelta's update unchanged up to eps.

    Zeiler (2012) section 3.2: the update has the units of theta, because
    ``g / sqrt(E[g^2] + eps)`` is unit-free. With ``c g``, the denominator becomes
    ``sqrt(E[g^2] + eps / c^2)``: the step changes by a relative ``eps / (2 E[g^2]_t)`` at
    most, and ``E[Delta^2]`` carries past changes forward, so after t steps the relative
    change is at most ``sum_k eps / (2 E[g^2]_k)`` (computed here per coordinate), plus
    ``16 t eps64`` of rounding. Gradients are at least 0.5 in magnitude so the bound is
    small (about 1e-4 at worst).
    """
    u0, _ = _run(t.adadelta(1.0, rho=rho, eps=eps), grads)
    u1, _ = _run(t.adadelta(1.0, rho=rho, eps=eps), grads * scale)
    e_g = np.zeros(grads.shape[1])
    drift = np.zeros(grads.shape[1])
    for k, (x, y, g) in enumerate(zip(u1, u0, grads), 1):
        e_g = rho * e_g + (1 - rho) * g * g
        drift = drift + eps / (2 * e_g)
        _close(x, y, drift * 1.01 + 16 * k * EPS64, f"adadelta step {k} with the loss scaled by {scale}")


@law(needs=("adadelta",), grads=_grads(), lr=st.sampled_from([None, 0.5, 2.0]), rho=st.sampled_from([0.5, 0.9, 0.95]),
     eps=st.sampled_from([1e-6, 1e-3]),
     # pinned: a non-zero gradient with the default lr (a zero gradient gives a zero step
     # under every sign convention, so random draws alone can miss a sign error)
     examples=({"grads": np.array([[1.0]]), "lr": None, "rho": 0.9, "eps": 1e-6},),
     controls=(ctl.adadelta_keras_lr_default, ctl.adadelta_accumulates_after_lr))
def adadelta_by_default_needs_no_learning_rate(t, grads, lr, rho, eps):
    """With its default lr AdaDelta is Zeiler's Algorithm 1, which has no learning rate; an
    explicit lr scales the update without entering ``E[Delta^2]``.

    Oracle: Zeiler (2012) Algorithm 1 in plain Python floats (``E[g^2]``, ``Delta =
    -RMS[Delta]_{t-1} / RMS[g]_t g``, ``E[Delta^2]``), the update ``lr Delta`` (lr = 1 by
    default; torch's convention, conventions.md section 4). Tolerance ``16 t eps``.
    """
    opt = t.adadelta(rho=rho, eps=eps) if lr is None else t.adadelta(lr, rho=rho, eps=eps)
    updates, _ = _run(opt, grads)
    for j in range(grads.shape[1]):
        eg = ex = 0.0
        for k, g in enumerate(grads[:, j].tolist(), 1):
            eg = rho * eg + (1 - rho) * g * g
            d = -math.sqrt(ex + eps) / math.sqrt(eg + eps) * g
            ex = rho * ex + (1 - rho) * d * d
            want = (1.0 if lr is None else lr) * d
            _close(updates[k - 1][j], want, 16 * k * EPS64, f"adadelta(lr={lr}) step {k}, coordinate {j}")


# --- Adam ----------------------------------------------------------------------------------------

@law(needs=("adam",), g=_vectors(), lr=LRS, b1=BETAS, b2=BETAS,
     controls=(ctl.adam_no_bias_correction, ctl.adam_correction_t_minus_1, ctl.adam_previous_moments,
               ctl.adam_seed_correction, ctl.adam_momentum_sum))
def adam_first_step_is_lr_times_sign(t, g, lr, b1, b2):
    """``m_hat_1 = g_1`` and ``v_hat_1 = g_1^2``, so with ``eps = 0`` Adam's first step is
    ``-eta sign(g_1)``, whatever the betas (Kingma & Ba, section 3: bias correction).

    The corrections divide ``(1 - b) g`` by ``1 - b``, a few roundings: tolerance 8 eps.
    """
    (u,), _ = _run(_adam(t, lr, b1=b1, b2=b2, eps=0.0), g[None, :])
    _close(u, -lr * np.sign(g), 8 * EPS64, f"adam first step (b1={b1}, b2={b2}, eps=0)")


def _one_minus_pow_condition(b: float, k: int) -> float:
    """Condition number of ``c = 1 - b^k`` in ``b^k``: ``b^k / (1 - b^k)`` (0 for b = 0).

    A backward-stable ``1 - b**k`` (``b**k`` correctly rounded, one subtraction) is off by
    about ``eps`` times this, relative: 500 eps at b = 0.999, k = 2."""
    if b == 0:
        return 0.0
    bk = b**k
    return bk / -math.expm1(k * math.log(b))


@law(needs=("adam",), g=_vectors(), lr=LRS, b1=BETAS, b2=BETAS,
     controls=(ctl.adam_no_bias_correction, ctl.adam_correction_t_minus_1, ctl.adam_seed_correction,
               ctl.adam_momentum_sum))
def adam_constant_gradient_steps_are_lr_times_sign(t, g, lr, b1, b2):
    """Under a constant gradient ``m_hat_t = g`` and ``v_hat_t = g^2`` for every t, so with
    ``eps = 0`` every Adam step is ``-eta sign(g)`` (Kingma & Ba, section 3).

    ``m_t = (1 - b1^t) g`` exactly, and the correction divides by ``1 - b^t``. Checked for
    t <= 30. Tolerance from the conditioning: ``(8 + 4 t) eps`` for the recursions (the EMA
    contracts, so errors grow at most linearly) plus ``4 eps (kappa_1 + kappa_2)`` with
    ``kappa = b^t / (1 - b^t)`` the condition number of the correction ``1 - b^t`` (a
    backward-stable ``1 - b**t`` meets it). The few-ulp demand is the accuracy law
    ``adam_constant_gradient_bias_correction_is_exact``.
    """
    steps = 30
    updates, _ = _run(_adam(t, lr, b1=b1, b2=b2, eps=0.0), np.tile(g, (steps, 1)))
    for k, u in enumerate(updates, 1):
        cond = _one_minus_pow_condition(b1, k) + _one_minus_pow_condition(b2, k)
        _close(u, -lr * np.sign(g), (8 + 4 * k + 4 * cond) * EPS64,
               f"adam step {k} under a constant gradient (b1={b1}, b2={b2})")


@law(needs=("adam",), g=_vectors(), lr=LRS, b1=BETAS, b2=BETAS, tier="accuracy",
     controls=(ctl.adam_naive_bias_correction, ctl.adam_no_bias_correction, ctl.adam_correction_t_minus_1))
def adam_constant_gradient_bias_correction_is_exact(t, g, lr, b1, b2):
    """Accuracy: under a constant gradient every Adam step (eps = 0) is ``-eta sign(g)``
    within ``(8 + 4 t) eps``, whatever the conditioning of ``1 - b^t``.

    This asks for an expm1/log1p-grade correction ``1 - b^t = -expm1(t log b)``: written as
    ``1 - b**t`` it loses ``log10(b^t / (1 - b^t))`` digits (31 eps at b2 = 0.999, t = 2),
    which the correctness law ``adam_constant_gradient_steps_are_lr_times_sign`` allows.
    """
    steps = 30
    updates, _ = _run(_adam(t, lr, b1=b1, b2=b2, eps=0.0), np.tile(g, (steps, 1)))
    for k, u in enumerate(updates, 1):
        _close(u, -lr * np.sign(g), (8 + 4 * k) * EPS64, f"adam step {k} under a constant gradient (b1={b1}, b2={b2})")


@law(needs=("adam", "AdamState"), g=_vectors(), b1=st.sampled_from([0.5, 0.9, 0.99]),
     b2=st.sampled_from([0.9, 0.99, 0.999]),
     controls=(ctl.adam_momentum_sum,))
def adam_bias_correction_factors_decrease_to_one(t, g, b1, b2):
    """The correction factors ``1 / (1 - b^t)`` decrease monotonically to 1; the target's
    moments (``state.mu``, ``state.nu``) under a constant gradient are ``g / f1_t`` and
    ``g^2 / f2_t`` with exactly these factors.

    ``1 - b^t`` increases strictly to 1 for ``b in (0, 1)``, so its reciprocal decreases to 1
    (Kingma & Ba, section 3). The law measures ``f_t = g / m_t`` (and ``g^2 / v_t``) for
    t <= 60, checks them against ``1 / (1 - b^t)`` (tolerance ``(8 + 4 t) eps``), that they
    are non-increasing within that tolerance, and that the last is within 1e-2 of 1 when
    ``b^60 < 1e-2``.
    """
    steps = 60
    _, states = _run(_adam(t, 0.01, b1=b1, b2=b2, eps=1e-8), np.tile(g, (steps, 1)))
    prev1 = prev2 = np.inf
    for k, s in enumerate(states, 1):
        f1 = g / np.asarray(s.mu, dtype=np.float64)
        f2 = g * g / np.asarray(s.nu, dtype=np.float64)
        tol = (8 + 4 * k) * EPS64
        _close(f1, np.full(g.shape, 1 / -math.expm1(k * math.log(b1))), tol, f"implied first-moment factor at step {k}")
        _close(f2, np.full(g.shape, 1 / -math.expm1(k * math.log(b2))), tol, f"implied second-moment factor at step {k}")
        if np.any(f1 > prev1 * (1 + tol)) or np.any(f2 > prev2 * (1 + tol)):
            raise LawViolation(f"correction factors rose at step {k}: {prev1!r} -> {f1!r}, {prev2!r} -> {f2!r}")
        prev1, prev2 = np.max(f1), np.max(f2)
    for b, f in ((b1, prev1), (b2, prev2)):
        if b**steps < 1e-2 and abs(f - 1) > 1e-2:
            raise LawViolation(f"correction factor for beta={b} is {f} after {steps} steps; should approach 1")


@law(needs=("adam",), grads=_grads(nonzero_first=True), lr=LRS, scale=POW2, b1=BETAS, b2=st.sampled_from([0.5, 0.9, 0.99, 0.999]),
     amsgrad=st.booleans(),
     controls=(ctl.adam_no_sqrt,))
def adam_invariant_to_gradient_scale(t, grads, lr, scale, b1, b2, amsgrad):
    """With ``eps = 0``, scaling every gradient by ``c > 0`` leaves Adam's updates unchanged
    (Kingma & Ba, section 2.1: "invariant to the scale of the gradients").

    ``c m_hat / sqrt(c^2 v_hat) = m_hat / sqrt(v_hat)``; ``c`` a power of two: tolerance
    ``4 t eps``. ``b2 > 0``: with ``b2 = 0`` a zero gradient after a non-zero one gives
    ``v = 0`` with ``m != 0``, an infinite step at ``eps = 0`` (Hypothesis found it; the
    reference then divides by the smallest normal number, which no scaling law can cover).
    """
    make = lambda: _adam(t, lr, b1=b1, b2=b2, eps=0.0, amsgrad=amsgrad)  # noqa: E731
    u0, _ = _run(make(), grads)
    u1, _ = _run(make(), grads * scale)
    for k, (x, y) in enumerate(zip(u1, u0), 1):
        _close(x, y, 4 * k * EPS64, f"adam step {k} with gradients scaled by {scale} (amsgrad={amsgrad})")


def _cauchy_schwarz_bound(b1: float, b2: float, k: int) -> float:
    """Tight bound on ``|m_hat_k| / sqrt(v_hat_k)`` over all gradient sequences.

    ``m_hat = sum_j w1_j g_j``, ``v_hat = sum_j w2_j g_j^2`` with ``w1_j = (1-b1) b1^j /
    (1-b1^k)``, ``w2_j = (1-b2) b2^j / (1-b2^k)`` (j = 0..k-1 steps back). Cauchy-Schwarz:
    ``|sum w1 g| <= sqrt(sum w1^2 / w2) sqrt(sum w2 g^2)``, with equality for
    ``g_j ∝ w1_j / w2_j``.
    """
    c1 = 1.0 if b1 == 0 else -math.expm1(k * math.log(b1))
    c2 = -math.expm1(k * math.log(b2))
    s = math.fsum((b1 * b1 / b2) ** j for j in range(k)) if b1 else 1.0
    return (1 - b1) / c1 * math.sqrt(c2 / (1 - b2) * s)


@law(needs=("adam",), grads=_grads(max_steps=8, nonzero_first=True), lr=LRS, b1=st.sampled_from([0.0, 0.5, 0.9, 0.99]),
     b2=st.sampled_from([0.5, 0.9, 0.99, 0.999]),
     controls=(ctl.adam_no_bias_correction, ctl.adam_correction_t_minus_1))
def adam_effective_step_within_cauchy_schwarz_bound(t, grads, lr, b1, b2):
    """``|u_t| <= eta (1-b1)/(1-b1^t) sqrt((1-b2^t)/(1-b2) sum_{j<t} (b1^2/b2)^j)`` (eps = 0).

    Proof: Cauchy-Schwarz on ``m_hat = sum w1_j g_j`` against ``v_hat = sum w2_j g_j^2``
    (see ``_cauchy_schwarz_bound``); equality is reached, so the bound is tight. At t = 1 it
    is 1 (the first step is ``eta sign(g)``); as t grows it tends to
    ``(1-b1)/sqrt(1-b2) / sqrt(1 - b1^2/b2)`` when ``b1^2 < b2``, and grows without bound
    otherwise. This is the law that holds in place of Kingma & Ba's two claimed bounds (see
    ``adam_kingma_ba_section_2_1_bounds_fail``). Tolerance ``16 t eps`` relative.
    """
    updates, _ = _run(_adam(t, lr, b1=b1, b2=b2, eps=0.0), grads)
    for k, u in enumerate(updates, 1):
        bound = lr * _cauchy_schwarz_bound(b1, b2, k) * (1 + 16 * k * EPS64)
        if np.any(np.abs(u) > bound):
            raise LawViolation(f"adam step {k}: |u| = {np.abs(u)!r} exceeds the Cauchy-Schwarz bound {bound!r} "
                               f"(b1={b1}, b2={b2}, grads {grads!r})")


def _adam_oracle(grads, b1, b2):
    """Kingma & Ba Algorithm 1 (eta = 1, eps = 0) on a scalar gradient list, plain floats."""
    m = v = 0.0
    out = []
    for k, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        out.append((m / (1 - b1**k)) / math.sqrt(v / (1 - b2**k)))
    return out


#: Counterexamples to Kingma & Ba's section 2.1 bounds: (b1, b2, gradient list, claimed bound).
KB_CASES = {
    # (1 - b1) = 0.5 > sqrt(1 - b2) = 0.316: claimed |step| <= eta (1 - b1)/sqrt(1 - b2) = 1.58 eta.
    # Gradients growing by b2/b1 per step align with the Cauchy-Schwarz extremal sequence.
    "first_bound_growing": (0.5, 0.9, [1.8**k for k in range(60)], 0.5 / math.sqrt(0.1)),
    # (1 - b1) = 0.01 <= sqrt(1 - b2) = 0.316: claimed |step| <= eta. A long run of g = 1
    # then small gradients: v forgets fast (b2 = 0.9), m remembers (b1 = 0.99).
    "second_bound_shrinking": (0.99, 0.9, [1.0] * 50 + [1e-3] * 10, 1.0),
}


@law(needs=("adam",), case=st.sampled_from(sorted(KB_CASES)),
     controls=(ctl.adam_no_bias_correction,))
def adam_kingma_ba_section_2_1_bounds_fail(t, case):
    """Kingma & Ba's two claimed bounds on the effective step are false; the target's steps
    on two pinned sequences match Algorithm 1 and exceed them.

    Claims (section 2.1): ``|Delta_t| <= eta (1-b1)/sqrt(1-b2)`` when
    ``(1-b1) > sqrt(1-b2)``, and ``|Delta_t| <= eta`` otherwise. Counterexamples (found by
    the Cauchy-Schwarz analysis of ``adam_effective_step_within_cauchy_schwarz_bound``):
    ``b1=0.5, b2=0.9, g_k = 1.8^k`` reaches 1.86 eta > 1.58 eta; ``b1=0.99, b2=0.9``, fifty
    1s then 1e-3 reaches 1.34 eta > eta. The target's steps (eta = 1, eps = 0) must equal
    the plain-Python Algorithm 1 within ``64 t eps`` relative; the law also checks that the
    oracle indeed exceeds the claim.
    """
    b1, b2, grads, claim = KB_CASES[case]
    want = _adam_oracle(grads, b1, b2)
    if not max(abs(w) for w in want) > claim:
        raise AssertionError(f"oracle no longer exceeds the claimed bound {claim} in case {case}")
    updates, _ = _run(_adam(t, 1.0, b1=b1, b2=b2, eps=0.0), np.array(grads)[:, None])
    for k, (u, w) in enumerate(zip(updates, want), 1):
        _close(u, [-w], 64 * k * EPS64, f"adam step {k} on the Kingma & Ba counterexample {case!r}")


# --- the eps = 0 edge: a coordinate that has only seen zero gradients -----------------------------

@st.composite
def _grads_with_a_silent_coordinate(draw_):
    """Gradients whose coordinate 0 is 0 at every step (the others drawn as usual)."""
    g = draw_(_grads(max_steps=4, max_dim=3))
    return np.hstack([np.zeros((g.shape[0], 1)), g])


def _adaptive(t, name, lr, inside, beta):
    if name == "adadelta":
        return t.adadelta(lr, rho=beta, eps=0.0)
    if name == "adagrad":
        return _adagrad(t, lr, eps=0.0, initial_accumulator_value=0.0, eps_inside_sqrt=inside)
    if name == "rmsprop":
        return _rmsprop(t, lr, rho=beta, eps=0.0, eps_inside_sqrt=inside)
    return _adam(t, lr, b1=0.9, b2=beta, eps=0.0)


@law(needs=(), cases=per_technique(("adagrad", "rmsprop", "adadelta", "adam")), name=lambda c: st.just(c),
     grads=_grads_with_a_silent_coordinate(), lr=LRS, inside=st.booleans(), beta=st.sampled_from([0.5, 0.9, 0.999]),
     controls=(ctl.zero_over_zero, ctl.adadelta_eps_0_unguarded))
def adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0(t, name, grads, lr, inside, beta):
    """With ``eps = 0`` (and ``G_0 = 0``), a coordinate whose gradients have all been 0 does
    not move: its update is exactly 0 at every step, for AdaGrad, RMSprop, AdaDelta (``rho``
    is ``beta``; ``inside`` does not apply) and Adam.

    Its numerator (``g``, or Adam's ``m``) and its accumulator are both exactly 0, so the
    update is ``0 / 0`` (AdaDelta's ``sqrt(E[Delta^2] / E[g^2]) g``: ``sqrt(0 / 0) 0``); for
    every ``eps > 0`` it is ``0 / eps = 0``, and 0 is the limit as
    eps -> 0 (optax's ``scale_by_rss`` masks it the same way). A NaN here is this law's
    finding; the laws about scale invariance and step bounds draw first gradients without 0
    and so do not depend on it. Exact.
    """
    opt = _adaptive(t, name, lr, inside, beta)
    p = np.zeros(grads.shape[1])
    state = opt.init(p)
    for k, g in enumerate(grads, 1):
        u, state = opt.update(np.array(g), state, p)
        u = np.array(u, dtype=np.float64)
        if u.shape != g.shape or u[0] != 0.0:
            raise LawViolation(f"{name}(eps=0) step {k}: the update of coordinate 0, whose gradients have all been 0, "
                               f"is {u[0] if u.shape == g.shape else u!r}; should be 0 (grads {grads!r})")
        p = p + u


# --- schedules -----------------------------------------------------------------------------------

@law(needs=("constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay"),
     kind=st.sampled_from(["constant", "step", "exponential", "inverse_time"]), lr0=st.floats(1e-4, 10.0),
     rate=st.floats(0.05, 1.0), size=st.integers(1, 5),
     controls=(ctl.step_decay_off_by_one, ctl.exponential_decay_ahead, ctl.inverse_time_without_one))
def schedules_non_increasing_with_right_values(t, kind, lr0, rate, size):
    """Each schedule is non-increasing in the step and has its closed-form value at steps
    0..30: constant ``lr0``; step ``lr0 rate^floor(k/size)``; exponential
    ``lr0 rate^(k/size)``; inverse time ``lr0 / (1 + rate k / size)`` (seed 001's
    decaying learning rate; torch StepLR, optax exponential_decay, Keras InverseTimeDecay).
    ``schedule(0) = lr0``: the first update uses the initial rate. Tolerance 8 eps relative.
    """
    if kind == "constant":
        sched, f = t.constant_schedule(lr0), lambda k: lr0
    elif kind == "step":
        sched, f = t.step_decay(lr0, rate, size), lambda k: lr0 * rate ** (k // size)
    elif kind == "exponential":
        sched, f = t.exponential_decay(lr0, rate, size), lambda k: lr0 * rate ** (k / size)
    else:
        sched, f = t.inverse_time_decay(lr0, rate, size), lambda k: lr0 / (1 + rate * k / size)
    prev = math.inf
    for k in range(31):
        got = float(sched(k))
        want = f(k)
        if not abs(got - want) <= 8 * EPS64 * want:
            raise LawViolation(f"{kind} schedule at step {k}: got {got!r}, should be {want!r} (lr0={lr0}, rate={rate}, size={size})")
        if got > prev:
            raise LawViolation(f"{kind} schedule increased from {prev!r} to {got!r} at step {k}")
        prev = got


_SCHEDULES = ("constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay")


def _make_schedule(t, name, lr0, rate, size):
    if name == "constant_schedule":
        return t.constant_schedule(lr0)
    return getattr(t, name)(lr0, rate, size)


@law(needs=("resume_schedule",), cases=per_technique(_SCHEDULES), name=lambda c: st.just(c), lr0=st.floats(1e-4, 10.0),
     rate=st.floats(0.05, 0.95), size=st.sampled_from([1, 1, 2, 3]), at=st.integers(0, 8), later=st.integers(0, 8),
     controls=(ctl.resume_restarts_at_zero, ctl.resume_one_step_ahead))
def resuming_a_schedule_at_step_n_equals_stepping_n_times(t, name, lr0, rate, size, at, later):
    """A run checkpointed after ``at`` updates and restored (``resume_schedule(schedule, at)``)
    uses at update ``k = at + later`` the rate the uninterrupted run uses, ``schedule(k)``.

    Seed 001's decaying learning rate is a function of the update count; a framework whose
    scheduler keeps state (torch's ``last_epoch`` and the lr in the param groups, an
    optimizer's step counter) must restore it. Both runs perform the same arithmetic, so the
    tolerance is 8 eps relative per step (a chained scheduler multiplies once per step).
    """
    sched = _make_schedule(t, name, lr0, rate, size)
    k = at + later
    got, want = float(t.resume_schedule(sched, at)(k)), float(sched(k))
    if not abs(got - want) <= 8 * (k + 1) * EPS64 * abs(want):
        raise LawViolation(f"{name}(lr0={lr0!r}, rate={rate!r}, size={size}) resumed at step {at}: rate at step {k} is "
                           f"{got!r}; the uninterrupted run's is {want!r}")


# --- every optimiser -----------------------------------------------------------------------------

#: Configurations of every optimiser with every switch explicit; a target that lacks one
#: option (NotImplementedError) runs the others.
_SGD = dict(momentum=0.0, nesterov=False, dampening=0.0, weight_decay=0.0, lr_inside_velocity=False)
_ADAGRAD = dict(eps=1e-10, initial_accumulator_value=0.0, eps_inside_sqrt=False, lr_decay=0.0)
_RMSPROP = dict(rho=0.99, eps=1e-8, eps_inside_sqrt=False, centered=False, momentum=0.0, bias_correction=False)
_ADAM = dict(b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat", amsgrad=False, weight_decay=0.0)
CONFIGS = [
    ("sgd", dict(_SGD, lr=0.1)), ("sgd", dict(_SGD, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("sgd", dict(_SGD, lr=0.1, momentum=0.9, lr_inside_velocity=True)),
    ("nesterov_lookahead", dict(lr=0.1, momentum=0.9)),
    ("adagrad", dict(_ADAGRAD, lr=0.1)),
    ("adagrad", dict(_ADAGRAD, lr=0.1, initial_accumulator_value=0.1, eps_inside_sqrt=True)),
    ("rmsprop", dict(_RMSPROP, lr=0.01)),
    ("rmsprop", dict(_RMSPROP, lr=0.01, centered=True, momentum=0.9, bias_correction=True)),
    ("rmsprop", dict(_RMSPROP, lr=0.01, eps_inside_sqrt=True, centered=True, momentum=0.9)),
    ("adadelta", dict(lr=1.0, rho=0.9, eps=1e-6)), ("adam", dict(_ADAM, lr=0.01)),
    ("adam", dict(_ADAM, lr=0.01, amsgrad=True, weight_decay=0.01)), ("adam", dict(_ADAM, lr=0.01, eps_form="eps_hat")),
]
_ALL = ("sgd", "nesterov_lookahead", "adagrad", "rmsprop", "adadelta", "adam")


def _arrays_of(state):
    return [np.array(a, copy=True) for a in state if isinstance(a, np.ndarray)]


def _configs_of(name):
    return st.sampled_from([c for c in CONFIGS if c[0] == name])


def _degenerate(config) -> bool:
    """Centred RMSprop with bias correction: at the first update its variance estimate
    ``nu/c - (mu/c)**2 = g**2 - g**2`` is 0 in exact arithmetic, so the update divides by the
    root of a rounding error (unbounded condition number; ``centered_rmsprop_of_a_constant_
    gradient_is_finite`` states what holds there)."""
    name, kw = config
    return name == "rmsprop" and kw.get("centered") and kw.get("bias_correction")


def _conditioned_configs_of(name):
    """The configurations whose updates are well conditioned in the gradients (laws that
    compare two runs of the target within a rounding tolerance)."""
    return st.sampled_from([c for c in CONFIGS if c[0] == name and not _degenerate(c)])


@law(needs=(), cases=per_technique(_ALL), config=_configs_of, grads=_grads(max_steps=3), data=st.data(),
     controls=(ctl.modifies_state,))
def optimizers_never_modify_their_inputs(t, config, grads, data):
    """``update(grads, state, params)`` never modifies grads, params or the state's arrays
    (optax's contract; the reference's in-place variant is the separate ``step_``). Exact.
    One case per optimiser (``CONFIGS``).
    """
    name, kw = config
    opt = getattr(t, name)(**kw)
    p = data.draw(hnp.arrays(np.float64, grads.shape[1], elements=st.floats(-10, 10)), label="params")
    state = opt.init(p)
    for g in grads:
        g = np.array(g)
        g0, p0, s0 = g.copy(), p.copy(), _arrays_of(state)
        u, new = opt.update(g, state, p)
        for what, before, after in [("grads", g0, g), ("params", p0, p)] + [
                (f"state array {i}", b, a) for i, (b, a) in enumerate(zip(s0, _arrays_of(state)))]:
            if not np.array_equal(before, after, equal_nan=True):
                raise LawViolation(f"{name}({kw}).update modified its {what}: {before!r} -> {after!r}")
        state, p = new, p + np.asarray(u)


@law(needs=(), cases=per_technique(_ALL), config=_configs_of, g=_vectors(), h=_vectors(),
     controls=(ctl.shared_output_buffer,))
def optimizers_are_deterministic(t, config, g, h):
    """The same ``(grads, state, params)`` always gives the same update and state, and an
    update already returned is never changed by later calls. Exact (bitwise). One case per
    optimiser (``CONFIGS``).
    """
    name, kw = config
    h = np.resize(h, g.shape)
    opt = getattr(t, name)(**kw)
    p = np.linspace(-1.0, 1.0, g.size)
    state = opt.init(p)
    u1, s1 = opt.update(g.copy(), state, p)
    keep_u, keep_s = np.array(u1, copy=True), _arrays_of(s1)
    opt.update(h.copy(), state, p)
    if not np.array_equal(np.asarray(u1), keep_u, equal_nan=True):
        raise LawViolation(f"{name}({kw}): a later call changed an update already returned: {keep_u!r} now reads "
                           f"{np.asarray(u1)!r}")
    u3, s3 = opt.update(g.copy(), state, p)
    if not np.array_equal(np.asarray(u3), keep_u, equal_nan=True):
        raise LawViolation(f"{name}({kw}): the same inputs gave {keep_u!r}, then {np.asarray(u3)!r}")
    for a, b in zip(keep_s, _arrays_of(s3)):
        if not np.array_equal(a, b, equal_nan=True):
            raise LawViolation(f"{name}({kw}): same inputs gave different states {a!r} and {b!r}")


# --- every optimiser: schedules, element-wise updates, the step count, zero gradients (issue 16) ---

def _make(t, name, kw, lr=None):
    return getattr(t, name)(**(kw if lr is None else dict(kw, lr=lr)))


def _params_like(shape, seed):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape)


@law(needs=(), cases=per_technique(_ALL), config=_conditioned_configs_of, grads=_grads(max_steps=5, max_dim=3),
     factors=st.lists(st.sampled_from([1.0, 0.5, 0.25, 2.0, 0.125]), min_size=5, max_size=5),
     seed=st.integers(0, 2**32 - 1),
     controls=(ctl.schedule_one_step_ahead,))
def optimizers_read_the_schedule_at_the_number_of_updates_done(t, config, grads, factors, seed):
    """An optimiser given a schedule ``s`` as its lr (a callable of the 0-based step) makes
    update k with ``s(k - 1)``: its updates equal those of the same optimiser run on the same
    state with the constant learning rate ``s(0)`` on the first update, ``s(1)`` on the second,
    and so on (optax's convention; ``schedule(0)`` is the initial rate).

    The schedule is a plain table of values (lr times factors in {1/8 .. 2}, one per step), so
    any other index gives another value (NaN in both runs agrees: finiteness is another law's
    business). Centred RMSprop with bias correction is left out (``_degenerate``). One case per
    optimiser (``CONFIGS``).

    Tolerance: both runs evaluate one formula with the same ``eta``, but a compiled target
    (XLA under ``jax.jit``) may contract or order the operations differently when the lr is a
    traced value rather than a constant, so the runs may differ by a few roundings of each
    *term* of the update, not of the result (momentum of one sign and a gradient of the other:
    terms 50 times the update). The scale of the terms is the same optimiser's update for
    ``|g|`` and ``|p|`` (a third run, constant lr): every term then has one sign, so nothing
    cancels, and its second moments are those of the run under test. ``8 k eps`` of that scale
    at update k; an index error changes the update by the ratio of two table values (at least 2).
    """
    name, kw = config
    values = [kw["lr"] * f for f in factors]

    def schedule(k):
        k = int(k)
        return values[k] if 0 <= k < len(values) else 3.0 * kw["lr"]  # off the table: a value no update should use

    p_s = p_c = _params_like(grads.shape[1], seed)
    opt_s = _make(t, name, kw, schedule)
    s_s, s_c = opt_s.init(p_s), _make(t, name, kw, values[0]).init(p_c)
    s_m = _make(t, name, kw, values[0]).init(np.abs(p_c))
    for k, g in enumerate(grads, 1):
        u_s, s_s = opt_s.update(np.array(g), s_s, p_s)
        u_c, s_c = _make(t, name, kw, values[k - 1]).update(np.array(g), s_c, p_c)
        u_m, s_m = _make(t, name, kw, values[k - 1]).update(np.abs(g), s_m, np.abs(p_c))
        u_c64 = np.asarray(u_c, dtype=np.float64)
        scale = np.maximum(np.abs(u_c64), np.nan_to_num(np.abs(np.asarray(u_m, dtype=np.float64))))
        _close(np.asarray(u_s, dtype=np.float64), u_c64, 0.0,
               f"{name}({kw}) update {k} with lr schedule {values} vs constant lr {values[k - 1]} (s(k - 1))",
               atol=8 * k * EPS64 * scale, equal_nan=True)
        p_s, p_c = p_s + np.asarray(u_s), p_c + np.asarray(u_c)


#: A parameter of at least 2**18 elements (not a power of two, so chunked kernels have a tail).
BIG_SHAPE = (2**9 + 1, 2**9)
#: Pieces of the flattened big parameter run separately as the element-wise oracle.
PIECE = 2**12


@st.composite
def _elementwise_shapes(draw_):
    """A 2-d or 3-d shape of at most 27 elements, or (about one example in 20) ``BIG_SHAPE``."""
    if draw_(st.integers(0, 15), label="big") == 15:
        return BIG_SHAPE
    return tuple(draw_(st.lists(st.integers(1, 3), min_size=2, max_size=3), label="shape"))


def _run_on(opt, grads, p, iterates=None):
    state = opt.init(p)
    out = []
    for g in grads:
        if iterates is not None:
            iterates.append(np.abs(p))
        u, state = opt.update(np.array(g), state, p)
        u = np.asarray(u, dtype=np.float64)
        out.append(u)
        p = p + u
    return out


@law(needs=(), cases=per_technique(_ALL), config=_conditioned_configs_of, shape=_elementwise_shapes(), steps=st.integers(1, 3),
     scale=st.sampled_from([1e-3, 1.0, 1e3]), seed=st.integers(0, 2**32 - 1),
     controls=(ctl.second_moment_shared_along_axis_0, ctl.float32_fast_path_for_large_arrays))
def optimizer_updates_are_element_wise(t, config, shape, steps, scale, seed):
    """Every optimiser updates each parameter element from that element's own gradients
    (and value) alone: the update of a 2-d or 3-d parameter equals, element by element, the
    updates of the same optimiser run on each element as a parameter of its own; for a
    parameter of at least 2**18 elements (``BIG_SHAPE``), the updates of its flattened pieces
    of ``PIECE`` elements run separately.

    Same operations on the same numbers, but a vectorised kernel may contract a multiply-add
    or order a sum differently (XLA compiles each shape on its own: 16 ulp seen on a momentum
    update that cancels), and that rounding is relative to the terms the update sums, not to
    the update: tolerance 4 eps relative plus ``16 k eps max_j<=k |u_j|`` at update k, the
    largest update so far over all elements standing for those terms, plus ``2 eps |p|``: a
    target that updates its parameters in place (torch) returns ``p_new - p``, exact but
    carrying the rounding of ``p_new`` (torch's fused Adam with weight decay: 1 ulp of p). Mixing elements (the
    controls) changes updates by orders of magnitude more. NaN where the element alone gives
    NaN too is consistent (element-wise); whether NaN is right is other laws' business
    (``centered_rmsprop_of_a_constant_gradient_is_finite``). Centred RMSprop with bias
    correction is left out (``_degenerate``: its first update is a rounding error's root). The big case costs tens of milliseconds an example;
    it is drawn rarely (``_elementwise_shapes``: 30 of 600 examples measured), so a dev run
    sees one or two per optimiser. One case per optimiser (``CONFIGS``).
    """
    name, kw = config
    rng = np.random.default_rng(seed)
    grads = rng.standard_normal((steps, *shape)) * scale
    p = _params_like(shape, seed)
    iterates = []
    got = _run_on(_make(t, name, kw), grads, p, iterates)
    if shape == BIG_SHAPE:
        flat_g, flat_p = grads.reshape(steps, -1), p.ravel()
        pieces = [_run_on(_make(t, name, kw), flat_g[:, i:i + PIECE], flat_p[i:i + PIECE])
                  for i in range(0, flat_p.size, PIECE)]
        want = [np.concatenate([pc[k] for pc in pieces]).reshape(shape) for k in range(steps)]
        what = f"pieces of {PIECE}"
    else:
        want = [np.empty(shape) for _ in range(steps)]
        for idx in np.ndindex(*shape):
            for k, u in enumerate(_run_on(_make(t, name, kw), grads[(slice(None), *idx)][:, None], p[idx][None])):
                want[k][idx] = u[0]
        what = "each element alone"
    biggest = 0.0
    for k, (u, w) in enumerate(zip(got, want), 1):
        if u.shape != shape:
            raise LawViolation(f"{name}({kw}) update {k}: shape {u.shape}, should be the parameter's {shape}")
        biggest = max(biggest, float(np.nanmax(np.abs(w), initial=0.0)))
        _close(u, w, 4 * EPS64, f"{name}({kw}) update {k} of a {shape} parameter vs {what} (seed {seed}, scale {scale})",
               atol=16 * k * EPS64 * biggest + 2 * EPS64 * iterates[k - 1], equal_nan=True)


STATE_CLASSES = {"sgd": "SGDState", "nesterov_lookahead": "NesterovLookaheadState", "adagrad": "AdagradState",
                 "rmsprop": "RMSpropState", "adadelta": "AdadeltaState", "adam": "AdamState"}


@law(needs=(), cases={n: (n, STATE_CLASSES[n]) for n in _ALL}, config=_configs_of, grads=_grads(max_steps=6),
     controls=(ctl.count_not_advanced,))
def optimizer_state_count_is_the_number_of_updates_done(t, config, grads):
    """``init(params).count`` is 0 and ``count`` after k updates is k (the ``count`` field of
    the state, reference/optimizers/_base.py). Each case also needs the optimiser's state
    class (``SGDState`` ... ``AdamState``), so a target whose state is opaque skips it. Exact.
    """
    name, kw = config
    opt = _make(t, name, kw)
    p = np.linspace(-1.0, 1.0, grads.shape[1])
    state = opt.init(p)
    for k, g in enumerate(grads, 0):
        if not float(np.asarray(state.count)) == k:
            raise LawViolation(f"{name}({kw}): state.count is {state.count!r} after {k} update(s); should be {k}")
        u, state = opt.update(np.array(g), state, p)
        p = p + np.asarray(u)
    if not float(np.asarray(state.count)) == len(grads):
        raise LawViolation(f"{name}({kw}): state.count is {state.count!r} after {len(grads)} updates")


def _without_weight_decay(kw):
    return dict(kw, weight_decay=0.0) if "weight_decay" in kw else kw


def _has_first_moment(name, kw):
    """A buffer that carries past gradients into the step: momentum, Nesterov, Adam's m."""
    return name in ("nesterov_lookahead", "adam") or kw.get("momentum", 0.0) != 0.0


@law(needs=(), cases=per_technique(_ALL), config=lambda name: _configs_of(name).map(lambda c: (c[0], _without_weight_decay(c[1]))),
     history=_grads(max_steps=3), params=_vectors(),
     controls=(ctl.zero_weight_decay_ignored,))
def a_zero_gradient_leaves_the_parameters_unchanged(t, config, history, params):
    """Without weight decay (``weight_decay=0`` passed explicitly) and with eps > 0, an
    all-zero gradient gives an all-zero update (the parameters do not move) while every
    first-moment buffer is zero.

    Premise, exactly: a fresh state for the configurations with a first moment (momentum,
    Nesterov, Adam's ``m``), whose buffer is zero only then; after any history of gradients
    for the others (plain SGD, AdaGrad, RMSprop without momentum - centred or not - and
    AdaDelta), whose step is the gradient times a finite factor. Exact.
    """
    name, kw = config
    opt = _make(t, name, kw)
    p = np.resize(params, history.shape[1])
    state = opt.init(p)
    if not _has_first_moment(name, kw):
        for g in history:
            u, state = opt.update(np.array(g), state, p)
            p = p + np.asarray(u)
    else:
        history = history[:0]
    u, _ = opt.update(np.zeros_like(p), state, p)
    u = np.asarray(u, dtype=np.float64)
    if u.shape != p.shape or not np.all(u == 0):
        raise LawViolation(f"{name}({kw}): a zero gradient after {len(history)} update(s) gives the update {u!r}; "
                           f"should be 0 (params {p!r}, history {history!r})")


# --- AMSGrad and AdamW (issue 16) ---------------------------------------------------------------

@law(needs=("adam", "AdamState"), grads=_grads(max_steps=8), lr=LRS, b1=BETAS, b2=BETAS,
     controls=(ctl.amsgrad_max_not_taken,))
def amsgrad_running_maximum_never_decreases(t, grads, lr, b1, b2):
    """AMSGrad's running maximum of the second moment (``state.nu_max``) never decreases,
    coordinate-wise (Reddi, Kale & Kumar 2018, Algorithm 2: ``v_hat_t = max(v_hat_{t-1}, v_t)``,
    the maximum of the raw or of the bias-corrected ``v`` alike). A maximum is computed exactly:
    the law is exact.
    """
    _, states = _run(_adam(t, lr, b1=b1, b2=b2, eps=1e-8, amsgrad=True), grads)
    prev = np.zeros(grads.shape[1])
    for k, s in enumerate(states, 1):
        vmax = np.asarray(s.nu_max, dtype=np.float64)
        if np.any(~(vmax >= prev)):
            raise LawViolation(f"amsgrad nu_max decreased at step {k}: {prev!r} -> {vmax!r} (b2={b2}, grads {grads!r})")
        prev = vmax


@law(needs=("adam",), g=_vectors(), lr=LRS, b1=BETAS, b2=st.sampled_from([0.0, 0.5, 0.9]), steps=st.integers(2, 6),
     controls=(ctl.amsgrad_ignored,))
def amsgrad_steps_are_smaller_than_adams_once_the_second_moment_shrinks(t, g, lr, b1, b2, steps):
    """On shrinking gradients ``g_k = g 10^-(k-1)`` with ``b2 <= 0.9`` the second moment
    decreases from step 2 on, so AMSGrad (which divides by its running maximum) differs from
    Adam: for ``k >= 2``, ``|u_k^amsgrad| <= sqrt(b2 + 0.01) |u_k^adam|`` (eps = 0).

    ``v_2 / v_1 = b2 + 0.01 (1 - b2)`` and ``v`` keeps decreasing (``g_{k+1}^2 < v_k``), so the
    maximum stays ``v_1``: the ratio of the steps is ``sqrt(v_k / v_1) <= sqrt(v_2 / v_1)``; with
    the maximum of the bias-corrected ``v`` (optax) it is smaller still. Tolerance
    ``16 k eps`` relative.
    """
    grads = np.array([g * 10.0 ** -(k - 1) for k in range(1, steps + 1)])
    ams, _ = _run(_adam(t, lr, b1=b1, b2=b2, eps=0.0, amsgrad=True), grads)
    plain, _ = _run(_adam(t, lr, b1=b1, b2=b2, eps=0.0, amsgrad=False), grads)
    ratio = math.sqrt(b2 + 0.01)
    for k in range(2, steps + 1):
        a, p = np.abs(ams[k - 1]), np.abs(plain[k - 1])
        if np.any(a > ratio * p * (1 + 16 * k * EPS64)):
            raise LawViolation(f"step {k} on shrinking gradients: |amsgrad| = {a!r} should be at most sqrt(b2 + 0.01) = "
                               f"{ratio:.4g} times |adam| = {p!r} (b1={b1}, b2={b2}, g={g!r})")


@law(needs=("adam",), grads=_grads(max_steps=6), lr=LRS, wd=st.sampled_from([1e-4, 1e-2, 0.1, 1.0]), b1=BETAS,
     b2=st.sampled_from([0.5, 0.9, 0.999]), theta0=_vectors(),
     controls=(ctl.adamw_decays_the_new_iterate, ctl.adam_coupled_l2))
def adamw_decays_the_previous_iterate(t, grads, lr, wd, b1, b2, theta0):
    """Decoupled weight decay (AdamW, Loshchilov & Hutter 2019, Algorithm 2) shrinks the
    *previous* iterate: ``theta_t = theta_{t-1} (1 - eta lambda) - eta u_t``, where
    ``-eta u_t`` is the update plain Adam (``weight_decay=0``) makes on the same gradients.

    The moments do not see theta, so the two runs share them. The law is about the iterate
    ``theta_t``: a target that decays the parameters in place (torch's ``p.mul_(1 - lr wd)``)
    returns its update as ``theta_t - theta_{t-1}``, which carries the rounding of ``theta_t``
    (``eps |theta_{t-1}|``), however small the update. The iterate is a few operations on
    ``theta_{t-1}`` and ``eta u_t``: tolerance ``8 eps (|theta_{t-1}| + |eta u_t|)``.
    """
    theta = np.resize(theta0, grads.shape[1])
    decayed = _adam(t, lr, b1=b1, b2=b2, eps=1e-8, weight_decay=wd)
    plain = _adam(t, lr, b1=b1, b2=b2, eps=1e-8, weight_decay=0.0)
    sd, sp = decayed.init(theta), plain.init(theta)
    for k, g in enumerate(grads, 1):
        u, sd = decayed.update(np.array(g), sd, theta)
        u0, sp = plain.update(np.array(g), sp, theta)
        u, u0 = np.asarray(u, dtype=np.float64), np.asarray(u0, dtype=np.float64)
        got, want = theta + u, theta * (1 - lr * wd) + u0
        _close(got, want, 0.0, f"adamw step {k} (lr={lr}, wd={wd}): theta_t = theta_(t-1) (1 - lr wd) - lr u_t",
               atol=8 * EPS64 * (np.abs(theta) + np.abs(u0)))
        theta = got


# --- Newton, minimize and schedules: laws from the full mutation run ---

_FMAX = np.finfo(np.float64).max

#: Divergence paths of ``minimize`` with gradient descent on ``grad(x) = sign c x``: the
#: gradient overflows first (c = 2^10, lr = 2^-8: x -> -3x), the update -lr g does (c = 1,
#: lr = 4: x -> -3x) or only the new iterate does (sign -1, c = 1, lr = 2: x -> 3x).
#: ``(sign, c, lr, window)``: the iterate magnitudes a that stop the run are those in the window.
_DIVERGENCE = {"gradient": (1.0, 2.0**10, 2.0**-8, (2.0**-10, 3 * 2.0**-10)),
               "update": (1.0, 1.0, 4.0, (0.25, 0.75)),
               "iterate": (-1.0, 1.0, 2.0, (1 / 3, 0.5))}


def _diverging_start(kind, j, d, pos, mant, seed):
    """``x_0`` whose largest coordinate ``x_0[pos]`` reaches the kind's overflow window at
    iterate ``j`` (``|x_j| = 3^j |x_0[pos]|``), the others 2^-20 of it or less; every entry has
    at most 12 significant bits, so ``3^k x_0`` is exact for k <= 12."""
    from fractions import Fraction
    lo, hi = (Fraction(w) * Fraction(_FMAX) for w in _DIVERGENCE[kind][3])
    e = math.floor(math.log2(float(lo))) - 2 * j - 14       # 3^j n 2^e in (lo, hi] for some n < 2^14
    unit = Fraction(3) ** j * Fraction(2) ** e
    n = math.floor(lo / unit) + 1 + (mant % max(1, math.floor(hi / unit) - math.floor(lo / unit) - 1))
    rng = np.random.default_rng(seed)
    x0 = np.array([float(rng.integers(1, 2**12)) * 2.0**(e - 20) for _ in range(d)])
    x0 *= rng.choice([-1.0, 1.0], size=d)
    x0[pos] = math.copysign(n * 2.0**e, x0[pos])
    return x0


@law(needs=("sgd", "minimize"), kind=st.sampled_from(sorted(_DIVERGENCE)), j=st.integers(0, 6), extra=st.integers(-1, 2),
     d=st.integers(1, 3), pos=st.integers(0, 2), mant=st.integers(0, 2**12), seed=st.integers(0, 2**16),
     history=st.sampled_from([True, True, False]),
     controls=(ctl.minimize_counts_the_overflowed_step, ctl.minimize_history_always),
     examples=tuple({"kind": k, "j": 2, "extra": e, "d": 2, "pos": 1, "mant": 5, "seed": 1, "history": hist}
                    for k in sorted(_DIVERGENCE) for e in (0, 1) for hist in (True, False)))
def minimize_stops_at_the_first_overflow_of_gradient_update_or_iterate(t, kind, j, extra, d, pos, mant, seed, history):
    """``minimize`` (reference/optimizers/driver.py, NaN policy) stops a diverging run at the
    last finite iterate ``x_k``, whichever overflows first at step k: the gradient ``grad(x_k)``
    (also after the last update, k = steps), the update, or the new iterate ``x_k + u_k``; it
    returns ``x = x_k``, ``steps = k``, ``converged = False``, ``grad_norm = inf`` and, with
    ``history=True``, the iterates ``x_0 .. x_k``; a run that does not diverge returns
    ``x_steps`` and ``||grad(x_steps)||``. With ``history=False`` the history is None
    (``history`` is always passed).

    Gradient descent on ``grad(x) = sign c x`` with powers of two ``c``, ``lr`` and ``lr c`` in
    {2, 4} multiplies ``x`` by 3 or -3; ``x_0`` has 12-bit entries, so every iterate, gradient
    and update is exact (or overflows) and the expected run is the driver's loop replayed here:
    exact comparisons, and the norm (a sum of squares) to ``(d + 3) eps`` relative. The budget
    is ``steps = j + extra``: the run diverges within it, at its last gradient, or not at all.
    """
    steps = max(0, j + extra)
    sign, c, lr, _ = _DIVERGENCE[kind]
    x0 = _diverging_start(kind, j, d, pos % d, mant, seed)
    kw = {"history": history}
    res = t.minimize(_sgd(t, lr), lambda x: sign * c * np.asarray(x, dtype=np.float64), x0.copy(), steps=steps,
                     tol=None, **kw)
    x, hist, k, gn = x0.copy(), [x0.copy()], None, None
    with np.errstate(over="ignore"):
        for i in range(steps):
            g = sign * c * x
            u = -lr * g
            if not (np.all(np.isfinite(g)) and np.all(np.isfinite(u)) and np.all(np.isfinite(x + u))):
                k, gn = i, math.inf
                break
            x = x + u
            hist.append(x.copy())
        else:
            g = sign * c * x
            k = steps
            gn = math.inf if not np.all(np.isfinite(g)) else math.hypot(*g)
    what = f"minimize(sgd({lr!r}), grad x -> {sign * c!r} x, x0={x0!r}, steps={steps}, history={history})"
    got_x = np.asarray(res.x, dtype=np.float64)
    if res.steps != k or got_x.shape != x.shape or np.any(got_x != x):
        raise LawViolation(f"{what}: returned steps={res.steps}, x={got_x!r}; should stop after {k} step(s) at {x!r}")
    rgn = float(res.grad_norm)
    ok_gn = rgn == gn if math.isinf(gn) else abs(rgn - gn) <= (d + 3) * EPS64 * gn
    if bool(res.converged) or not ok_gn:
        raise LawViolation(f"{what}: converged={res.converged!r}, grad_norm={res.grad_norm!r}; should be False and {gn!r}")
    if history:
        h = None if res.history is None else np.asarray(res.history, dtype=np.float64)
        want = np.stack(hist)
        if h is None or h.shape != want.shape or np.any(h != want):
            raise LawViolation(f"{what}: history {h!r}; should be the iterates x_0 .. x_{k} {want!r}")
    elif res.history is not None:
        raise LawViolation(f"{what}: history is {res.history!r}; should be None unless history=True")


@law(needs=("sgd", "minimize"), v=st.lists(st.floats(0.5, 1.0) | st.floats(-1.0, -0.5), min_size=2, max_size=4),
     exp=st.integers(-1070, 1020), dtype=st.sampled_from(["float64", "float32"]), steps=st.integers(0, 1),
     controls=(ctl.minimize_norm_unscaled,),
     examples=({"v": [0.75, -0.6], "exp": -1000, "dtype": "float64", "steps": 0},
               {"v": [0.7, -0.9, 0.55], "exp": 60, "dtype": "float32", "steps": 1}))
def minimize_reports_the_gradient_norm_at_any_scale_and_dtype(t, v, exp, dtype, steps):
    """``minimize``'s ``grad_norm`` is the Euclidean norm ``||grad_fn(x)||_2`` of the gradient
    it is given, as a float64 number, at every magnitude of float64 (2^-1070 to 2^1020: a
    sum of squares underflows below 1e-154 and overflows above 1.3e154) and when ``grad_fn``
    returns float32 (a framework's gradient): with ``tol = 0`` a nonzero gradient is not
    converged. The gradient here is a constant, so the norm is that of the drawn vector.

    A norm scaled by the largest magnitude rounds each of d quotients, d squares and sums, the
    square root and the product once: ``(d + 3) eps`` relative (float64 arithmetic on the
    float32 values, which float64 holds exactly); the oracle is ``math.hypot`` (correctly
    scaled, within 1 ulp).
    """
    if dtype == "float32":
        exp = max(-120, min(exp, 120))
    d = len(v)
    g = (np.array(v) * 2.0**exp).astype(dtype)
    g64 = g.astype(np.float64)
    want = math.hypot(*g64)
    res = t.minimize(_sgd(t, 0.5), lambda x: g.copy(), np.zeros(d), steps=steps, tol=0.0, history=False)
    got = float(res.grad_norm)
    if not abs(got - want) <= (d + 3) * EPS64 * want or bool(res.converged):
        raise LawViolation(f"minimize(tol=0) with the constant {dtype} gradient {g!r}: grad_norm={got!r}, converged="
                           f"{res.converged!r}; should be ||g|| = {want!r} (to {(d + 3)} eps) and not converged")


def _exponents(lo, hi):
    """Integers in [lo, hi], drawn near either end (the subnormal range, the top of float64:
    there the reference rescales by powers of two), within [-400, 400] (no rescaling, but far
    from 1: a singularity test that is not relative to the largest singular value fails) or
    anywhere."""
    return st.one_of(st.integers(lo, min(hi, lo + 60)), st.integers(max(lo, hi - 60), hi),
                     st.integers(max(lo, -400), min(hi, 400)), st.integers(lo, hi))


def _diag_hessian_case(draw_):
    """``(g, h, p, lr)``: a diagonal Hessian with entries ``+-m 2^(E_h + k)`` (m < 2^8 odd,
    0 <= k <= 40, E_h from the subnormal range to 2^950) and a gradient ``+-n 2^(E_g + l)``
    whose quotient g / h stays within 2^+-850, so the Newton step is a normal float64."""
    d = draw_(st.integers(1, 4), label="d")
    e_h = draw_(_exponents(-1074, 950), label="E_h")
    e_g = draw_(_exponents(max(-1074, e_h - 800), min(950, e_h + 800)), label="E_g")
    ints = st.integers(0, 127).map(lambda i: 2 * i + 1)
    h = np.array([draw_(st.sampled_from([-1.0, 1.0])) * draw_(ints) * 2.0 ** (e_h + draw_(st.integers(0, 40)))
                  for _ in range(d)])
    g = np.array([draw_(st.sampled_from([-1.0, 1.0])) * draw_(ints) * 2.0 ** (e_g + draw_(st.integers(0, 40)))
                  for _ in range(d)])
    p = np.array(draw_(st.lists(st.floats(-4.0, 4.0), min_size=d, max_size=d)))
    lr = draw_(st.sampled_from([1.0, 0.5, 0.3, 1.5]))
    return g, h, p, lr


@law(needs=("newton_step",), case=st.composite(lambda draw_: _diag_hessian_case(draw_))(),
     controls=(ctl.newton_h_times_scale, ctl.newton_absolute_singular_threshold),
     examples=({"case": (np.array([1.0, -3.0]), np.array([2.0**-100, 2.0**-90]), np.zeros(2), 1.0)},
               {"case": (np.array([2.0**-900, -(2.0**-930)]), np.array([2.0**-1070, 3 * 2.0**-1060]), np.zeros(2), 1.0)},
               {"case": (np.array([-(2.0**-225)]), np.array([-(2.0**-1026)]), np.zeros(1), 1.0)},
               {"case": (np.array([7 * 2.0**-1074, -5 * 2.0**-1072]), np.array([3 * 2.0**-1000, 7 * 2.0**-1010]),
                         np.zeros(2), 1.0)}))
def newton_step_on_a_diagonal_hessian_divides_at_any_scale(t, case):
    """For a diagonal Hessian ``H = diag(h)`` the Newton step is ``params - lr g_i / h_i``
    coordinate by coordinate (``H d = g`` decouples), at every scale of H and g: Hessians in
    the subnormal range or near 2^1000, gradients likewise, whenever the step is a normal
    number (reference/optimizers/newton.py rescales H and g by powers of two, exactly, so the
    solve "neither overflows nor loses digits to subnormals"). The condition number here is
    below 2^48 < 1 / (d eps) for d <= 4, so H is not singular by the module's test, which is
    relative to the largest singular value, not absolute.

    Tolerance: the quotient, the product with lr and the sum with params round once each:
    ``2 eps (|params_i| + 2 |lr g_i / h_i|)``.
    """
    g, h, p, lr = case
    with np.errstate(under="ignore"):
        step = lr * (g / h)
        want = p - step
        try:
            got = np.asarray(t.newton_step(p.copy(), g.copy(), np.diag(h), lr=lr), dtype=np.float64)
        except ValueError as exc:
            raise LawViolation(f"newton_step(params={p!r}, grad={g!r}, hessian=diag({h!r}), lr={lr}) raised "
                               f"ValueError ({exc}); H has condition number below 2^48 and the step "
                               f"{want!r} is a normal float64") from exc
    tol = 2 * EPS64 * (np.abs(p) + 2 * np.abs(step))
    if got.shape != want.shape or not np.all(np.abs(got - want) <= tol):
        raise LawViolation(f"newton_step(params={p!r}, grad={g!r}, hessian=diag({h!r}), lr={lr}) = {got!r}; "
                           f"should be params - lr g / h = {want!r}")


@law(needs=("newton_step",), g=_vectors(max_dim=3), h=_vectors(max_dim=3, min_abs=0.1, bound=10.0),
     controls=(ctl.newton_step_default_half,))
def newton_step_defaults_to_the_full_step(t, g, h):
    """``newton_step(params, grad, hessian)`` without ``lr`` is the full Newton step ``lr = 1``
    (its signature; seed 001: ``theta* - theta = -H^-1 grad L``, the minimiser of the quadratic
    model): it equals ``newton_step(..., lr=1.0)`` bit for bit (the same computation).
    """
    d = min(len(g), len(h))
    g, hess, p = g[:d], np.diag(h[:d]), np.linspace(-1.0, 1.0, d)
    got = np.asarray(t.newton_step(p.copy(), g.copy(), hess.copy()), dtype=np.float64)
    want = np.asarray(t.newton_step(p.copy(), g.copy(), hess.copy(), lr=1.0), dtype=np.float64)
    if got.shape != want.shape or np.any(got != want):
        raise LawViolation(f"newton_step without lr gave {got!r}; with lr=1.0 (the documented default) {want!r}")


def _newton_problem(d, seed):
    """A quadratic ``f = x.A x / 2 - b.x`` (gradient ``A x - b``, Hessian A) with A well conditioned."""
    rng = np.random.default_rng(seed)
    q = np.linalg.qr(rng.standard_normal((d, d)))[0]
    a = q @ np.diag(rng.uniform(1.0, 4.0, d)) @ q.T
    return a, rng.standard_normal(d)


@law(needs=("newton",), d=st.integers(1, 3), n=st.integers(0, 4), lr=st.sampled_from([0.5, 1.0, 0.25]),
     seed=st.integers(0, 2**16), controls=(ctl.newton_count_from_one, ctl.newton_count_by_two))
def newton_state_count_is_the_number_of_updates_done(t, d, n, lr, seed):
    """``newton(hessian_fn, lr)``: ``init(params).count`` is 0 and ``count`` after k updates is
    k, by ``update`` and by the in-place ``step_`` (the ``count`` field of every optimiser's
    state, reference/optimizers/_base.py). Exact.
    """
    a, b = _newton_problem(d, seed)
    opt = t.newton(lambda x: a, lr=lr)
    for path in ("update", "step_"):
        p = np.linspace(-1.0, 1.0, d)
        state = opt.init(p)
        for k in range(n + 1):
            if not float(np.asarray(state.count)) == k:
                raise LawViolation(f"newton(lr={lr}).{path}: state.count is {state.count!r} after {k} update(s)")
            if k == n:
                break
            if path == "update":
                u, state = opt.update(a @ p - b, state, p)
                p = p + np.asarray(u, dtype=np.float64)
            else:
                state = opt.step_(p, a @ p - b, state)


@law(needs=("newton",), d=st.integers(1, 3), n=st.integers(1, 3), lr=st.sampled_from([0.5, 1.0, 0.25]),
     seed=st.integers(0, 2**16), controls=(ctl.newton_in_place_subtracts,))
def newton_step_in_place_is_params_plus_update(t, d, n, lr, seed):
    """``newton``'s ``step_(params, grads, state)`` overwrites ``params`` with ``params + u``,
    where ``u`` is what the pure ``update(grads, state, params)`` returns (both run one
    direction function, reference/optimizers/_base.py): after n steps on a quadratic the
    in-place iterate equals the pure one bit for bit.
    """
    a, b = _newton_problem(d, seed)
    opt = t.newton(lambda x: a, lr=lr)
    p_pure = np.linspace(-1.0, 1.0, d)
    p_inplace = p_pure.copy()
    s_pure, s_inplace = opt.init(p_pure), opt.init(p_inplace)
    for k in range(1, n + 1):
        u, s_pure = opt.update(a @ p_pure - b, s_pure, p_pure.copy())
        p_pure = p_pure + np.asarray(u, dtype=np.float64)
        s_inplace = opt.step_(p_inplace, a @ p_inplace - b, s_inplace)
        if np.any(p_inplace != p_pure):
            raise LawViolation(f"newton(lr={lr}): after {k} step_(s) params is {p_inplace!r}; update + params gives "
                               f"{p_pure!r}")


@law(needs=("exponential_decay", "inverse_time_decay"), lr0=st.floats(1e-4, 10.0), rate=st.floats(0.05, 0.95),
     controls=(ctl.decay_steps_default_two,))
def decay_schedules_default_to_one_decay_step(t, lr0, rate):
    """``exponential_decay(init_lr, decay_rate)`` and ``inverse_time_decay(init_lr, decay_rate)``
    without ``decay_steps`` decay once per update (``decay_steps = 1``, their signatures: torch's
    ``ExponentialLR``, torch Adagrad's ``lr_decay``): equal to the schedules with
    ``decay_steps=1`` at steps 0..10, bit for bit (the same computation).
    """
    for name in ("exponential_decay", "inverse_time_decay"):
        default, one = getattr(t, name)(lr0, rate), getattr(t, name)(lr0, rate, 1)
        for k in range(11):
            if float(default(k)) != float(one(k)):
                raise LawViolation(f"{name}({lr0!r}, {rate!r}) at step {k}: {float(default(k))!r}; with decay_steps=1 "
                                   f"(the documented default) {float(one(k))!r}")


# --- first-order optimisers: laws from the full mutation run ---

def _table_schedule(values):
    """A schedule that is a plain table: step k (0-based) gets ``values[k]``."""
    def schedule(k):
        return values[int(k)]
    return schedule


def _decay_power(beta: float, k: int) -> float:
    """``1 - beta**k``, computed without cancellation (``-expm1(k log beta)``)."""
    return 1.0 if beta == 0.0 else -math.expm1(k * math.log(beta))


@law(needs=("sgd",), grads=_grads(max_steps=5), theta0=_vectors(bound=10.0),
     factors=st.lists(st.sampled_from([1.0, 0.5, 0.25, 2.0]), min_size=5, max_size=5), lr=LRS, scheduled=st.booleans(),
     momentum=st.sampled_from([0.0, 0.5, 0.9]), nesterov=st.booleans(), dampening=st.sampled_from([0.0, 0.5, 1.0]),
     wd=st.sampled_from([0.0, 0.01, 0.5]), inside=st.booleans(),
     examples=tuple(
         {"grads": np.array([[1.0], [1.0], [-2.0]]), "theta0": np.array([3.0]), "factors": [1.0, 0.5, 2.0, 1.0, 1.0],
          "lr": 0.1, "scheduled": True, "momentum": 0.9, "nesterov": nesterov, "dampening": 0.0, "wd": 0.0, "inside": True}
         for nesterov in (False, True)) + (
         {"grads": np.array([[1.0], [1.0], [-2.0]]), "theta0": np.array([3.0]), "factors": [1.0] * 5, "lr": 0.1,
          "scheduled": False, "momentum": 0.9, "nesterov": False, "dampening": 0.5, "wd": 0.5, "inside": False},),
     controls=(ctl.sgd_dampening_one_plus, ctl.sgd_weight_decay_sign_flipped, ctl.sgd_lr_inside_velocity_ignored,
               ctl.sgd_inside_nesterov_sign_flipped))
def sgd_follows_its_recursion(t, grads, theta0, factors, lr, scheduled, momentum, nesterov, dampening, wd, inside):
    """SGD's update k is its defining recursion, for every switch (reference/optimizers/sgd.py):
    ``g' = g_k + lambda theta_{k-1}`` (coupled L2); with lr outside the velocity (torch, optax)
    ``b_1 = g'``, ``b_k = mu b_{k-1} + (1 - tau) g'`` and the step ``-eta_k (g' + mu b_k)``
    (Nesterov) or ``-eta_k b_k``; with lr inside (seed 001, Keras) ``u_k = mu u_{k-1} - eta_k g'``
    and the step ``mu u_k - eta_k g'`` (Nesterov) or ``u_k``. ``eta_k`` is the lr, or a table
    schedule's value at ``k - 1`` (the two conventions differ only under a schedule). Dampening
    is torch's and only without Nesterov and with lr outside (it is 0 otherwise here).

    The oracle runs the recursion in float64 from the target's own iterates, so the two differ
    only by rounding: each step rounds a few times and the buffer contracts by ``mu``, so the
    error of update k is below ``4 k eps`` times the same recursion run on ``|g_j| + lambda
    |theta_{j-1}|`` (no cancellation there); tolerance ``16 k eps`` times that magnitude, plus
    ``2 eps |theta_k|``: a target that updates its parameters in place (torch) returns
    ``theta_k - theta_{k-1}``, which carries the rounding of ``theta_k``. Nesterov is off at
    momentum 0 (plain SGD; ``nesterov_momentum_zero_is_plain_sgd`` states that case).
    """
    if nesterov or inside:
        dampening = 0.0
    if momentum == 0.0:
        nesterov = False                 # torch refuses Nesterov without momentum (it is plain SGD)
    theta = np.resize(theta0, grads.shape[1])
    values = [lr * f for f in factors]
    opt = _sgd(t, _table_schedule(values) if scheduled else lr, momentum=momentum, nesterov=nesterov,
               dampening=dampening, weight_decay=wd, lr_inside_velocity=inside)
    state = opt.init(theta)
    b = np.zeros_like(theta)
    B = np.zeros_like(theta)             # the recursion on magnitudes
    for k, g in enumerate(grads, 1):
        eta = values[k - 1] if scheduled else lr
        gp, GP = g + wd * theta, np.abs(g) + wd * np.abs(theta)
        if momentum == 0.0:
            want, mag = -eta * gp, eta * GP
        elif inside:
            b, B = momentum * b - eta * gp, momentum * B + eta * GP
            want, mag = (momentum * b - eta * gp, momentum * B + eta * GP) if nesterov else (b, B)
        else:
            b, B = (gp, GP) if k == 1 else (momentum * b + (1 - dampening) * gp, momentum * B + (1 - dampening) * GP)
            want, mag = (-eta * (gp + momentum * b), eta * (GP + momentum * B)) if nesterov else (-eta * b, eta * B)
        u, state = opt.update(np.array(g), state, theta)
        u = np.asarray(u, dtype=np.float64)
        _close(u, want, 0.0, f"sgd(lr={'schedule ' + str(values) if scheduled else lr}, momentum={momentum}, "
               f"nesterov={nesterov}, dampening={dampening}, weight_decay={wd}, lr_inside_velocity={inside}) update {k}",
               atol=16 * k * EPS64 * mag + 2 * EPS64 * np.abs(theta + u))
        theta = theta + u


@law(needs=("adagrad",), grads=_grads(nonzero=True), lr=LRS, eps=st.sampled_from([0.0, 1e-10, 0.1, 1.0]),
     g0=st.sampled_from([0.0, 0.1, 1.0]), inside=st.booleans(), decay=st.sampled_from([0.0, 0.1, 0.5, 2.0]),
     examples=tuple({"grads": np.array([[0.5], [0.25], [1.0]]), "lr": 0.1, "eps": 1.0, "g0": 0.0, "inside": inside,
                "decay": 0.5} for inside in (False, True)),
     controls=(ctl.adagrad_eps_inside_ignored, ctl.adagrad_lr_decay_off_by_one))
def adagrad_follows_its_recursion(t, grads, lr, eps, g0, inside, decay):
    """AdaGrad's update k is ``-eta / (1 + (k - 1) delta) * g_k / (sqrt(G_k) + eps)`` (or
    ``g_k / sqrt(G_k + eps)`` with ``eps_inside_sqrt``), ``G_k = G_init + sum_{j<=k} g_j^2``
    (Duchi et al. 2011; torch's ``lr_decay``), for every switch.

    Gradients are never 0, so no 0/0 arises at eps = 0. Every term is positive: the sum
    rounds to ``k eps`` relative, the root, eps and the quotients to a few eps more;
    tolerance ``8 (k + 2) eps`` relative, plus ``2 eps |theta_k|`` (a target that updates its
    parameters in place returns ``theta_k - theta_{k-1}``, carrying the rounding of ``theta_k``).
    """
    opt = _adagrad(t, lr, eps=eps, initial_accumulator_value=g0, eps_inside_sqrt=inside, lr_decay=decay)
    updates, _ = _run(opt, grads)
    G = np.full(grads.shape[1], g0)
    theta = np.zeros(grads.shape[1])
    for k, (u, g) in enumerate(zip(updates, grads), 1):
        theta = theta + u
        G = G + g * g
        den = np.sqrt(G + eps) if inside else np.sqrt(G) + eps
        want = -lr / (1.0 + (k - 1) * decay) * (g / den)
        _close(u, want, 8 * (k + 2) * EPS64, f"adagrad(lr={lr}, eps={eps}, initial_accumulator_value={g0}, "
               f"eps_inside_sqrt={inside}, lr_decay={decay}) update {k}", atol=2 * EPS64 * np.abs(theta))


@law(needs=("rmsprop",), grads=_grads(nonzero=True), lr=LRS, rho=st.sampled_from([0.0, 0.5, 0.9, 0.99]),
     eps=st.sampled_from([0.0, 1e-8, 0.1]), inside=st.booleans(), centered=st.booleans(),
     momentum=st.sampled_from([0.0, 0.5, 0.9]), bias=st.booleans(),
     examples=tuple({"grads": np.array([[1.0], [3.0], [-2.0]]), "lr": 0.1, "rho": 0.5, "eps": 0.1, "inside": inside,
                "centered": centered, "momentum": 0.9, "bias": bias}
               for inside, centered, bias in ((True, True, False), (False, True, True), (False, False, False))) + (
         {"grads": np.array([[1.0], [3.0], [-2.0]]), "lr": 0.1, "rho": 0.5, "eps": 0.1, "inside": False,
          "centered": True, "momentum": 0.0, "bias": True},),
     controls=(ctl.rmsprop_momentum_ascends, ctl.rmsprop_centered_ignored, ctl.rmsprop_eps_inside_ignored,
               ctl.rmsprop_centered_mean_decays_up))
def rmsprop_follows_its_recursion(t, grads, lr, rho, eps, inside, centered, momentum, bias):
    """RMSprop's update k is its defining recursion, for every switch (Hinton's lecture 6e;
    Graves 2013 for the centred form): ``nu_k = rho nu + (1 - rho) g^2``, ``mu_k = rho mu +
    (1 - rho) g`` (centred), ``c_k = 1 - rho^k`` with bias correction (else 1), ``var =
    nu/c - (mu/c)^2`` (centred) or ``nu/c``, ``d_k = g / (sqrt(var) + eps)`` (or ``sqrt(var +
    eps)``), ``b_k = m b_{k-1} + d_k`` with momentum m, and the step ``-eta b_k`` (``-eta d_k``
    without momentum).

    Gradients are never 0. Error: the sums of squares round to ``3 k eps`` relative; the
    centred variance loses ``kappa = (nu/c + (mu/c)^2) / var`` times that (cancellation), so
    ``d_k`` is within ``r_k = 8 k eps (1 + kappa_k)`` relative; the momentum buffer adds the
    errors of the ``d_j`` it sums: tolerance ``eta B_k (max_{j<=k} r_j + 8 k eps)`` with ``B_k =
    m B_{k-1} + |d_k|``, plus ``2 eps |theta_k|`` (an in-place target's update carries the
    rounding of the new iterate). A step with ``kappa > 1e6`` is not checked (the variance is then a
    rounding error's size: the first centred step with bias correction is 0/0 in exact
    arithmetic, ``centered_rmsprop_of_a_constant_gradient_is_finite`` states what holds there),
    nor with momentum any later one (the buffer carries that step on); such a step may even be
    NaN (an unclamped root of a negative rounding error). Centred examples whose variance is
    exactly 0 at every step (``rho = 0``) or at the first with ``eps = 0`` (bias correction:
    ``g / 0``) are rejected.
    """
    if centered and (rho == 0.0 or (bias and eps == 0.0)):
        reject()                         # var = 0 exactly (rho = 0: nu = g^2, mu = g at every step; bias: step 1)
    opt = _rmsprop(t, lr, rho=rho, eps=eps, eps_inside_sqrt=inside, centered=centered, momentum=momentum,
                   bias_correction=bias)
    p = np.zeros(grads.shape[1])
    state, updates = opt.init(p), []
    for g in grads:
        u, state = opt.update(np.array(g), state, p)
        updates.append(np.array(u, dtype=np.float64))
        p = p + np.where(np.isfinite(updates[-1]), updates[-1], 0.0)   # RMSprop does not read the params
    nu = np.zeros(grads.shape[1])
    mu, b, B, r, theta = nu.copy(), nu.copy(), nu.copy(), 0.0, nu.copy()
    for k, (u, g) in enumerate(zip(updates, grads), 1):
        theta = theta + u
        nu = rho * nu + (1 - rho) * g * g
        c = _decay_power(rho, k) if bias else 1.0
        if centered:
            mu = rho * mu + (1 - rho) * g
            var = nu / c - (mu / c) ** 2
            with np.errstate(divide="ignore", invalid="ignore"):
                kappa = float(np.max((nu / c + (mu / c) ** 2) / var)) if np.all(var > 0) else math.inf
            if kappa > 1e6:
                if momentum:
                    return                   # the buffer carries this step's rounding error onwards
                continue                     # without momentum each update stands alone
        else:
            var, kappa = nu / c, 0.0
        den = np.sqrt(var + eps) if inside else np.sqrt(var) + eps
        d = g / den
        b, B = (momentum * b + d, momentum * B + np.abs(d)) if momentum else (d, np.abs(d))
        r = max(r, 8 * k * EPS64 * (1 + kappa))
        _close(u, -lr * b, 0.0, f"rmsprop(lr={lr}, rho={rho}, eps={eps}, eps_inside_sqrt={inside}, centered={centered}, "
               f"momentum={momentum}, bias_correction={bias}) update {k}", atol=lr * B * (r + 8 * k * EPS64) + 2 * EPS64 * np.abs(theta))


@law(needs=("adam",), grads=_grads(nonzero=True), lr=LRS, b1=BETAS, b2=st.sampled_from([0.0, 0.5, 0.9, 0.999]),
     eps=st.sampled_from([0.0, 1e-8, 0.1, 1.0]), eps_root=st.sampled_from([0.0, 1e-8, 0.1]),
     eps_form=st.sampled_from(["sqrt_vhat", "eps_hat"]),
     examples=tuple({"grads": np.array([[1.0], [0.5], [-2.0]]), "lr": 0.1, "b1": 0.9, "b2": 0.9, "eps": eps, "eps_root": root,
                "eps_form": form} for form, eps, root in (("eps_hat", 0.5, 0.0), ("sqrt_vhat", 0.0, 0.5))),
     controls=(ctl.adam_eps_hat_ignored, ctl.adam_eps_hat_step_size_inverted, ctl.adam_eps_root_subtracted))
def adam_follows_algorithm_1(t, grads, lr, b1, b2, eps, eps_root, eps_form):
    """Adam's update k is Kingma & Ba's Algorithm 1, ``-eta m_hat / (sqrt(v_hat + eps_root) +
    eps)`` with ``m_hat = m_k / (1 - b1^k)``, ``v_hat = v_k / (1 - b2^k)`` (optax's
    ``eps_root``), or with ``eps_form="eps_hat"`` their section-2 form ``-eta sqrt(1 - b2^k) /
    (1 - b1^k) * m_k / (sqrt(v_k) + eps)`` (Keras); ``eps_root`` is 0 with ``"eps_hat"``.

    Gradients are never 0. Error: ``v`` sums positive terms (``3 k eps`` relative), ``m`` may
    cancel: its error is below ``3 k eps M_k``, ``M_k`` the same EMA of ``|g|``; the bias
    corrections add ``eps kappa`` relative, ``kappa = b^k / (1 - b^k)`` the condition number of
    ``1 - b^k`` (a backward-stable ``1 - b**k`` meets it), the quotients a few eps. Tolerance
    ``(16 k + 4 (kappa_1 + kappa_2)) eps`` times the update computed with ``M_k`` in place of
    ``|m_k|``, plus ``2 eps |theta_k|`` (an in-place target's update carries the rounding of
    the new iterate).
    """
    if eps_form == "eps_hat":
        eps_root = 0.0
    opt = _adam(t, lr, b1=b1, b2=b2, eps=eps, eps_root=eps_root, eps_form=eps_form)
    updates, _ = _run(opt, grads)
    m = np.zeros(grads.shape[1])
    v, M, theta = m.copy(), m.copy(), m.copy()
    for k, (u, g) in enumerate(zip(updates, grads), 1):
        theta = theta + u
        cond = _one_minus_pow_condition(b1, k) + _one_minus_pow_condition(b2, k)
        m, v, M = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g, b1 * M + (1 - b1) * np.abs(g)
        bc1, bc2 = _decay_power(b1, k), _decay_power(b2, k)
        if eps_form == "eps_hat":
            scale = lr * math.sqrt(bc2) / bc1 / (np.sqrt(v) + eps)
        else:
            scale = lr / bc1 / (np.sqrt(v / bc2 + eps_root) + eps)
        _close(u, -scale * m, 0.0, f"adam(lr={lr}, b1={b1}, b2={b2}, eps={eps}, eps_root={eps_root}, "
               f"eps_form={eps_form!r}) update {k}", atol=(16 * k + 4 * cond) * EPS64 * scale * M + 2 * EPS64 * np.abs(theta))


@law(needs=("adadelta",), grads=_grads(nonzero=True), lr=LRS, rho=st.sampled_from([0.0, 0.5, 0.9, 0.95]),
     examples=({"grads": np.array([[3.0, 1.0], [-1.0, 2.0]]), "lr": 1.0, "rho": 0.9},),
     controls=(ctl.adadelta_delta_accumulator_starts_at_one,))
def adadelta_at_eps_0_never_moves(t, grads, lr, rho):
    """AdaDelta with ``eps = 0`` never moves: every update is exactly 0 (Zeiler 2012,
    Algorithm 1: ``Delta_1 = sqrt(E[Delta^2]_0 / E[g^2]_1) g_1`` with ``E[Delta^2]_0 = 0``, so
    ``Delta_1 = 0``, ``E[Delta^2]`` stays 0, and so on). Gradients without zeros, so ``E[g^2]``
    is positive; a coordinate whose ``E[g^2]`` is 0 (``0/0``) is the edge-premise law
    ``adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0[adadelta]``.
    Exact.
    """
    updates, _ = _run(t.adadelta(lr, rho=rho, eps=0.0), grads)
    for k, u in enumerate(updates, 1):
        if not np.all(u == 0):
            raise LawViolation(f"adadelta(lr={lr}, rho={rho}, eps=0) update {k} is {u!r}; should be 0 "
                               f"(gradients {grads!r})")


@law(needs=(), cases=per_technique(_ALL), config=_configs_of, params=_vectors(bound=10.0),
     controls=(ctl.lookahead_aliases_params,))
def optimizer_state_does_not_alias_the_params(t, config, params):
    """The state made by ``init(params)`` owns its arrays: overwriting ``params`` in place
    afterwards (as a training loop that updates its parameters in place does) leaves every
    array of the state as it was. Exact. One case per optimiser (``CONFIGS``).
    """
    name, kw = config
    p = params.copy()
    state = _make(t, name, kw).init(p)
    before = _arrays_of(state)
    p[...] = 2.0 * params + 1.0          # the caller reuses its params array
    for i, (a, b) in enumerate(zip(before, _arrays_of(state))):
        if not np.array_equal(a, b, equal_nan=True):
            raise LawViolation(f"{name}({kw}): overwriting the params after init changed state array {i}: {a!r} -> {b!r}")


@law(needs=(), cases=per_technique(_ALL), config=_configs_of, grads=_grads(max_steps=3),
     controls=(ctl.adagrad_accumulator_in_float64,))
def optimizer_keeps_float32_params_in_float32(t, config, grads):
    """For float32 params and gradients, every update and every floating state array of the
    params' shape is float32 (reference/optimizers/_base.py: state arrays have the params'
    floating dtype, float32 for float16 params in the adaptive methods; torch and optax keep
    the parameter dtype). A dtype is exact. One case per optimiser (``CONFIGS``).
    """
    name, kw = config
    opt = _make(t, name, kw)
    p = np.linspace(-1.0, 1.0, grads.shape[1], dtype=np.float32)
    state = opt.init(p)

    def check_state(k):
        arrays = [a for a in state if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.shape == p.shape]
        for i, a in enumerate(arrays):
            if a.dtype != np.float32:
                raise LawViolation(f"{name}({kw}) after {k} update(s): state array {i} has dtype {a.dtype}; the params "
                                   f"are float32")
    for k, g in enumerate(grads.astype(np.float32), 1):
        check_state(k - 1)
        u, state = opt.update(g, state, p)
        if np.asarray(u).dtype != np.float32:
            raise LawViolation(f"{name}({kw}) update {k} of float32 params has dtype {np.asarray(u).dtype}")
        p = (p + np.asarray(u)).astype(np.float32)
    check_state(len(grads))


# --- the in-place step_ -------------------------------------------------------------------------

@law(needs=(), cases=per_technique(_ALL), config=_configs_of, grads=_grads(max_steps=4),
     seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from(["float64", "float32"]), scheduled=st.booleans(),
     controls=(ctl.step_not_in_place, ctl.step_reads_the_schedule_ahead))
def optimizer_step_in_place_equals_update_then_apply(t, config, grads, seed, dtype, scheduled):
    """Where a target's optimiser offers the in-place form ``step_(params, grads, state) ->
    state`` (the interface's optional third member), each call changes ``params`` in place to
    ``params + update(grads, state, params)[0]`` and returns the state ``update`` returns: the
    same arithmetic, so bit for bit, in float64 and float32. A target whose optimisers have no
    ``step_`` does not offer the form (the law is skipped with that reason). One case per
    optimiser (``CONFIGS``); ``scheduled``: the configuration's lr halves at every step (a
    schedule ``k -> lr 2^-k``), so both forms must read it at the same step.
    """
    name, kw = config
    opt = _make(t, name, kw, lr=(lambda k, lr0=kw["lr"]: lr0 * 0.5**k) if scheduled else None)
    if getattr(opt, "step_", None) is None:
        raise NotImplementedError(f"{name}: no in-place step_ (the interface's optional third member)")
    p_in = _params_like(grads.shape[1], seed).astype(dtype)
    p_up = p_in.copy()
    s_in, s_up = opt.init(p_in.copy()), opt.init(p_up.copy())
    for k, g in enumerate(grads, 1):
        g = g.astype(dtype)
        u, s_up = opt.update(g.copy(), s_up, p_up.copy())
        want = p_up + np.asarray(u, dtype=p_up.dtype)
        s_in = opt.step_(p_in, g.copy(), s_in)
        if not np.array_equal(p_in, want, equal_nan=True):
            raise LawViolation(f"{name}({kw}) step {k} in {dtype}: step_ left params = {p_in!r}; params + update "
                               f"gives {want!r} [grads={grads!r}, seed={seed}]")
        for i, (a, b) in enumerate(zip(_arrays_of(s_in), _arrays_of(s_up))):
            if not np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True):
                raise LawViolation(f"{name}({kw}) step {k}: step_'s state array {i} is {a!r}; update's is {b!r}")
        p_up = want


# --- contract tier: the documented argument domains (issue 16) -----------------------------------

#: Valid values for every argument of each optimiser (the base of a contract law's call: one
#: argument is then set outside its domain). Momentum 0.5 so that SGD's switches are live.
_VALID = {
    "sgd": dict(_SGD, lr=0.1, momentum=0.5), "nesterov_lookahead": dict(lr=0.1, momentum=0.5),
    "adagrad": dict(_ADAGRAD, lr=0.1), "rmsprop": dict(_RMSPROP, lr=0.01), "adadelta": dict(lr=1.0, rho=0.9, eps=1e-6),
    "adam": dict(_ADAM, lr=0.01),
}
#: Non-finite values: outside every real interval of the interface.
_NONFINITE = (math.nan, math.inf, -math.inf)


def _outside(lo, hi, lo_open, hi_open):
    """Values just and far outside ``lo <(=) v <(=) hi`` (None: unbounded), and the non-finite ones:
    a closed bound's neighbour below it, an open bound itself."""
    vals = list(_NONFINITE)
    if lo is not None:
        vals += [lo] if lo_open else []
        vals += [np.nextafter(lo, -math.inf), lo - 0.5, lo - 1e3]
    if hi is not None:
        vals += [hi] if hi_open else []
        vals += [np.nextafter(hi, math.inf), hi + 0.5, hi + 1e3]
    return st.sampled_from([float(v) for v in vals])


def _first_update(t, name, over, params=None):
    """The optimiser ``name`` built with ``_VALID`` arguments and ``over``, then ``init`` and one
    update: every point where a target may refuse an argument."""
    def call():
        opt = _make(t, name, dict(_VALID[name], **over))
        p = np.zeros(3) if params is None else params
        state = opt.init(p)
        return opt.update(np.ones(3), state, p)
    return call


@law(needs=(), cases=per_technique(_ALL), name=lambda c: st.just(c), lr=_outside(0.0, None, True, False),
     max_examples=10, tier="contract", controls=(ctl.lr_unchecked,))
def optimizers_refuse_a_learning_rate_outside_zero_to_inf(t, name, lr):
    """An optimiser's constant learning rate lies in (0, inf): 0, a negative value, NaN and
    +-inf raise ``ValueError`` (at construction, ``init`` or the first ``update``). lr = 0 makes
    every step a no-op and inf an overflow: both are configuration errors, not training.
    One case per optimiser; every other argument valid and explicit.
    """
    refuses(_first_update(t, name, {"lr": lr}), f"{name}(lr={lr!r})")


#: (optimiser, argument) whose domain is [0, 1): a decay rate of an average (momentum, rho, b1, b2).
_DECAYS = {"sgd.momentum": ("sgd", "momentum"), "nesterov_lookahead.momentum": ("nesterov_lookahead", "momentum"),
           "rmsprop.rho": ("rmsprop", "rho"), "rmsprop.momentum": ("rmsprop", "momentum"),
           "adadelta.rho": ("adadelta", "rho"), "adam.b1": ("adam", "b1"), "adam.b2": ("adam", "b2")}


@law(needs=(), cases={c: (n,) for c, (n, _) in _DECAYS.items()}, case=lambda c: st.just(_DECAYS[c]),
     value=_outside(0.0, 1.0, False, True), max_examples=10, tier="contract",
     controls=(ctl.decay_rate_unchecked, ctl.decay_rate_closed_at_one))
def optimizers_refuse_a_decay_rate_outside_zero_one(t, case, value):
    """A decay rate (SGD's and RMSprop's momentum, RMSprop's and AdaDelta's rho, Adam's b1 and
    b2) lies in [0, 1): a negative value, 1 (an average that never forgets, and Adam's bias
    correction ``1 - b^t = 0``), a value above 1 (a diverging average) and NaN/inf raise
    ``ValueError``. One case per (optimiser, argument).
    """
    name, arg = case
    refuses(_first_update(t, name, {arg: value}), f"{name}({arg}={value!r})")


#: (optimiser, argument) whose domain is [0, inf).
_NONNEG = {"adagrad.eps": ("adagrad", "eps"), "adagrad.initial_accumulator_value": ("adagrad", "initial_accumulator_value"),
           "adagrad.lr_decay": ("adagrad", "lr_decay"), "rmsprop.eps": ("rmsprop", "eps"),
           "adadelta.eps": ("adadelta", "eps"), "adam.eps": ("adam", "eps"), "adam.eps_root": ("adam", "eps_root"),
           "sgd.weight_decay": ("sgd", "weight_decay"), "adam.weight_decay": ("adam", "weight_decay")}


@law(needs=(), cases={c: (n,) for c, (n, _) in _NONNEG.items()}, case=lambda c: st.just(_NONNEG[c]),
     value=_outside(0.0, None, False, False), max_examples=10, tier="contract",
     controls=(ctl.non_negative_unchecked,))
def optimizers_refuse_a_negative_or_non_finite_eps_or_decay(t, case, value):
    """The arguments whose domain is [0, inf) -- eps, Adam's eps_root, AdaGrad's initial
    accumulator and lr decay, weight decay -- refuse a negative value and NaN/+-inf with
    ``ValueError`` (a negative eps can make the denominator 0; a negative weight decay pushes the
    weights away from 0). One case per (optimiser, argument).
    """
    name, arg = case
    refuses(_first_update(t, name, {arg: value}), f"{name}({arg}={value!r})")


@law(needs=("sgd",), value=_outside(0.0, 1.0, False, False), max_examples=10, tier="contract",
     controls=(ctl.dampening_unchecked,))
def sgd_refuses_a_dampening_outside_zero_one(t, value):
    """SGD's dampening (the weight ``1 - tau`` of the new gradient in the momentum buffer) lies in
    [0, 1]: a negative value, a value above 1 and NaN/inf raise ``ValueError``.
    """
    refuses(_first_update(t, "sgd", {"dampening": value}), f"sgd(momentum=0.5, dampening={value!r})")


@law(needs=("sgd",), tau=st.sampled_from([0.1, 0.5, 1.0]), max_examples=5, tier="contract",
     controls=(ctl.dampening_with_nesterov_accepted,))
def sgd_refuses_dampening_with_nesterov_momentum(t, tau):
    """Nesterov momentum is defined without dampening (torch: "Nesterov momentum requires a
    momentum and zero dampening"): ``sgd(nesterov=True, dampening > 0)`` raises ``ValueError``.
    """
    refuses(_first_update(t, "sgd", {"nesterov": True, "dampening": tau}),
            f"sgd(momentum=0.5, nesterov=True, dampening={tau!r})")


@law(needs=("adam",), form=st.sampled_from(["keras", "sqrt", "eps_inside_sqrt", "", "SQRT_VHAT"]), max_examples=5,
     tier="contract", controls=(ctl.eps_form_unchecked,))
def adam_refuses_an_unknown_eps_form(t, form):
    """Adam's ``eps_form`` is one of ``"sqrt_vhat"`` (Kingma & Ba's ``sqrt(v_hat) + eps``) and
    ``"eps_hat"`` (their section 2's ``eps_hat`` form, Keras's); any other string raises
    ``ValueError`` instead of silently picking one.
    """
    refuses(_first_update(t, "adam", {"eps_form": form}), f"adam(eps_form={form!r})")


@law(needs=(), cases=per_technique(_ALL), name=lambda c: st.just(c), bad=st.sampled_from(_NONFINITE),
     where=st.integers(0, 2), max_examples=10, tier="contract", controls=(ctl.non_finite_grads_accepted,))
def optimizers_refuse_non_finite_gradients_before_anything_changes(t, name, bad, where):
    """A gradient with a NaN or an infinite entry raises ``ValueError`` from ``update`` (after a
    valid first update, so the state is not trivial), and the params, the gradient and the state
    passed in are left unchanged: a NaN gradient is a bug upstream (an overflowed loss), and an
    optimiser that folds it into its averages poisons every later step. One case per optimiser.
    """
    opt = _make(t, name, _VALID[name])
    p = np.array([0.5, -1.0, 2.0])
    state = opt.init(p.copy())
    _, state = opt.update(np.array([0.25, -0.5, 1.0]), state, p.copy())
    g = np.array([1.0, -2.0, 0.5])
    g[where] = bad
    p_in, g_in, before = p.copy(), g.copy(), _arrays_of(state)
    refuses(lambda: opt.update(g_in, state, p_in), f"{name}.update(grads={g!r})")
    unchanged(p, p_in, f"{name}: params")
    unchanged(g, g_in, f"{name}: grads")
    for i, (a, b) in enumerate(zip(before, _arrays_of(state))):
        unchanged(a, b, f"{name}: state array {i}")


@law(needs=(), cases=per_technique(_ALL), name=lambda c: st.just(c),
     shapes=st.sampled_from([((3,), (4,)), ((3,), (2,)), ((2, 3), (3, 2)), ((2, 3), (6,)), ((3,), (1, 3))]),
     max_examples=5, tier="contract", controls=(ctl.grads_shape_unchecked,))
def optimizers_refuse_gradients_of_another_shape(t, name, shapes):
    """``update(grads, state, params)`` with grads whose shape is not the params' (and the
    state's) raises ``ValueError``, also where numpy would broadcast them ((3,) against (1, 3)) or
    the sizes agree ((2, 3) against (6,)): an update of the wrong shape is a mismatched pair of
    arrays, never a broadcast. One case per optimiser.
    """
    ps, gs = shapes
    opt = _make(t, name, _VALID[name])
    p = np.full(ps, 0.5)
    state = opt.init(p.copy())
    refuses(lambda: opt.update(np.ones(gs), state, p.copy()), f"{name}: params of shape {ps}, grads of shape {gs}")


@law(needs=(), cases=per_technique(_ALL), name=lambda c: st.just(c), bad=_outside(0.0, None, True, False),
     k=st.integers(1, 3), max_examples=10, tier="contract", controls=(ctl.schedule_value_unchecked,))
def optimizers_refuse_a_schedule_value_outside_zero_to_inf(t, name, bad, k):
    """A learning-rate schedule's value at the step about to be taken lies in (0, inf), like a
    constant lr: a schedule that returns 0.1 for steps below k and then 0, a negative value, NaN
    or +-inf makes update k + 1 raise ``ValueError`` (the first k updates run). One case per
    optimiser.
    """
    opt = _make(t, name, dict(_VALID[name], lr=lambda step: 0.1 if step < k else bad))
    p = np.array([0.5, -1.0, 2.0])
    state = opt.init(p.copy())
    for _ in range(k):
        _, state = opt.update(np.ones(3), state, p.copy())
    refuses(lambda: opt.update(np.ones(3), state, p.copy()), f"{name}: update {k + 1} where the schedule returns {bad!r}")


#: Configurations whose update reads the params: weight decay, and the look-ahead.
_READS_PARAMS = {"sgd": dict(_VALID["sgd"], weight_decay=0.1), "nesterov_lookahead": _VALID["nesterov_lookahead"],
                 "adam": dict(_VALID["adam"], weight_decay=0.1)}


@law(needs=(), cases=per_technique(tuple(_READS_PARAMS)), name=lambda c: st.just(c), bad=st.sampled_from(_NONFINITE),
     where=st.integers(0, 2), max_examples=5, tier="contract", controls=(ctl.non_finite_params_accepted,))
def optimizers_refuse_non_finite_params_where_the_update_reads_them(t, name, bad, where):
    """Where the update reads the params (SGD's and AdamW's weight decay, the look-ahead of
    Nesterov's original form), a NaN or infinite parameter raises ``ValueError`` from ``update``
    instead of returning a non-finite update. One case per such optimiser.
    """
    opt = _make(t, name, _READS_PARAMS[name])
    p = np.array([0.5, -1.0, 2.0])
    state = opt.init(p.copy())
    p[where] = bad
    refuses(lambda: opt.update(np.ones(3), state, p.copy()), f"{name}({_READS_PARAMS[name]}).update(params={p!r})")


_SCHEDULE_RATES = {"step_decay": (0.0, 1.0, True, False), "exponential_decay": (0.0, 1.0, True, False),
                   "inverse_time_decay": (0.0, None, False, False)}


@law(needs=(), cases=per_technique(tuple(_SCHEDULE_RATES)), name=lambda c: st.just(c),
     rate=lambda c: _outside(*_SCHEDULE_RATES[c]), max_examples=10, tier="contract",
     controls=(ctl.schedule_rate_unchecked,))
def schedules_refuse_a_decay_rate_outside_their_domain(t, name, rate):
    """A decaying schedule's rate lies in its domain: (0, 1] for step and exponential decay (a
    factor per period; 0 zeroes the lr, above 1 it grows), [0, inf) for inverse-time decay (a
    coefficient of ``1 + rate k``); a value outside, and NaN/inf, raise ``ValueError`` at
    construction or at the first call. One case per schedule.
    """
    refuses(lambda: getattr(t, name)(0.1, rate, 1)(3), f"{name}(init_lr=0.1, decay_rate={rate!r}, 1)(3)")


@law(needs=(), cases=per_technique(_SCHEDULES), name=lambda c: st.just(c), lr0=_outside(0.0, None, True, False),
     max_examples=10, tier="contract", controls=(ctl.schedule_init_lr_unchecked,))
def schedules_refuse_an_initial_learning_rate_outside_zero_to_inf(t, name, lr0):
    """A schedule's ``init_lr`` lies in (0, inf), like a constant lr: 0, a negative value and
    NaN/+-inf raise ``ValueError`` at construction or at the first call. One case per schedule.
    """
    refuses(lambda: _make_schedule(t, name, lr0, 0.5, 1)(0), f"{name}(init_lr={lr0!r})(0)")


@law(needs=(), cases=per_technique(_SCHEDULES), name=lambda c: st.just(c),
     step=st.sampled_from([-1, -7, 1.5, 2.0, "3", True, None]), max_examples=10, tier="contract",
     controls=(ctl.schedule_step_unchecked,))
def schedules_refuse_a_step_that_is_not_a_count(t, name, step):
    """A schedule is called with the number of updates done, an integer >= 0: a negative
    integer raises ``ValueError``; a float (even 2.0), a string, a bool or None raises
    ``TypeError`` or ``ValueError`` (a count is not a real number: 1.5 steps do not exist).
    One case per schedule.
    """
    sched = _make_schedule(t, name, 0.1, 0.5, 1)
    expect = ValueError if isinstance(step, int) and not isinstance(step, bool) else (TypeError, ValueError)
    refuses(lambda: sched(step), f"{name}(0.1, ...)({step!r})", expect)


@law(needs=("step_decay", "exponential_decay", "inverse_time_decay"),
     case=st.sampled_from(["step_decay", "exponential_decay", "inverse_time_decay"]),
     size=st.sampled_from([0, -1, 2.5, True]), max_examples=10, tier="contract",
     controls=(ctl.schedule_period_unchecked,))
def schedules_refuse_a_period_that_is_not_a_positive_integer(t, case, size):
    """A schedule's period (step decay's ``step_size``, the others' ``decay_steps``) is an
    integer >= 1: 0 and negative integers raise ``ValueError`` (a division by the period), 2.5
    and True raise ``TypeError`` or ``ValueError``.
    """
    expect = ValueError if isinstance(size, int) and not isinstance(size, bool) else (TypeError, ValueError)
    refuses(lambda: getattr(t, case)(0.1, 0.5, size)(3), f"{case}(0.1, 0.5, {size!r})(3)", expect)


@law(needs=("apply_updates",), bad=st.sampled_from(_NONFINITE), which=st.sampled_from(["params", "updates"]),
     where=st.integers(0, 2), max_examples=10, tier="contract", controls=(ctl.apply_updates_unchecked,))
def apply_updates_refuses_non_finite_arrays(t, bad, which, where):
    """``apply_updates(params, updates)`` with a NaN or infinite entry in either argument raises
    ``ValueError`` instead of returning a non-finite iterate, and modifies neither argument.
    """
    p, u = np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.1, -0.1])
    (p if which == "params" else u)[where] = bad
    p_in, u_in = p.copy(), u.copy()
    refuses(lambda: t.apply_updates(p_in, u_in), f"apply_updates with {which}={(p if which == 'params' else u)!r}")
    unchanged(p, p_in, "apply_updates: params")
    unchanged(u, u_in, "apply_updates: updates")


# --- float16 parameters, and params that the update does not read (issue 16) -----------------------

#: The first update of each adaptive method from its initial state, in closed form, for a
#: configuration with every switch explicit.
_FIRST_STEP = {
    "adagrad": (dict(_ADAGRAD, lr=0.1, eps=0.0), lambda g: -0.1 * np.sign(g)),
    "rmsprop": (dict(_RMSPROP, lr=0.01, rho=0.9, eps=0.0), lambda g: -0.01 * np.sign(g) / math.sqrt(0.1)),
    "adadelta": (dict(lr=1.0, rho=0.9, eps=1e-6), lambda g: -g * math.sqrt(1e-6) / np.sqrt(0.1 * g * g + 1e-6)),
    "adam": (dict(_ADAM, lr=0.01, eps=0.0), lambda g: -0.01 * np.sign(g)),
}


_F16_GRADS = hnp.arrays(np.float16, st.integers(1, 4), elements=st.sampled_from([1.0, -1.0]).flatmap(
    lambda s: st.floats(2.0**-14, 16.0, width=16).map(lambda m: np.float16(s * m))))


def _float16_first_step(t, name, g):
    """The first update of ``name`` for float16 params and grads ``g`` (checked float16), and its
    closed form in float64."""
    kw, closed = _FIRST_STEP[name]
    opt = _make(t, name, kw)
    p = np.zeros(g.shape, np.float16)
    u, _ = opt.update(g.copy(), opt.init(p.copy()), p.copy())
    u = np.asarray(u)
    if u.dtype != np.float16:
        raise LawViolation(f"{name}({kw}) first update of float16 params has dtype {u.dtype} (grads {g!r})")
    return kw, u, closed(g.astype(np.float64))


#: Pinned float16 gradients per case: the band where g^2 (times 1 - decay) underflows or is
#: subnormal in float16, which random draws over [2^-14, 16] visit rarely.
_F16_EXAMPLES = tuple({"_case": c, "name": c, "g": np.array([6.104e-05, -1.0e-04, 2.441e-04, -0.0625], np.float16)}
                      for c in _FIRST_STEP)


@law(needs=(), cases=per_technique(tuple(_FIRST_STEP)), name=lambda c: st.just(c), g=_F16_GRADS,
     examples=_F16_EXAMPLES, controls=(ctl.adaptive_in_float16,))
def adaptive_first_step_of_float16_params_is_finite_and_within_a_factor_two(t, name, g):
    """The first update of an adaptive method for float16 parameters is float16, finite, and
    within a factor 2 of its closed form (AdaGrad with G_0 = 0 and eps = 0, Adam with eps = 0:
    ``-lr sign(g)``; RMSprop with rho = 0.9, eps = 0: ``-lr sign(g) / sqrt(0.1)``; AdaDelta with rho
    = 0.9, eps = 1e-6: ``-g sqrt(eps) / sqrt(0.1 g^2 + eps)``). The gradients are float16 normal
    numbers (2^-14 <= |g| <= 16); below |g| = 2^-12 their squares underflow in float16, so state and
    arithmetic in float16 give ``0 / 0`` or ``g / 0``. The factor 2 allows float16 arithmetic with
    hyper-parameters rounded to float16 (``1 - b2`` for b2 = 0.999 is then off by about
    2^-11 * 0.999 / 0.001 = 0.49, its square root by 0.22): the problem is perfectly conditioned
    in g, so only an unrepresentable intermediate breaks this bound. One case per adaptive method.
    """
    kw, u, want = _float16_first_step(t, name, g)
    u64 = u.astype(np.float64)
    if not np.all(np.isfinite(u64)) or np.any(np.sign(u64) != np.sign(want)) or np.any(np.abs(u64) > 2 * np.abs(want)) \
            or np.any(np.abs(u64) < 0.5 * np.abs(want)):
        raise LawViolation(f"{name}({kw}) first update of float16 params: got {u!r}, should be within a factor 2 of "
                           f"{want!r} for grads {g!r}")


@law(needs=(), cases=per_technique(tuple(_FIRST_STEP)), name=lambda c: st.just(c), g=_F16_GRADS, tier="accuracy",
     examples=_F16_EXAMPLES, controls=(ctl.adaptive_in_float16,))
def adaptive_first_step_of_float16_params_is_its_closed_form_rounded(t, name, g):
    """The first update of an adaptive method for float16 parameters is its closed form (as in
    ``adaptive_first_step_of_float16_params_is_finite_and_within_a_factor_two``) evaluated at the
    float16 gradient and rounded to float16, within one float16 unit in the last place (a double
    rounding): what state and arithmetic in float32 give (the reference; torch's fused kernels).
    Accuracy tier: float16 arithmetic, backward stable with hyper-parameters rounded to float16,
    misses it by many units. One case per adaptive method.
    """
    kw, u, want = _float16_first_step(t, name, g)
    ulp = np.spacing(np.abs(want).astype(np.float16)).astype(np.float64)
    if not np.all(np.isfinite(u)) or np.any(np.abs(u.astype(np.float64) - want) > ulp):
        raise LawViolation(f"{name}({kw}) first update of float16 params: got {u!r}, should be {want!r} rounded to "
                           f"float16 (one float16 ulp {ulp!r}) for grads {g!r}")


@law(needs=(), cases=per_technique(tuple(n for n in _ALL if n != "nesterov_lookahead")),
     config=lambda name: _configs_of(name).filter(lambda c: not c[1].get("weight_decay")),
     grads=_grads(max_steps=3), dtype=st.sampled_from(["float64", "float32"]),
     controls=(ctl.update_requires_params,))
def optimizers_update_without_params_where_the_update_does_not_read_them(t, config, grads, dtype):
    """``params`` is optional in ``update(grads, state, params=None)`` where the formula does not
    read it (no weight decay, no look-ahead): updates and states without it equal those with it,
    bit for bit, step after step, and keep the dtype of the grads (float64 and float32). One case
    per optimiser whose update can skip them (not Nesterov's look-ahead form, which reads them).
    """
    name, kw = config
    opt = _make(t, name, kw)
    p = np.zeros(grads.shape[1], dtype)
    s_with, s_without = opt.init(p.copy()), opt.init(p.copy())
    for k, g in enumerate(grads.astype(dtype), 1):
        u1, s_with = opt.update(g.copy(), s_with, p.copy())
        try:
            u2, s_without = opt.update(g.copy(), s_without)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - refusing the optional argument's absence is the violation
            raise LawViolation(f"{name}({kw}) update {k} without params raised {type(exc).__name__}: {exc}") from None
        u1, u2 = np.asarray(u1), np.asarray(u2)
        if u2.dtype != u1.dtype or not np.array_equal(u1, u2, equal_nan=True):
            raise LawViolation(f"{name}({kw}) update {k} in {dtype}: {u2!r} without params, {u1!r} with them")
        p = (p + u1).astype(dtype)


@law(needs=(), cases=per_technique(tuple(_READS_PARAMS)), name=lambda c: st.just(c), max_examples=5, tier="contract",
     controls=(ctl.params_never_required,))
def optimizers_need_params_where_the_update_reads_them(t, name):
    """Where the update reads the params (SGD's and AdamW's weight decay, Nesterov's look-ahead),
    ``update(grads, state)`` without them raises ``ValueError`` instead of guessing (zeros) or
    failing inside the formula. One case per such optimiser.
    """
    opt = _make(t, name, _READS_PARAMS[name])
    state = opt.init(np.array([0.5, -1.0, 2.0]))
    refuses(lambda: opt.update(np.ones(3), state), f"{name}({_READS_PARAMS[name]}).update(grads, state) without params")


# --- the documented defaults (issue 16) -----------------------------------------------------------

#: Each optimiser's documented defaults (its signature in docs/writing-a-target.md: torch's, except
#: where the docstring says otherwise), and the calls that make each default observable: a call
#: with the defaults omitted must equal the call with them given, bit for bit.
_DEFAULTS = {
    "sgd": (dict(momentum=0.0, nesterov=False, dampening=0.0, weight_decay=0.0, lr_inside_velocity=False),
            [dict(lr=0.1), dict(lr="schedule", momentum=0.9)]),
    "nesterov_lookahead": (dict(momentum=0.9), [dict(lr=0.1)]),
    "adagrad": (dict(lr=1e-2, eps=1e-10, initial_accumulator_value=0.0, eps_inside_sqrt=False, lr_decay=0.0), [{}]),
    "rmsprop": (dict(lr=1e-2, rho=0.99, eps=1e-8, eps_inside_sqrt=False, centered=False, momentum=0.0,
                     bias_correction=False), [{}]),
    "adadelta": (dict(lr=1.0, rho=0.9, eps=1e-6), [{}]),
    "adam": (dict(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat", amsgrad=False,
                  weight_decay=0.0), [{}]),
}
#: Gradients that make every switch visible: magnitudes that rise and fall (AMSGrad, centring),
#: signs that change (momentum, Nesterov), params away from 0 (weight decay, the look-ahead).
_DEFAULT_GRADS = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0], [1e-3, 1e-3, 1e-3], [-0.5, 4.0, 2.0]])


@law(needs=(), cases=per_technique(_ALL), name=lambda c: st.just(c), max_examples=1,
     controls=(ctl.optimizer_defaults_changed,))
def optimizers_default_to_the_documented_hyperparameters(t, name):
    """An optimiser called with some arguments omitted runs exactly as the call with the omitted
    ones set to their documented defaults (SGD: momentum 0, no Nesterov, dampening 0, weight
    decay 0, lr outside the velocity; look-ahead Nesterov: momentum 0.9; AdaGrad: lr 1e-2, eps
    1e-10, G_0 = 0, eps outside the root, no lr decay; RMSprop: lr 1e-2, rho 0.99, eps 1e-8 outside
    the root, not centred, no momentum, no bias correction; AdaDelta: lr 1, rho 0.9, eps 1e-6;
    Adam: lr 1e-3, b1 0.9, b2 0.999, eps 1e-8 outside the root, eps_root 0, no AMSGrad, no weight
    decay). A law about defaults (the others pass every argument): updates compared bit for bit
    over four updates of gradients chosen so that every switch changes them (the third row's
    gradients are small, so Adam's second moment falls and AMSGrad's maximum differs); SGD also
    with momentum and a halving schedule, where the lr's position matters. One case per
    optimiser; deterministic, so one example.
    """
    defaults, calls = _DEFAULTS[name]
    for given in calls:
        given = {k: ((lambda k_: 0.1 * 0.5**k_) if v == "schedule" else v) for k, v in given.items()}
        full = dict(defaults, **given)
        runs = []
        for kw in (given, full):
            opt = _make(t, name, kw)
            p = np.array([0.5, -1.5, 2.0])
            state = opt.init(p.copy())
            out = []
            for g in _DEFAULT_GRADS:
                u, state = opt.update(g.copy(), state, p.copy())
                u = np.asarray(u, dtype=np.float64)
                out.append(u)
                p = p + u
            runs.append(out)
        for k, (a, b) in enumerate(zip(*runs), 1):
            if not np.array_equal(a, b, equal_nan=True):
                shown = {k_: ("schedule 0.1 * 0.5**k" if callable(v) else v) for k_, v in given.items()}
                raise LawViolation(f"{name}({shown}) update {k} is {a!r}; with the documented defaults "
                                   f"{defaults!r} given it is {b!r}")
