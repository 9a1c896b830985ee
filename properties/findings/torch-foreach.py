"""Findings of torch.optim with ``foreach=True`` (``--target torch-foreach``): the same as the
for-loop path's (properties/findings/torch.py), which the path reproduces on its own -- on CPU
the foreach path is bit for bit the for-loop path (tests/differential/test_torch_paths.py)."""

from properties.findings.torch import FINDINGS  # noqa: F401
