"""The pointing objective: an optional second training loss that asks a ViT's attention rollout to fall on
the object.

The pointing game of :mod:`viz.training.vision.evaluate` measures how much of the [CLS] row of the
attention rollout (mean over heads, nothing discarded, [CLS] column dropped) lands on the shape's mask. A ViT
trained on labels alone reaches high accuracy while its rollout stays spread over the shape's outline and the
background around it. The shapes generator knows every mask, so training can add

    loss = cross-entropy + weight * (-log(share of the rollout mass inside the mask))

which is attention supervision (the masks are used as a training signal, as in "right for the right reasons"
work); the page and ``assets/README.md`` say that the bundled model was trained this way.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F


def rollout_cls(attentions: torch.Tensor, n_prefix: int = 1) -> torch.Tensor:
    """Differentiable rollout of the [CLS] row: (L, B, H, T, T) -> (B, T - n_prefix) over the patches (after
    the ``n_prefix`` tokens in front: [CLS], and a distillation token or registers), summing to 1.

    The same computation as :func:`viz.analysis.rollout.attention_rollout` with mean fusion and no discard,
    followed by :func:`viz.analysis.vision.cls_map`, for a batch and in torch.
    """
    # Only the [CLS] row is needed: e_0^T A_L ... A_1, carried as a row vector from the last block down
    # (O(T^2) per block instead of the O(T^3) product of whole matrices). Each A = (mean over heads + I) / 2
    # has rows summing to 1, as softmax rows do; the final division only removes rounding.
    n_layers, batch, _, n_tokens, _ = attentions.shape
    row = torch.zeros(batch, n_tokens, dtype=attentions.dtype, device=attentions.device)
    row[:, 0] = 1.0  # e_0, the [CLS] token
    for index in range(n_layers - 1, -1, -1):  # (reversed() would copy the stack)
        fused = attentions[index].mean(dim=1)  # (B, T, T)
        row = 0.5 * torch.bmm(row[:, None], fused)[:, 0] + 0.5 * row
    row = row[:, n_prefix:]
    return row / row.sum(dim=-1, keepdim=True)


def pointing_loss(attentions: torch.Tensor, masks: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Mean over the batch's images with a shape of -log(rollout mass inside the mask).

    Args:
        attentions: (L, B, H, 1 + N, 1 + N) softmax weights of every block.
        masks: (B, S, S) the shapes' masks (bool or float).
        patch_size: P; each patch's mass is spread evenly over its pixels, as in the pointing game.
    """
    coverage = F.avg_pool2d(masks.to(attentions.dtype)[:, None], patch_size).flatten(1)  # (B, N)
    inside = (rollout_cls(attentions) * coverage).sum(dim=-1)
    shown = coverage.sum(dim=-1) > 0  # an image with no shape ("none of these") has nowhere to point
    if not bool(shown.any()):
        return inside.sum() * 0.0
    return -torch.log(inside[shown].clamp_min(1e-6)).mean()
