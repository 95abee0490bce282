"""Sharded safetensors checkpoints (``model.safetensors.index.json`` and its shards), as transformers writes a
large model, open in every family, with the same tensors as the one-file checkpoint; a hostile index is refused."""

from __future__ import annotations

import json

import pytest
import torch

from viz.core.hf_folder import SHARD_INDEX, read_state_dict, safetensors_files

transformers = pytest.importorskip("transformers")

SMALL = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)
FAMILIES = {
    "bert": lambda: transformers.BertModel(transformers.BertConfig(vocab_size=50, **SMALL)),
    "gpt2": lambda: transformers.GPT2LMHeadModel(
        transformers.GPT2Config(vocab_size=50, n_positions=16, n_embd=32, n_layer=2, n_head=4)
    ),
    "vit": lambda: transformers.ViTModel(transformers.ViTConfig(image_size=32, patch_size=8, **SMALL)),
    "swin": lambda: transformers.SwinModel(
        transformers.SwinConfig(
            image_size=32, patch_size=4, embed_dim=8, depths=[2, 2], num_heads=[2, 2], window_size=4
        )
    ),
}


def loader(family):
    if family == "bert":
        from viz.models.bert.checkpoint import load_bert_encoder as load
    elif family == "gpt2":
        from viz.models.gpt2.checkpoint import load_gpt2 as load
    elif family == "vit":
        from viz.models.vit.checkpoint import load_vit as load
    else:
        from viz.models.swin.checkpoint import load_swin as load
    return load


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_sharded_folder_loads_like_the_single_file(tmp_path, family):
    torch.manual_seed(0)
    reference = FAMILIES[family]().eval()
    reference.save_pretrained(tmp_path / "single", safe_serialization=True)
    reference.save_pretrained(tmp_path / "sharded", safe_serialization=True, max_shard_size="20KB")
    assert (tmp_path / "sharded" / SHARD_INDEX).is_file() and len(safetensors_files(tmp_path / "sharded")) > 1
    single = loader(family)(tmp_path / "single").state_dict()
    sharded = loader(family)(tmp_path / "sharded").state_dict()
    assert single.keys() == sharded.keys()
    for name in single:
        assert torch.equal(single[name], sharded[name]), name


@pytest.mark.parametrize(
    ("shard", "message"),
    [
        ("../outside.safetensors", "not a safetensors file in the folder"),
        ("/etc/passwd", "not a safetensors file"),
        ("missing.safetensors", "does not hold"),
    ],
)
def test_an_index_cannot_point_outside_the_folder(tmp_path, shard, message):
    (tmp_path / SHARD_INDEX).write_text(json.dumps({"weight_map": {"w": shard}}), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_state_dict(tmp_path)


def test_a_damaged_index_is_a_clear_error(tmp_path):
    (tmp_path / SHARD_INDEX).write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable shard index"):
        read_state_dict(tmp_path)
