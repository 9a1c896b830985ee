"""Findings of optax 0.2.8 / jax 0.10.2 (see properties/targets/optax.py CONVENTIONS and
docs/techniques/targets_optax.md). Each has a reproduction that must still fail."""

import numpy as np

from properties.findings import Finding, unsupported_option, violates

EDGE = "adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0"

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
        laws={"tanh_derivative_is_at_most_one": lambda x, **_: bool(np.any((np.abs(x) >= 3.0) & (np.abs(x) <= 22.0)))},
        reproduce=violates("tanh_derivative_is_at_most_one", x=np.array([19.0, 0.0])),
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
]
