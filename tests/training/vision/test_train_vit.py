"""The ViT training script's warm start at a finer patch grid and its traced share of each batch."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from viz.models.vit.checkpoint import load_vit
from viz.models.vit.config import SHAPES_VIT
from viz.models.vit.model import VisionTransformer, resize_positions
from viz.training.vision import loop
from viz.training.vision.train_vit import resized_patches, train

BUNDLED = Path(__file__).resolve().parents[3] / "assets" / "shapes-vit"


def _model(patch_size: int, seed: int = 0) -> VisionTransformer:
    torch.manual_seed(seed)
    model = VisionTransformer(dataclasses.replace(SHAPES_VIT, patch_size=patch_size))
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0, 0.1)
    return model.eval()


def test_a_finer_patch_embeds_an_image_as_the_old_kernel_embeds_it_enlarged():
    old = _model(8)
    new = resized_patches(old, dataclasses.replace(old.config, patch_size=4))
    pixels = torch.rand(2, 3, 64, 64)
    enlarged = F.interpolate(pixels, scale_factor=2, mode="nearest")  # 128 x 128: a 16 x 16 grid of 8s
    with torch.no_grad():
        ours = new.embeddings.patch(pixels)
        reference = F.conv2d(
            enlarged, old.embeddings.patch.projection.weight, old.embeddings.patch.projection.bias, stride=8
        )
    assert ours.shape == (2, 256, 64)
    torch.testing.assert_close(ours, reference.flatten(2).transpose(1, 2), rtol=1e-4, atol=1e-4)


def test_the_positions_are_resized_and_everything_else_is_copied():
    old = _model(8)
    new = resized_patches(old, dataclasses.replace(old.config, patch_size=4))
    old_position, new_position = old.embeddings.position, new.embeddings.position
    assert new_position.shape == (1, 1 + 256, 64)
    torch.testing.assert_close(new_position[:, :1], old_position[:, :1])  # [CLS] keeps its own
    torch.testing.assert_close(new_position[:, 1:], resize_positions(old_position[:, 1:], (16, 16)))
    ours, theirs = new.state_dict(), old.state_dict()
    for name, value in theirs.items():
        if not name.endswith(("projection.weight", "embeddings.position")):
            torch.testing.assert_close(ours[name], value, msg=name)


def test_same_patch_size_is_left_alone_and_a_non_divisor_is_refused():
    old = _model(8)
    assert resized_patches(old, old.config) is old
    with pytest.raises(ValueError, match="divisor"):
        resized_patches(old, dataclasses.replace(old.config, patch_size=16))
    with pytest.raises(ValueError, match="divisor"):
        resized_patches(old, dataclasses.replace(old.config, patch_size=4, image_size=96))


def test_the_bundled_model_resized_still_classifies_shapes():
    from viz.data.drawn import make_drawn_set
    from viz.training.vision.batches import to_tensor

    old = load_vit(BUNDLED)
    new = resized_patches(old, dataclasses.replace(old.config, patch_size=old.config.patch_size // 2))
    images, _, labels = make_drawn_set(180, seed=4_242)
    with torch.no_grad():
        answers = new(new.normalize(to_tensor(images)), trace=False).logits.argmax(-1).numpy()
    assert (answers == labels).mean() > 0.4  # a warm start: far above chance (1 in 9)


def test_only_the_traced_share_of_a_batch_feeds_the_extra_loss_and_all_of_it_the_labels():
    model = _model(8)
    model.train()
    seen = []

    def extra(out, masks):
        seen.append((out.attentions.shape[1], masks.shape[0]))
        return out.attentions.sum() * 0.0

    pixels, masks, labels = torch.rand(6, 3, 64, 64), torch.zeros(6, 64, 64), torch.arange(6) % 9
    settings = loop.LoopSettings(
        steps=1, batch_size=6, warmup=1, eval_every=100, curriculum=0, traced_batch=2
    )
    before = model.classifier.weight.detach().clone()
    loop.train_loop(
        model, settings, [(pixels, masks, labels)], lambda n, p: False, lambda m: "", 1.0, print, extra
    )
    assert seen == [(2, 2)]
    assert not torch.equal(model.classifier.weight, before)  # the cross-entropy reached the classifier


def test_training_at_a_finer_grid_from_the_bundled_model_runs(tmp_path):
    config = dataclasses.replace(SHAPES_VIT, patch_size=4)
    settings = loop.LoopSettings(
        steps=2, batch_size=8, warmup=1, eval_every=2, n_validation=18, curriculum=0, traced_batch=4
    )
    lines = []
    model = train(config, settings, 0, 5.0, lines.append, workers=0, init_from=BUNDLED)
    assert model.config.patch_size == 4
    assert any(line.startswith("started from") and line.endswith("none") for line in lines), lines
    assert any("val accuracy" in line for line in lines), lines
