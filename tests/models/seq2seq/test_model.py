"""The encoder-decoder Transformer: presets, parameter counts, masking invariants, incremental decoding."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from tests.models.helpers import parameters_on_meta
from viz.models.seq2seq.config import TRANSFORMER_PRESETS, TransformerConfig
from viz.models.seq2seq.model import Transformer

SMALL = TransformerConfig(
    vocab_size=20, d_model=32, n_layers=2, n_heads=4, d_ff=64, dropout=0.0, n_positions=40
)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return Transformer(SMALL).eval()


def batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(3, 20, (3, 9), generator=g)
    src[1, 6:] = 0  # padding
    tgt = torch.randint(3, 20, (3, 7), generator=g)
    tgt[:, 0] = 1
    return src, tgt


@pytest.mark.parametrize("name", sorted(TRANSFORMER_PRESETS))
def test_presets_count_parameters_by_formula(name):
    config = TRANSFORMER_PRESETS[name]
    assert parameters_on_meta(Transformer, config) == config.n_params  # the 63M base model is never allocated


def test_paper_base_size():
    base = TRANSFORMER_PRESETS["base"]
    assert (base.n_layers, base.n_heads, base.d_model, base.d_ff, base.d_head) == (6, 8, 512, 2048, 64)
    assert 60e6 < base.n_params < 66e6  # the paper reports 65M for base


@pytest.mark.parametrize(
    "bad", [dict(d_model=30, n_heads=4), dict(n_layers=0), dict(dropout=1.0), dict(pad_id=99, vocab_size=10)]
)
def test_config_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        TransformerConfig(**bad)


def test_config_is_frozen_and_hashable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SMALL.d_model = 8
    assert {SMALL: 1}[TransformerConfig.from_json(SMALL.to_json())] == 1


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_class_presets_run_without_nan(name):
    config = TRANSFORMER_PRESETS[name].with_vocab(20)
    torch.manual_seed(0)
    src, tgt = batch()
    trace = Transformer(config).eval()(src, tgt)
    logits = trace.logits
    assert logits.shape == (3, 7, 20)
    assert torch.isfinite(logits).all()
    assert trace.cross_attentions.shape == (config.n_layers, 3, config.n_heads, 7, 9)


def test_causal_weights_exactly_zero_above_diagonal(model):
    src, tgt = batch()
    trace = model(src, tgt)
    upper = torch.triu(torch.ones(7, 7, dtype=torch.bool), diagonal=1)
    weights = trace.decoder_self_attentions  # (L, B, H, T, T)
    assert torch.all(weights[..., upper] == 0.0)
    assert torch.all(weights[..., ~upper][..., :1] > 0)
    mask = trace.decoder_self_traces[0].mask[0, 0]
    assert torch.all(torch.isneginf(mask[upper])) and torch.all(mask[~upper] == 0)


def test_cross_attention_rows_sum_to_one_and_skip_padding(model):
    src, tgt = batch()
    trace = model(src, tgt)
    cross = trace.cross_attentions
    torch.testing.assert_close(cross.sum(-1), torch.ones(cross.shape[:-1]))
    assert torch.all(cross[:, 1, :, :, 6:] == 0.0)  # padded source positions get no weight
    enc = trace.encoder_attentions
    torch.testing.assert_close(enc.sum(-1), torch.ones(enc.shape[:-1]))


def test_future_tokens_do_not_change_earlier_outputs(model):
    src, tgt = batch()
    logits = model(src, tgt).logits
    changed = tgt.clone()
    changed[:, 4:] = 5
    logits2 = model(src, changed).logits
    torch.testing.assert_close(logits[:, :4], logits2[:, :4])
    assert not torch.allclose(logits[:, 4:], logits2[:, 4:])


def test_full_forward_equals_incremental_decode(model):
    src, tgt = batch(1)
    trace = model(src, tgt)
    logits = trace.logits
    cache, enc_traces = model.start_decoding(src)
    for i, t in enumerate(enc_traces):
        torch.testing.assert_close(t.weights, trace.encoder_traces[i].weights)
    for step in range(tgt.shape[1]):
        step_logits, self_traces, cross_traces = model.decode_step(tgt[:, step], cache)
        torch.testing.assert_close(step_logits, logits[:, step], atol=1e-5, rtol=0)
        for layer in range(SMALL.n_layers):
            full_self = trace.decoder_self_traces[layer].weights[:, :, step, : step + 1]
            torch.testing.assert_close(self_traces[layer].weights[:, :, 0], full_self, atol=1e-6, rtol=0)
            full_cross = trace.cross_traces[layer].weights[:, :, step]
            torch.testing.assert_close(cross_traces[layer].weights[:, :, 0], full_cross, atol=1e-6, rtol=0)
    assert cache.length == tgt.shape[1]


def test_greedy_decode_matches_argmax_of_forward(model):
    src, _ = batch(2)
    out = model.greedy_decode(src, bos_id=1, eos_id=2, max_steps=6)
    tgt = torch.cat([torch.ones(3, 1, dtype=torch.long), out[:, :-1]], dim=1)
    logits = model(src, tgt).logits
    first_eos = [(row == 2).nonzero()[0, 0].item() if (row == 2).any() else out.shape[1] for row in out]
    for b, end in enumerate(first_eos):
        assert torch.equal(out[b, : end + 1 if end < out.shape[1] else end], logits[b].argmax(-1)[: end + 1])


def test_embeddings_scaled_and_shared(model):
    assert model.src_embed.embedding is model.tgt_embed.embedding
    assert model.output.weight is model.src_embed.embedding.weight
    ids = torch.tensor([[4, 5]])
    expected = model.src_embed.embedding(ids) * math.sqrt(32) + model.src_embed.positional[:2]
    torch.testing.assert_close(model.src_embed(ids), expected)


def test_too_long_input_is_refused(model):
    with pytest.raises(ValueError, match="positions"):
        model(torch.ones(1, 41, dtype=torch.long) * 4, torch.ones(1, 2, dtype=torch.long))
