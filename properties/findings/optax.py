"""Findings of optax 0.2.8 / jax 0.10.2 (see properties/targets/optax.py CONVENTIONS and
docs/techniques/targets_optax.md). Each has a reproduction that must still fail."""

import numpy as np

from properties.findings import Finding, unsupported_option, violates
from properties.findings._names import (EDGE, LR, SCHED_LR, DECAY, NONNEG, NONFINITE, SHAPE, SCHEDULE_LAWS, F16,
                                        F16_ACC, GAIN, NO_FAN, NON_INT, BIG_GAIN)


FINDINGS = [
    Finding(
        "O1", severity="correctness",
        reason="optax.adadelta() with its default learning_rate=None ascends: scale_by_learning_rate(None) is the "
               "identity, so the minus sign is lost (optax/_src/transform.py L1000, alias.py L217); "
               "optax.adadelta().update([1.0], state, [0.0]) -> +0.0031622618 where Zeiler's Algorithm 1 (and the "
               "optax docstring) give -0.0031622618. An explicit learning rate descends correctly",
        laws={"adadelta_by_default_needs_no_learning_rate": lambda lr, **_: lr is None},
        reproduce=violates("adadelta_by_default_needs_no_learning_rate", grads=np.array([[1.0]]), lr=None, rho=0.9, eps=1e-6),
    ),
    Finding(
        "O2", severity="accuracy",
        reason="Adam corrects with 1 - b**count (optax/tree_utils/_tree_math.py L442), which loses "
               "log10(b^t/(1 - b^t)) digits: adam(1e-3, b1=0, b2=0.999, eps=0) under the constant gradient 1 gives "
               "step 2 = -0.0009999999999999929 (32 eps; accuracy law 16 eps; within the conditioning of 1 - b^t)",
        laws={"adam_constant_gradient_bias_correction_is_exact": lambda b1, b2, **_: max(b1, b2) >= 0.9},
        reproduce=violates("adam_constant_gradient_bias_correction_is_exact", g=np.array([1.0]), lr=1e-3,
                           b1=0.0, b2=0.999),
    ),
    Finding(
        "O3", severity="correctness",
        reason="optax.rmsprop and optax.adam with eps=0 return NaN for a coordinate whose gradients have all been 0 "
               "(0 * rsqrt(0), transform.py scale_by_rms / scale_by_adam); optax.adagrad masks the case and passes: "
               "optax.rmsprop(0.1, eps=0.0).update([0.0, 1.0], state) -> [nan, -0.316]",
        laws=(f"{EDGE}[rmsprop]", f"{EDGE}[adam]"),
        reproduce=violates(EDGE, name="rmsprop", grads=np.array([[0.0, 1.0]]), lr=0.1, inside=True, beta=0.9),
    ),
    Finding(
        "O4", severity="accuracy",
        reason="XLA's float64 tanh on CPU is not correctly rounded near 1: jnp.tanh(19.0) = 0.9999999999999992 "
               "(correctly rounded 0.9999999999999999, up to 3.5 eps absolute on [0, 30]), so autodiff's 1 - t^2 "
               "gives jax.grad(jnp.tanh)(19.0) = 1.554e-15 against sech(19)^2 = 1.256e-16 (law: 8 eps |g| + 4 eps)",
        laws={"tanh_derivative_is_at_most_one": lambda x, **_: bool(np.any((np.abs(x) >= 3.0) & (np.abs(x) <= 22.0))),
              "sigmoid_and_tanh_derivatives_stay_finite_and_bounded_up_to_1e3":
                  lambda x, **_: bool(np.any((np.abs(x) >= 3.0) & (np.abs(x) <= 22.0)))},
        reproduce=violates("tanh_derivative_is_at_most_one", x=np.array([19.0, 0.0])),
    ),
    Finding(
        "O5", severity="correctness",
        reason="optax's decaying schedules compute in float32 inside an optimizer even under jax_enable_x64: "
               "scale_by_schedule keeps its count as int32 (optax/_src/transform.py, ScaleByScheduleState), and "
               "exponential_decay's count / transition_steps of an int32 is float32, so "
               "optax.sgd(optax.exponential_decay(0.1, 1, 0.9)) makes the float64 updates -0.10000000149011612, "
               "-0.08999999612569809, ... (float32 roundings of 0.1, 0.09). Called with a Python int the same "
               "schedule returns float64 values. The target reads a schedule as the optimizer does (at the int32 "
               "count); the constant schedule is exact",
        laws={"schedules_non_increasing_with_right_values": lambda kind, **_: kind != "constant"},
        reproduce=violates("schedules_non_increasing_with_right_values", kind="exponential", lr0=0.1, rate=0.9, size=1),
    ),
    Finding(
        "O6", severity="correctness",
        reason="optax.rmsprop(centered=True, bias_correction=True) takes the root of nu_hat - mu_hat**2 without "
               "clamping it at 0 (optax/_src/transform.py, scale_by_stddev): for a constant gradient that difference "
               "is 0 in exact arithmetic and rounds to either side, so the update is NaN or a rounding error's root: "
               "rmsprop(0.001, decay=0.5, eps=1e-8, centered=True, bias_correction=True), gradient 1.565592620494968 "
               "-> NaN. Without bias correction the difference is rho (1 - rho) g^2 > 0 and the law passes",
        laws={"centered_rmsprop_of_a_constant_gradient_is_finite": lambda bias, **_: bool(bias)},
        reproduce=violates("centered_rmsprop_of_a_constant_gradient_is_finite", g=1.565592620494968, steps=1, rho=0.5,
                           eps=1e-8, lr=0.001, bias=True),
    ),
    Finding(
        "O7", severity="accuracy",
        reason="jax's sigmoid and tanh derivatives are s (1 - s) and 1 - t^2 of the rounded outputs (as torch's, T3): "
               "relative accuracy fails from |x| of about 2 to 3 on; jax.nn.sigmoid(-720.0) = 0 where the true value "
               "is 2.0e-313, so jax.grad(jax.nn.sigmoid)(-720.0) = 0.0",
        laws={"sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails": lambda x, **_: bool(np.any(np.abs(x) > 1.0)),
              "tanh_derivative_is_accurate_where_it_is_subnormal": None},
        reproduce=violates("sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails", x=np.array([-720.0, 40.0])),
    ),
    Finding(
        "OC1", severity="capability",
        reason="optax.adagrad puts eps inside the root (scale_by_rss); AdaGrad with eps outside the root (torch) is not "
               "offered, so those examples are rejected",
        laws=("adagrad_effective_step_never_increases", "adagrad_accumulator_never_decreases"),
        reproduce=unsupported_option("adagrad(0.1, eps_inside_sqrt=False)",
                                     lambda t: t.adagrad(0.1, eps=1e-10, initial_accumulator_value=0.0,
                                                         eps_inside_sqrt=False, lr_decay=0.0)),
    ),
    Finding(
        "O8", severity="correctness",
        reason="optax.adadelta with eps=0 returns NaN for a coordinate whose E[g^2] is 0 (its gradients have all been 0, "
               "or with rho = 0 the current one is; scale_by_adadelta "
               "computes sqrt(e_x + eps) / sqrt(e_g + eps) * g = 0/0 * 0 unguarded, transform.py): "
               "optax.adadelta(1.0, eps=0.0).update([0.0, 1.0], state) -> [nan, -0.]. With eps = 0 AdaDelta never "
               "moves (E[Delta^2] stays 0), and the limit as eps -> 0 of sqrt(eps / eps) * 0 is 0",
        laws=(f"{EDGE}[adadelta]",),
        reproduce=violates(EDGE, name="adadelta", grads=np.array([[0.0, 1.0]]), lr=1.0, inside=False, beta=0.9),
    ),
]


