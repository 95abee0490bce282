"""Our Swin against transformers' SwinModel / SwinForImageClassification on random configs saved to a folder.

transformers returns, per stage, the attention of the stage's last block and the hidden state after patch
merging (``reshaped_hidden_states`` as (B, C, H, W)); ours returns every block, so the last one of each
stage is compared.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from tests.models.helpers import TINY_SWIN, assert_head_matches, random_model, random_reference, with_head
from viz.models.swin.checkpoint import load_swin, map_swin_names, save_swin
from viz.models.swin.config import SwinConfig
from viz.models.swin.model import SwinTransformer

transformers = pytest.importorskip("transformers")

SMALL = dict(
    image_size=32,
    patch_size=2,
    embed_dim=16,
    depths=[2, 2, 1],
    num_heads=[2, 4, 4],
    window_size=4,
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
    drop_path_rate=0.0,
)
CASES = [
    # 16 x 16 -> 8 x 8 -> 4 x 4 tokens, 4 x 4 windows: shifted blocks in stages 1-2, one window in stage 3
    ("SwinForImageClassification", dict(num_labels=5)),
    # a 20 x 20 grid with 3 x 3 windows: padded to 21 x 21 (and 12 x 12), no q/k/v biases, absolute positions
    (
        "SwinModel",
        dict(
            image_size=40,
            embed_dim=12,
            depths=[2, 3],
            num_heads=[3, 3],
            window_size=3,
            qkv_bias=False,
            use_absolute_embeddings=True,
        ),
    ),
    (
        "SwinForImageClassification",
        dict(num_labels=3, hidden_act="gelu_new", mlp_ratio=2.0, layer_norm_eps=1e-6, num_channels=1),
    ),
]


def _random_reference(cls, seed: int, **overrides):
    """A transformers model with weights large enough that attention is far from uniform."""
    return random_reference(cls, transformers.SwinConfig(**{**SMALL, **overrides}), seed, keep="norm")


def _last_block_of_each_stage(traces):
    return [t for i, t in enumerate(traces) if i + 1 == len(traces) or traces[i + 1].stage != t.stage]


@pytest.mark.parametrize("class_name,overrides", CASES)
def test_matches_transformers(tmp_path, class_name, overrides):
    reference = _random_reference(getattr(transformers, class_name), seed=len(overrides), **overrides)
    reference.save_pretrained(tmp_path)
    ours = load_swin(tmp_path)
    config = {**SMALL, **overrides}
    channels, size = config.get("num_channels", 3), config["image_size"]
    pixels = torch.randn(2, channels, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        ref = reference(pixel_values=pixels, output_attentions=True, output_hidden_states=True)
        out = ours(pixels)

    lasts = _last_block_of_each_stage(out.traces)
    assert len(lasts) == len(ref.attentions) == len(config["depths"])
    assert any(t.shift for t in lasts)  # the shifted (masked) attention is among those compared
    for trace, ref_weights in zip(lasts, ref.attentions):
        assert trace.attention.weights.shape == ref_weights.shape
        torch.testing.assert_close(trace.attention.weights, ref_weights, atol=1e-4, rtol=0)
    assert (
        max(float(w.max()) for w in ref.attentions) > 0.5
    )  # peaked attention: the comparison means something

    assert len(out.hidden_states) == len(ref.hidden_states) == len(ref.reshaped_hidden_states)
    for ours_h, ref_h, ref_map in zip(out.hidden_states, ref.hidden_states, ref.reshaped_hidden_states):
        torch.testing.assert_close(ours_h, ref_h, atol=1e-4, rtol=1e-4)
        batch, c, h, w = ref_map.shape
        torch.testing.assert_close(
            ours_h.view(batch, h, w, c).permute(0, 3, 1, 2), ref_map, atol=1e-4, rtol=1e-4
        )
    assert_head_matches(
        ours, out, ref, overrides["num_labels"] if class_name == "SwinForImageClassification" else None
    )


def test_padded_blocks_match_too(tmp_path):
    """The 40 px case pads 20 x 20 tokens to 21 x 21: the shifted block there is traced with its padding."""
    reference = _random_reference(transformers.SwinModel, seed=3, **CASES[1][1])
    reference.save_pretrained(tmp_path)
    out = load_swin(tmp_path)(torch.zeros(1, 3, 40, 40))
    first_shifted = next(t for t in out.traces if t.shift)
    assert first_shifted.resolution == (20, 20) and first_shifted.padded == (21, 21)
    assert first_shifted.weights.shape == (1, 49, 3, 9, 9)


def test_our_saved_folder_opens_in_transformers(tmp_path):
    config = with_head(TINY_SWIN, ("a", "b", "c"))
    model = random_model(SwinTransformer, config, std=0.2)
    save_swin(model, tmp_path)
    reference = transformers.SwinForImageClassification.from_pretrained(
        tmp_path, attn_implementation="eager"
    ).eval()
    pixels = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(
            model(pixels).logits, reference(pixel_values=pixels).logits, atol=1e-4, rtol=1e-4
        )
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["id2label"] == {"0": "a", "1": "b", "2": "c"}
    assert SwinConfig.from_hf(tmp_path) == config


def test_unknown_tensor_is_an_error():
    with pytest.raises(ValueError, match="unexpected tensor"):
        map_swin_names({"swin.encoder.layers.0.blocks.0.attention.self.rotary": torch.zeros(1)})


def test_stored_relative_index_is_checked():
    from viz.models.swin.model import relative_position_index

    good = relative_position_index(3).reshape(-1)
    name = "swin.encoder.layers.0.blocks.0.attention.self.relative_position_index"
    assert map_swin_names({name: good}) == {}
    with pytest.raises(ValueError, match="relative position index"):
        map_swin_names({name: good.flip(0)})


def test_other_model_types_are_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "vit"}))
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ValueError, match="only Swin folders"):
        load_swin(tmp_path)


def test_class_names_come_from_id2label(tmp_path):
    """A SwinForImageClassification folder's id2label names its classes in the config and in the trace."""
    from tests.data import image_cases as cases
    from tests.models.helpers import IMAGENET_STYLE_LABELS, write_id2label
    from viz.trace.swin import trace_swin

    reference = _random_reference(transformers.SwinForImageClassification, seed=0, num_labels=3)
    reference.save_pretrained(tmp_path)
    write_id2label(tmp_path, IMAGENET_STYLE_LABELS)
    assert load_swin(tmp_path).config.class_names == IMAGENET_STYLE_LABELS
    trace = trace_swin(cases.good_jpeg(), model=str(tmp_path))
    assert trace.labels == list(IMAGENET_STYLE_LABELS)
    assert [name for name, _ in trace.top(3)] == [IMAGENET_STYLE_LABELS[i] for i in np.argsort(-trace.probs)]
    # names missing from id2label are numbered; an id2label of another length than the head is dropped
    raw = json.loads((tmp_path / "config.json").read_text())
    raw["id2label"] = {"0": "tench, Tinca tinca", "2": "tabby, tabby cat", "1": None}
    del raw["id2label"]["1"]
    raw["id2label"]["7"] = "extra"
    (tmp_path / "config.json").write_text(json.dumps(raw))
    assert SwinConfig.from_hf(tmp_path, n_classes=3).class_names == (
        "tench, Tinca tinca",
        "class 1",
        "tabby, tabby cat",
    )
    raw["id2label"] = {"0": "a", "1": "b"}
    (tmp_path / "config.json").write_text(json.dumps(raw))
    assert SwinConfig.from_hf(tmp_path, n_classes=3).class_names == ("class 0", "class 1", "class 2")
