"""Tools the tests and the benches share (not part of the installed package)."""
