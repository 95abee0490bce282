"""Layer-wise representations of the bundled shapes ViT: the classes separate as the layers go up."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_the_token_budget_is_checked_before_the_encoder_runs(monkeypatch):
    from viz.layerwise import representations as reps
    from viz.models.bert.model import BertEncoder

    assert reps.count_tokens(["a cat sat", "a dog ran"]) == 10  # [CLS] a cat sat [SEP], twice
    monkeypatch.setattr(BertEncoder, "forward", lambda *a, **k: pytest.fail("the encoder ran"))
    long_texts = ["word " * 200] * 400  # each cut at 128 tokens: 51,200 in all
    with pytest.raises(reps.TooManyTokensError, match="51,200 tokens; one analysis runs at most 40,000"):
        reps.sentence_representations(long_texts)