FINDINGS += [
    Finding(
        "O9", severity="contract",
        reason="optax checks no hyper-parameter and no value: its transformations are pure jax functions that "
               "compute with whatever they are given (optax.adam(-0.5) ascends, optax.adam(0.01, b1=1.5) "
               "diverges, optax.sgd(0.1, momentum=-0.5) oscillates; a NaN gradient enters mu and nu), and its "
               "schedules (exponential_decay, inverse_time_decay, constant_schedule) accept any rate, initial "
               "value, step and period. Validation is left to the caller by design",
        laws=(LR, SCHED_LR, DECAY, NONNEG, *NONFINITE, *SCHEDULE_LAWS),
        reproduce=violates(LR, name="adam", lr=-0.5),
    ),
    Finding(
        "O10", severity="contract",
        reason="optax refuses a gradient whose shape does not broadcast against the parameters with jax's "
               "TypeError ('add got incompatible shapes for broadcasting'), and broadcasts one that does: "
               "optax.sgd(0.1).update(grads of shape (1, 3), state, params of shape (3,)) returns (1, 3) updates",
        laws=(SHAPE,),
        reproduce=violates(SHAPE, name="sgd", shapes=((3,), (1, 3))),
    ),
]


FINDINGS += [
    Finding(
        "O11", severity="correctness",
        reason="optax.rmsprop and optax.adam keep nu in the parameters' dtype (mu_dtype / nu follow params), so for "
               "float16 parameters (1 - decay) g^2 underflows to 0 below |g| of about 2^-10.8 (rmsprop, decay 0.9) "
               "and 2^-7.5 (adam), and the first update divides by 0: optax.adam(0.01, eps=0.0) with a float16 "
               "grad 6.1e-05 gives -inf (the true update is -0.01)",
        laws={f"{F16}[rmsprop]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-10)), f"{F16}[adam]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-7))},
        reproduce=violates(F16, name="adam", g=np.array([6.104e-05], dtype=np.float16)),
    ),
    Finding(
        "O12", severity="accuracy",
        reason="optax's rmsprop, adadelta and adam compute in float16 for float16 parameters, with the "
               "hyper-parameters rounded to float16: optax.adam(0.01, eps=0.0) with grad 0.0078 gives -0.01012 "
               "(closed form -0.01, one float16 unit 7.6e-06)",
        laws=tuple(f"{F16_ACC}[{n}]" for n in ("rmsprop", "adadelta", "adam")),
        reproduce=violates(F16_ACC, name="adam", g=np.array([0.007812], dtype=np.float16)),
    ),
    Finding(
        "O13", severity="correctness",
        reason="optax.adadelta chains add_decayed_weights (weight_decay=0.0 by default), which requires params even "
               "at weight decay 0: update(grads, state) without params raises ValueError ('You are using a "
               "transformation that requires the current value of parameters'), although AdaDelta's update never "
               "reads them and the interface makes them optional there",
        laws=("optimizers_update_without_params_where_the_update_does_not_read_them[adadelta]",),
        reproduce=violates("optimizers_update_without_params_where_the_update_does_not_read_them",
                           config=("adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6}), grads=np.array([[0.5]]),
                           dtype="float64"),
    ),
]

