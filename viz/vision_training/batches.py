"""Generated shapes as torch batches: fresh images every step, reproducible from one seed."""
from __future__ import annotations

import numpy as np
import torch

from viz.data.shapes import make_shape


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """(B, H, W, 3) uint8 -> (B, 3, H, W) float32 in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255.0)


def shape_batch(rng: np.random.Generator, batch_size: int, size: int,
                easy_share: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``batch_size`` fresh shapes of random classes: images (B, S, S, 3) uint8, masks (B, S, S), labels (B,).

    Args:
        easy_share: the probability that an image gets a flat background (a curriculum starts high);
            the other images draw their background from all kinds, as the evaluation does.
    """
    samples = [make_shape(rng, size=size, background="flat" if rng.random() < easy_share else None)
               for _ in range(batch_size)]
    return (np.stack([s.image for s in samples]), np.stack([s.mask for s in samples]),
            np.array([s.label for s in samples], dtype=np.int64))
