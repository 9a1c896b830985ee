"""Batch-normalisation laws (one pytest test per law; the laws are in properties/laws)."""

from properties._law import pytest_tests
from properties.laws import batchnorm

pytest_tests(globals(), batchnorm)
