"""Findings of the built-in targets (``<target>.py``, each defining ``FINDINGS``).

See :mod:`properties._findings` for the format; a user's own target uses the same one with
``pytest properties/ --target mymodule --findings myfindings.py``.
"""

from properties._findings import Finding, unsupported_option, violates

__all__ = ["Finding", "violates", "unsupported_option"]
