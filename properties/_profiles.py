"""Hypothesis profiles: ``dev`` (default, fast), ``ci`` (derandomised), ``thorough`` (10x).

Choose one with pytest's ``--hypothesis-profile NAME``.
"""

from hypothesis import HealthCheck, settings

_common = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

settings.register_profile("dev", max_examples=25, **_common)
settings.register_profile("ci", max_examples=25, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=250, **_common)
settings.load_profile("dev")
