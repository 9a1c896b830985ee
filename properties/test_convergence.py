"""Convergence laws: Newton, GD/heavy-ball rates, optimisers on a budget, mini-batches,
normalisation as conditioning (one pytest test per law; the laws are in properties/laws)."""

from properties._law import pytest_tests
from properties.laws import convergence

pytest_tests(globals(), convergence)
