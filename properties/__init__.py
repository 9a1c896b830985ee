"""trainspec laws: Hypothesis properties any implementation can be checked against.

``properties.laws.<family>`` hold the laws as plain callables ``law(target, **data)`` that
raise :class:`properties.LawViolation`; ``properties/test_<family>.py`` are thin pytest
wrappers; ``properties.controls.<family>`` hold the negative controls (plausible wrong
implementations) each law is shown to reject; ``properties.stats`` holds the calibrated
statistical assertions.
"""

from ._law import Control, Law, LawViolation, law
from ._target import Target, load_target

__all__ = ["Control", "Law", "LawViolation", "law", "Target", "load_target"]
