"""``viz.trace_image`` on the bundled shapes ViT: shapes, identities, gradient pairing, accuracy, folders."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import viz
from tests.data import image_cases as cases
from viz.analysis.rollout import attention_rollout
from viz.data.images import ImageInputError
from viz.data.shapes import CLASSES, LABELS, make_shape, make_shapes
from viz.models.vit.checkpoint import save_vit
from viz.models.vit.config import ViTConfig
from viz.models.vit.model import VisionTransformer
from viz.models.vit.registry import load_vision_model


@pytest.fixture(scope="module")
def shape():
    return make_shape(np.random.default_rng(11), label=CLASSES.index("star"))


@pytest.fixture(scope="module")
def trace(shape):
    return viz.trace_image(shape.image)


def test_trace_shapes(trace):
    config = load_vision_model().config
    n, p, g = config.n_patches, config.patch_size, config.grid_size
    assert config.labels == LABELS and g >= 8 and config.image_size >= 64
    assert trace.patches.shape == (n, p * p * 3)
    assert trace.attentions.shape == (config.n_layers, config.n_heads, 1 + n, 1 + n)
    assert trace.rollout.shape == (g, g)
    assert trace.probs.shape == (len(LABELS),) and trace.labels == list(LABELS)
    assert trace.hidden_states.shape == (config.n_layers + 1, 1 + n, config.d_model)
    assert trace.attention_gradients.shape == trace.attentions.shape
    assert not np.isnan(trace.attentions).any()
    np.testing.assert_allclose(trace.probs.sum(), 1.0, atol=1e-6)


def test_attention_rows_and_rollout_sum_to_one(trace):
    np.testing.assert_allclose(trace.attentions.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(attention_rollout(trace.attentions).sum(-1), 1.0, atol=1e-9)
    np.testing.assert_allclose(trace.rollout.sum(), 1.0, atol=1e-9)
    np.testing.assert_allclose(trace.rollout, trace.rollout_map("mean", 0.0))


def test_patches_embed_to_the_patch_embeddings(trace):
    """Step 3 as arithmetic: flattened patch x E + b is exactly what the model computed."""
    np.testing.assert_allclose(
        trace.patches @ trace.filters.T + trace.filter_bias, trace.patch_embeddings, atol=1e-4
    )
    tokens = np.concatenate([trace.cls_token[None], trace.patch_embeddings]) + trace.position_embeddings
    np.testing.assert_allclose(tokens, trace.hidden_states[0], atol=1e-5)


def test_pixel_patches_read_row_by_row(trace):
    p = trace.patch_size
    tiles = trace.pixel_patches()
    np.testing.assert_array_equal(tiles[trace.grid[1] + 2], trace.image[p : 2 * p, 2 * p : 3 * p])


def test_gradients_are_paired_with_their_own_layer(trace):
    """Only [CLS]'s output after the last block reaches the classifier, so in the last layer only the
    [CLS] query row can carry gradient; earlier layers feed every token and have gradient in other rows.
    A list paired in the wrong order fails this."""
    grads = trace.attention_gradients
    last = grads[-1]
    assert np.abs(last[:, 0]).max() > 0
    np.testing.assert_array_equal(last[:, 1:], 0.0)
    for layer in range(trace.n_layers - 1):
        assert np.abs(grads[layer, :, 1:]).max() > 0, layer


def test_gradients_match_autograd_on_each_layer_alone(shape, trace):
    """Each layer's gradient equals a separate autograd call on that layer's weights only."""
    model = load_vision_model()
    x = model.normalize(torch.tensor(shape.image).permute(2, 0, 1)[None].float() / 255).requires_grad_(True)
    out = model(x)
    for layer in (0, trace.n_layers - 1):
        (grad,) = torch.autograd.grad(
            out.logits[0, trace.target_class], out.traces[layer].weights, retain_graph=True
        )
        np.testing.assert_allclose(trace.attention_gradients[layer], grad[0].numpy(), atol=1e-6)


def test_target_class_changes_the_gradients(shape, trace):
    other = (trace.target_class + 1) % len(LABELS)
    explained = viz.trace_image(shape.image, target_class=other)
    assert explained.target_class == other
    assert not np.allclose(explained.attention_gradients, trace.attention_gradients)
    np.testing.assert_allclose(explained.attentions, trace.attentions)
    with pytest.raises(ValueError):
        viz.trace_image(shape.image, target_class=len(LABELS))


def test_bundled_model_classifies_fresh_shapes():
    """A small sample the model never saw (a seed unused in training); the eval script prints the full figure."""
    from viz.training.vision.evaluate import evaluate

    images, masks, labels = make_shapes(240, seed=99_123)
    result = evaluate(load_vision_model(), images, masks, labels)
    assert result.accuracy >= 0.93
    assert result.pointing_game >= 0.55


def test_inputs_of_every_kind_and_bad_ones(tmp_path):
    path = tmp_path / "photo.jpeg"
    path.write_bytes(cases.good_png())  # a PNG named .jpeg: read by its content
    for source in (path, str(path), cases.good_png()):
        t = viz.trace_image(source)
        assert t.image.shape == (64, 64, 3) and t.input_size == (64, 48)
    assert viz.trace_image(cases.rgba_png()).notes  # conversions are reported
    with pytest.raises(ImageInputError):
        viz.trace_image(cases.BAD_INPUTS["decompression bomb"][0])
    with pytest.raises(ValueError):
        viz.trace_image(cases.good_png(), model="no-such-model")


def test_checkpoint_folder_and_backbone(tmp_path):
    torch.manual_seed(0)
    backbone = VisionTransformer(
        ViTConfig(image_size=32, patch_size=4, d_model=16, n_layers=2, n_heads=2, d_ff=32)
    )
    save_vit(backbone.eval(), tmp_path)
    t = viz.trace_image(cases.good_jpeg(), model=str(tmp_path))
    assert t.attentions.shape == (2, 2, 65, 65) and t.rollout.shape == (8, 8)
    assert t.probs.size == 0 and t.labels == [] and t.attention_gradients is None
    assert t.gradient_rollout_map() is None
