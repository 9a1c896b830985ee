"""Hypothesis profiles: ``dev`` (default, fast), ``ci`` (derandomised), ``thorough`` (10x), and
the large-sample size each profile gives the laws that need one (``large_sample``).

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
if settings.get_current_profile_name() == "default":
    # dev unless a profile was chosen already (pytest's --hypothesis-profile, loaded before a
    # law module that imports this one)
    settings.load_profile("dev")

#: Draws per example of a law that needs one large sample (the truncated-normal bound: power
#: against a rare escape grows with the number of draws). The thorough profile draws 1e7; dev
#: and ci a sample that costs milliseconds. Such a law also caps its example count (``law(...,
#: max_examples=...)``), so the cost of a run is a few samples of this size.
LARGE_SAMPLE = {"dev": 2**17, "ci": 2**17, "thorough": 10**7}


def large_sample() -> int:
    """The large-sample size of the current Hypothesis profile (``LARGE_SAMPLE``; dev's for a
    profile not listed)."""
    return LARGE_SAMPLE.get(settings.get_current_profile_name(), LARGE_SAMPLE["dev"])
