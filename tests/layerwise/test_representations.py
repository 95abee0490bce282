"""Layer-wise representations of the bundled shapes ViT: the classes separate as the layers go up."""

from __future__ import annotations

import numpy as np

import viz
from viz.layerwise.representations import shape_representations


def test_vit_separation_index_rises_from_the_embeddings_to_the_last_block():
    cls, mean, labels = shape_representations(n_images=320, seed=424_242)
    layers = cls.shape[0]
    assert cls.shape[1:] == (320, 64) and mean.shape == cls.shape and labels.shape == (320,)
    # The [CLS] token enters as the same learned vector for every image: no separation at all before block 1.
    assert np.allclose(cls[0], cls[0][0], atol=1e-5)
    si_cls = [viz.separation_index(cls[layer], labels) for layer in range(layers)]
    si_mean = [viz.separation_index(mean[layer], labels) for layer in range(layers)]
    # The [CLS] token, which the classifier reads, separates the shapes better block after block.
    assert all(later > earlier for earlier, later in zip(si_cls, si_cls[1:])), si_cls
    assert si_cls[-1] >= 0.9, si_cls  # held-out accuracy is above 95%
    # The mean of the patch tokens (mostly background) separates them far less, but still more than at the start.
    assert si_mean[-1] > si_mean[0] + 0.15, si_mean
    assert si_mean[-1] < si_cls[-1], (si_mean, si_cls)
