"""Signal-propagation, activation-derivative and symmetry laws (the laws are in properties/laws)."""

from properties._law import pytest_tests
from properties.laws import signal

pytest_tests(globals(), signal)