FINDINGS += [
    Finding(
        "O14", severity="contract",
        reason="optax's defaults are not the interface's (torch's) documented ones, and the optax target exposes "
               "optax's: optax.rmsprop defaults to decay 0.9 with eps inside the root (torch: alpha 0.99, eps "
               "outside), optax.adadelta to learning_rate=None, which skips the learning-rate scaling and with it "
               "the sign flip, so its default update ascends (O1). Every law but this one passes these arguments",
        laws=("optimizers_default_to_the_documented_hyperparameters[rmsprop]",
              "optimizers_default_to_the_documented_hyperparameters[adadelta]"),
        reproduce=violates("optimizers_default_to_the_documented_hyperparameters", name="rmsprop"),
    ),
]

# --- contract findings (argument domains the interface documents) -----------------------------------

FINDINGS += [
    Finding(
        "O15", severity="contract",
        reason="jax.nn.initializers.variance_scaling does not check scale (jax/_src/nn/initializers.py: variance = "
               "scale / denominator, documented 'positive float'), and jax has no gain: the adapter passes scale = "
               "gain^2, so gain 0 draws all-zero weights, a negative gain is taken as its square, and NaN / inf give "
               "NaN / inf weights, all without an error",
        laws=tuple(f"{GAIN}[{n}]" for n in ("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform")),
        reproduce=violates(GAIN, name="lecun_normal", value=0.0, shape=(4, 7), seed=0),
    ),
    Finding(
        "O16", severity="contract",
        reason="jax.nn.initializers.variance_scaling refuses a shape of fewer than 2 dimensions (ValueError from "
               "_compute_fans), but a zero dimension gives a fan of 0 and variance = scale / denominator divides a "
               "Python float by 0 (ZeroDivisionError), and a negative dimension fails in the sampler with an MLIRError "
               "('invalid tensor dimension size'), not ValueError (the adapter, which draws at a square bucket shape, "
               "reports numpy's reshape ValueError there instead)",
        laws={NO_FAN: lambda shape, **_: len(shape) >= 2 and min(shape) <= 0},
        reproduce=violates(NO_FAN, name="glorot_uniform", shape=(0, 3), layout="torch", seed=0),
    ),
    Finding(
        "O17", severity="contract",
        reason="jax.nn.initializers.zeros and constant accept a bool dimension (True is an int to jax's shape check: "
               "zeros(key, (True, 3)) has shape (1, 3)); float, string and None dimensions raise TypeError",
        laws={f"{NON_INT}[zeros_init]": lambda shape, **_: any(isinstance(d, bool) for d in shape),
              f"{NON_INT}[constant_init]": lambda shape, **_: any(isinstance(d, bool) for d in shape)},
        reproduce=violates(NON_INT, name="zeros_init", shape=(True, 3), seed=0),
    ),
]

FINDINGS += [
    Finding(
        "O18", severity="contract",
        reason="jax.nn.initializers.variance_scaling does not check that the weights fit float64: scale = inf gives "
               "+-inf weights (variance_scaling(inf, 'fan_in', 'normal')(key, (4, 1)) = [-inf, -inf, inf, inf]); jax "
               "has no gain, and the adapter's scale = gain**2 raises Python's OverflowError for a gain of 1.7e308 "
               "before jax is called, not ValueError",
        laws=tuple(f"{BIG_GAIN}[{n}]" for n in ("lecun_normal", "lecun_uniform", "glorot_uniform")),
        reproduce=violates(BIG_GAIN, name="lecun_normal", gain=1.7e308, truncated=False, seed=0),
    ),
]
