"""Findings of PyTorch 2.13.0 (see properties/targets/torch.py CONVENTIONS and
docs/techniques/targets_torch.md). Each has a reproduction that must still fail."""

import math

import numpy as np

from properties.findings import Finding, unsupported_option, violates
from properties.findings._names import (EDGE, SCALE, OVERFLOW, LR, SCHED_LR, DECAY, NONNEG, F16, F16_ACC, GAIN,
                                        NO_FAN, BIG_GAIN)


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
    Finding(
        "T18", severity="contract",
        reason="torch.optim.swa_utils.AveragedModel checks nothing: update_parameters folds a NaN or an infinity into "
               "the average (the default running mean and get_ema_multi_avg_fn's lerp alike), which stays non-finite "
               "from then on: the torch target's ema([[1.], [nan], [3.]], alpha=0.5, v0=0) = [0.5, nan, nan], "
               "running_mean([[1.], [inf], [3.]]) = [1., inf, nan]",
        laws=("moving_averages_refuse_nan_and_inf_values[ema]", "moving_averages_refuse_nan_and_inf_values[running_mean]"),
        reproduce=violates("moving_averages_refuse_nan_and_inf_values", case="ema",
                           values=np.array([[1.0], [np.nan], [3.0]])),
    ),
    Finding(
        "T19", severity="contract",
        reason="torch has no string tensors and AveragedModel averages a float parameter, so the torch target converts "
               "the series with np.array(values, dtype=float64) before torch sees it: numerals in strings are parsed "
               "('1.5' -> 1.5) and a complex series loses its imaginary part (numpy's ComplexWarning; torch's own "
               "Tensor.copy_ of a complex tensor into the float parameter also discards it, with a UserWarning, "
               "aten/src/ATen/native/Copy.cpp); nothing raises TypeError",
        laws=("moving_averages_refuse_series_that_are_not_real_numbers[ema]",
              "moving_averages_refuse_series_that_are_not_real_numbers[running_mean]"),
        reproduce=violates("moving_averages_refuse_series_that_are_not_real_numbers", case="running_mean",
                           values=np.array([[1.0 + 2.0j], [3.0 + 0.0j]])),
    ),
    Finding(
        "T20", severity="contract",
        reason="alpha=True is accepted as 1: the torch target passes decay = 1 - alpha, and get_ema_multi_avg_fn(decay) "
               "(torch/optim/swa_utils.py) checks only the range, 'if decay < 0.0 or decay > 1.0: raise ValueError', "
               "which 1 - True = 0 passes (a bool is an int in Python); a string, None, a list or a complex alpha "
               "raises TypeError (from 1 - alpha, or from that comparison), as the law requires",
        laws={"averages_refuse_hyperparameters_of_the_wrong_type[ema]": lambda value, **_: value is True},
        reproduce=violates("averages_refuse_hyperparameters_of_the_wrong_type", case="ema",
                           values=np.array([[1.0], [2.0], [4.0]]), value=True),
    ),
    Finding(
        "T32", severity="contract",
        reason="get_ema_multi_avg_fn(decay) documents decay in [0, 1] and checks 'if decay < 0.0 or decay > 1.0: raise "
               "ValueError' (torch/optim/swa_utils.py), so with the torch target's decay = 1 - alpha it accepts "
               "alpha = 0 (decay 1: the average never leaves v0), a negative alpha that 1 - alpha rounds to 1 "
               "(-5e-324), and alpha = nan (a NaN passes both comparisons; every average is NaN). alpha below 0, "
               "above 1 and +-inf raise ValueError, so the law holds for every other value and stays active",
        laws={"ema_smoothing_factors_outside_zero_one_are_refused[ema]":
              lambda alpha, **_: not (1.0 - alpha < 0.0 or 1.0 - alpha > 1.0)},
        reproduce=violates("ema_smoothing_factors_outside_zero_one_are_refused", case="ema",
                           values=np.array([[1.0], [2.0]]), alpha=0.0),
    ),
    Finding(
        "T21", severity="contract",
        reason="F.batch_norm checks eps with 'if training and eps <= 0.0: raise ValueError' and 'elif eps < 0.0: raise "
               "ValueError' (torch/nn/functional.py), which a NaN passes: eps=nan is accepted in training and in "
               "inference and every output is NaN; a negative eps raises ValueError (eps = 0 in training is an option "
               "torch does not offer, finding TC2), so the law holds for every other value and stays active",
        laws={"batchnorm_eps_below_zero_is_refused[batchnorm_forward]": lambda eps, **_: math.isnan(eps),
              "batchnorm_eps_below_zero_is_refused[batchnorm_inference]": lambda eps, **_: math.isnan(eps)},
        reproduce=violates("batchnorm_eps_below_zero_is_refused", case="batchnorm_inference",
                           x=np.array([[1.0], [3.0]]), eps=math.nan),
    ),
    Finding(
        "T22", severity="contract",
        reason="nn.BatchNorm1d checks no momentum (torch/nn/modules/batchnorm.py stores it and uses it as the "
               "exponential_average_factor): -5e-324, 1.5 or NaN are accepted and folded into the running "
               "statistics, which then leave the range of the batch statistics (or turn NaN)",
        laws=("batchnorm_running_momentum_outside_zero_one_is_refused[batchnorm_running_update]",
              "batchnorm_running_momentum_outside_zero_one_is_refused[batchnorm_running_stats]"),
        reproduce=violates("batchnorm_running_momentum_outside_zero_one_is_refused", case="batchnorm_running_update",
                           x=np.array([[1.0], [3.0]]), momentum=1.5, weights="new", unbiased=True, init="batch"),
    ),
    Finding(
        "T23", severity="contract",
        reason="F.batch_norm (training and inference) takes any input of 2 or more dimensions with channels on axis 1: "
               "a 4-d batch is normalised per axis-1 channel (BatchNorm2d's layout) without error; a 1-d batch raises "
               "RuntimeError ('weight should contain 0 elements not 1'), a 0-d one IndexError in _verify_batch_size "
               "(training) or RuntimeError (inference), not ValueError. nn.BatchNorm1d, which the running statistics "
               "use, refuses all three with ValueError ('expected 2D or 3D input'), so those cases pass",
        laws=("batchnorm_refuses_batches_that_are_not_2_or_3_d[batchnorm_forward]",
              "batchnorm_refuses_batches_that_are_not_2_or_3_d[batchnorm_inference]"),
        reproduce=violates("batchnorm_refuses_batches_that_are_not_2_or_3_d", case="batchnorm_forward",
                           x=np.zeros((2, 2, 2, 2)) + np.arange(2.0).reshape(2, 1, 1, 1), unbiased=True, init="batch"),
    ),
    Finding(
        "T24", severity="contract",
        reason="F.batch_norm and nn.BatchNorm1d check no value: a NaN or an infinity in the batch makes its channel's "
               "mean and variance (and so its outputs, and the running statistics from then on) NaN or inf; nothing "
               "raises",
        laws=tuple(f"batchnorm_refuses_nan_and_inf_in_a_batch[{c}]" for c in
                   ("batchnorm_forward", "batchnorm_inference", "batchnorm_running_update", "batchnorm_running_stats")),
        reproduce=violates("batchnorm_refuses_nan_and_inf_in_a_batch", case="batchnorm_forward",
                           x=np.array([[1.0], [np.nan]]), unbiased=True, init="batch"),
    ),
    Finding(
        "T25", severity="contract",
        reason="neither F.batch_norm in inference nor nn.BatchNorm1d's running buffers check the running variance: a "
               "negative running_var is used as given (sqrt(running_var + eps) is NaN once it is below -eps; "
               "-5e-324 passes unnoticed) and a negative running.var is kept by the EMA",
        laws=("batchnorm_refuses_negative_running_variances[batchnorm_inference]",
              "batchnorm_refuses_negative_running_variances[batchnorm_running_update]"),
        reproduce=violates("batchnorm_refuses_negative_running_variances", case="batchnorm_inference",
                           batch=(np.array([[1.0], [3.0]]), np.array([-1.0])), unbiased=True),
    ),
    Finding(
        "T26", severity="contract",
        reason="the running statistics reach nn.BatchNorm1d through Tensor.copy_ into its (C,) buffers, which "
               "broadcasts: a running mean or variance of length 1 is copied into every channel without error, one "
               "of length C + 1 raises RuntimeError, not ValueError",
        laws=("batchnorm_running_statistics_of_another_shape_are_refused",),
        reproduce=violates("batchnorm_running_statistics_of_another_shape_are_refused",
                           x=np.array([[1.0, 2.0], [3.0, 5.0]]), which="var", longer=False, unbiased=True),
    ),
    Finding(
        "T27", severity="contract",
        reason="nn.BatchNorm1d folds any batch variance into its running_var without a range check: the batch "
               "[[-1e308], [1e308]] (variance 1e616, unbiased 2e616) gives running_var = inf, which stays inf; "
               "nothing raises",
        laws=(f"{OVERFLOW}[batchnorm_running_update]", f"{OVERFLOW}[batchnorm_running_stats]"),
        reproduce=violates(OVERFLOW, case="batchnorm_running_update", s=1e308, c=1, unbiased=True, init="batch"),
    ),
]

