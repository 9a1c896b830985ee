"""Hypothesis profiles: ``dev`` (default, fast), ``ci`` (derandomised), ``thorough`` (10x).

Choose one with pytest's ``--hypothesis-profile NAME``.
"""

from hypothesis import HealthCheck, Phase, settings

# No ``explain`` phase: it re-runs every failing example under line tracing to annotate the
# report, which doubled the time of a target run with expected deviations (strict xfails:
# optax 108 s -> 44 s); the failing example, its seed and the reproduction blob are still shown.
_common = dict(deadline=None, print_blob=True, phases=tuple(p for p in Phase if p is not Phase.explain),
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

settings.register_profile("dev", max_examples=25, **_common)
settings.register_profile("ci", max_examples=25, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=250, **_common)
settings.load_profile("dev")
