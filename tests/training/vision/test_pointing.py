"""The pointing objective computes, in torch and for a batch, the same rollout the pointing game scores."""

from __future__ import annotations

import numpy as np
import torch

from viz.analysis.rollout import attention_rollout
from viz.analysis.vision import cls_map, mass_inside, patch_coverage
from viz.training.vision.pointing import pointing_loss, rollout_cls


def random_attentions(layers=3, batch=4, heads=2, tokens=17, seed=0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    scores = torch.randn(layers, batch, heads, tokens, tokens, generator=generator, dtype=torch.float64) * 2
    return scores.softmax(dim=-1)


def test_rollout_cls_equals_the_numpy_rollout_row():
    att = random_attentions()
    ours = rollout_cls(att).numpy()
    for b in range(att.shape[1]):
        reference = cls_map(attention_rollout(att[:, b].numpy()), (4, 4)).ravel()
        np.testing.assert_allclose(ours[b], reference, atol=1e-12)
        assert abs(ours[b].sum() - 1) < 1e-12


def test_pointing_loss_is_minus_log_of_the_pointing_game():
    att = random_attentions(tokens=1 + 16)
    rng = np.random.default_rng(1)
    masks = rng.random((4, 16, 16)) < 0.3  # 4 x 4 patches of 4 pixels
    expected = []
    for b in range(4):
        heat = cls_map(attention_rollout(att[:, b].numpy()), (4, 4))
        expected.append(-np.log(mass_inside(heat, patch_coverage(masks[b], 4))))
    loss = pointing_loss(att, torch.from_numpy(masks), patch_size=4)
    assert abs(loss.item() - np.mean(expected)) < 1e-10


def test_the_loss_pulls_attention_onto_the_mask():
    logits = torch.zeros(
        1, 1, 1, 5, 5, dtype=torch.float64, requires_grad=True
    )  # one layer, one head, 2 x 2 patches
    masks = torch.tensor(
        [[[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]], dtype=torch.bool
    )  # patch 0 only
    pointing_loss(logits.softmax(-1), masks, patch_size=2).backward()
    grad = logits.grad[0, 0, 0, 0]  # the [CLS] row's scores
    assert (
        grad[1] < 0 and (grad[2:] > 0).all()
    )  # descent raises the score of the patch on the mask, lowers the rest
