"""``trace_image`` on DeiT distilled, DINOv2 and headless ViT (DINO v1) folders made by transformers: the prefix
tokens are placed, maps read the [CLS] row over the patch tokens, and the logits are transformers' own."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import viz
from tests.data import image_cases as cases
from tests.models.helpers import random_reference
from viz.analysis.rollout import attention_rollout
from viz.analysis.vision import gradient_rollout

transformers = pytest.importorskip("transformers")

SMALL = dict(image_size=32, patch_size=8, hidden_size=48, num_hidden_layers=2, num_attention_heads=4)
#: DINOv2's image processor as the hub's folders write it, scaled down: resize to 40, centre crop 32 x 32.
BIT_PROCESSOR = {
    "image_processor_type": "BitImageProcessor",
    "do_resize": True,
    "size": {"shortest_edge": 40},
    "do_center_crop": True,
    "crop_size": {"height": 32, "width": 32},
    "do_normalize": True,
    "image_mean": [0.485, 0.456, 0.406],
    "image_std": [0.229, 0.224, 0.225],
}
NAMES = {"0": "tench, Tinca tinca", "1": "goldfish, Carassius auratus", "2": "tabby, tabby cat"}


def _with_names(folder) -> None:
    raw = json.loads((folder / "config.json").read_text())
    raw["id2label"], raw["label2id"] = NAMES, {v: int(k) for k, v in NAMES.items()}
    (folder / "config.json").write_text(json.dumps(raw))


@pytest.fixture(scope="module")
def deit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deit")
    config = transformers.DeiTConfig(**SMALL, intermediate_size=96, num_labels=3)
    reference = random_reference(
        transformers.DeiTForImageClassificationWithTeacher, config, seed=0, keep="layernorm"
    )
    reference.save_pretrained(folder)
    _with_names(folder)
    return folder, reference


@pytest.fixture(scope="module")
def dinov2(tmp_path_factory):
    """DINOv2 with positions learned for 48 px (6 x 6), read at 32 px (4 x 4); a 3-class head."""
    folder = tmp_path_factory.mktemp("dinov2")
    config = transformers.Dinov2Config(**{**SMALL, "image_size": 48}, mlp_ratio=2, num_labels=3)
    reference = random_reference(transformers.Dinov2ForImageClassification, config, seed=1, keep="norm")
    reference.save_pretrained(folder)
    (folder / "preprocessor_config.json").write_text(json.dumps(BIT_PROCESSOR))
    return folder, reference


def _reference_logits(reference, trace, mean, std) -> np.ndarray:
    """transformers' logits on exactly the pixels the trace's model read."""
    pixels = torch.tensor(trace.image).permute(2, 0, 1)[None].float() / 255.0
    pixels = (pixels - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    with torch.no_grad():
        return reference(pixel_values=pixels).logits[0].numpy()


def test_deit_distilled_trace(deit):
    folder, reference = deit
    t = viz.trace_image(cases.good_jpeg(), model=str(folder))
    n, prefix = 16, 2
    assert t.prefix_names == ("[CLS]", "[DIST]") and t.n_prefix_tokens == prefix
    assert "distillation token" in t.prefix_note and "teacher" in t.prefix_note
    assert t.attentions.shape == (2, 4, prefix + n, prefix + n)
    assert t.hidden_states.shape == (3, prefix + n, 48) and t.position_embeddings.shape == (prefix + n, 48)
    tokens = np.concatenate([t.cls_token[None], t.distillation_token[None], t.patch_embeddings])
    np.testing.assert_allclose(tokens + t.position_embeddings, t.hidden_states[0], atol=1e-5)
    # the rollout is the [CLS] row over the patch columns only (the [DIST] column left out), renormalised
    row = attention_rollout(t.attentions)[0, prefix:]
    np.testing.assert_allclose(t.rollout, (row / row.sum()).reshape(4, 4), atol=1e-9)
    np.testing.assert_allclose(t.rollout_map("max", 0.5).sum(), 1.0, atol=1e-9)
    gradient = gradient_rollout(t.attentions, t.attention_gradients)[0, prefix:]
    np.testing.assert_allclose(t.gradient_rollout_map(), (gradient / gradient.sum()).reshape(4, 4), atol=1e-9)
    # logits: the mean of the two heads, as transformers computes them; labels from id2label
    expected = _reference_logits(reference, t, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    np.testing.assert_allclose(t.logits, expected, atol=1e-4)
    assert t.labels == list(NAMES.values())
    assert t.top(1)[0][0] == NAMES[str(int(np.argmax(expected)))]


def test_dinov2_trace_resizes_positions(dinov2):
    folder, reference = dinov2
    t = viz.trace_image(cases.good_jpeg(), model=str(folder))
    assert t.image.shape == (32, 32, 3) and t.grid == (4, 4) and t.prefix_names == ("[CLS]",)
    assert t.position_embeddings.shape == (17, 48)  # resized from the learned 1 + 6 x 6
    tokens = np.concatenate([t.cls_token[None], t.patch_embeddings]) + t.position_embeddings
    np.testing.assert_allclose(tokens, t.hidden_states[0], atol=1e-5)
    with torch.no_grad():  # the resized positions are transformers' own interpolation
        learned = reference.dinov2.embeddings
        expected = learned.interpolate_pos_encoding(torch.zeros(1, 17, 48), 32, 32)[0].numpy()
    np.testing.assert_allclose(t.position_embeddings, expected, atol=1e-6)
    expected_logits = _reference_logits(reference, t, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    np.testing.assert_allclose(t.logits, expected_logits, atol=1e-4)
    assert t.labels == ["LABEL_0", "LABEL_1", "LABEL_2"]  # transformers' default id2label
    assert t.rollout.shape == (4, 4) and t.attention_gradients.shape == t.attentions.shape


def test_headless_vit_folder_has_no_classes(tmp_path):
    """DINO v1 (facebook/dino-vits16): a ViTModel without classifier (here also without pooler)."""
    config = transformers.ViTConfig(**SMALL, intermediate_size=96)
    model = transformers.ViTModel(config, add_pooling_layer=False)
    random_reference(lambda c: model, config, seed=0, keep="layernorm").save_pretrained(tmp_path)
    t = viz.trace_image(cases.good_jpeg(), model=str(tmp_path))
    assert t.logits.shape == (0,) and t.probs.shape == (0,) and t.labels == [] and t.top(5) == []
    assert t.target_class is None and t.attention_gradients is None and t.gradient_rollout_map() is None
    assert t.attentions.shape == (2, 4, 17, 17) and t.rollout.shape == (4, 4)
    np.testing.assert_allclose(t.rollout.sum(), 1.0, atol=1e-9)
    assert viz.trace_image(cases.good_jpeg(), model=str(tmp_path), gradients=True).attention_gradients is None


def test_dinov2_with_registers_trace_puts_the_registers_between_cls_and_the_patches(tmp_path):
    config = transformers.Dinov2WithRegistersConfig(
        **{**SMALL, "image_size": 48}, mlp_ratio=2, num_register_tokens=4, num_labels=2
    )
    reference = random_reference(
        transformers.Dinov2WithRegistersForImageClassification, config, seed=4, keep="norm"
    )
    reference.save_pretrained(tmp_path)
    (tmp_path / "preprocessor_config.json").write_text(json.dumps(BIT_PROCESSOR))
    t = viz.trace_image(cases.good_jpeg(), model=str(tmp_path))
    prefix = 5
    assert t.prefix_names == ("[CLS]", "[REG1]", "[REG2]", "[REG3]", "[REG4]") and t.n_prefix_tokens == prefix
    assert t.prefix_note.count("registers") == 1
    assert t.attentions.shape == (2, 4, prefix + 16, prefix + 16) and t.register_tokens.shape == (4, 48)
    np.testing.assert_array_equal(t.position_embeddings[1:prefix], 0.0)  # registers have no position
    tokens = (
        np.concatenate([t.cls_token[None], t.register_tokens, t.patch_embeddings]) + t.position_embeddings
    )
    np.testing.assert_allclose(tokens, t.hidden_states[0], atol=1e-5)
    row = attention_rollout(t.attentions)[0, prefix:]
    np.testing.assert_allclose(t.rollout, (row / row.sum()).reshape(4, 4), atol=1e-9)
    expected = _reference_logits(reference, t, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    np.testing.assert_allclose(t.logits, expected, atol=1e-4)
