"""DeiT (distilled) and DINOv2 folders opened by our ViT, against transformers' own models on random weights;
ViT folders shaped like DeiT-tiny and DINO v1 (saved as ``vit``); folders we refuse."""

from __future__ import annotations

import json

import pytest
import torch

from tests.models.helpers import parameters_on_meta, random_reference
from viz.models.vit.checkpoint import load_vit, save_vit
from viz.models.vit.config import ViTConfig
from viz.models.vit.model import VisionTransformer

transformers = pytest.importorskip("transformers")

SMALL = dict(image_size=32, patch_size=8, hidden_size=48, num_hidden_layers=3, num_attention_heads=4)


def _pixels(size: int = 32, channels: int = 3) -> torch.Tensor:
    return torch.randn(2, channels, size, size, generator=torch.Generator().manual_seed(1))


def _compare(reference, ours, pixels, n_tokens: int) -> dict[str, float]:
    """Attentions and hidden states equal within 1e-4; returns the largest differences."""
    with torch.no_grad():
        ref = reference(pixel_values=pixels, output_attentions=True, output_hidden_states=True)
        out = ours(pixels)
    n_layers = len(ours.blocks)
    assert len(out.traces) == len(ref.attentions) == n_layers
    for ours_layer, ref_layer in zip(out.traces, ref.attentions):
        assert ours_layer.weights.shape == ref_layer.shape == (2, ours.config.n_heads, n_tokens, n_tokens)
        torch.testing.assert_close(ours_layer.weights, ref_layer, atol=1e-4, rtol=0)
    assert max(float(a.max()) for a in ref.attentions) > 0.5  # peaked, so the comparison means something
    assert len(out.hidden_states) == len(ref.hidden_states) == n_layers + 1
    for ours_h, ref_h in zip(out.hidden_states, ref.hidden_states):
        torch.testing.assert_close(ours_h, ref_h, atol=1e-4, rtol=1e-4)
    diffs = {
        "attentions": max(float((o.weights - r).abs().max()) for o, r in zip(out.traces, ref.attentions)),
        "hidden": max(float((o - r).abs().max()) for o, r in zip(out.hidden_states, ref.hidden_states)),
    }
    if getattr(ref, "logits", None) is not None:
        assert out.logits.shape == ref.logits.shape
        torch.testing.assert_close(out.logits, ref.logits, atol=1e-4, rtol=1e-4)
        diffs["logits"] = float((out.logits - ref.logits).abs().max())
    else:
        assert out.logits is None
        torch.testing.assert_close(out.last_hidden_state, ref.last_hidden_state, atol=1e-4, rtol=1e-4)
    return diffs


DEIT_CASES = [
    ("DeiTModel", dict()),
    ("DeiTForImageClassification", dict(num_labels=5)),
    ("DeiTForImageClassificationWithTeacher", dict(num_labels=4)),
    ("DeiTForImageClassificationWithTeacher", dict(num_labels=3, qkv_bias=False, hidden_act="gelu_new")),
]


@pytest.mark.parametrize("class_name,overrides", DEIT_CASES)
def test_deit_matches_transformers(tmp_path, class_name, overrides):
    config = transformers.DeiTConfig(**SMALL, intermediate_size=96, **overrides)
    reference = random_reference(
        getattr(transformers, class_name), config, seed=len(overrides), keep="layernorm"
    )
    reference.save_pretrained(tmp_path)
    ours = load_vit(tmp_path)
    assert ours.config.distillation_token and ours.config.n_prefix_tokens == 2
    assert ours.config.prefix_names == ("[CLS]", "[DIST]")
    _compare(reference, ours, _pixels(), n_tokens=16 + 2)
    if class_name == "DeiTModel":
        with torch.no_grad():
            ref = reference(pixel_values=_pixels())
            torch.testing.assert_close(ours(_pixels()).pooled, ref.pooler_output, atol=1e-4, rtol=1e-4)
    teacher = class_name.endswith("WithTeacher")
    assert ours.config.head == ("cls_and_distillation" if teacher else "cls")
    assert (ours.distillation_classifier is not None) == teacher
    assert parameters_on_meta(VisionTransformer, ours.config) - ours.config.n_params == (
        0 if ours.config.qkv_bias else 3 * 48 * 3
    )


