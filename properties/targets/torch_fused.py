"""``--target torch-fused``: torch.optim with ``fused=True`` (see properties/targets/torch_paths.py).

RMSprop and Adadelta have no fused CPU kernel in torch 2.13: their factories raise
NotImplementedError naming that, and their laws are skipped with the reason."""

from properties.targets.torch_paths import load, no_fused_kernel

_module = load("fused")
globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
rmsprop = no_fused_kernel("rmsprop")
adadelta = no_fused_kernel("adadelta")
