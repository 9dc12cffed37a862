"""Performance benchmarks: a scale generator of messy exports and a timed refresh (docs/scale.md)."""