def _dinov2_folder(tmp_path, class_name: str, crop: int | None, seed: int = 0, **overrides):
    """A random DINOv2 saved to ``tmp_path``; with ``crop``, a preprocessor_config.json cropping to that side."""
    config = transformers.Dinov2Config(**{**SMALL, "mlp_ratio": 2, **overrides})
    reference = random_reference(getattr(transformers, class_name), config, seed=seed, keep="norm")
    reference.save_pretrained(tmp_path)
    if crop is not None:
        processor = {
            "image_processor_type": "BitImageProcessor",
            "do_resize": True,
            "size": {"shortest_edge": crop + 8},
            "do_center_crop": True,
            "crop_size": {"height": crop, "width": crop},
            "do_normalize": True,
            "image_mean": [0.485, 0.456, 0.406],
            "image_std": [0.229, 0.224, 0.225],
        }
        (tmp_path / "preprocessor_config.json").write_text(json.dumps(processor))
    return reference


DINOV2_CASES = [
    ("Dinov2Model", None, dict()),  # positions learned for the input's grid: no interpolation
    ("Dinov2Model", 24, dict(image_size=40)),  # 5 x 5 learned positions read as 3 x 3
    ("Dinov2ForImageClassification", 32, dict(image_size=56, num_labels=3)),  # 7 x 7 -> 4 x 4
    ("Dinov2ForImageClassification", None, dict(num_labels=5, qkv_bias=False, layer_norm_eps=1e-5)),
]


