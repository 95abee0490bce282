"""From an image to tokens: patches, their linear embedding, and the pixel normalisation before it.

Dosovitskiy et al. (2021): split the (C, H, W) image into N = (H / P) (W / P) patches of P x P pixels,
flatten each into P * P * C numbers and project it linearly to D. A convolution with kernel = stride = P
computes exactly that projection (the layout of the checkpoints). Swin normalises the embeddings after.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def patchify(pixels: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into flattened patches, row by row, each patch pixel by pixel, channels last.

    Args:
        pixels: (B, C, H, W).
        patch_size: P; H and W must be multiples of P.

    Returns:
        (B, N, P * P * C), N = (H / P) * (W / P); patch n = row n // (W / P), column n % (W / P).
    """
    batch, channels, height, width = pixels.shape
    p = patch_size
    if height % p or width % p:
        raise ValueError(f"image {height} x {width} is not a whole number of {p} x {p} patches")
    x = pixels.reshape(batch, channels, height // p, p, width // p, p)  # (B, C, gh, P, gw, P)
    x = x.permute(0, 2, 4, 3, 5, 1)  # (B, gh, gw, P, P, C)
    return x.reshape(batch, (height // p) * (width // p), p * p * channels)


def normalize_pixels(images: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """(B, C, H, W) pixels in [0, 1] -> (x - mean) / std per channel, the model's input."""
    mean_t = torch.tensor(mean, dtype=images.dtype, device=images.device)
    std_t = torch.tensor(std, dtype=images.dtype, device=images.device)
    return (images - mean_t[:, None, None]) / std_t[:, None, None]


class PatchEmbedding(nn.Module):
    """Image -> N patch embeddings x_p E + b, E of shape (P * P * C, D); optionally LayerNorm after (Swin).

    Stored as a convolution with kernel = stride = P; :meth:`filters` gives the same weights as the matrix
    E, in :func:`patchify`'s order.
    """

    def __init__(self, n_channels: int, d_model: int, patch_size: int, norm_eps: float | None = None) -> None:
        super().__init__()
        self.patch_size = patch_size
        self.projection = nn.Conv2d(n_channels, d_model, patch_size, stride=patch_size)
        self.norm = None if norm_eps is None else nn.LayerNorm(d_model, eps=norm_eps)

    def filters(self) -> torch.Tensor:
        """(D, P * P * C): row d is the d-th learned filter, flattened like a patch."""
        weight = self.projection.weight  # (D, C, P, P)
        return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, N, D), the patches row by row."""
        x = self.projection(pixels).flatten(2).transpose(1, 2)
        return x if self.norm is None else self.norm(x)
