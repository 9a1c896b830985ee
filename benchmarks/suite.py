"""The specification itself: how many laws the suite states (``properties.laws.*``)."""

import importlib
import pkgutil


class Suite:
    def setup(self):
        try:
            laws = importlib.import_module("properties.laws")
            from properties._law import Law
        except ImportError as exc:  # hypothesis missing in this environment
            raise NotImplementedError(f"properties not importable: {exc}") from None
        found = set()
        for info in pkgutil.iter_modules(laws.__path__):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"properties.laws.{info.name}")
            found.update(id(v) for v in vars(mod).values() if isinstance(v, Law))
        self.n_laws = len(found)

    def track_n_laws(self):
        return self.n_laws

    track_n_laws.unit = "laws"
