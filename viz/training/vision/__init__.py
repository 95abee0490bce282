"""Training and evaluation of the bundled vision models on the generated shapes (:mod:`viz.data.shapes`)."""