_INF = float("inf")


def _torch_accepts_lr(lr, name):
    """torch.optim checks ``not 0.0 <= lr`` (SGD: ``lr < 0.0``): 0 and +inf pass, and SGD's NaN."""
    return lr == 0.0 or lr == _INF or (name == "sgd" and lr != lr)


FINDINGS += [
    Finding(
        "T9", severity="contract",
        reason="torch.optim's constructors check the learning rate with `if not 0.0 <= lr` (SGD: `if lr < 0.0`), "
               "so lr = 0 (every step a no-op) and lr = inf (every step inf or NaN) are accepted, and SGD also "
               "accepts lr = NaN (`nan < 0.0` is False): SGD([p], lr=float('inf')) steps p to -inf. Negative "
               "learning rates (and NaN, except in SGD) raise ValueError('Invalid learning rate'), as the "
               "interface documents; a schedule's value reaches the same check",
        laws={**{f"{LR}[{n}]": (lambda lr, name, **_: _torch_accepts_lr(lr, name))
                 for n in ("sgd", "adagrad", "rmsprop", "adadelta", "adam")},
              **{f"{SCHED_LR}[{n}]": (lambda bad, name, **_: _torch_accepts_lr(bad, name))
                 for n in ("sgd", "adagrad", "rmsprop", "adadelta", "adam")}},
        reproduce=violates(LR, name="adam", lr=0.0),
    ),
    Finding(
        "T10", severity="contract",
        reason="torch.optim never checks the values of gradients or parameters (a check would synchronise a "
               "GPU; torch.amp.GradScaler skips steps with inf/NaN gradients instead): a NaN gradient enters "
               "the momentum and moment buffers (Adam([p]) with p.grad = [nan, -2, 0.5] gives p[0] = nan and "
               "exp_avg[0] = nan for every later step), and a NaN parameter under weight decay gives a NaN step",
        laws=("optimizers_refuse_non_finite_gradients_before_anything_changes",
              "optimizers_refuse_non_finite_params_where_the_update_reads_them"),
        reproduce=violates("optimizers_refuse_non_finite_gradients_before_anything_changes", name="sgd",
                           bad=float("nan"), where=0),
    ),
    Finding(
        "T11", severity="contract",
        reason="torch refuses a gradient whose shape is not the parameter's with RuntimeError ('assigned grad "
               "has data of a different size'), raised when p.grad is assigned, not with the ValueError the "
               "interface documents",
        laws=("optimizers_refuse_gradients_of_another_shape",),
        reproduce=violates("optimizers_refuse_gradients_of_another_shape", name="sgd", shapes=((3,), (4,))),
    ),
    Finding(
        "T12", severity="contract",
        reason="torch.optim checks decay rates only from below, except Adam's betas: SGD's momentum with "
               "`momentum < 0.0` (1, 1.5, inf and NaN accepted: momentum 1 never forgets a gradient), "
               "RMSprop's alpha and momentum with `not 0.0 <= x` (1 and above, inf accepted; alpha = 1 "
               "keeps the square average at 0 and divides by eps), Adadelta's rho with `0.0 <= rho <= 1.0` "
               "(rho = 1 accepted: E[g^2] stays 0)",
        laws={f"{DECAY}[sgd.momentum]": lambda value, **_: not value < 0.0,
              f"{DECAY}[rmsprop.rho]": lambda value, **_: value >= 1.0,
              f"{DECAY}[rmsprop.momentum]": lambda value, **_: value >= 1.0,
              f"{DECAY}[adadelta.rho]": lambda value, **_: value == 1.0},
        reproduce=violates(DECAY, case=("sgd", "momentum"), value=1.0),
    ),
    Finding(
        "T13", severity="contract",
        reason="torch.optim checks eps, lr_decay, initial_accumulator_value and weight decay with `not 0.0 <= x` "
               "(SGD's weight decay with `x < 0.0`), so +inf is accepted (Adam(eps=inf) never moves; "
               "AdamW(weight_decay=inf) gives NaN) and SGD also accepts a NaN weight decay; negative values "
               "raise ValueError as documented",
        laws={f"{NONNEG}[{c}]": (lambda value, case, **_: value == _INF or (case == ("sgd", "weight_decay")
                                                                             and value != value))
              for c in ("adagrad.eps", "adagrad.initial_accumulator_value", "adagrad.lr_decay", "rmsprop.eps",
                        "adadelta.eps", "adam.eps", "sgd.weight_decay", "adam.weight_decay")},
        reproduce=violates(NONNEG, case=("adam", "eps"), value=_INF),
    ),
    Finding(
        "T14", severity="contract",
        reason="torch.optim.SGD does not check dampening (any float is accepted: dampening = -0.5 weights each "
               "new gradient by 1.5, NaN makes the buffer NaN from step 2); it only refuses a dampening with "
               "nesterov=True",
        laws=("sgd_refuses_a_dampening_outside_zero_one",),
        reproduce=violates("sgd_refuses_a_dampening_outside_zero_one", value=-0.5),
    ),
    Finding(
        "T15", severity="contract",
        reason="torch.optim.lr_scheduler checks none of its arguments: StepLR and ExponentialLR accept any gamma "
               "(0, negative, above 1, NaN), StepLR any step_size (0 raises ZeroDivisionError at the first "
               "step, -1 runs), and LambdaLR's lambda (how torch writes inverse-time decay) is called as given; "
               "the initial lr reaches only SGD's `lr < 0.0` check (0, NaN and inf accepted)",
        laws={"schedules_refuse_a_decay_rate_outside_their_domain": None,
              "schedules_refuse_a_period_that_is_not_a_positive_integer": None,
              **{f"schedules_refuse_an_initial_learning_rate_outside_zero_to_inf[{n}]":
                 (lambda lr0, **_: lr0 == 0.0 or lr0 == _INF or lr0 != lr0)
                 for n in ("constant_schedule", "step_decay", "exponential_decay", "inverse_time_decay")}},
        reproduce=violates("schedules_refuse_a_decay_rate_outside_their_domain", name="step_decay", rate=1.5),
    ),
]


