"""Negative controls: plausible wrong implementations, each a one-bug mutant of the reference.

Many come from the errors in the seed documents; each law names the controls it must reject
and ``tests/meta/test_negative_controls.py`` shows that it does.
"""
