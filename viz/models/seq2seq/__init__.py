"""The vanilla encoder-decoder Transformer of Vaswani et al. (2017) and its bundled task checkpoints."""
