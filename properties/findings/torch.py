"""Findings of PyTorch 2.13.0 (see properties/targets/torch.py CONVENTIONS and
docs/techniques/targets_torch.md). Each has a reproduction that must still fail."""

import numpy as np

from properties.findings import Finding, unsupported_option, violates

EDGE = "adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0"


def near_the_float64_maximum(series, case=None, **_):
    """Some series (or, for the EMA, its v0) reaches half the float64 maximum, 2^1023, once
    scaled: there two values of the series (or a value and an average) can sum or differ
    beyond the maximum, although every average of them fits."""
    ints, ks, v0, _n = series
    for j, k in enumerate(ks):
        mag = max(float(np.max(np.abs(ints[:, j]))), abs(float(v0[j])) if case == "ema" else 0.0)
        if mag > 0 and np.log2(mag) + k >= 1023:
            return True
    return False


SCALE = "averages_scale_with_each_series_up_to_the_float64_limits"

FINDINGS = [
    Finding(
        "T1", severity="correctness",
        reason="torch.optim.Adagrad, RMSprop and Adam accept eps=0 but divide by sqrt(G) + eps without a guard, so a "
               "coordinate whose gradients have all been 0 gets a NaN update (0/0): Adagrad([p], lr=0.1, eps=0.0) with "
               "p.grad = [0.] gives p = [nan]; the limit as eps -> 0 (and optax's adagrad) is an update of 0",
        laws=(f"{EDGE}[adagrad]", f"{EDGE}[rmsprop]", f"{EDGE}[adam]"),
        reproduce=violates(EDGE, name="adam", grads=np.array([[0.0, 1.0]]), lr=0.1, inside=False, beta=0.999),
    ),
    Finding(
        "T2", severity="accuracy",
        reason="Adam's bias correction 1 - beta**step (torch/optim/adam.py L530-L535) cancels for beta near 1: "
               "Adam(lr=1e-3, betas=(0.0, 0.999), eps=0), constant gradient 1: step 2 = -0.000999999999999993, "
               "31 eps from -lr (accuracy law: (8 + 4t) eps = 16 eps; within the conditioning of 1 - b^t, so the "
               "correctness law adam_constant_gradient_steps_are_lr_times_sign passes)",
        laws={"adam_constant_gradient_bias_correction_is_exact": lambda b1, b2, **_: max(b1, b2) >= 0.9},
        reproduce=violates("adam_constant_gradient_bias_correction_is_exact", g=np.array([1.0]), lr=1e-3,
                           b1=0.0, b2=0.999),
    ),
    Finding(
        "T3", severity="accuracy",
        reason="torch's sigmoid and tanh derivatives are autograd's s (1 - s) and 1 - t^2 of the rounded outputs "
               "(torch/csrc/autograd/FunctionsManual.cpp, sigmoid_backward / tanh_backward), so 1 - s and 1 - t^2 "
               "lose log2(e^|x|) bits: relative accuracy fails from |x| of about 2 to 3 on, they are 0 from x = 37 "
               "(sigmoid) and |x| = 19.1 (tanh) where the true values are normal numbers, and torch.sigmoid(-720) "
               "= 0 (exp overflow) where the true value is 2.0e-313: sigmoid_grad(-720.0) = 0.0. Within the "
               "normwise tolerance of the correctness laws",
        laws={"sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails": lambda x, **_: bool(np.any(np.abs(x) > 1.0)),
              "tanh_derivative_is_accurate_where_it_is_subnormal": None},
        reproduce=violates("sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails", x=np.array([-720.0, 40.0])),
    ),
    Finding(
        "T4", severity="correctness",
        reason="F.mse_loss's gradient is formed from pred - y (autograd of (pred - y)^2, reduction='mean'), which "
               "overflows to inf where |pred - y| exceeds the float64 maximum although 2 (pred - y) / n fits: "
               "pred = [1.5e308, -1e308, 0], y = [-1e308, 1e308, 0] gives inf for the true 1.67e308",
        laws={"mse_loss_grad_is_twice_the_residual_over_n_up_to_the_float64_limit":
              lambda py, **_: bool(np.any(np.abs(py[1] / 2 - py[2] / 2) > np.finfo(np.float64).max / 2))},
        reproduce=violates("mse_loss_grad_is_twice_the_residual_over_n_up_to_the_float64_limit",
                           py=("huge", np.array([[1.5e308, -1.0e308, 0.0]]), np.array([[-1.0e308, 1.0e308, 0.0]]))),
    ),
    Finding(
        "T5", severity="correctness",
        reason="F.mse_loss and F.binary_cross_entropy_with_logits (reduction='mean') square the differences and sum "
               "the terms in float64 without rescaling, so the loss is inf where a square (|pred - y| > 1.34e154) or "
               "the sum of the terms exceeds the float64 maximum although their mean fits: mse_loss([[2^512.5, 0, 0, "
               "0]], zeros) = inf for the true 2^1023; bce_with_logits_loss([[-2^1023, -2^1023]], [[1, 1]]) = inf "
               "for the true 2^1023",
        laws={"losses_are_the_mean_of_their_terms_up_to_the_float64_limit[mse_loss]":
              lambda data, **_: bool(np.any(np.abs(data[1] / 2 - data[2] / 2) > 2.0**510)),
              "losses_are_the_mean_of_their_terms_up_to_the_float64_limit[bce_with_logits_loss]":
              lambda data, **_: bool(np.sum(np.abs(data[1]) * 2.0**-10) > np.finfo(np.float64).max * 2.0**-11)},
        reproduce=violates("losses_are_the_mean_of_their_terms_up_to_the_float64_limit", name="bce_with_logits_loss",
                           data=("near the limit", np.array([[-2.0**1023, -2.0**1023]]), np.array([[1.0, 1.0]]))),
    ),
    Finding(
        "TC1", severity="capability",
        reason="torch.optim.RMSprop has no bias correction (optax's rmsprop(bias_correction=True)); the adapter "
               "raises NotImplementedError, so laws needing it skip those examples (or the whole law)",
        laws=("rmsprop_with_bias_correction_equals_adam_beta1_zero",),
        reproduce=unsupported_option("rmsprop(0.1, bias_correction=True)",
                                     lambda t: t.rmsprop(0.1, rho=0.9, eps=1e-8, eps_inside_sqrt=False,
                                                         bias_correction=True)),
    ),
    Finding(
        "TC2", severity="capability",
        reason="torch's batch norm requires eps > 0 in training (F.batch_norm); examples with eps = 0, among them the "
               "constant-channel law, are rejected",
        laws=("batchnorm_of_a_constant_channel_at_eps_0_is_beta",),
        reproduce=unsupported_option("batchnorm_forward(x, gamma, beta, eps=0.0)",
                                     lambda t: t.batchnorm_forward(np.array([[0.0], [1.0]]), np.ones(1), np.zeros(1),
                                                                   eps=0.0)),
    ),
    Finding(
        "T6", severity="correctness",
        reason="torch.optim.swa_utils.AveragedModel updates its average in natural units, avg + w (v - avg) (a lerp "
               "for the EMA, avg + (v - avg) / (n + 1) for the running mean), so v - avg overflows for values of "
               "opposite signs above half the float64 maximum although the average fits: the EMA (alpha=0.5, v0=0) "
               "of [1.7977e308, -1.7977e308] gives [8.99e307, inf] instead of [8.99e307, -4.49e307]. Outside series "
               "reaching 2^1023 the law holds and stays active",
        laws={f"{SCALE}[ema]": near_the_float64_maximum,
              f"{SCALE}[running_mean]": near_the_float64_maximum},
        reproduce=violates(SCALE, case="ema",
                           series=(np.array([[2.0**20 - 1], [1 - 2.0**20]]), (1004,), np.array([0.0]), 2), alpha=0.5),
    ),
    Finding(
        "T7", severity="correctness",
        reason="torch.optim.Adadelta accepts eps=0 and computes sqrt(acc_delta + eps) / sqrt(square_avg + eps) * grad "
               "without a guard, so a coordinate whose E[g^2] is 0 (its gradients have all been 0, or with rho = 0 "
               "the current one is) gets a NaN update (0/0 * 0): "
               "Adadelta([p], lr=1.0, eps=0.0) with p.grad = [0.] gives p = [nan]. With eps = 0 AdaDelta never moves "
               "(E[Delta^2] stays 0), and the limit as eps -> 0 of sqrt(eps / eps) * 0 is 0 (the reference's guard)",
        laws=(f"{EDGE}[adadelta]",),
        reproduce=violates(EDGE, name="adadelta", grads=np.array([[0.0, 1.0]]), lr=1.0, inside=False, beta=0.9),
    ),
    Finding(
        "T8", severity="correctness",
        reason="F.binary_cross_entropy_with_logits computes (1 - y) x - log_sigmoid(x) with log_sigmoid(x) = "
               "min(x, 0) - log1p(exp(-|x|)) (aten/src/ATen/native/Loss.cpp), so for a negative logit the term "
               "log1p(e^x) is added to x and subtracted again: x - log1p(e^x) rounds to x, and the loss of a "
               "confident correct prediction loses its relative accuracy although the problem is well conditioned "
               "(condition number about |x|): bce_with_logits_loss([[-40.]], [[0.]]) = 0.0 for the true 4.25e-18, "
               "[[-2.]] gives 0.1269280110429727 for 0.1269280110429725. Positive logits and logits beyond 2^400 "
               "(where the term is exact) pass",
        laws={"losses_are_the_mean_of_their_terms_up_to_the_float64_limit[bce_with_logits_loss]":
              lambda data, **_: data[0] == "moderate" and bool(np.any(np.asarray(data[1]) < 0))},
        reproduce=violates("losses_are_the_mean_of_their_terms_up_to_the_float64_limit", name="bce_with_logits_loss",
                           data=("moderate", np.array([[-40.0]]), np.array([[0.0]]))),
    ),
]

