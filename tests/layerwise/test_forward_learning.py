"""Layer-wise against end-to-end training on digits, and per-layer sentence representations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.layerwise.forward_learning import ForwardConfig, train_both
from viz.layerwise.representations import sentence_representations
from viz.trace.sentence import trace_sentence


def test_both_methods_learn_digits_and_are_reproducible():
    cfg = ForwardConfig(n_layers=2, width=32, epochs_per_stage=8)
    calls = []
    e2e, lw = train_both(cfg, progress=lambda share, msg: calls.append(share))
    assert e2e.method == "end-to-end" and lw.method == "layer-wise"
    assert e2e.test_accuracy > 0.85 and lw.test_accuracy > 0.75  # chance is 0.1
    assert len(e2e.si_per_layer) == len(lw.si_per_layer) == 3
    assert calls[-1] == pytest.approx(1.0) and len(calls) == 2 * 2 * 8
    again = train_both(cfg)
    assert again[0].test_accuracy == e2e.test_accuracy and again[1].si_per_layer == lw.si_per_layer
    assert torch.get_num_threads() >= 1


def test_layerwise_freezes_earlier_layers(monkeypatch):
    """Only the newest block and its auxiliary head are handed to the optimiser in each stage."""
    from viz.layerwise import forward_learning as fl

    seen = []
    original = fl._epochs

    def spy(modules, params, *args, **kwargs):
        seen.append((len(modules), sum(p.numel() for p in params)))
        return original(modules, params, *args, **kwargs)

    monkeypatch.setattr(fl, "_epochs", spy)
    fl.train_both(ForwardConfig(n_layers=3, width=16, epochs_per_stage=1))
    # end-to-end: 3 blocks + head, all parameters; then stages with 2, 3, 4 modules but one block's worth
    e2e_params = (64 * 16 + 16) + 2 * (16 * 16 + 16) + (16 * 10 + 10)
    assert seen[0] == (4, e2e_params)
    assert seen[1:] == [(2, 64 * 16 + 16 + 170), (3, 16 * 16 + 16 + 170), (4, 16 * 16 + 16 + 170)]


def test_sentence_representations_match_single_traces():
    texts = ["A short one.", "A somewhat longer sentence with more tokens in it."]
    reps = sentence_representations(texts, pooling="mean")
    cls = sentence_representations(texts, pooling="cls")
    assert reps.shape == (7, 2, 384)
    for i, text in enumerate(texts):  # padded batch == each sentence alone
        hidden = trace_sentence(text).hidden_states
        np.testing.assert_allclose(reps[:, i], hidden.mean(axis=1), atol=1e-4)
        np.testing.assert_allclose(cls[:, i], hidden[:, 0], atol=1e-4)
    with pytest.raises(ValueError):
        sentence_representations(texts, pooling="max")


def test_date_encoder_separates_formats_better_with_depth():
    from viz.analysis.separation import separation_index
    from viz.layerwise.representations import date_format_family, date_representations

    reps, labels = date_representations(n=240, label="format family")
    assert reps.shape[:2] == (3, 240) and len(set(labels)) == 5
    si = [separation_index(x, labels, device="cpu") for x in reps]
    assert si[-1] > si[0] + 0.1
    assert date_format_family("{Weekday}, {d} {Month} {Y}") == "with a weekday"
    assert date_format_family("{Y}-{mm}-{dd}") == "numbers, year first"
    assert date_format_family("{Mon} {d}, {Y}") == "month name first"
    with pytest.raises(ValueError):
        date_representations(label="colour")