FINDINGS += [
    Finding(
        "T16", severity="correctness",
        reason="torch.optim's for-loop and foreach Adagrad, RMSprop and Adam keep their state in the parameters' dtype "
               "and compute in it: for float16 parameters g*g underflows to 0 below |g| of about 2^-12 (Adagrad), "
               "(1 - alpha) g^2 below about 2^-10.8 (RMSprop, alpha = 0.9), (1 - beta2) g^2 below about 2^-7.5 "
               "(Adam), and the first step divides by 0: Adam([p], lr=0.01, eps=0) on a float16 p with grad 6.1e-05 "
               "steps to -inf (the true step is -0.01). The fused kernels compute in float32 and pass",
        laws={f"{F16}[adagrad]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-12)), f"{F16}[rmsprop]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-10)),
               f"{F16}[adam]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-7))},
        reproduce=violates(F16, name="adam", g=np.array([6.104e-05], dtype=np.float16)),
    ),
    Finding(
        "T17", severity="accuracy",
        reason="torch.optim's for-loop and foreach Adagrad, RMSprop, Adadelta and Adam compute in float16 for float16 "
               "parameters, with the hyper-parameters rounded to float16, so the first step misses its closed form "
               "rounded to float16 by many units: Adam(lr=0.01, eps=0) with grad 0.0625 steps -0.00996 (closed form "
               "-0.01, one float16 unit 7.6e-06); Adadelta(lr=1, rho=0.9, eps=1e-6) with grad 1 steps -0.003185 for "
               "-0.0031623. The fused kernels (float32 arithmetic) pass",
        laws=tuple(f"{F16_ACC}[{n}]" for n in ("adagrad", "rmsprop", "adadelta", "adam")),
        reproduce=violates(F16_ACC, name="adam", g=np.array([0.0625], dtype=np.float16)),
    ),
]

