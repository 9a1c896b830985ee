"""Findings of torch.optim with ``fused=True`` (``--target torch-fused``): the for-loop path's
findings (properties/findings/torch.py), reproduced by the fused kernels on their own, except
that RMSprop and Adadelta have no fused kernel (T1's RMSprop case and T7, Adadelta at eps = 0,
are skipped cases here, see FC1), and the fused kernels compute in float32 for float16 parameters,
so T16 and T17 (float16 state and arithmetic) do not apply."""

import dataclasses

from properties.findings import Finding, unsupported_option
from properties.findings.torch import EDGE, FINDINGS as _TORCH

FINDINGS = [dataclasses.replace(f, laws=tuple(k for k in f.laws if k != f"{EDGE}[rmsprop]")) if f.id == "T1" else f
            for f in _TORCH if f.id not in ("T7", "T16", "T17")] + [
    Finding(
        "FC1", severity="capability",
        reason="torch 2.13 has no fused CPU kernel for RMSprop or Adadelta (their constructors refuse fused=True); "
               "their laws are skipped cases on this target",
        laws=("rmsprop_invariant_to_gradient_scale", "rmsprop_constant_gradient_step_tends_to_lr_sign",
              "rmsprop_follows_its_recursion", "adadelta_update_invariant_to_loss_scale",
              "adadelta_by_default_needs_no_learning_rate", "adadelta_at_eps_0_never_moves",
              "adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0[adadelta]"),
        reproduce=unsupported_option("rmsprop(0.1) with fused=True", lambda t: t.rmsprop(0.1)),
    ),
]
