"""DistilBERT, RoBERTa, XLM-RoBERTa, ELECTRA and ALBERT folders (random weights, tokenizers trained here) through
the same loader as BERT, against transformers' AutoModel and AutoTokenizer on the same folder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.models.bert.families import FAMILIES, TEXTS, make_folder
from viz import trace_sentence
from viz.models.bert.checkpoint import load_bert_encoder, map_bert_names
from viz.models.bert.config import HF_MODEL_TYPES, EncoderConfig
from viz.models.bert.registry import load_text_model
from viz.models.bert.tokenizer import load_tokenizer, tokenize

transformers = pytest.importorskip("transformers")

CASES = [(family, model_class) for family, spec in FAMILIES.items() for model_class in spec.model_classes]


def reference_outputs(folder, ids):
    model = transformers.AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_attentions=True, output_hidden_states=True)
    return torch.stack([a[0] for a in out.attentions]).numpy(), torch.stack(
        [h[0] for h in out.hidden_states]
    ).numpy()


@pytest.mark.parametrize(("family", "model_class"), CASES, ids=[f"{f}-{m}" for f, m in CASES])
def test_a_folder_traces_as_transformers_computes(tmp_path, family, model_class):
    folder = make_folder(tmp_path / family, family, model_class)
    reference_tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
    for text in (TEXTS[3], TEXTS[-1]):  # accents, and a text longer than the positions
        trace = trace_sentence(text, model=folder)
        expected_ids = reference_tokenizer(text, truncation=True, max_length=trace.max_tokens)["input_ids"]
        assert trace.token_ids.tolist() == expected_ids, text
        attentions, hidden = reference_outputs(folder, expected_ids)
        assert trace.attentions.shape == attentions.shape and trace.hidden_states.shape == hidden.shape
        np.testing.assert_allclose(trace.attentions, attentions, atol=1e-4, rtol=0)
        np.testing.assert_allclose(trace.hidden_states, hidden, atol=1e-4, rtol=0)
    assert trace.truncated and len(trace.tokens) == trace.max_tokens  # the long text was cut to the positions
    encoder, _, _ = load_text_model(folder)
    assert encoder.config.model_type == FAMILIES[family].name
    assert encoder.config.n_params == sum(t.numel() for t in encoder.state_dict().values())


@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_tokenizer_gives_transformers_tokens_and_ids(tmp_path, family):
    folder = make_folder(tmp_path / family, family)
    reference = transformers.AutoTokenizer.from_pretrained(str(folder))
    ours = load_tokenizer(folder)
    for text in TEXTS:
        expected = reference(text, truncation=True, max_length=24)["input_ids"]
        tokenized = tokenize(ours, text, 24)
        assert tokenized.ids == expected, (family, text)
        assert tokenized.tokens == reference.convert_ids_to_tokens(expected), (family, text)
        assert tokenized.n_tokens_total == len(reference(text)["input_ids"])


@pytest.mark.parametrize("family", ["bert", "distilbert", "electra", "roberta"])
def test_older_vocabulary_files_tokenize_as_transformers_does(tmp_path, family):
    """vocab.txt (WordPiece) or vocab.json + merges.txt (byte-level BPE), without a tokenizer.json."""
    folder = make_folder(tmp_path / family, family, old_files=True)
    assert not (folder / "tokenizer.json").exists()
    reference = transformers.AutoTokenizer.from_pretrained(str(folder))
    ours = load_tokenizer(folder)
    for text in TEXTS:
        expected = reference(text)["input_ids"]
        assert ours.encode(text).ids == expected, (family, text)
        assert tokenize(ours, text, 512).tokens == reference.convert_ids_to_tokens(expected), (family, text)


def test_byte_level_tokens_read_as_text(tmp_path):
    folder = make_folder(tmp_path / "roberta", "roberta")
    trace = trace_sentence("the cat sat on the mat", model=folder)
    assert trace.tokens[0] == "<s>" and trace.tokens[-1] == "</s>"
    assert not any("Ġ" in token for token in trace.tokens)
    assert "".join(trace.tokens[1:-1]) == "the cat sat on the mat"


def test_wordpiece_tokens_stay_the_vocabulary_s(tmp_path):
    folder = make_folder(tmp_path / "distilbert", "distilbert")
    trace = trace_sentence("the cats sat", model=folder)
    reference = transformers.AutoTokenizer.from_pretrained(str(folder))
    assert trace.tokens == reference.convert_ids_to_tokens(trace.token_ids.tolist())
    assert trace.tokens[0] == "[CLS]" and trace.tokens[-1] == "[SEP]"


def test_roberta_positions_start_after_padding_in_a_padded_batch(tmp_path):
    folder = make_folder(tmp_path / "roberta", "roberta", seed=3)
    ours = load_bert_encoder(folder)
    assert ours.config.position_offset == 2 and ours.config.max_length == 38
    pad = ours.config.pad_token_id
    ids = torch.tensor([[0, 40, 41, 42, 2, pad, pad], [0, 40, 50, 60, 70, 80, 2]])
    mask = (ids != pad).long()
    reference = transformers.AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    with torch.no_grad():
        ref = reference(ids, attention_mask=mask, output_attentions=True)
    out = ours(ids, attention_mask=mask)
    for ours_t, ref_a in zip(out.traces, ref.attentions, strict=True):
        torch.testing.assert_close(ours_t.weights[0, :, :5, :5], ref_a[0, :, :5, :5], atol=1e-4, rtol=0)
        torch.testing.assert_close(ours_t.weights[1], ref_a[1], atol=1e-4, rtol=0)
    torch.testing.assert_close(out.last_hidden_state[:, :5], ref.last_hidden_state[:, :5], atol=1e-4, rtol=0)
    with pytest.raises(ValueError, match="exceed the model's 38 positions"):
        ours(torch.full((1, 39), 40))


def test_distilbert_sinusoidal_positions_are_read_from_the_checkpoint(tmp_path):
    folder = make_folder(tmp_path / "d", "distilbert", sinusoidal_pos_embds=True, keep_positions=True)
    trace = trace_sentence(TEXTS[0], model=folder)
    attentions, hidden = reference_outputs(folder, trace.token_ids.tolist())
    np.testing.assert_allclose(trace.attentions, attentions, atol=1e-4, rtol=0)
    np.testing.assert_allclose(trace.hidden_states, hidden, atol=1e-4, rtol=0)
    table = load_bert_encoder(folder).embeddings.position.weight
    assert torch.allclose(
        table[1, 0::2], torch.sin(torch.tensor(1.0) / 10000 ** (torch.arange(0, 32, 2) / 32))
    )


def test_albert_shares_one_block_across_its_layers(tmp_path):
    encoder = load_bert_encoder(make_folder(tmp_path / "a", "albert"))
    assert len(encoder.blocks) == 1 and len(encoder.layers) == encoder.config.n_layers == 3
    assert all(layer is encoder.blocks[0] for layer in encoder.layers)


@pytest.mark.parametrize("option", [{"num_hidden_groups": 2}, {"inner_group_num": 2}])
def test_albert_with_several_groups_is_refused_clearly(tmp_path, option):
    folder = make_folder(tmp_path / "a", "albert", **option)
    with pytest.raises(ValueError, match="ALBERT with num_hidden_groups"):
        load_bert_encoder(folder)


@pytest.mark.parametrize("family", ["roberta", "electra"])
def test_a_decoder_of_another_family_is_refused(tmp_path, family):
    folder = make_folder(tmp_path / family, family, is_decoder=True)
    with pytest.raises(ValueError, match=f"this {family.upper()} folder is a decoder"):
        load_bert_encoder(folder)


def test_another_model_type_names_the_supported_ones(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "deberta-v2"}', encoding="utf-8")
    with pytest.raises(ValueError, match="'deberta-v2' model, not a BERT-style encoder.*distilbert, roberta"):
        EncoderConfig.from_hf(tmp_path)


@pytest.mark.parametrize("name", ["spiece.model", "sentencepiece.bpe.model"])
def test_a_sentencepiece_model_without_tokenizer_json_is_refused(tmp_path, name):
    (tmp_path / name).write_bytes(b"\x00not read")
    with pytest.raises(ValueError, match="only a sentencepiece tokenizer.*tokenizer.json"):
        load_tokenizer(tmp_path)


@pytest.mark.parametrize(
    ("model_type", "name"),
    [
        ("distilbert", "transformer.layer.0.attention.w_q.weight"),
        ("roberta", "roberta.encoder.layer.0.crossattention.self.query.weight"),
        ("electra", "electra.embeddings_projection.weight"),
        ("albert", "albert.encoder.albert_layer_groups.1.albert_layers.0.ffn.weight"),
    ],
)
def test_an_unknown_tensor_names_the_family(model_type, name):
    with pytest.raises(ValueError, match="unexpected tensor in a .* checkpoint"):
        map_bert_names({name: torch.zeros(1)}, model_type)


def test_every_family_is_a_text_encoder_for_the_model_library():
    assert set(HF_MODEL_TYPES) == {"bert", "distilbert", "roberta", "xlm-roberta", "electra", "albert"}


def test_bert_keeps_its_defaults():
    config = EncoderConfig()
    assert (config.d_embed, config.position_offset, config.max_length, config.n_distinct_blocks) == (
        384,
        0,
        512,
        6,
    )
    assert not config.embedding_projection and config.type_vocab_size == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"d_embedding": 128}, "need embedding_projection"),
        ({"position_offset": 512}, "leaves none"),
        ({"type_vocab_size": -1}, "type_vocab_size"),
        ({"model_type": "gpt2"}, "model_type 'gpt2'"),
    ],
)
def test_a_config_that_cannot_be_built_is_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        EncoderConfig(**fields)


def test_roberta_base_s_mask_token_takes_the_space_before_it(tmp_path):
    """roberta-base's tokenizer_config.json makes <mask> an AddedToken with lstrip: " <mask>" is one token."""
    import json

    folder = make_folder(tmp_path / "roberta", "roberta", old_files=True)
    mask = {
        "__type": "AddedToken",
        "content": "<mask>",
        "lstrip": True,
        "rstrip": False,
        "normalized": False,
        "single_word": False,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps({"mask_token": mask}), encoding="utf-8")
    reference = transformers.AutoTokenizer.from_pretrained(str(folder))
    ours = load_tokenizer(folder)
    for text in ("the <mask> cat", "a  <mask>", "<mask>"):
        assert ours.encode(text).ids == reference(text)["input_ids"], text
    assert len(ours.encode("the <mask> cat").ids) < len(
        load_tokenizer(make_folder(tmp_path / "plain", "roberta", old_files=True))
        .encode("the <mask> cat")
        .ids
    )


