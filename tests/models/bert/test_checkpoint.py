"""Loading local Hugging Face BERT folders (made here, small and random) into our encoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz import trace_sentence
from viz.models.bert.checkpoint import load_bert_encoder, map_bert_names

transformers = pytest.importorskip("transformers")

VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "the",
    "cat",
    "sat",
    "on",
    "mat",
    "a",
    "dog",
    "##s",
    ".",
]


def small_config(**overrides):
    kwargs = dict(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=40,
        hidden_act="gelu",
    )
    kwargs.update(overrides)
    config = transformers.BertConfig(**kwargs)
    config._attn_implementation = "eager"  # explicit weights, as ours
    return config


def save_folder(model, folder):
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("head", ["BertModel", "BertForMaskedLM"])
@pytest.mark.parametrize("act", ["gelu", "relu", "gelu_new"])
def test_local_folder_matches_transformers(tmp_path, head, act):
    torch.manual_seed(0)
    model = getattr(transformers, head)(small_config(hidden_act=act)).eval()
    folder = save_folder(model, tmp_path / "tiny-bert")
    trace = trace_sentence("the cats sat on a mat.", model=folder)
    assert trace.tokens == ["[CLS]", "the", "cat", "##s", "sat", "on", "a", "mat", ".", "[SEP]"]
    base = model if head == "BertModel" else model.bert
    with torch.no_grad():
        out = base(
            torch.tensor([trace.token_ids.tolist()]), output_attentions=True, output_hidden_states=True
        )
    np.testing.assert_allclose(
        trace.attentions, torch.stack([a[0] for a in out.attentions]).numpy(), atol=1e-5
    )
    np.testing.assert_allclose(
        trace.hidden_states, torch.stack([h[0] for h in out.hidden_states]).numpy(), atol=1e-5
    )


def test_padded_batch_matches_transformers(tmp_path):
    """Padding keys get zero weight and real tokens match the reference in a padded batch."""
    torch.manual_seed(1)
    model = transformers.BertModel(small_config()).eval()
    ours = load_bert_encoder(save_folder(model, tmp_path / "b"))
    ids = torch.tensor([[2, 5, 6, 7, 3, 0, 0], [2, 5, 11, 12, 7, 8, 3]])
    mask = (ids != 0).long()
    out = ours(ids, attention_mask=mask)
    with torch.no_grad():
        ref = model(ids, attention_mask=mask, output_attentions=True)
    for ours_t, ref_a in zip(out.traces, ref.attentions):
        assert torch.all(ours_t.weights[0, :, :, 5:] == 0)
        torch.testing.assert_close(ours_t.weights[0, :, :5, :5], ref_a[0, :, :5, :5], atol=1e-5, rtol=0)
        torch.testing.assert_close(ours_t.weights[1], ref_a[1], atol=1e-5, rtol=0)
    torch.testing.assert_close(out.last_hidden_state[:, :5], ref.last_hidden_state[:, :5], atol=1e-5, rtol=0)


def test_unknown_tensor_is_an_error():
    with pytest.raises(ValueError, match="unexpected tensor"):
        map_bert_names({"encoder.layer.0.crossattention.self.query.weight": torch.zeros(1)})


def test_missing_weights_is_a_clear_error(tmp_path):
    (tmp_path / "config.json").write_text(small_config().to_json_string())
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        load_bert_encoder(tmp_path)


def test_unknown_model_name():
    with pytest.raises(ValueError, match="neither a bundled model"):
        trace_sentence("hello", model="no-such-model")


@pytest.mark.parametrize("option", ["is_decoder", "add_cross_attention"])
def test_a_bert_decoder_is_refused_not_shown_attending_both_ways(tmp_path, option):
    model = transformers.BertModel(small_config(**{option: True, "is_decoder": True})).eval()
    folder = save_folder(model, tmp_path / "decoder")
    with pytest.raises(ValueError, match="is a decoder"):
        load_bert_encoder(folder)


@pytest.mark.parametrize(
    "options",
    [{}, {"strip_accents": False}, {"do_lower_case": False}, {"tokenize_chinese_chars": False}],
    ids=["defaults", "accents kept", "cased", "no CJK split"],
)
def test_an_old_vocab_txt_folder_tokenizes_as_transformers_does(tmp_path, options):
    import json

    from viz.models.bert.tokenizer import load_tokenizer

    vocab = VOCAB + ["café", "cafe", "naïve", "naive", "日", "本", "日本", "Cat"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(options), encoding="utf-8")
    reference = transformers.BertTokenizer(str(tmp_path / "vocab.txt"), **options)
    ours = load_tokenizer(tmp_path)
    for text in ["the café", "naïve Cat", "日本 the", "Cat sat on a mat."]:
        assert ours.encode(text).ids == reference(text)["input_ids"], (text, options)
