"""The ``torch-foreach`` and ``torch-fused`` targets: torch.optim's other two code paths.

PyTorch has three implementations of most optimisers: the single-tensor for-loop (the CPU
default, ``--target torch``), ``foreach=True`` (multi-tensor ops) and ``fused=True`` (one
kernel). Real bugs have lived in one path only, so each path is a target of its own: this
module loads :mod:`properties.targets.torch` again as a separate module whose optimisers pass
the path's argument to every constructor (``PATH``). Everything that is not an optimiser
(initialisers, batch norm, activations, averages) is the same as ``--target torch``.

In torch 2.13, RMSprop and Adadelta have no fused kernel; the fused target's ``rmsprop`` and
``adadelta`` raise NotImplementedError with that reason, so their laws are skipped cases.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path



def load(path: str):
    """A fresh copy of the torch adapter module with ``PATH = {path: True}``."""
    spec = importlib.util.spec_from_file_location(f"properties.targets.torch_{path}",
                                                  Path(__file__).with_name("torch.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.PATH = {path: True}
    module.VERSION = f"{module.VERSION} ({path}=True)"
    return module


def no_fused_kernel(name: str):
    """A factory that refuses: torch has no fused CPU kernel for this optimiser."""
    def factory(*args, **kwargs):
        raise NotImplementedError(f"torch-fused target: {name}: torch {torch_version()} has no fused CPU kernel for "
                                  f"{name} (its constructor refuses fused=True)")
    factory.__name__ = name
    return factory


def torch_version() -> str:
    import torch
    return torch.__version__
