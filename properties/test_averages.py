"""Moving-average laws (one pytest test per law; the laws are in properties/laws)."""

from properties._law import pytest_tests
from properties.laws import averages

pytest_tests(globals(), averages)
