"""The laws, one module per technique family. Laws use only the target, never ``reference``."""