# --- contract findings (argument domains the interface documents) -----------------------------------
GAIN = "initialisers_refuse_a_gain_that_is_not_positive_and_finite"
NO_FAN = "initialisers_refuse_a_weight_shape_without_a_fan"

FINDINGS += [
    Finding(
        "TVB1", severity="contract",
        reason="torch.nn.init.xavier_normal_ / xavier_uniform_ take any gain unchecked (std = gain * sqrt(2 / (fan_in "
               "+ fan_out)), torch/nn/init.py L506, L538): gain = 0 returns all-zero weights, inf infinite ones, and a "
               "negative or NaN gain reaches normal_ / uniform_, which raise RuntimeError ('normal expects std >= "
               "0.0'), not ValueError. torch has no LeCun initialiser: the adapter's kaiming_*_(nonlinearity='linear') "
               "times gain accepts every gain",
        laws=tuple(f"{GAIN}[{n}]" for n in ("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform")),
        reproduce=violates(GAIN, name="glorot_normal", value=0.0, shape=(4, 7), seed=0),
    ),
    Finding(
        "TVB2", severity="contract",
        reason="torch.nn.init's kaiming_*_ and xavier_*_ and _calculate_fan_in_and_fan_out refuse a shape of fewer "
               "than 2 dimensions (ValueError, torch/nn/init.py L462) but not a zero dimension: kaiming_*_ warns "
               "'Initializing zero-element tensors is a no-op' (L609, L663) and returns the empty tensor, xavier_*_ "
               "returns it too (or divides by a fan of 0: ZeroDivisionError for (4, 3, 0)), and the fans of (0, 3) are "
               "(3, 0); a negative dimension raises RuntimeError from torch.empty ('Trying to create tensor with "
               "negative dimension'), not ValueError",
        laws={NO_FAN: lambda shape, **_: len(shape) >= 2},
        reproduce=violates(NO_FAN, name="he_normal", shape=(0, 3), layout="torch", seed=0),
    ),
]

