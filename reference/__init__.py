"""trainspec reference: minimal, exact numpy implementations of classic training techniques.

``import reference`` gives every public function of every family; each is documented with
its formula, its conventions and its source. One module per family (``reference.<family>``);
``reference.__all__`` is the union of the families' ``__all__``.
"""

__version__ = "0.1.0"
__all__: list[str] = []


def _export(module) -> None:
    """Re-export a family's public names at the top level."""
    for name in module.__all__:
        if name in globals() and globals()[name] is not getattr(module, name):
            raise ImportError(f"reference: {module.__name__}.{name} clashes with an existing public name")
        globals()[name] = getattr(module, name)
    __all__.extend(module.__all__)


# One line per family (helpers add theirs below; keep the order stable).
from . import normalization  # noqa: E402

_export(normalization)
from . import gradcheck; _export(gradcheck)  # noqa: E402,E702
from . import landscape; _export(landscape)  # noqa: E402,E702
from . import averages; _export(averages)  # noqa: E402,E702
from . import batchnorm; _export(batchnorm)  # noqa: E402,E702
from . import optimizers; _export(optimizers)  # noqa: E402,E702
from . import initialization; _export(initialization)  # noqa: E402,E702
from . import activations; _export(activations)  # noqa: E402,E702
from . import networks; _export(networks)  # noqa: E402,E702
from . import problems; _export(problems)  # noqa: E402,E702