@pytest.mark.parametrize("class_name,crop,overrides", DINOV2_CASES)
def test_dinov2_matches_transformers(tmp_path, class_name, crop, overrides):
    reference = _dinov2_folder(tmp_path, class_name, crop, seed=len(overrides), **overrides)
    ours = load_vit(tmp_path)
    side = crop or 32
    config = ours.config
    assert (config.image_size, config.grid_size) == (side, side // 8)
    assert config.position_grid == overrides.get("image_size", 32) // 8
    assert config.layer_scale and config.n_prefix_tokens == 1 and config.d_ff == 96
    assert ours.embeddings.position.shape[1] == 1 + config.position_grid**2  # as learned, resized when run
    _compare(reference, ours, _pixels(side), n_tokens=(side // 8) ** 2 + 1)
    if "num_labels" in overrides:
        assert ours.classifier.in_features == 2 * 48  # [CLS] ; mean of the patch tokens
    assert parameters_on_meta(VisionTransformer, config) - config.n_params == (
        0 if config.qkv_bias else 3 * 48 * 3
    )


REGISTER_CASES = [
    ("Dinov2WithRegistersModel", None, dict(num_register_tokens=4)),
    (
        "Dinov2WithRegistersModel",
        24,
        dict(image_size=40, num_register_tokens=2),
    ),  # 5 x 5 -> 3 x 3, antialiased
    (
        "Dinov2WithRegistersForImageClassification",
        32,
        dict(image_size=64, num_labels=3, num_register_tokens=3),
    ),
]


@pytest.mark.parametrize("class_name,crop,overrides", REGISTER_CASES)
def test_dinov2_with_registers_matches_transformers(tmp_path, class_name, crop, overrides):
    config = transformers.Dinov2WithRegistersConfig(**{**SMALL, "mlp_ratio": 2, **overrides})
    reference = random_reference(getattr(transformers, class_name), config, seed=2, keep="norm")
    reference.save_pretrained(tmp_path)
    if crop is not None:
        processor = {"do_center_crop": True, "crop_size": {"height": crop, "width": crop}}
        (tmp_path / "preprocessor_config.json").write_text(json.dumps(processor))
    ours = load_vit(tmp_path)
    side, registers = crop or 32, overrides["num_register_tokens"]
    assert ours.config.n_registers == registers and ours.config.n_prefix_tokens == 1 + registers
    assert ours.config.prefix_names[1:] == tuple(f"[REG{r + 1}]" for r in range(registers))
    _compare(reference, ours, _pixels(side), n_tokens=(side // 8) ** 2 + 1 + registers)
    assert parameters_on_meta(VisionTransformer, ours.config) == ours.config.n_params


def test_dinov2_swiglu_is_refused_by_name(tmp_path):
    _dinov2_folder(tmp_path, "Dinov2Model", None, use_swiglu_ffn=True)
    with pytest.raises(ValueError, match="use_swiglu_ffn.*not supported"):
        load_vit(tmp_path)
    raw = json.loads((tmp_path / "config.json").read_text())
    raw.update(model_type="beit")
    (tmp_path / "config.json").write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="'beit' model.*ViT-family"):
        load_vit(tmp_path)


def test_deit_and_dinov2_are_read_not_written(tmp_path):
    config = transformers.DeiTConfig(**SMALL, intermediate_size=96)
    random_reference(transformers.DeiTModel, config, seed=0, keep="layernorm").save_pretrained(
        tmp_path / "in"
    )
    with pytest.raises(ValueError, match="only ViT folders are written"):
        save_vit(load_vit(tmp_path / "in"), tmp_path / "out")


def test_a_vit_folder_shaped_like_deit_tiny_opens(tmp_path):
    """Non-distilled DeiT checkpoints (facebook/deit-tiny-patch16-224) are saved as ViT: D = 192, 3 heads."""
    config = transformers.ViTConfig(
        image_size=32,
        patch_size=16,
        hidden_size=192,
        num_hidden_layers=2,
        num_attention_heads=3,
        intermediate_size=768,
        num_labels=7,
    )
    reference = random_reference(transformers.ViTForImageClassification, config, seed=3, keep="layernorm")
    reference.save_pretrained(tmp_path)
    ours = load_vit(tmp_path)
    assert (ours.config.d_model, ours.config.n_heads, ours.config.d_head) == (192, 3, 64)
    assert ours.config == ViTConfig.from_hf(tmp_path, n_classes=7) and ours.config.n_prefix_tokens == 1
    _compare(reference, ours, _pixels(), n_tokens=4 + 1)


def test_a_vit_folder_without_head_or_pooler_opens(tmp_path):
    """DINO v1 (facebook/dino-vits16) is a ViTModel with no classifier."""
    config = transformers.ViTConfig(**SMALL, intermediate_size=96)
    reference = transformers.ViTModel(config, add_pooling_layer=False)
    reference = random_reference(lambda c: reference, config, seed=0, keep="layernorm")
    reference.save_pretrained(tmp_path)
    ours = load_vit(tmp_path)
    assert ours.classifier is None and ours.pooler is None and ours.config.n_classes == 0
    assert ours.config.class_names == ()
    _compare(reference, ours, _pixels(), n_tokens=17)


def test_labels_come_from_id2label(tmp_path):
    """ImageNet-style names in config.json are the model's class names, in index order."""
    names = {"0": "tench, Tinca tinca", "2": "tabby, tabby cat", "1": "goldfish, Carassius auratus"}
    config = transformers.DeiTConfig(**SMALL, intermediate_size=96, num_labels=3)
    random_reference(
        transformers.DeiTForImageClassificationWithTeacher, config, seed=0, keep="layernorm"
    ).save_pretrained(tmp_path)
    raw = json.loads((tmp_path / "config.json").read_text())
    raw["id2label"] = names
    (tmp_path / "config.json").write_text(json.dumps(raw))
    labels = load_vit(tmp_path).config.class_names
    assert labels == ("tench, Tinca tinca", "goldfish, Carassius auratus", "tabby, tabby cat")
