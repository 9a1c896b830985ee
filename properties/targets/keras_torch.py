"""``--target keras-torch``: Keras 3 on its torch backend (properties/targets/keras.py with
``KERAS_BACKEND=torch``). The same as ``KERAS_BACKEND=torch pytest properties/ --target keras``,
under a name of its own so that reports and CI logs say which backend they checked."""

import os

if os.environ.setdefault("KERAS_BACKEND", "torch") != "torch":
    raise ImportError(f"keras-torch target: KERAS_BACKEND is {os.environ['KERAS_BACKEND']!r}; unset it or set it to "
                      f"'torch' (or use --target keras for another backend)")

from properties.targets import keras as _module  # noqa: E402

if _module.BACKEND != "torch":
    raise ImportError(f"keras-torch target: keras was already imported with backend {_module.BACKEND!r} in this process")
globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
