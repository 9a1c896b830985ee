"""Findings of Keras 3 on the torch backend (``--target keras-torch``): those of
properties/findings/keras.py, which branches on ``keras.backend.backend()``."""

from properties.findings.keras import FINDINGS  # noqa: F401
