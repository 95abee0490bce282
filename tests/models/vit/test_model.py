"""The ViT module: presets and parameter counts, trace shapes, the patch embedding as a matrix product."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from tests.models.helpers import TINY_VIT, parameters_on_meta
from viz.layers.patch_embed import patchify
from viz.models.vit.config import PUBLISHED_PARAMS, VIT_PRESETS, ViTConfig
from viz.models.vit.model import VisionTransformer

TINY = dataclasses.replace(TINY_VIT, n_classes=5)


@pytest.mark.parametrize("name", sorted(VIT_PRESETS))
def test_preset_parameter_counts_match_the_course_within_one_percent(name):
    config = VIT_PRESETS[name]
    assert abs(config.n_params / PUBLISHED_PARAMS[name] - 1) < 0.01


@pytest.mark.parametrize("name", sorted(VIT_PRESETS))
def test_formula_counts_the_real_module(name):
    """The model built on the meta device (no memory) has exactly the parameters the formula says."""
    config = VIT_PRESETS[name]
    assert parameters_on_meta(VisionTransformer, config) == config.n_params


@pytest.mark.parametrize(
    "variant",
    [
        dict(),
        dict(pooler=True),
        dict(n_classes=0),
        dict(qkv_bias=False),
        dict(n_channels=1, image_mean=(0.5,), image_std=(0.5,)),
    ],
)
def test_formula_counts_variants(variant):
    config = dataclasses.replace(TINY, **variant)
    expected = parameters_on_meta(VisionTransformer, config)
    if not config.qkv_bias:  # ours keeps zero q/k/v biases that a qkv_bias=False checkpoint does not store
        expected -= 3 * config.d_model * config.n_layers
    assert config.n_params == expected


@pytest.mark.parametrize("name", sorted(VIT_PRESETS))
def test_presets_give_correct_trace_shapes_without_nan(name):
    """Each preset's shape, scaled down in width and depth so it runs in a test, on a real forward pass."""
    config = dataclasses.replace(
        VIT_PRESETS[name], d_model=VIT_PRESETS[name].n_heads * 4, d_ff=32, n_layers=2
    )
    out = VisionTransformer(config).eval()(torch.randn(1, 3, 224, 224))
    n = config.n_tokens
    assert n == (224 // config.patch_size) ** 2 + 1
    assert out.attentions.shape == (2, 1, config.n_heads, n, n)
    assert out.logits.shape == (1, 1000)
    assert not torch.isnan(out.logits).any()
    torch.testing.assert_close(out.attentions.sum(-1), torch.ones(2, 1, config.n_heads, n))


def test_patch_embedding_is_flattened_patches_times_filters():
    model = VisionTransformer(TINY).eval()
    pixels = torch.randn(2, 3, 32, 32)
    patches = patchify(pixels, 8)  # (2, 16, 192)
    assert patches.shape == (2, 16, 8 * 8 * 3)
    # patch 5 = row 1, column 1; entry (y, x, c) sits at (y * 8 + x) * 3 + c
    np.testing.assert_array_equal(patches[1, 5, (2 * 8 + 3) * 3 + 1], pixels[1, 1, 8 + 2, 8 + 3])
    filters = model.embeddings.patch.filters()
    expected = patches @ filters.T + model.embeddings.patch.projection.bias
    torch.testing.assert_close(model.embeddings.patch(pixels), expected, atol=1e-5, rtol=1e-5)


def test_config_checks():
    with pytest.raises(ValueError, match="divisible"):
        ViTConfig(d_model=30, n_heads=4)
    with pytest.raises(ValueError, match="multiple"):
        ViTConfig(image_size=30, patch_size=8)
    with pytest.raises(ValueError, match="labels"):
        ViTConfig(n_classes=2, labels=("a",))
    with pytest.raises(ValueError):
        ViTConfig(n_layers=0)
    with pytest.raises(ValueError):
        ViTConfig(activation="swish")
    hash(TINY)  # frozen and hashable: usable as a cache key


def test_wrong_image_size_is_an_error():
    with pytest.raises(ValueError, match="expected images"):
        VisionTransformer(TINY)(torch.randn(1, 3, 64, 64))
