"""Negative controls for the first-order optimisers (seed 001's errata and plausible bugs).

Each mutant is a small plain-numpy optimiser with the reference's interface and exactly one
bug; configurations the bug does not touch are delegated to the reference.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from properties._law import Control


class _S(NamedTuple):
    count: int
    mu: object = None
    nu: object = None
    velocity: object = None
    lookahead: object = None
    nu_max: object = None
    sum_of_squares: object = None


def _ref():
    import reference
    return reference


def _naive(step, fields=("mu", "nu"), lookahead=False):
    """An Optimizer from ``step(g, state: dict, t, params) -> update`` (state arrays start at 0)."""
    R = _ref()

    def init(params):
        p = np.asarray(params, dtype=np.float64)
        vals = {f: np.zeros(p.shape) for f in fields}
        if lookahead:
            vals["lookahead"] = p.copy()
        return _S(0, **vals)

    def update(grads, state, params=None):
        g = np.asarray(grads, dtype=np.float64)
        st = {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in state._asdict().items()}
        t = state.count + 1
        u = step(g, st, t, None if params is None else np.asarray(params, dtype=np.float64))
        st["count"] = t
        return u, _S(**st)

    return R.Optimizer(init, update)


# --- SGD / momentum / Nesterov ----------------------------------------------------------------

def _sgd_with(bug):
    def sgd(lr, momentum=0.0, nesterov=False, dampening=0.0, weight_decay=0.0, lr_inside_velocity=False):
        def step(g, st, t, p):
            return bug(g, st, lr, momentum, nesterov)
        return _naive(step, ("velocity",))
    return sgd


def _momentum_sign_flipped(g, st, lr, mu, nesterov):
    st["velocity"] = -mu * st["velocity"] - lr * g          # u = -gamma u - eta g
    return st["velocity"]


def _momentum_weights_new(g, st, lr, mu, nesterov):
    # seed 001's EMA convention misapplied: gamma weights the NEW term, 1 - gamma the old.
    st["velocity"] = (1 - mu) * st["velocity"] - lr * g
    return st["velocity"]


def _nesterov_heavy_ball(g, st, lr, mu, nesterov):
    # nesterov=True silently ignored: the gradient stays at theta (plain heavy ball).
    st["velocity"] = mu * st["velocity"] - lr * g
    return st["velocity"]


def _nesterov_correction_without_mu(g, st, lr, mu, nesterov):
    b = st["velocity"] = mu * st["velocity"] + g
    return -lr * (g + b) if nesterov else -lr * b


def _lookahead_at_theta(lr, momentum=0.9):
    """nesterov_lookahead whose look-ahead point is theta itself: the gradient at theta."""
    def step(g, st, t, p):
        st["velocity"] = momentum * st["velocity"] - lr * g
        st["lookahead"] = p + st["velocity"]                   # theta_t, not theta_t + gamma u_t
        return st["velocity"]
    return _naive(step, ("velocity",), lookahead=True)


# --- AdaGrad -------------------------------------------------------------------------------------

def _adagrad_with(accumulate, use_previous=False):
    def adagrad(lr=1e-2, eps=1e-10, initial_accumulator_value=0.0, eps_inside_sqrt=False, lr_decay=0.0):
        def step(g, st, t, p):
            old = st["sum_of_squares"].copy()
            st["sum_of_squares"] = st["sum_of_squares"] + accumulate(g)
            G = old if use_previous else st["sum_of_squares"]
            with np.errstate(all="ignore"):
                return -lr * g / (np.sqrt(G) + eps)
        return _naive(step, ("sum_of_squares",))
    return adagrad


# --- RMSprop -------------------------------------------------------------------------------------

def _rmsprop_variant(no_sqrt=False, swap_weights=False, eps_in_sqrt_always=False):
    def rmsprop(lr=1e-2, rho=0.99, eps=1e-8, eps_inside_sqrt=False, centered=False, momentum=0.0,
                bias_correction=False):
        if centered or momentum:
            return _ref().rmsprop(lr, rho, eps, eps_inside_sqrt, centered, momentum, bias_correction)

        def step(g, st, t, p):
            a = 1 - rho if swap_weights else rho
            st["nu"] = a * st["nu"] + (1 - a) * g * g
            v = st["nu"] / (1 - a**t) if bias_correction else st["nu"]
            with np.errstate(all="ignore"):
                if no_sqrt:
                    return -lr * g / (v + eps)
                if eps_inside_sqrt or eps_in_sqrt_always:
                    return -lr * g / np.sqrt(v + eps)
                return -lr * g / (np.sqrt(v) + eps)
        return _naive(step)
    return rmsprop


# --- AdaDelta ------------------------------------------------------------------------------------

def _adadelta_variant(no_sqrt=False, lr_default=1.0, accumulate_after_lr=False, delta_acc_0=0.0):
    def adadelta(lr=lr_default, rho=0.9, eps=1e-6):
        def step(g, st, t, p):
            if t == 1:
                st["nu"] = st["nu"] + delta_acc_0
            st["mu"] = rho * st["mu"] + (1 - rho) * g * g
            if no_sqrt:
                d = np.sqrt(st["nu"] + eps) / (st["mu"] + eps) * g
            else:
                d = np.sqrt(st["nu"] + eps) / np.sqrt(st["mu"] + eps) * g
            st["nu"] = rho * st["nu"] + (1 - rho) * ((lr * d) ** 2 if accumulate_after_lr else d * d)
            return -lr * d
        return _naive(step)
    return adadelta


# --- Adam ----------------------------------------------------------------------------------------

def _adam_variant(correction="exact", eps_inside=False, no_sqrt=False, previous_moments=False,
                  momentum_sum=False):
    def adam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat", amsgrad=False,
             weight_decay=0.0):
        if amsgrad or weight_decay or eps_form != "sqrt_vhat":
            return _ref().adam(lr, b1, b2, eps, eps_root, eps_form, amsgrad, weight_decay)

        def step(g, st, t, p):
            old_m, old_v = st["mu"], st["nu"]
            st["mu"] = b1 * st["mu"] + (1.0 if momentum_sum else 1 - b1) * g
            st["nu"] = b2 * st["nu"] + (1 - b2) * g * g
            m, v, tt = (old_m, old_v, t - 1) if previous_moments else (st["mu"], st["nu"], t)
            with np.errstate(all="ignore"):
                if correction == "none":
                    c1 = c2 = 1.0
                elif correction == "t-1":
                    c1, c2 = 1 - b1 ** (t - 1), 1 - b2 ** (t - 1)
                elif correction == "seed":
                    c1, c2 = 1 - (1 - b1) ** tt, 1 - (1 - b2) ** tt
                else:
                    c1, c2 = 1 - b1**tt, 1 - b2**tt
                mh, vh = m / c1, v / c2
                if no_sqrt:
                    return -lr * mh / (vh + eps)
                if eps_inside:
                    return -lr * mh / np.sqrt(vh + eps + eps_root)
                return -lr * mh / (np.sqrt(vh + eps_root) + eps)
        return _naive(step, ("mu", "nu"))
    return adam


# --- interface-level bugs ------------------------------------------------------------------------

def _adam_modifies_state(*args, **kwargs):
    opt = _ref().adam(*args, **kwargs)

    def update(grads, state, params=None):
        u, new = opt.update(grads, state, params)
        state.mu[...] = new.mu                                   # writes into the caller's state
        state.nu[...] = new.nu
        return u, new

    return opt._replace(update=update)


def _adam_shared_output(*args, **kwargs):
    opt = _ref().adam(*args, **kwargs)
    buffers: dict = {}

    def update(grads, state, params=None):
        u, new = opt.update(grads, state, params)
        out = buffers.setdefault(u.shape, np.empty_like(u))      # one output buffer reused by every call
        out[...] = u
        return out, new

    return opt._replace(update=update)


# --- schedules -----------------------------------------------------------------------------------

def _step_decay_off_by_one(init_lr, decay_rate, step_size):
    return lambda step: init_lr * decay_rate ** ((step + 1) // step_size)


def _exponential_decay_one_step_ahead(init_lr, decay_rate, decay_steps=1):
    return lambda step: init_lr * decay_rate ** ((step + 1) / decay_steps)


def _inverse_time_without_one(init_lr, decay_rate, decay_steps=1):
    return lambda step: init_lr / max(decay_rate * step / decay_steps, 1.0)


def _resume_restarts_at_zero(schedule, step):
    return lambda k: schedule(k - step)


def _resume_one_step_ahead(schedule, step):
    return lambda k: schedule(k + 1)


def _centered_rmsprop_with(variance, touches):
    """Centred RMSprop (eps outside the root, no momentum) whose EMA variance is
    ``variance(nu / c, mu / c)``; configurations for which ``touches(...)`` is False go to the reference."""
    def rmsprop(lr=0.01, rho=0.99, eps=1e-8, eps_inside_sqrt=False, centered=False, momentum=0.0,
                bias_correction=False):
        if not (centered and not momentum and not eps_inside_sqrt and touches(bias_correction)):
            return _ref().rmsprop(lr, rho, eps, eps_inside_sqrt, centered, momentum, bias_correction)

        def step(g, s, t, p):
            s["nu"] = rho * s["nu"] + (1 - rho) * g * g
            s["mu"] = rho * s["mu"] + (1 - rho) * g
            c = 1 - rho ** t if bias_correction else 1.0
            with np.errstate(invalid="ignore", divide="ignore"):
                return -(lr if not callable(lr) else lr(t - 1)) * g / (np.sqrt(variance(s["nu"] / c, s["mu"] / c)) + eps)
        return _naive(step, fields=("nu", "mu"))
    return rmsprop


# the root of nu/c - (mu/c)**2 without clamping rounding below 0 (optax's O6)
_rmsprop_centered_unclamped = _centered_rmsprop_with(lambda nu, mu: nu - mu ** 2, touches=lambda bias: True)
# EMA(g)**3 for EMA(g)**2 (a surviving mutant), clamped; without bias correction only
_rmsprop_centered_mean_cubed = _centered_rmsprop_with(lambda nu, mu: np.maximum(nu - mu ** 3, 0.0),
                                                      touches=lambda bias: not bias)


# --- the controls --------------------------------------------------------------------------------

momentum_sign_flipped = Control(
    "momentum_sign_flipped", "issue 4 (plausible bug)", "velocity update u = -gamma u - eta g (friction sign flipped)",
    {"sgd": _sgd_with(_momentum_sign_flipped)})
momentum_weights_new = Control(
    "momentum_weights_new", "seed 001's EMA convention applied to momentum", "u = (1 - gamma) u - eta g",
    {"sgd": _sgd_with(_momentum_weights_new)})
nesterov_gradient_at_theta = Control(
    "nesterov_gradient_at_theta", "issue 4", "NAG evaluates the gradient at theta instead of theta + gamma u",
    {"nesterov_lookahead": _lookahead_at_theta})
nesterov_ignored = Control(
    "nesterov_ignored", "plausible bug", "sgd(nesterov=True) silently runs heavy-ball momentum (gradient at theta)",
    {"sgd": _sgd_with(_nesterov_heavy_ball)})
nesterov_correction_without_mu = Control(
    "nesterov_correction_without_mu", "plausible bug", "reformulated Nesterov d = g + b instead of g + mu b",
    {"sgd": _sgd_with(_nesterov_correction_without_mu)})
adagrad_sums_g = Control(
    "adagrad_sums_g", "issue 4", "AdaGrad accumulates g instead of g**2",
    {"adagrad": _adagrad_with(lambda g: g)})
adagrad_previous_accumulator = Control(
    "adagrad_previous_accumulator", "seed 001 (divides by G^(t-1))", "step t divides by the accumulator before g_t",
    {"adagrad": _adagrad_with(lambda g: g * g, use_previous=True)})
rmsprop_no_sqrt = Control(
    "rmsprop_no_sqrt", "plausible bug", "RMSprop divides by the EMA of g**2 itself, not its root",
    {"rmsprop": _rmsprop_variant(no_sqrt=True)})
rmsprop_weights_swapped = Control(
    "rmsprop_weights_swapped", "seed 001's beta (weight of the new value) passed as torch's alpha",
    "nu = (1 - rho) nu + rho g**2", {"rmsprop": _rmsprop_variant(swap_weights=True)})
rmsprop_eps_inside_sqrt = Control(
    "rmsprop_eps_inside_sqrt", "issue 4 (eps at the wrong place)", "eps inside the root although eps_inside_sqrt=False",
    {"rmsprop": _rmsprop_variant(eps_in_sqrt_always=True)})
adadelta_no_sqrt = Control(
    "adadelta_no_sqrt", "plausible bug", "AdaDelta divides by E[g^2] + eps, not its root",
    {"adadelta": _adadelta_variant(no_sqrt=True)})
adadelta_keras_lr_default = Control(
    "adadelta_keras_lr_default", "Keras default learning_rate=0.001", "AdaDelta's default lr is 1e-3, not Zeiler's 1",
    {"adadelta": _adadelta_variant(lr_default=1e-3)})
adadelta_delta_accumulator_starts_at_one = Control(
    "adadelta_delta_accumulator_starts_at_one", "plausible bug (an accumulator initialised with ones)",
    "AdaDelta's E[Delta^2] starts at 1, not 0, so the first update is g / RMS[g] and eps = 0 moves",
    {"adadelta": _adadelta_variant(delta_acc_0=1.0)})
adadelta_accumulates_after_lr = Control(
    "adadelta_accumulates_after_lr", "plausible bug", "E[Delta^2] accumulates lr * Delta instead of Delta",
    {"adadelta": _adadelta_variant(accumulate_after_lr=True)})
adam_no_bias_correction = Control(
    "adam_no_bias_correction", "issue 4", "Adam without bias correction",
    {"adam": _adam_variant(correction="none")})
adam_correction_t_minus_1 = Control(
    "adam_correction_t_minus_1", "seed 001 (m_hat^(t-1))", "bias correction with t - 1 instead of t",
    {"adam": _adam_variant(correction="t-1")})
adam_previous_moments = Control(
    "adam_previous_moments", "seed 001 (theta^t uses m_hat^(t-1) / sqrt(r_hat^(t-1)))",
    "step t uses the moments of step t - 1", {"adam": _adam_variant(previous_moments=True)})
adam_seed_correction = Control(
    "adam_seed_correction", "seed 001's 1 - (1 - beta)^t applied to old-value betas",
    "correction 1 - (1 - b)^t with b weighting the old value", {"adam": _adam_variant(correction="seed")})
adam_naive_bias_correction = Control(
    "adam_naive_bias_correction", "torch 2.13 / optax 0.2.8 (findings T2, O2)",
    "bias correction computed as 1 - b**t, which cancels for b near 1 (31 eps at b = 0.999, t = 2)",
    {"adam": _adam_variant()}, correct="1 - b^t = -expm1(t log b)")
adam_eps_inside_sqrt = Control(
    "adam_eps_inside_sqrt", "issue 4 (eps at the wrong place)", "eps added to v_hat inside the root",
    {"adam": _adam_variant(eps_inside=True)})
adam_no_sqrt = Control(
    "adam_no_sqrt", "plausible bug", "Adam divides by v_hat instead of sqrt(v_hat)",
    {"adam": _adam_variant(no_sqrt=True)})
adam_momentum_sum = Control(
    "adam_momentum_sum", "plausible bug (optax trace form)", "m = b1 m + g, without the (1 - b1) factor",
    {"adam": _adam_variant(momentum_sum=True)})
zero_over_zero = Control(
    "zero_over_zero", "torch 2.13 / optax 0.2.8 (findings T1, O3)",
    "AdaGrad, RMSprop and Adam divide 0 by sqrt(0) + 0 at eps = 0 (a NaN for a coordinate that has only seen zeros)",
    {"adagrad": _adagrad_with(lambda g: g * g), "rmsprop": _rmsprop_variant(), "adam": _adam_variant()},
    correct="the limit as eps -> 0: an update of 0")
modifies_state = Control(
    "modifies_state", "plausible bug", "update writes the new moments into the caller's state",
    {"adam": _adam_modifies_state})
shared_output_buffer = Control(
    "shared_output_buffer", "plausible bug (a fast path leaking its preallocated buffer)",
    "update returns the same buffer every call, so a later call changes earlier results",
    {"adam": _adam_shared_output})
step_decay_off_by_one = Control(
    "step_decay_off_by_one", "plausible bug", "step decay counts from 1: decays one step early",
    {"step_decay": _step_decay_off_by_one})
exponential_decay_ahead = Control(
    "exponential_decay_ahead", "plausible bug", "exponential decay evaluated at step + 1",
    {"exponential_decay": _exponential_decay_one_step_ahead})
inverse_time_without_one = Control(
    "inverse_time_without_one", "plausible bug", "lr / (rate t) instead of lr / (1 + rate t)",
    {"inverse_time_decay": _inverse_time_without_one})
resume_restarts_at_zero = Control(
    "resume_restarts_at_zero", "plausible bug (a scheduler rebuilt without its step count)",
    "a run resumed at step N starts the schedule again from step 0",
    {"resume_schedule": _resume_restarts_at_zero})
resume_one_step_ahead = Control(
    "resume_one_step_ahead", "plausible bug (torch: a scheduler rebuilt with last_epoch=N instead of N - 1)",
    "a run resumed at step N is one step ahead of the uninterrupted run",
    {"resume_schedule": _resume_one_step_ahead})


# --- issue 16: schedules, element-wise updates, the step count, zero gradients, AMSGrad, AdamW ------

_OPTIMISERS = ("sgd", "nesterov_lookahead", "adagrad", "rmsprop", "adadelta", "adam")


def _schedule_one_step_ahead(name):
    """The reference optimiser ``name`` whose schedule is read at the count *after* the update."""
    def make(lr, *args, **kwargs):
        ahead = (lambda k: lr(k + 1)) if callable(lr) else lr
        return getattr(_ref(), name)(ahead, *args, **kwargs)
    return make


def _adam_second_moment_shared_along_axis_0(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat",
                                            amsgrad=False, weight_decay=0.0):
    if amsgrad or weight_decay or eps_form != "sqrt_vhat":
        return _ref().adam(lr, b1, b2, eps, eps_root, eps_form, amsgrad, weight_decay)

    def step(g, st, t, p):
        g2 = g * g
        if g.ndim >= 2:                                  # rows share one second moment per column
            g2 = np.broadcast_to(g2.mean(axis=0, keepdims=True), g.shape)
        st["mu"] = b1 * st["mu"] + (1 - b1) * g
        st["nu"] = b2 * st["nu"] + (1 - b2) * g2
        c1, c2 = 1 - b1**t, 1 - b2**t
        return -lr * (st["mu"] / c1) / (np.sqrt(st["nu"] / c2 + eps_root) + eps)
    return _naive(step)


def _adam_float32_fast_path(*args, **kwargs):
    opt = _ref().adam(*args, **kwargs)

    def update(grads, state, params=None):
        u, new = opt.update(grads, state, params)
        if np.size(u) >= 2**18:                          # the "vectorised" path rounds to single precision
            u = np.asarray(u).astype(np.float32).astype(np.asarray(u).dtype)
        return u, new

    return opt._replace(update=update)


def _count_not_advanced(name):
    def make(*args, **kwargs):
        opt = getattr(_ref(), name)(*args, **kwargs)

        def update(grads, state, params=None):
            u, new = opt.update(grads, state, params)
            return u, new._replace(count=state.count)    # the counter is left to the caller
        return opt._replace(update=update)
    return make


def _adam_zero_weight_decay_ignored(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat",
                                    amsgrad=False, weight_decay=0.0):
    # weight_decay=0.0 read as "use the default": AdamW's 1e-2 (torch AdamW)
    return _ref().adam(lr, b1, b2, eps, eps_root, eps_form, amsgrad, weight_decay or 1e-2)


def _adam_amsgrad(variant):
    def adam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat", amsgrad=False, weight_decay=0.0):
        if not amsgrad:
            return _ref().adam(lr, b1, b2, eps, eps_root, eps_form, amsgrad, weight_decay)
        if variant == "ignored":
            return _ref().adam(lr, b1, b2, eps, eps_root, eps_form, False, weight_decay)

        def step(g, st, t, p):                           # variant "no_max": nu_max follows nu
            st["mu"] = b1 * st["mu"] + (1 - b1) * g
            st["nu"] = b2 * st["nu"] + (1 - b2) * g * g
            st["nu_max"] = st["nu"].copy()
            c1, c2 = 1 - b1**t, 1 - b2**t
            with np.errstate(all="ignore"):
                return -lr * (st["mu"] / c1) / (np.sqrt(st["nu_max"] / c2) + eps)
        return _naive(step, ("mu", "nu", "nu_max"))
    return adam


def _adamw(variant):
    def adam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, eps_root=0.0, eps_form="sqrt_vhat", amsgrad=False, weight_decay=0.0):
        R = _ref()
        if not weight_decay:
            return R.adam(lr, b1, b2, eps, eps_root, eps_form, amsgrad, weight_decay)
        opt = R.adam(lr, b1, b2, eps, eps_root, eps_form, amsgrad, 0.0)

        def update(grads, state, params=None):
            p = np.asarray(params, dtype=np.float64)
            if variant == "coupled":                     # torch Adam(weight_decay): L2 in the gradient
                return opt.update(np.asarray(grads) + weight_decay * p, state, params)
            u, new = opt.update(grads, state, params)
            return u - lr * weight_decay * (p + u), new  # decays the new iterate theta_{t-1} + u_t
        return opt._replace(update=update)
    return adam


schedule_one_step_ahead = Control(
    "schedule_one_step_ahead", "plausible bug (a 1-based step count passed to a 0-based schedule)",
    "update k uses the schedule's value at k instead of k - 1 (every optimiser)",
    {n: _schedule_one_step_ahead(n) for n in _OPTIMISERS},
    correct="optax's convention: the schedule is called with the number of updates already done, so the first "
            "update uses schedule(0)")
second_moment_shared_along_axis_0 = Control(
    "second_moment_shared_along_axis_0", "plausible bug (a factored second moment, as Adafactor's, taken for the full one)",
    "Adam's second moment of a 2-d or 3-d parameter is the mean of g**2 over axis 0, shared by the rows",
    {"adam": _adam_second_moment_shared_along_axis_0})
float32_fast_path_for_large_arrays = Control(
    "float32_fast_path_for_large_arrays", "plausible bug (a vectorised kernel for large tensors in single precision)",
    "Adam's updates of arrays of at least 2**18 elements are rounded to float32",
    {"adam": _adam_float32_fast_path})
count_not_advanced = Control(
    "count_not_advanced", "mutation testing (make_optimizer's t = state[0] - 1 survived no law)",
    "update returns a state whose count is not advanced (every optimiser)",
    {n: _count_not_advanced(n) for n in _OPTIMISERS})
zero_weight_decay_ignored = Control(
    "zero_weight_decay_ignored", "plausible bug (0 treated as 'not given': torch AdamW's default 1e-2)",
    "adam(weight_decay=0.0) decays the parameters by 1e-2", {"adam": _adam_zero_weight_decay_ignored})
amsgrad_max_not_taken = Control(
    "amsgrad_max_not_taken", "plausible bug", "AMSGrad's nu_max is overwritten with nu instead of max(nu_max, nu)",
    {"adam": _adam_amsgrad("no_max")})
amsgrad_ignored = Control(
    "amsgrad_ignored", "plausible bug (a flag accepted and dropped)", "adam(amsgrad=True) runs plain Adam",
    {"adam": _adam_amsgrad("ignored")})
adamw_decays_the_new_iterate = Control(
    "adamw_decays_the_new_iterate", "plausible bug (decay applied after the step)",
    "theta_t = (theta_{t-1} - lr u_t)(1 - lr wd) instead of theta_{t-1}(1 - lr wd) - lr u_t",
    {"adam": _adamw("new_iterate")},
    correct="Loshchilov & Hutter (2019), Algorithm 2: theta_t = theta_{t-1} - eta (m_hat / (sqrt(v_hat) + eps) "
            "+ lambda theta_{t-1})")
adam_coupled_l2 = Control(
    "adam_coupled_l2", "torch Adam(weight_decay) taken for AdamW", "weight decay added to the gradient (L2), not decoupled",
    {"adam": _adamw("coupled")})
centered_rmsprop_unclamped = Control(
    "centered_rmsprop_unclamped", "plausible bug (optax 0.2.8's centred RMSprop with bias correction, finding O6)",
    "centred RMSprop takes the root of the EMA variance without clamping its rounding below 0",
    {"rmsprop": _rmsprop_centered_unclamped})
centered_rmsprop_mean_cubed = Control(
    "centered_rmsprop_mean_cubed", "surviving mutant of reference/optimizers/rmsprop.py (issue 16)",
    "centred RMSprop subtracts EMA(g)**3 instead of EMA(g)**2",
    {"rmsprop": _rmsprop_centered_mean_cubed})


# --- Newton, minimize and schedules: laws from the full mutation run ---

def _newton_direction_with(scale_h_by_multiplying=False, absolute_singular_threshold=False):
    """``H^-1 g`` by a solve as reference/optimizers/newton.py does, with one bug:
    ``scale_h_by_multiplying`` multiplies H by its power-of-two scale instead of dividing (the
    surviving mutant ``h * s_h``); ``absolute_singular_threshold`` rejects H when its smallest
    singular value is below ``d eps`` in absolute terms, not relative to the largest."""
    from reference._numerics import pow2_scale

    def direction(grad, hessian):
        g = np.asarray(grad, dtype=np.float64)
        h = np.asarray(hessian, dtype=np.float64)
        d = g.shape[0]
        s_h, s_g = float(pow2_scale(np.max(np.abs(h)))), float(pow2_scale(np.max(np.abs(g))))
        hs = h * s_h if scale_h_by_multiplying else h / s_h
        s = np.linalg.svd(hs, compute_uv=False)
        bound = d * np.finfo(np.float64).eps * (1.0 if absolute_singular_threshold else s[0])
        if not s[-1] > bound:
            raise ValueError("newton_step: hessian must be nonsingular")
        return np.linalg.solve(hs, g / s_g) * (s_g / s_h)
    return direction


def _newton_step_with(**bug):
    direction = _newton_direction_with(**bug)

    def newton_step(params, grad, hessian, lr=1.0):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = np.asarray(params, dtype=np.float64) - lr * direction(grad, hessian)
        if not np.isfinite(out).all():
            raise ValueError("newton_step: the step must fit float64")
        return out
    return newton_step


def _newton_step_default_lr(default):
    def newton_step(params, grad, hessian, lr=default):
        return _ref().newton_step(params, grad, hessian, lr=lr)
    return newton_step


def _newton_optimizer_with(count_start=0, count_step=1, in_place_sign=1.0):
    """reference ``newton`` whose state count starts at ``count_start`` and advances by
    ``count_step``, and whose ``step_`` adds ``in_place_sign * update``."""
    def newton(hessian_fn, lr=1.0):
        R = _ref()
        opt = R.newton(hessian_fn, lr=lr)

        def init(params):
            opt.init(params)
            return R.NewtonState(count_start)

        def update(grads, state, params=None):
            u, _ = opt.update(grads, R.NewtonState(state.count), params)
            return u, R.NewtonState(state.count + count_step)

        def step_(params, grads, state):
            u, _ = opt.update(grads, R.NewtonState(state.count), params)
            params[...] = params + in_place_sign * u
            return R.NewtonState(state.count + count_step)
        return R.Optimizer(init, update, step_)
    return newton


def _decay_default_steps(name, default):
    def make(init_lr, decay_rate, decay_steps=default):
        return getattr(_ref(), name)(init_lr, decay_rate, decay_steps)
    return make


def _minimize_with(final_norm_unscaled=False, history_always=False, overflow_counts_the_step=False):
    """reference ``minimize`` with one bug: ``final_norm_unscaled`` takes ``np.linalg.norm`` of
    the gradient (its squares underflow below 1e-154: a subnormal-scale gradient has norm 0);
    ``history_always`` returns the iterates even when not asked; ``overflow_counts_the_step``
    counts the update whose gradient overflowed (steps one too many)."""
    def minimize(optimizer, grad_fn, x0, *, steps, tol=None, history=False):
        R = _ref()
        x = np.array(x0, dtype=np.float64)
        hist = [x.copy()]
        state = optimizer.init(x.copy())

        def norm(g):
            return float(np.linalg.norm(g)) if final_norm_unscaled else R.optimizers.driver._norm(g)

        def done(xx, k, conv, gn):
            return R.MinimizeResult(xx, k, bool(conv), gn, np.stack(hist) if (history or history_always) else None)

        with np.errstate(all="ignore"):
            for k in range(steps):
                g = np.asarray(grad_fn(x.copy()), dtype=np.float64)
                gn = norm(g)
                if not np.isfinite(gn):
                    return done(x, k + 1 if overflow_counts_the_step else k, False, np.inf)
                if tol is not None and gn <= tol:
                    return done(x, k, True, gn)
                u, state = optimizer.update(g, state, x.copy())
                new = x + np.asarray(u, dtype=np.float64)
                if not np.all(np.isfinite(new)):
                    return done(x, k, False, np.inf)
                x = new
                hist.append(x.copy())
            gn = norm(np.asarray(grad_fn(x.copy()), dtype=np.float64))
        if not np.isfinite(gn):
            return done(x, steps, False, np.inf)
        return done(x, steps, tol is not None and gn <= tol, gn)
    return minimize


newton_h_times_scale = Control(
    "newton_h_times_scale", "surviving mutant of reference/optimizers/newton.py (h * s_h for h / s_h)",
    "newton_step multiplies the Hessian by its power-of-two scale instead of dividing by it",
    {"newton_step": _newton_step_with(scale_h_by_multiplying=True)})
newton_absolute_singular_threshold = Control(
    "newton_absolute_singular_threshold", "plausible bug (an absolute cut-off; the mutant d eps / s_max of newton.py)",
    "newton_step rejects a Hessian whose smallest singular value is below d eps, however small its largest is",
    {"newton_step": _newton_step_with(absolute_singular_threshold=True)},
    correct="singular when s_min <= d eps s_max (relative to the largest singular value)")
newton_step_default_half = Control(
    "newton_step_default_half", "plausible bug (a damped default)", "newton_step's default lr is 0.5, not the full step 1",
    {"newton_step": _newton_step_default_lr(0.5)})
newton_count_from_one = Control(
    "newton_count_from_one", "surviving mutant of reference/optimizers/newton.py (NewtonState(1) at init)",
    "newton's init returns count 1", {"newton": _newton_optimizer_with(count_start=1)})
newton_count_by_two = Control(
    "newton_count_by_two", "surviving mutant of reference/optimizers/newton.py (count + 2)",
    "newton's update and step_ advance count by 2", {"newton": _newton_optimizer_with(count_step=2)})
newton_in_place_subtracts = Control(
    "newton_in_place_subtracts", "surviving mutant of reference/optimizers/newton.py (params - u in step_)",
    "newton's step_ subtracts the update it computes", {"newton": _newton_optimizer_with(in_place_sign=-1.0)})
decay_steps_default_two = Control(
    "decay_steps_default_two", "surviving mutant of reference/optimizers/schedules.py (decay_steps: int = 2)",
    "exponential_decay and inverse_time_decay default to decay_steps = 2",
    {"exponential_decay": _decay_default_steps("exponential_decay", 2),
     "inverse_time_decay": _decay_default_steps("inverse_time_decay", 2)})
minimize_norm_unscaled = Control(
    "minimize_norm_unscaled", "surviving mutant of reference/optimizers/driver.py (np.max(..., initial=1.0) in _norm)",
    "minimize's grad_norm is np.linalg.norm(g): a gradient below 1e-154 has norm 0 (and meets tol = 0)",
    {"minimize": _minimize_with(final_norm_unscaled=True)})
minimize_history_always = Control(
    "minimize_history_always", "surviving mutant of reference/optimizers/driver.py (history default True)",
    "minimize returns the iterates when history=False", {"minimize": _minimize_with(history_always=True)})
minimize_counts_the_overflowed_step = Control(
    "minimize_counts_the_overflowed_step", "plausible bug (off by one on the divergence path)",
    "minimize stopping at an overflowed gradient counts that step as done (steps = k + 1)",
    {"minimize": _minimize_with(overflow_counts_the_step=True)})


# --- first-order optimisers: laws from the full mutation run ---

def _patched(module: str, func: str, replace: dict | None = None, **names):
    """The reference function ``module.func`` built from its module's source (with each ``old ->
    new`` of ``replace`` applied once) and run with the module-level ``names`` rebound (a validation
    helper replaced by a pass-through, or ``make_optimizer`` by another ``_patched``). Built on first
    call, so importing the controls never reads the reference's source (under mutmut that source
    is the mutated copy)."""
    built = []

    def build():
        import importlib
        import inspect
        mod = importlib.import_module(module)
        src = inspect.getsource(mod)
        for old, new in (replace or {}).items():
            if src.count(old) != 1:
                raise RuntimeError(f"control for {module}.{func}: {old!r} occurs {src.count(old)} times in the source")
            src = src.replace(old, new)
        ns = {"__name__": f"{module}__control", "__package__": mod.__package__}
        exec(compile(src, f"<control {module}.{func}>", "exec"), ns)
        ns.update(names)
        return ns[func]

    def call(*args, **kwargs):
        if not built:
            built.append(build())
        return built[0](*args, **kwargs)
    return call


def _source_mutant(module: str, func: str, old: str, new: str, quiet: bool = False):
    """The reference function ``module.func`` with one fragment of its module's source replaced
    (a surviving mutant, verbatim; :func:`_patched`). ``quiet``: its updates run under
    ``np.errstate(all="ignore")`` (a mutant whose bug is a NaN shows the NaN to the law instead of
    a RuntimeWarning)."""
    build = _patched(module, func, {old: new})
    if not quiet:
        return build

    def call(*args, **kwargs):
        opt = build(*args, **kwargs)

        def update(grads, state, params=None):
            with np.errstate(all="ignore"):
                return opt.update(grads, state, params)
        return opt._replace(update=update)
    return call

_SGD_SRC, _RMS_SRC, _ADAM_SRC = "reference.optimizers.sgd", "reference.optimizers.rmsprop", "reference.optimizers.adam"
_ADAGRAD_SRC, _ADADELTA_SRC = "reference.optimizers.adagrad", "reference.optimizers.adadelta"

sgd_dampening_one_plus = Control(
    "sgd_dampening_one_plus", "surviving mutant of reference/optimizers/sgd.py (full mutation run)",
    "sgd's dampened momentum b = mu b + (1 + tau) g' instead of (1 - tau) g'",
    {"sgd": _source_mutant(_SGD_SRC, "sgd", "b += (1.0 - tau) * g if tau", "b += (1.0 + tau) * g if tau")},
    correct="torch.optim.SGD: b_t = mu b_{t-1} + (1 - dampening) g'_t for t > 1, b_1 = g'_1")
sgd_weight_decay_sign_flipped = Control(
    "sgd_weight_decay_sign_flipped", "surviving mutant of reference/optimizers/sgd.py (full mutation run)",
    "sgd's coupled L2 g' = g - lambda theta instead of g + lambda theta",
    {"sgd": _source_mutant(_SGD_SRC, "sgd", "g = g + wd * p", "g = g - wd * p")})
sgd_lr_inside_velocity_ignored = Control(
    "sgd_lr_inside_velocity_ignored", "surviving mutant of reference/optimizers/sgd.py (full mutation run)",
    "sgd(lr_inside_velocity=True) runs the torch form (the whole velocity rescaled by the current lr)",
    {"sgd": _source_mutant(_SGD_SRC, "sgd", 'inside = check_bool(lr_inside_velocity, func, "lr_inside_velocity")',
                           "inside = None")})
sgd_inside_nesterov_sign_flipped = Control(
    "sgd_inside_nesterov_sign_flipped", "surviving mutant of reference/optimizers/sgd.py (full mutation run)",
    "seed 001's Nesterov step mu u + eta g' instead of mu u - eta g' (lr_inside_velocity=True)",
    {"sgd": _source_mutant(_SGD_SRC, "sgd", "return mu * u + -eta * g if nesterov", "return mu * u + +eta * g if nesterov")})
rmsprop_momentum_ascends = Control(
    "rmsprop_momentum_ascends", "surviving mutant of reference/optimizers/rmsprop.py (full mutation run)",
    "RMSprop with momentum returns +eta b (ascends)",
    {"rmsprop": _source_mutant(_RMS_SRC, "rmsprop", "        return -eta * b\n", "        return +eta * b\n")})
rmsprop_centered_ignored = Control(
    "rmsprop_centered_ignored", "surviving mutant of reference/optimizers/rmsprop.py (full mutation run)",
    "rmsprop(centered=True) divides by the root of the uncentred second moment",
    {"rmsprop": _source_mutant(_RMS_SRC, "rmsprop", 'centered = check_bool(centered, func, "centered")',
                               "centered = None")})
rmsprop_eps_inside_ignored = Control(
    "rmsprop_eps_inside_ignored", "surviving mutant of reference/optimizers/rmsprop.py (full mutation run)",
    "rmsprop(eps_inside_sqrt=True) adds eps outside the root",
    {"rmsprop": _source_mutant(_RMS_SRC, "rmsprop", 'inside = check_bool(eps_inside_sqrt, func, "eps_inside_sqrt")',
                               "inside = None")})
rmsprop_centered_mean_decays_up = Control(
    "rmsprop_centered_mean_decays_up", "surviving mutant of reference/optimizers/rmsprop.py (full mutation run)",
    "centred RMSprop's EMA of g divides the old value by rho instead of multiplying",
    {"rmsprop": _source_mutant(_RMS_SRC, "rmsprop", "mu *= rho", "mu /= rho")})
adam_eps_hat_ignored = Control(
    "adam_eps_hat_ignored", "surviving mutant of reference/optimizers/adam.py (full mutation run)",
    "adam(eps_form='eps_hat') runs Algorithm 1 (eps added to sqrt(v_hat))",
    {"adam": _source_mutant(_ADAM_SRC, "adam", 'hat = eps_form == "eps_hat"', "hat = None")},
    correct="Kingma & Ba section 2: eta sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)")
adam_eps_hat_step_size_inverted = Control(
    "adam_eps_hat_step_size_inverted", "surviving mutant of reference/optimizers/adam.py (full mutation run)",
    "adam(eps_form='eps_hat') steps eta / sqrt(1 - b2^t) / (1 - b1^t) instead of eta sqrt(1 - b2^t) / (1 - b1^t)",
    {"adam": _source_mutant(_ADAM_SRC, "adam", "step_size = eta * math.sqrt(bc2) / bc1",
                            "step_size = eta / math.sqrt(bc2) / bc1")})
adam_eps_root_subtracted = Control(
    "adam_eps_root_subtracted", "surviving mutant of reference/optimizers/adam.py (full mutation run)",
    "adam divides by sqrt(v_hat - eps_root) + eps instead of sqrt(v_hat + eps_root) + eps",
    {"adam": _source_mutant(_ADAM_SRC, "adam", "den = np.sqrt(v / bc2 + eps_root) + eps",
                            "den = np.sqrt(v / bc2 - eps_root) + eps")})
adagrad_eps_inside_ignored = Control(
    "adagrad_eps_inside_ignored", "surviving mutant of reference/optimizers/adagrad.py (full mutation run)",
    "adagrad(eps_inside_sqrt=True) adds eps outside the root",
    {"adagrad": _source_mutant(_ADAGRAD_SRC, "adagrad", 'inside = check_bool(eps_inside_sqrt, func, "eps_inside_sqrt")',
                               "inside = None")})
adagrad_lr_decay_off_by_one = Control(
    "adagrad_lr_decay_off_by_one", "surviving mutant of reference/optimizers/adagrad.py (full mutation run)",
    "adagrad's lr decay eta / (1 + (t + 1) delta) instead of eta / (1 + (t - 1) delta)",
    {"adagrad": _source_mutant(_ADAGRAD_SRC, "adagrad", "(1.0 + (t - 1) * decay)", "(1.0 + (t + 1) * decay)")},
    correct="torch.optim.Adagrad: clr = lr / (1 + (step - 1) lr_decay)")
adadelta_eps_0_unguarded = Control(
    "adadelta_eps_0_unguarded", "surviving mutant of reference/optimizers/adadelta.py (full mutation run)",
    "adadelta with eps = 0 divides 0 by 0 on a coordinate whose gradients have all been 0 (NaN update)",
    {"adadelta": _source_mutant(_ADADELTA_SRC, "adadelta", "guard = eps == 0.0", "guard = None", quiet=True)})

lookahead_aliases_params = Control(
    "lookahead_aliases_params", "surviving mutant of reference/optimizers/sgd.py (full mutation run)",
    "nesterov_lookahead's init keeps the params array itself as the look-ahead point (astype(copy=False))",
    {"nesterov_lookahead": _source_mutant(_SGD_SRC, "nesterov_lookahead", "p.astype(dtype, copy=True)",
                                          "p.astype(dtype, copy=False)")})
adagrad_accumulator_in_float64 = Control(
    "adagrad_accumulator_in_float64", "surviving mutant of reference/optimizers/adagrad.py (full mutation run)",
    "adagrad's initial accumulator G_init is filled as float64 whatever the params' dtype (np.full without dtype)",
    {"adagrad": _source_mutant(_ADAGRAD_SRC, "adagrad", "np.full(p.shape, g0, dtype)", "np.full(p.shape, g0, None)")})


# --- the in-place step_ -----------------------------------------------------------------------

def _step_not_in_place(name: str):
    def factory(*args, **kwargs):
        opt = getattr(_ref(), name)(*args, **kwargs)

        def step_(params, grads, state):
            u, new = opt.update(grads, state, params)
            _ = params + u                     # computed into a new array, never written back
            return new
        return _ref().Optimizer(opt.init, opt.update, step_)
    return factory


step_not_in_place = Control(
    "step_not_in_place", "plausible bug (mutation testing: step_'s body was reached by no law)",
    "step_ computes params + update into a new array and leaves params unchanged",
    {n: _step_not_in_place(n) for n in _OPTIMISERS})


# --- contract tier: a check removed or weakened (issue 16) -----------------------------------------


def _passthrough(value, *args, **kwargs):
    return value


_MODULE = {"sgd": _SGD_SRC, "nesterov_lookahead": _SGD_SRC, "adagrad": _ADAGRAD_SRC, "rmsprop": _RMS_SRC,
           "adadelta": _ADADELTA_SRC, "adam": _ADAM_SRC}
_BASE = "reference.optimizers._base"
_SCHED = "reference.optimizers.schedules"


def _with_base(*pairs):
    """Every optimiser built on a ``make_optimizer`` whose module source has ``old -> new`` applied."""
    base = _patched(_BASE, "make_optimizer", dict(pairs))
    return {n: _patched(_MODULE[n], n, make_optimizer=base) for n in _OPTIMISERS}


lr_unchecked = Control(
    "lr_unchecked", "plausible bug (mutation testing: check_lr weakened or removed)",
    "the optimisers accept any constant learning rate (0, negative, NaN, inf)",
    {n: _patched(_MODULE[n], n, check_lr=_passthrough) for n in _OPTIMISERS})
decay_rate_unchecked = Control(
    "decay_rate_unchecked", "plausible bug (mutation testing: check_beta's bounds dropped)",
    "momentum, rho, b1 and b2 are accepted outside [0, 1)",
    {n: _patched(_MODULE[n], n, check_beta=_passthrough) for n in _OPTIMISERS})
decay_rate_closed_at_one = Control(
    "decay_rate_closed_at_one", "plausible bug (mutation testing: the open bound of check_beta closed)",
    "a decay rate of exactly 1 is accepted ([0, 1] instead of [0, 1))",
    {n: _patched(_MODULE[n], n, check_beta=lambda v, func, name: _ref()._validation.check_in_range(
        v, func, name, lo=0.0, hi=1.0)) for n in _OPTIMISERS})
non_negative_unchecked = Control(
    "non_negative_unchecked", "plausible bug (mutation testing: the lower bound of check_eps / check_in_range dropped)",
    "eps, eps_root, AdaGrad's initial accumulator and lr decay and weight decay are accepted below 0 and non-finite",
    {n: _patched(_MODULE[n], n, check_eps=_passthrough, check_in_range=_passthrough) for n in _OPTIMISERS})
dampening_unchecked = Control(
    "dampening_unchecked", "plausible bug (mutation testing: sgd's dampening range check loses a bound)",
    "sgd accepts any dampening (the [0, 1] check removed)",
    {"sgd": _patched(_SGD_SRC, "sgd", {'tau = check_in_range(dampening, func, "dampening", lo=0.0, hi=1.0)':
                                       "tau = float(dampening)"})})
dampening_with_nesterov_accepted = Control(
    "dampening_with_nesterov_accepted", "plausible bug (mutation testing: the nesterov / dampening check weakened)",
    "sgd(nesterov=True) accepts a dampening above 0",
    {"sgd": _patched(_SGD_SRC, "sgd", {"if tau and (nesterov or inside):": "if tau and (nesterov and inside):"})})
eps_form_unchecked = Control(
    "eps_form_unchecked", "plausible bug (mutation testing: check_choice accepts any string)",
    "adam accepts an unknown eps_form (anything but 'eps_hat' runs the sqrt_vhat form)",
    {"adam": _patched(_ADAM_SRC, "adam", check_choice=_passthrough)})
non_finite_grads_accepted = Control(
    "non_finite_grads_accepted", "plausible bug (mutation testing: the NaN check of the gradients removed)",
    "update folds a NaN or infinite gradient into the state and the update",
    _with_base(("if not (np.isfinite(g).all() and (not needs_params or np.isfinite(p).all())):",
                "if not (True and (not needs_params or np.isfinite(p).all())):")))
non_finite_params_accepted = Control(
    "non_finite_params_accepted", "plausible bug (mutation testing: needs_params off / the params' NaN check removed)",
    "update reads NaN or infinite params (weight decay, the look-ahead) without refusing them",
    _with_base(("if not (np.isfinite(g).all() and (not needs_params or np.isfinite(p).all())):",
                "if not (np.isfinite(g).all() and (not needs_params or True)):")))
grads_shape_unchecked = Control(
    "grads_shape_unchecked", "plausible bug (mutation testing: the shape checks of update removed)",
    "update lets numpy broadcast grads against params and state of another shape",
    _with_base(("            if p.shape != g.shape:\n", "            if False:\n"),
               ("            if first.shape != g.shape:\n", "            if False:\n")))
schedule_value_unchecked = Control(
    "schedule_value_unchecked", "plausible bug (mutation testing: lr_at's check of a schedule's value weakened)",
    "a schedule's value is used as the lr whatever it is (0, negative, NaN, inf)",
    _with_base(("            or not (math.isfinite(value) and value > 0):", "            or False:")))
apply_updates_unchecked = Control(
    "apply_updates_unchecked", "plausible bug (mutation testing: apply_updates's NaN check removed)",
    "apply_updates returns params + updates even where either is NaN or infinite",
    {"apply_updates": _patched(_BASE, "apply_updates", {"if not (np.isfinite(p).all() and np.isfinite(u).all()):":
                                                         "if False:"})})
_SCHEDULES = ("constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay")
schedule_rate_unchecked = Control(
    "schedule_rate_unchecked", "plausible bug (mutation testing: a schedule's decay_rate check loses a bound)",
    "step, exponential and inverse-time decay accept any decay rate",
    {n: _patched(_SCHED, n, check_in_range=_passthrough) for n in _SCHEDULES[1:]})
schedule_init_lr_unchecked = Control(
    "schedule_init_lr_unchecked", "plausible bug (mutation testing: _lr0's open lower bound dropped)",
    "the schedules accept any init_lr (0, negative, NaN, inf)",
    {n: _patched(_SCHED, n, _lr0=_passthrough) for n in _SCHEDULES})
schedule_step_unchecked = Control(
    "schedule_step_unchecked", "plausible bug (mutation testing: _step's check weakened)",
    "the schedules evaluate their formula at any step (negative, fractional)",
    {n: _patched(_SCHED, n, _step=_passthrough) for n in _SCHEDULES})
schedule_period_unchecked = Control(
    "schedule_period_unchecked", "plausible bug (mutation testing: check_positive_int's bound dropped)",
    "step_size and decay_steps are accepted at 0, negative or fractional",
    {n: _patched(_SCHED, n, check_positive_int=_passthrough) for n in _SCHEDULES[1:]})

adaptive_in_float16 = Control(
    "adaptive_in_float16", "plausible bug (mutation testing: adaptive=False; torch's and optax's default for half params)",
    "the adaptive methods keep float16 state and compute in float16 for float16 params (g**2 underflows)",
    _with_base(("return np.promote_types(p.dtype, np.float32) if adaptive else p.dtype", "return p.dtype")))
update_requires_params = Control(
    "update_requires_params", "plausible bug (mutation testing: needs_params defaults to True)",
    "update raises ValueError without params also where the formula does not read them",
    _with_base(("        elif needs_params:\n", "        elif True:\n")))
params_never_required = Control(
    "params_never_required", "plausible bug (mutation testing: needs_params off)",
    "update without params runs the formula that reads them (TypeError inside weight decay or the look-ahead)",
    _with_base(("        elif needs_params:\n", "        elif False:\n")))
step_reads_the_schedule_ahead = Control(
    "step_reads_the_schedule_ahead", "surviving mutant of reference/optimizers/_base.py (lr_at(lr, t + 1) in step_)",
    "step_ reads a schedule two steps ahead (update reads it at the number of updates done)",
    _with_base(("        params += direction(g, p, t, lr_at(lr, t - 1, func), *arrs).astype(out, copy=False)",
                "        params += direction(g, p, t, lr_at(lr, t + 1, func), *arrs).astype(out, copy=False)")))


def _defaults_changed(name: str, **changed):
    def factory(*args, **kwargs):
        return getattr(_ref(), name)(*args, **{**changed, **kwargs})
    return factory


optimizer_defaults_changed = Control(
    "optimizer_defaults_changed", "surviving mutants of reference/optimizers/*.py (a default argument changed)",
    "every optimiser's omitted arguments take other values than documented (SGD momentum 0.5, look-ahead momentum "
    "0.5, AdaGrad G_0 0.1, RMSprop centred, AdaDelta rho 0.95, Adam AMSGrad)",
    {"sgd": _defaults_changed("sgd", momentum=0.5), "nesterov_lookahead": _defaults_changed("nesterov_lookahead", momentum=0.5),
     "adagrad": _defaults_changed("adagrad", initial_accumulator_value=0.1),
     "rmsprop": _defaults_changed("rmsprop", centered=True), "adadelta": _defaults_changed("adadelta", rho=0.95),
     "adam": _defaults_changed("adam", amsgrad=True)})