@pytest.mark.parametrize("layout", ["shards", "pytorch_model.bin"])
@pytest.mark.parametrize(
    ("family", "model_class"), [("electra", "ElectraForPreTraining"), ("albert", "AlbertModel")]
)
def test_sharded_and_bin_checkpoints_load_the_same_encoder(tmp_path, layout, family, model_class):
    """A checkpoint in shards (model.safetensors.index.json) or as pytorch_model.bin (read with weights_only)."""
    from safetensors.torch import load_file

    folder = make_folder(tmp_path / "original", family, model_class)
    other = tmp_path / layout
    if layout == "shards":
        transformers.AutoModel.from_pretrained(str(folder)).save_pretrained(other, max_shard_size="20KB")
        assert (other / "model.safetensors.index.json").exists() and not (
            other / "model.safetensors"
        ).exists()
    else:
        other.mkdir()
        torch.save(load_file(str(folder / "model.safetensors")), other / "pytorch_model.bin")
    (other / "config.json").write_text((folder / "config.json").read_text(encoding="utf-8"), encoding="utf-8")
    expected, loaded = load_bert_encoder(folder).state_dict(), load_bert_encoder(other).state_dict()
    assert expected.keys() == loaded.keys()
    for name, tensor in expected.items():
        assert torch.equal(tensor, loaded[name]), name


def test_the_learned_matrices_come_once_per_layer_and_positions_from_the_first_token(tmp_path):
    from viz.models.bert.weights import attention_weights, position_embedding_table

    albert = make_folder(tmp_path / "albert", "albert")
    layers = attention_weights(albert)
    assert len(layers) == 3 and all(np.array_equal(layer.w_q, layers[0].w_q) for layer in layers)
    encoder = load_bert_encoder(albert)
    np.testing.assert_array_equal(layers[0].w_q, encoder.blocks[0].attention.w_q.weight.numpy().T)
    roberta = make_folder(tmp_path / "roberta", "roberta")
    trace = trace_sentence("the cat sat", model=roberta)
    table = position_embedding_table(roberta)
    assert table.shape == (38, 32)
    np.testing.assert_allclose(table[: len(trace.tokens)], trace.position_embeddings, atol=0)
