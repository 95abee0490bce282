"""The Vision Transformer (Dosovitskiy et al. 2021) on the transparent attention of :mod:`viz.models.attention`.

The recipe, step by step:
    1. split the (C, H, W) image into N = (H / P) * (W / P) patches of P x P pixels;
    2. flatten each patch into a vector of P * P * C numbers;
    3. project it linearly to D numbers (a convolution with kernel = stride = P computes exactly that);
    4. put a learned [CLS] token in front and add a learned position embedding to every token;
    5. run L pre-LayerNorm encoder blocks: x = x + MHA(LN(x)); x = x + MLP(LN(x));
    6. read the class from the final LayerNorm of the [CLS] token.

Parameter names are ours; :mod:`viz.models.vit_checkpoint` maps Hugging Face ViT folders onto them.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from viz.models.attention import AttentionTrace, MultiHeadAttention
from viz.models.encoder import FeedForward
from viz.vit_config import ViTConfig


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


class PatchEmbedding(nn.Module):
    """Steps 1-3: image -> N patch embeddings, x_p E + b with E of shape (P * P * C, D).

    Stored as a convolution with kernel = stride = P (the layout of the checkpoints); :meth:`filters`
    gives the same weights as the matrix E, in :func:`patchify`'s order.
    """

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.patch_size = config.patch_size
        self.projection = nn.Conv2d(
            config.n_channels, config.d_model, config.patch_size, stride=config.patch_size
        )

    def filters(self) -> torch.Tensor:
        """(D, P * P * C): row d is the d-th learned filter, flattened like a patch."""
        weight = self.projection.weight  # (D, C, P, P)
        return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, N, D)."""
        return self.projection(pixels).flatten(2).transpose(1, 2)


class ViTEmbeddings(nn.Module):
    """Patch embeddings, the [CLS] token in front, plus learned position embeddings."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.patch = PatchEmbedding(config)
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


class ViTBlock(nn.Module):
    """One pre-LayerNorm encoder block: x + MHA(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        # W^O always carries a bias; a checkpoint without q/k/v biases is loaded with those set to zero.
        self.attention = MultiHeadAttention(config.d_model, config.n_heads, bias=True)
        self.ffn_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.ffn = FeedForward(config.d_model, config.d_ff, config.activation)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, AttentionTrace]:
        attended, trace = self.attention(self.attention_norm(x))
        x = x + attended
        x = x + self.ffn(self.ffn_norm(x))
        return x, trace


class Pooler(nn.Module):
    """Hugging Face's optional pooler: tanh(W [CLS] + b)."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.d_model, config.d_model)

    def forward(self, cls: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.dense(cls))


@dataclasses.dataclass(frozen=True)
class ViTOutput:
    """Everything the ViT computed for a batch. B = batch, N = patches, D = d_model."""

    patch_embeddings: torch.Tensor  # (B, N, D) step 3, before [CLS] and positions
    hidden_states: tuple[torch.Tensor, ...]  # L + 1 tensors (B, 1 + N, D); [0] = embeddings with positions
    traces: tuple[AttentionTrace, ...]  # one per block
    last_hidden_state: torch.Tensor  # (B, 1 + N, D) after the final LayerNorm
    pooled: torch.Tensor | None  # (B, D) the pooler's output, when the model has one
    logits: torch.Tensor | None  # (B, n_classes), when the model has a head

    @property
    def attentions(self) -> torch.Tensor:
        """(L, B, H, 1 + N, 1 + N) softmax weights of every block."""
        return torch.stack([t.weights for t in self.traces])


class VisionTransformer(nn.Module):
    """The ViT of the paper (pre-LN blocks, [CLS] token, learned positions), returning what it computed."""

    def __init__(self, config: ViTConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = ViTEmbeddings(config)
        self.blocks = nn.ModuleList(ViTBlock(config) for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.pooler = Pooler(config) if config.pooler else None
        self.classifier = nn.Linear(config.d_model, config.n_classes) if config.n_classes else None

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) pixels in [0, 1] -> the model's input, (x - mean) / std per channel."""
        mean = torch.tensor(self.config.image_mean, dtype=images.dtype, device=images.device)
        std = torch.tensor(self.config.image_std, dtype=images.dtype, device=images.device)
        return (images - mean[:, None, None]) / std[:, None, None]

    def forward(self, pixels: torch.Tensor) -> ViTOutput:
        """Args: pixels (B, C, H, W), already normalised (see :meth:`normalize`), H = W = image_size."""
        size = self.config.image_size
        if pixels.shape[1:] != (self.config.n_channels, size, size):
            raise ValueError(
                f"expected images of shape (B, {self.config.n_channels}, {size}, {size}), "
                f"got {tuple(pixels.shape)}"
            )
        x, patch_embeddings = self.embeddings(pixels)
        hidden_states, traces = [x], []
        for block in self.blocks:
            x, trace = block(x)
            hidden_states.append(x)
            traces.append(trace)
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