# --- contract findings (argument domains the interface documents) -----------------------------------

FINDINGS += [
    Finding(
        "T28", severity="contract",
        reason="torch.nn.init.xavier_normal_ / xavier_uniform_ take any gain unchecked (std = gain * sqrt(2 / (fan_in "
               "+ fan_out)), torch/nn/init.py L506, L538): gain = 0 returns all-zero weights, inf infinite ones, and a "
               "negative or NaN gain reaches normal_ / uniform_, which raise RuntimeError ('normal expects std >= "
               "0.0'), not ValueError. torch has no LeCun initialiser: the adapter's kaiming_*_(nonlinearity='linear') "
               "times gain accepts every gain",
        laws=tuple(f"{GAIN}[{n}]" for n in ("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform")),
        reproduce=violates(GAIN, name="glorot_normal", value=0.0, shape=(4, 7), seed=0),
    ),
    Finding(
        "T29", severity="contract",
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
        "T30", severity="contract",
        reason="F.binary_cross_entropy_with_logits checks only that target and input have the same size "
               "(torch/nn/functional.py L3688-L3691) and evaluates (1 - y) z + log(1 + e^-z) for any target: "
               "y = -1e-300 or 2 is accepted (loss and gradient returned), no error",
        laws=(f"{LABELS}[bce_with_logits_loss]", f"{LABELS}[bce_with_logits_loss_grad]"),
        reproduce=violates(LABELS, name="bce_with_logits_loss", label=2.0, n=2, seed=0),
    ),
]

FINDINGS += [
    Finding(
        "T31", severity="contract",
        reason="nn.init does not check that the weights fit float64: xavier_uniform_(w, gain=1.7e308) asks "
               "uniform_(-inf, inf) and raises RuntimeError ('from is out of bounds for double'), trunc_normal_ with "
               "an infinite bound the same; torch has no LeCun initialiser, and the adapter's kaiming_*_(nonlinearity="
               "'linear') times gain returns +-inf weights (lecun_normal((256, 1), gain=1.7e308))",
        laws=tuple(f"{BIG_GAIN}[{n}]" for n in ("lecun_normal", "lecun_uniform", "glorot_uniform")),
        reproduce=violates(BIG_GAIN, name="glorot_uniform", gain=1.7e308, truncated=False, seed=0),
    ),
]
