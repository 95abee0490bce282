"""The shared Hugging Face folder plumbing: name tables, safetensors-only reading and writing."""

from __future__ import annotations

import json
import re

import pytest
import torch
from torch import nn

from viz.core.hf_folder import (
    NameTable,
    load_frozen,
    read_weights,
    state_to_save,
    template_regex,
    write_folder,
)

TABLE = NameTable(
    [
        ("encoder.layer.{i}.dense.{p}", "blocks.{i}.w.{p}"),
        ("encoder.layer.{i}.old_dense.{p}", "blocks.{i}.w.{p}"),  # a second spelling, read only
        ("layernorm.{p}", "norm.{p}"),
    ],
    prefix="toy.",
    family="Toy",
    ignored=re.compile(r"^embeddings\.mask_token$"),
)


def _state() -> dict[str, torch.Tensor]:
    return {
        "blocks.0.w.weight": torch.randn(2, 2),
        "blocks.12.w.bias": torch.randn(2),
        "norm.weight": torch.ones(2),
        "classifier.weight": torch.randn(3, 2),
    }


def test_template_regex_matches_indices_and_weight_or_bias():
    pattern = template_regex("stages.{s}.blocks.{b}.fc.{p}")
    assert pattern.match("stages.1.blocks.10.fc.bias").groupdict() == {"s": "1", "b": "10", "p": "bias"}
    assert not pattern.match("stages.x.blocks.0.fc.bias")
    assert not pattern.match("stages.1.blocks.0.fc.scale")
    assert not pattern.match("stages.1.blocks.0.fc.bias.extra")


@pytest.mark.parametrize("with_head", [True, False])
def test_rename_round_trip(with_head):
    state = _state()
    hf = TABLE.to_hf_names(state, with_head=with_head)
    prefix = "toy." if with_head else ""
    assert set(hf) == {
        f"{prefix}encoder.layer.0.dense.weight",
        f"{prefix}encoder.layer.12.dense.bias",
        f"{prefix}layernorm.weight",
        "classifier.weight",
    }
    back = TABLE.from_hf_names(hf)
    assert back.keys() == state.keys()
    assert all(back[k] is state[k] for k in state)


def test_second_spelling_is_read_and_the_first_written():
    assert set(TABLE.from_hf_names({"encoder.layer.3.old_dense.bias": torch.zeros(1)})) == {"blocks.3.w.bias"}
    assert set(TABLE.to_hf_names({"blocks.3.w.bias": torch.zeros(1)}, with_head=False)) == {
        "encoder.layer.3.dense.bias"
    }


def test_ignored_and_skipped_tensors_are_dropped():
    state = {
        "toy.embeddings.mask_token": torch.zeros(1),
        "toy.buffer": torch.zeros(1),
        "layernorm.bias": torch.zeros(1),
    }
    seen = []

    def skip(name, inner, tensor):
        seen.append((name, inner))
        return inner == "buffer"

    assert set(TABLE.from_hf_names(state, skip=skip)) == {"norm.bias"}
    assert ("toy.buffer", "buffer") in seen


def test_unknown_tensor_raises():
    with pytest.raises(
        ValueError, match="unexpected tensor in a Toy checkpoint: toy.encoder.layer.0.rotary.weight"
    ):
        TABLE.from_hf_names({"toy.encoder.layer.0.rotary.weight": torch.zeros(1)})
    with pytest.raises(ValueError, match="unexpected tensor"):
        TABLE.from_hf_names({"classifier.extra": torch.zeros(1)})
    with pytest.raises(ValueError, match="no Hugging Face name for blocks.0.unknown.weight"):
        TABLE.to_hf_names({"blocks.0.unknown.weight": torch.zeros(1)}, with_head=False)


def test_two_spellings_of_one_tensor_raise():
    state = {
        "encoder.layer.0.dense.bias": torch.zeros(1),
        "toy.encoder.layer.0.old_dense.bias": torch.zeros(1),
    }
    with pytest.raises(ValueError, match="two tensors in the checkpoint map to blocks.0.w.bias"):
        TABLE.from_hf_names(state)


def test_folder_missing_config_or_weights_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json"):
        read_weights(tmp_path, lambda folder: None)
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "pytorch_model.bin").write_bytes(b"not read")
    with pytest.raises(FileNotFoundError, match="only safetensors"):
        read_weights(tmp_path, lambda folder: None)
    (tmp_path / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="could not be read as safetensors"):
        read_weights(tmp_path, lambda folder: None)


def test_config_is_checked_before_the_weights_are_read(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"garbage")

    def refuse(folder):
        raise ValueError("not this model type")

    with pytest.raises(ValueError, match="not this model type"):
        read_weights(tmp_path, refuse)


class _Toy(nn.Module):
    def __init__(self):
        super().__init__()
        attention = nn.ModuleDict({n: nn.Linear(2, 2) for n in ("w_q", "w_k", "w_v", "w_o")})
        self.block = nn.ModuleDict({"attention": attention})


def test_write_and_read_folder_round_trip(tmp_path):
    torch.manual_seed(0)
    model = _Toy()
    state = state_to_save(model, qkv_bias=False)
    assert set(state) == {f"block.attention.w_{n}.weight" for n in "qkvo"} | {"block.attention.w_o.bias"}
    folder = write_folder(tmp_path / "out", state, {"model_type": "toy"}, {"do_normalize": True})
    assert (folder / "config.json").read_text() == json.dumps({"model_type": "toy"}, indent=2) + "\n"
    assert json.loads((folder / "preprocessor_config.json").read_text()) == {"do_normalize": True}
    raw = read_weights(folder, lambda f: None)
    assert raw.keys() == state.keys() and all(torch.equal(raw[k], state[k]) for k in raw)

    loaded = load_frozen(_Toy(), raw, qkv_bias=False, device="cpu")
    assert not loaded.training and not any(p.requires_grad for p in loaded.parameters())
    assert torch.equal(loaded.block["attention"]["w_q"].bias, torch.zeros(2))  # absent q/k/v biases are zero
    assert torch.equal(loaded.block["attention"]["w_o"].weight, model.block["attention"]["w_o"].weight)


def test_load_frozen_refuses_a_missing_tensor():
    with pytest.raises(ValueError, match="missing"):
        load_frozen(_Toy(), {}, qkv_bias=True, device="cpu")
