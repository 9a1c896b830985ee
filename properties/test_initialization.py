"""Weight-initialisation laws (one pytest test per law; the laws are in properties/laws)."""

from properties._law import pytest_tests
from properties.laws import initialization

pytest_tests(globals(), initialization)
