"""The Vision Transformer (Dosovitskiy et al. 2021) on the transparent attention of :mod:`viz.layers.attention`.

The recipe, step by step:
    1. split the (C, H, W) image into N = (H / P) * (W / P) patches of P x P pixels;
    2. flatten each patch into a vector of P * P * C numbers;
    3. project it linearly to D numbers (a convolution with kernel = stride = P computes exactly that);
    4. put a learned [CLS] token in front and add a learned position embedding to every token;
    5. run L pre-LayerNorm encoder blocks: x = x + MHA(LN(x)); x = x + MLP(LN(x));
    6. read the class from the final LayerNorm of the [CLS] token.

The same module runs DeiT distilled (a second learned token, the distillation token, after [CLS]; two heads
whose logits are averaged) and DINOv2 (LayerScale in every block; positions learned for a larger grid and
resized bicubically to the input's; a head on [CLS] concatenated with the mean of the patch tokens).

Parameter names are ours; :mod:`viz.models.vit.checkpoint` maps Hugging Face ViT folders onto them.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn
from torch.nn import functional as F

from viz.layers.attention import AttentionTrace
from viz.layers.blocks import PreNormBlock, run_stack
from viz.layers.outputs import ModelOutput
from viz.layers.patch_embed import PatchEmbedding, normalize_pixels
from viz.models.vit.config import ViTConfig


def resize_positions(
    grid_positions: torch.Tensor, grid: tuple[int, int], antialias: bool = False
) -> torch.Tensor:
    """Position embeddings learned on a square grid, resized to ``grid`` as Hugging Face's DINOv2 does.

    Args:
        grid_positions: (1, G * G, D), one row per position of a G x G grid, row by row.
        grid: (grid_h, grid_w) of the input.
        antialias: filter before shrinking (DINOv2 with registers does; DINOv2 does not).

    Returns:
        (1, grid_h * grid_w, D): bicubic interpolation (``align_corners=False``) in float32, to that size.
    """
    n, d = grid_positions.shape[1:]
    side = int(round(n**0.5))
    if side * side != n:
        raise ValueError(f"{n} learned positions do not form a square grid")
    if (side, side) == tuple(grid):
        return grid_positions
    x = grid_positions.reshape(1, side, side, d).permute(0, 3, 1, 2)  # (1, D, G, G)
    x = F.interpolate(x.float(), size=tuple(grid), mode="bicubic", align_corners=False, antialias=antialias)
    return x.to(grid_positions.dtype).permute(0, 2, 3, 1).reshape(1, -1, d)


class ViTEmbeddings(nn.Module):
    """Patch embeddings, the [CLS] token (and DeiT's distillation token, or DINOv2's registers) in front, plus
    learned positions (none for the registers)."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.n_positioned = config.n_positioned_prefix
        self.antialias = config.position_antialias
        self.grid = (config.grid_size, config.grid_size)
        self.patch = PatchEmbedding(config.n_channels, config.d_model, config.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, config.d_model))
        self.distillation_token = (
            nn.Parameter(torch.zeros(1, 1, config.d_model)) if config.distillation_token else None
        )
        self.register_tokens = (
            nn.Parameter(torch.zeros(1, config.n_registers, config.d_model)) if config.n_registers else None
        )
        self.position = nn.Parameter(torch.zeros(1, config.n_positions, config.d_model))

    def prefix(self) -> torch.Tensor:
        """(1, prefix, D): [CLS], then the distillation token or the registers when the model has them."""
        tokens = [self.cls_token, self.distillation_token, self.register_tokens]
        return torch.cat([t for t in tokens if t is not None], dim=1)

    def positions(self) -> torch.Tensor:
        """(1, T, D): the position embeddings added to the tokens, the patches' resized to the input's grid;
        zero rows for the registers, which have none."""
        positioned, learned = self.position[:, : self.n_positioned], self.position[:, self.n_positioned :]
        parts = [positioned, resize_positions(learned, self.grid, self.antialias)]
        if self.register_tokens is not None:
            parts.insert(1, torch.zeros_like(self.register_tokens))
        return torch.cat(parts, dim=1)

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, C, H, W) -> ``(tokens (B, prefix + N, D), patch embeddings (B, N, D))``."""
        patches = self.patch(pixels)
        if patches.shape[1] != self.grid[0] * self.grid[1]:
            raise ValueError(
                f"{patches.shape[1]} patches, but the model reads a {self.grid[0]} x {self.grid[1]} grid: "
                "resize the image to the model's size"
            )
        prefix = self.prefix().expand(patches.shape[0], -1, -1)
        return torch.cat([prefix, patches], dim=1) + self.positions(), patches


class LayerScaleBlock(PreNormBlock):
    """DINOv2's block: x = x + lambda_1 * MHA(LN(x)); x = x + lambda_2 * MLP(LN(x)).

    LayerScale (Touvron et al. 2021, CaiT): each residual branch is scaled channel by channel by a learned
    vector (D,) before it is added.
    """

    def __init__(self, d_model: int, *args, **kwargs) -> None:
        super().__init__(d_model, *args, **kwargs)
        self.attention_scale = nn.Parameter(torch.ones(d_model))
        self.ffn_scale = nn.Parameter(torch.ones(d_model))

    def forward(
        self, x: torch.Tensor, allowed: torch.Tensor | None = None, trace: bool = True
    ) -> tuple[torch.Tensor, AttentionTrace | None]:
        """x (B, T, d_model) -> (B, T, d_model)."""
        attended, attention_trace = self.attention(self.attention_norm(x), allowed=allowed, trace=trace)
        x = x + self.dropout(self.attention_scale * attended)
        return x + self.dropout(self.ffn_scale * self.ffn(self.ffn_norm(x))), attention_trace


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

    T = prefix + N tokens ([CLS], DeiT's distillation token, the patches). ``hidden_states`` are L + 1
    tensors (B, T, D): [0] the embeddings with positions, then each block's output; ``logits`` (B, n_classes)
    when the model has a head.
    """

    patch_embeddings: torch.Tensor  # (B, N, D) step 3, before [CLS] and positions
    last_hidden_state: torch.Tensor  # (B, T, D) after the final LayerNorm
    pooled: torch.Tensor | None  # (B, D) the pooler's output, when the model has one


