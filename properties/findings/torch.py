"""Findings of PyTorch 2.13.0 (see properties/targets/torch.py CONVENTIONS and
docs/techniques/targets_torch.md). Each has a reproduction that must still fail."""

import numpy as np

from properties.findings import Finding, unsupported_option, violates

EDGE = "adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0"

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
        laws={"sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails": lambda x, **_: bool(np.any(np.abs(x) > 1.0))},
        reproduce=violates("sigmoid_and_tanh_derivatives_keep_their_relative_accuracy_in_the_tails", x=np.array([-720.0, 40.0])),
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
        "T4", severity="correctness",
        reason="torch.optim.Adadelta accepts eps=0 and computes sqrt(acc_delta + eps) / sqrt(square_avg + eps) * grad "
               "without a guard, so a coordinate whose E[g^2] is 0 (its gradients have all been 0, or with rho = 0 "
               "the current one is) gets a NaN update (0/0 * 0): "
               "Adadelta([p], lr=1.0, eps=0.0) with p.grad = [0.] gives p = [nan]. With eps = 0 AdaDelta never moves "
               "(E[Delta^2] stays 0), and the limit as eps -> 0 of sqrt(eps / eps) * 0 is 0 (the reference's guard)",
        laws={"adadelta_at_eps_0_never_moves": lambda grads, rho, **_: bool(np.any(np.asarray(grads)[0] == 0)
                                                                       or (rho == 0 and np.any(np.asarray(grads) == 0)))},
        reproduce=violates("adadelta_at_eps_0_never_moves", grads=np.array([[0.0, 1.0]]), lr=1.0, rho=0.9),
    ),
]
