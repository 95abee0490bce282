"""Evaluation of the bundled vision models on a second, independent renderer of hand drawings (issue 19)."""
