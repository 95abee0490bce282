"""The public entry points: an input in, everything a model computed out, as numpy arrays on the CPU."""
