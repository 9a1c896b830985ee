"""Differential tests: real frameworks against the reference configured with their conventions."""
