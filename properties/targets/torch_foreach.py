"""``--target torch-foreach``: torch.optim with ``foreach=True`` (see properties/targets/torch_paths.py)."""

from properties.targets.torch_paths import load

_module = load("foreach")
globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
