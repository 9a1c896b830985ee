"""Optimiser laws (one pytest test per law; the laws are in properties/laws/optimizers.py)."""

from properties._law import pytest_tests
from properties.laws import optimizers

pytest_tests(globals(), optimizers)
