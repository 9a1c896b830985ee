"""asv benchmarks of trainspec: one module per technique family (see docs/techniques/benchmarks.md)."""
