from properties import _profiles  # noqa: F401  (the same Hypothesis profiles as the laws)
