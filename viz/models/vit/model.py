"""The Vision Transformer (Dosovitskiy et al. 2021) on the transparent attention of :mod:`viz.layers.attention`.

The recipe, step by step:
    1. split the (C, H, W) image into N = (H / P) * (W / P) patches of P x P pixels;
    2. flatten each patch into a vector of P * P * C numbers;
    3. project it linearly to D numbers (a convolution with kernel = stride = P computes exactly that);
    4. put a learned [CLS] token in front and add a learned position embedding to every token;
    5. run L pre-LayerNorm encoder blocks: x = x + MHA(LN(x)); x = x + MLP(LN(x));
    6. read the class from the final LayerNorm of the [CLS] token.

Parameter names are ours; :mod:`viz.models.vit.checkpoint` maps Hugging Face ViT folders onto them.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from viz.layers.blocks import PreNormBlock, run_stack
from viz.layers.outputs import ModelOutput
from viz.layers.patch_embed import PatchEmbedding, normalize_pixels
from viz.models.vit.config import ViTConfig


class ViTEmbeddings(nn.Module):
    """Patch embeddings, the [CLS] token in front, plus learned position embeddings."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.patch = PatchEmbedding(config.n_channels, config.d_model, config.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, config.d_model))
        self.position = nn.Parameter(torch.zeros(1, config.n_tokens, config.d_model))

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, C, H, W) -> ``(tokens (B, 1 + N, D), patch embeddings (B, N, D))``."""
        patches = self.patch(pixels)
        if patches.shape[1] + 1 != self.position.shape[1]:
            raise ValueError(
                f"{patches.shape[1]} patches, but the model has positions for "
                f"{self.position.shape[1] - 1}: resize the image to the model's size"
            )
        cls = self.cls_token.expand(patches.shape[0], -1, -1)
        return torch.cat([cls, patches], dim=1) + self.position, patches


class Pooler(nn.Module):
    """Hugging Face's optional pooler: tanh(W [CLS] + b)."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.d_model, config.d_model)

    def forward(self, cls: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.dense(cls))


@dataclasses.dataclass(frozen=True, kw_only=True)
class ViTOutput(ModelOutput):
    """Everything the ViT computed for a batch. B = batch, N = patches, D = d_model.

    ``hidden_states`` are L + 1 tensors (B, 1 + N, D): [0] the embeddings with positions, then each block's
    output; ``logits`` (B, n_classes) when the model has a head.
    """

    patch_embeddings: torch.Tensor  # (B, N, D) step 3, before [CLS] and positions
    last_hidden_state: torch.Tensor  # (B, 1 + N, D) after the final LayerNorm
    pooled: torch.Tensor | None  # (B, D) the pooler's output, when the model has one


class VisionTransformer(nn.Module):
    """The ViT of the paper (pre-LN blocks, [CLS] token, learned positions), returning what it computed."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = ViTEmbeddings(config)
        self.blocks = PreNormBlock.stack(config)
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.pooler = Pooler(config) if config.pooler else None
        self.classifier = nn.Linear(config.d_model, config.n_classes) if config.n_classes else None

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) pixels in [0, 1] -> the model's input, (x - mean) / std per channel."""
        return normalize_pixels(images, self.config.image_mean, self.config.image_std)

    def forward(self, pixels: torch.Tensor, trace: bool = True) -> ViTOutput:
        """Args: pixels (B, C, H, W), already normalised (see :meth:`normalize`), H = W = image_size;
        trace: keep every block's attention trace (False: the fused kernel, no traces)."""
        size = self.config.image_size
        if pixels.shape[1:] != (self.config.n_channels, size, size):
            raise ValueError(
                f"expected images of shape (B, {self.config.n_channels}, {size}, {size}), "
                f"got {tuple(pixels.shape)}"
            )
        x, patch_embeddings = self.embeddings(pixels)
        x, hidden_states, traces = run_stack(self.blocks, x, trace=trace)
        last = self.norm(x)
        cls = last[:, 0]
        return ViTOutput(
            patch_embeddings=patch_embeddings,
            hidden_states=tuple(hidden_states),
            traces=tuple(traces),
            last_hidden_state=last,
            pooled=None if self.pooler is None else self.pooler(cls),
            logits=None if self.classifier is None else self.classifier(cls),
        )
