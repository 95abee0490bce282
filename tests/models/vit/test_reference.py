"""Our ViT against transformers' ViTModel / ViTForImageClassification on random configs saved to a folder."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from tests.models.helpers import TINY_VIT, assert_head_matches, random_model, random_reference, with_head
from viz.models.vit.checkpoint import load_vit, map_vit_names, save_vit
from viz.models.vit.config import ViTConfig
from viz.models.vit.model import VisionTransformer

transformers = pytest.importorskip("transformers")

SMALL = dict(
    image_size=32,
    patch_size=8,
    hidden_size=48,
    num_hidden_layers=3,
    num_attention_heads=4,
    intermediate_size=96,
)


def _random_reference(cls, seed: int, **overrides):
    """A transformers model with weights large enough that attention is far from uniform."""
    return random_reference(cls, transformers.ViTConfig(**{**SMALL, **overrides}), seed, keep="layernorm")


def _outputs(reference, ours, pixels):
    with torch.no_grad():
        ref = reference(pixel_values=pixels, output_attentions=True, output_hidden_states=True)
        out = ours(pixels)
    return ref, out


CASES = [
    ("ViTForImageClassification", dict(num_labels=5)),
    ("ViTForImageClassification", dict(num_labels=3, qkv_bias=False, layer_norm_eps=1e-6)),
    ("ViTModel", dict()),
    ("ViTModel", dict(hidden_act="gelu_new", num_channels=1)),
]


@pytest.mark.parametrize("class_name,overrides", CASES)
def test_matches_transformers(tmp_path, class_name, overrides):
    reference = _random_reference(getattr(transformers, class_name), seed=len(overrides), **overrides)
    reference.save_pretrained(tmp_path)
    ours = load_vit(tmp_path)
    channels = overrides.get("num_channels", 3)
    pixels = torch.randn(2, channels, 32, 32, generator=torch.Generator().manual_seed(1))
    ref, out = _outputs(reference, ours, pixels)

    assert len(out.traces) == len(ref.attentions) == 3
    for ours_layer, ref_layer in zip(out.traces, ref.attentions):
        assert ours_layer.weights.shape == ref_layer.shape == (2, 4, 17, 17)
        torch.testing.assert_close(ours_layer.weights, ref_layer, atol=1e-4, rtol=0)
    assert ref_layer.max() > 0.5  # attention is peaked, so the comparison means something
    assert len(out.hidden_states) == len(ref.hidden_states) == 4
    for ours_h, ref_h in zip(out.hidden_states, ref.hidden_states):
        torch.testing.assert_close(ours_h, ref_h, atol=1e-4, rtol=1e-4)
    assert_head_matches(
        ours, out, ref, overrides["num_labels"] if class_name == "ViTForImageClassification" else None
    )


def test_our_saved_folder_opens_in_transformers(tmp_path):
    """save_vit writes a folder transformers reads as ViTForImageClassification with the same outputs."""
    config = dataclasses.replace(
        with_head(TINY_VIT, ("a", "b", "c")), image_mean=(0.4, 0.5, 0.6), image_std=(0.2, 0.25, 0.3)
    )
    model = random_model(VisionTransformer, config)
    save_vit(model, tmp_path)
    reference = transformers.ViTForImageClassification.from_pretrained(tmp_path, attn_implementation="eager")
    ref, out = _outputs(reference.eval(), model, torch.randn(1, 3, 32, 32))
    torch.testing.assert_close(out.logits, ref.logits, atol=1e-4, rtol=1e-4)
    assert reference.config.id2label == {0: "a", 1: "b", 2: "c"}
    assert load_vit(tmp_path).config == config  # labels and normalisation survive the round trip
    processor = json.loads((tmp_path / "preprocessor_config.json").read_text())
    assert processor["image_mean"] == [0.4, 0.5, 0.6]


def test_unknown_tensor_is_an_error():
    with pytest.raises(ValueError, match="unexpected tensor"):
        map_vit_names({"vit.encoder.layer.0.attention.attention.rotary.weight": torch.zeros(1)})


def test_only_vit_folders_and_only_safetensors(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8}))
    with pytest.raises(FileNotFoundError, match="safetensors"):
        load_vit(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ValueError):
        load_vit(tmp_path)


def test_shape_mismatch_is_reported(tmp_path):
    reference = _random_reference(transformers.ViTModel, seed=0)
    reference.save_pretrained(tmp_path)
    raw = json.loads((tmp_path / "config.json").read_text())
    raw["intermediate_size"] = 64  # the tensors say 96
    (tmp_path / "config.json").write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="shape"):
        load_vit(tmp_path)


def test_attention_weights_are_the_ones_used():
    """Each block's trace weights are exactly softmax(QK^T / sqrt(d)) of its own queries and keys."""
    config = ViTConfig(image_size=16, patch_size=4, d_model=16, n_layers=2, n_heads=2, d_ff=32)
    out = VisionTransformer(config).eval()(torch.randn(1, 3, 16, 16))
    for trace in out.traces:
        expected = torch.softmax(trace.queries @ trace.keys.transpose(-2, -1) / np.sqrt(8), dim=-1)
        torch.testing.assert_close(trace.weights, expected)
