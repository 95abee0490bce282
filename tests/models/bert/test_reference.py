"""Our transparent encoder against transformers.BertModel (eager attention) on the same MiniLM weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import SENTENCES
from viz import trace_sentence

transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def reference(minilm_folder):
    model = transformers.BertModel.from_pretrained(
        str(minilm_folder), attn_implementation="eager", add_pooling_layer=False
    )
    return model.eval()


def _reference_outputs(model, ids):
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), output_attentions=True, output_hidden_states=True)
    attentions = torch.stack([a[0] for a in out.attentions]).numpy()
    hidden = torch.stack([h[0] for h in out.hidden_states]).numpy()
    return attentions, hidden


LONG = "The quick brown fox jumps over the lazy dog. " * 80  # far beyond 256 tokens


@pytest.mark.parametrize("text", SENTENCES + [LONG])
def test_matches_bert_model(reference, text):
    trace = trace_sentence(text)
    ref_att, ref_hidden = _reference_outputs(reference, trace.token_ids.tolist())
    assert trace.attentions.shape == ref_att.shape
    np.testing.assert_allclose(trace.attentions, ref_att, atol=1e-4, rtol=0)
    np.testing.assert_allclose(trace.hidden_states, ref_hidden, atol=1e-4, rtol=0)


def test_length_limit_sentence_is_exactly_at_limit():
    trace = trace_sentence(LONG)
    assert len(trace.tokens) == trace.max_tokens == 256
    assert trace.tokens[0] == "[CLS]" and trace.tokens[-1] == "[SEP]"
    assert trace.n_tokens_dropped > 0


def test_tokens_match_reference_tokenizer(minilm_folder):
    reference_tok = transformers.AutoTokenizer.from_pretrained(str(minilm_folder))
    for text in SENTENCES:
        ids = reference_tok(text, truncation=True, max_length=256)["input_ids"]
        assert trace_sentence(text).token_ids.tolist() == ids, text


def test_queries_keys_values_match_reference_projections(reference):
    """Q, K, V of layer 2 recomputed from the reference's own hidden states and linear layers."""
    trace = trace_sentence("Attention is all you need.")
    _, ref_hidden = _reference_outputs(reference, trace.token_ids.tolist())
    layer = reference.encoder.layer[2].attention.self
    x = torch.tensor(ref_hidden[2])
    heads, d_head = trace.n_heads, trace.queries.shape[-1]
    for proj, ours in ((layer.query, trace.queries), (layer.key, trace.keys), (layer.value, trace.values)):
        with torch.no_grad():
            expected = proj(x).view(-1, heads, d_head).transpose(0, 1).numpy()
        np.testing.assert_allclose(ours[2], expected, atol=1e-4, rtol=0)