class VisionTransformer(nn.Module):
    """The ViT of the paper (pre-LN blocks, [CLS] token, learned positions), returning what it computed;
    with DeiT's distillation token and two heads, or DINOv2's LayerScale, resized positions and head."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = ViTEmbeddings(config)
        self.blocks = (LayerScaleBlock if config.layer_scale else PreNormBlock).stack(config)
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.pooler = Pooler(config) if config.pooler else None
        k, head_in = config.n_classes, config.d_model * (2 if config.head == "cls_and_patch_mean" else 1)
        self.classifier = nn.Linear(head_in, k) if k else None
        two_heads = k and config.head == "cls_and_distillation"
        self.distillation_classifier = nn.Linear(config.d_model, k) if two_heads else None

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
            logits=None if self.classifier is None else self.head(last),
        )

    def head(self, last: torch.Tensor) -> torch.Tensor:
        """(B, T, D) after the final LayerNorm -> (B, n_classes) logits, as :data:`config.head` says."""
        cls = last[:, 0]
        if self.config.head == "cls_and_patch_mean":  # DINOv2: [CLS] ; mean of the patch tokens
            patches = last[:, self.config.n_prefix_tokens :]
            return self.classifier(torch.cat([cls, patches.mean(dim=1)], dim=-1))
        if self.config.head == "cls_and_distillation":  # DeiT: the mean of the two heads
            return (self.classifier(cls) + self.distillation_classifier(last[:, 1])) / 2
        return self.classifier(cls)