LABELS = "logistic_losses_refuse_labels_outside_zero_one"
FINDINGS += [
    Finding(
        "TVB3", severity="contract",
        reason="F.binary_cross_entropy_with_logits checks only that target and input have the same size "
               "(torch/nn/functional.py L3688-L3691) and evaluates (1 - y) z + log(1 + e^-z) for any target: "
               "y = -1e-300 or 2 is accepted (loss and gradient returned), no error",
        laws=(f"{LABELS}[bce_with_logits_loss]", f"{LABELS}[bce_with_logits_loss_grad]"),
        reproduce=violates(LABELS, name="bce_with_logits_loss", label=2.0, n=2, seed=0),
    ),
]

BIG_GAIN = "initialisers_refuse_a_gain_whose_weights_do_not_fit_float64"
FINDINGS += [
    Finding(
        "TVB4", severity="contract",
        reason="nn.init does not check that the weights fit float64: xavier_uniform_(w, gain=1.7e308) asks "
               "uniform_(-inf, inf) and raises RuntimeError ('from is out of bounds for double'), trunc_normal_ with "
               "an infinite bound the same; torch has no LeCun initialiser, and the adapter's kaiming_*_(nonlinearity="
               "'linear') times gain returns +-inf weights (lecun_normal((256, 1), gain=1.7e308))",
        laws=tuple(f"{BIG_GAIN}[{n}]" for n in ("lecun_normal", "lecun_uniform", "glorot_uniform")),
        reproduce=violates(BIG_GAIN, name="glorot_uniform", gain=1.7e308, truncated=False, seed=0),
    ),
]
