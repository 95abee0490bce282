"""The Swin Transformer (Liu et al. 2021) on the transparent attention of :mod:`viz.layers.attention`.

The recipe:
    1. patch partition + linear embedding: P x P patches projected to C channels (a convolution with
       kernel = stride = P), then a LayerNorm; the result is an (S / P) x (S / P) grid of tokens;
    2. stages of Swin blocks; each block is pre-LayerNorm attention + MLP, but the attention is computed
       inside non-overlapping M x M windows only (W-MSA), and every second block first shifts the window
       grid by M // 2 tokens (SW-MSA) so that information crosses the previous block's window borders;
    3. the shifted windows are made batchable by a cyclic shift (``torch.roll`` by -M // 2 on both axes):
       the windows at the border then hold tokens from opposite edges of the image, and an attention
       mask lets a token attend only to tokens of its own region;
    4. every attention score gets a learned relative position bias B[dy, dx] per head, looked up in a
       table of (2M - 1)^2 entries by the offset between query and key inside the window;
    5. between stages, patch merging concatenates each 2 x 2 group of tokens (4C channels), normalises
       and projects them to 2C: half the resolution, twice the channels;
    6. the last stage's tokens are normalised, averaged and classified.

Every block returns a :class:`SwinBlockTrace` (the attention of every window and head, the shift, the
mask, the regions and the position bias): no hooks. Parameter names are ours;
:mod:`viz.models.swin.checkpoint` maps Hugging Face Swin folders onto them.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from viz.layers.attention import AttentionTrace, MultiHeadAttention
from viz.layers.blocks import PreNormBlock
from viz.layers.patch_embed import PatchEmbedding, normalize_pixels
from viz.models.swin.config import SwinConfig

#: LayerNorm epsilon of the embedding and merging norms (PyTorch's default, as in the reference code).
DEFAULT_EPS = 1e-5


def window_partition(x: torch.Tensor, window: int) -> torch.Tensor:
    """Cut a feature map into non-overlapping windows.

    Args:
        x: (B, H, W, C), H and W multiples of ``window``.
        window: M.

    Returns:
        (B * nW, M * M, C), nW = (H / M) * (W / M); windows row by row (batch-major), and the tokens of
        each window row by row.
    """
    batch, height, width, channels = x.shape
    m = window
    x = x.view(batch, height // m, m, width // m, m, channels)  # (B, H/M, M, W/M, M, C)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, m * m, channels)


def window_reverse(windows: torch.Tensor, window: int, height: int, width: int) -> torch.Tensor:
    """Undo :func:`window_partition`: (B * nW, M * M, C) -> (B, H, W, C)."""
    m, channels = window, windows.shape[-1]
    x = windows.view(-1, height // m, width // m, m, m, channels)  # (B, H/M, W/M, M, M, C)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, height, width, channels)


def cyclic_shift(x: torch.Tensor, shift: int, reverse: bool = False) -> torch.Tensor:
    """Roll a (B, H, W, C) map by -shift rows and columns (the top-left ``shift`` rows and columns move
    to the bottom and right); ``reverse`` rolls it back."""
    if not shift:
        return x
    step = shift if reverse else -shift
    return torch.roll(x, shifts=(step, step), dims=(1, 2))


def region_labels(height: int, width: int, window: int, shift: int) -> torch.Tensor:
    """(H, W) long: which of the 9 regions each position of the *rolled* map belongs to.

    Along each axis, after rolling by -shift, positions [0, L - M) came from the inside of the map,
    [L - M, L - shift) are the last full window's worth of them, and [L - shift, L) wrapped around from
    the opposite edge. Region = 3 * row band + column band. Two tokens of one window may attend to each
    other only when their regions agree.
    """

    def bands(length: int) -> torch.Tensor:
        index = torch.arange(length)
        return (index >= length - window).long() + (index >= length - shift).long()

    return bands(height)[:, None] * 3 + bands(width)[None, :]


def shifted_window_mask(height: int, width: int, window: int, shift: int) -> torch.Tensor | None:
    """(nW, M * M, M * M) bool: True where query i of window w may attend to key j (same region);
    None when nothing is shifted (every window holds contiguous tokens)."""
    if not shift:
        return None
    labels = region_labels(height, width, window, shift)
    per_window = window_partition(labels[None, :, :, None], window)[..., 0]  # (nW, M * M)
    return per_window[:, :, None] == per_window[:, None, :]


def relative_position_index(window: int) -> torch.Tensor:
    """(M * M, M * M) long: for query i and key j of a window, the row of the bias table holding
    B[dy, dx], dy = y_i - y_j and dx = x_i - x_j in [-(M - 1), M - 1], as
    (dy + M - 1) * (2M - 1) + dx + M - 1."""
    coords = torch.stack(torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")).flatten(1)
    delta = coords[:, :, None] - coords[:, None, :] + (window - 1)  # (2, M*M, M*M), each in [0, 2M - 2]
    return delta[0] * (2 * window - 1) + delta[1]


class RelativePositionBias(nn.Module):
    """A learned table of (2M - 1)^2 biases per head, looked up by the query-key offset in the window."""

    def __init__(self, window: int, n_heads: int) -> None:
        super().__init__()
        self.window = window
        self.table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, n_heads))
        self.register_buffer("index", relative_position_index(window), persistent=False)

    def forward(self) -> torch.Tensor:
        """(H, M * M, M * M) additive bias: entry [h, i, j] = table[index[i, j], h]."""
        m2 = self.window**2
        return self.table[self.index.reshape(-1)].reshape(m2, m2, -1).permute(2, 0, 1)


@dataclasses.dataclass(frozen=True)
class SwinBlockTrace:
    """What one Swin block computed. nW = windows per image, H = heads, M = window side.

    ``attention`` is the plain multi-head attention trace over all windows of the batch, windows
    batch-major: row b * nW + w holds window w of image b; its ``masked_scores`` include the bias and mask.
    """

    stage: int  # 0-based
    block: int  # 0-based within the stage
    resolution: tuple[int, int]  # (H, W) token grid the block works on
    padded: tuple[int, int]  # (H, W) rounded up to whole windows
    window: int  # M
    shift: int  # 0 for W-MSA, M // 2 for SW-MSA
    attention: AttentionTrace  # weights (B * nW, H, M * M, M * M)
    allowed: torch.Tensor | None  # (nW, M * M, M * M) bool, True = same region; None when not shifted
    regions: (
        torch.Tensor | None
    )  # (H_pad, W_pad) region of each position of the rolled map; None when not shifted
    position_bias: torch.Tensor  # (H, M * M, M * M) the relative position bias added to every window

    @property
    def n_windows(self) -> int:
        return (self.padded[0] // self.window) * (self.padded[1] // self.window)

    @property
    def weights(self) -> torch.Tensor:
        """(B, nW, H, M * M, M * M) softmax weights, rows sum to 1 inside each window."""
        w = self.attention.weights
        return w.view(-1, self.n_windows, *w.shape[1:])


class WindowAttention(MultiHeadAttention):
    """Multi-head attention over the tokens of a window, with a learned relative position bias per head."""

    def __init__(self, channels: int, n_heads: int, window: int) -> None:
        super().__init__(channels, n_heads)
        self.position_bias = RelativePositionBias(window, n_heads)


class SwinBlock(PreNormBlock):
    """x + W-MSA(LN(x)) (or SW-MSA with a shift), then x + MLP(LN(x))."""

    def __init__(self, config: SwinConfig, stage: int, block: int) -> None:
        shape = config.stages()[stage]
        super().__init__(
            shape.channels, shape.n_heads, config.mlp_width(stage), config.activation, config.layer_norm_eps
        )
        self.stage, self.block = stage, block
        self.window = shape.window
        self.shift = config.block_shift(stage, block)
        # Replaces the plain attention in place (the parts keep their order, and so a seeded initialisation).
        self.attention = WindowAttention(shape.channels, shape.n_heads, self.window)

    def forward(
        self, x: torch.Tensor, resolution: tuple[int, int], trace: bool = True
    ) -> tuple[torch.Tensor, SwinBlockTrace | None]:
        """x: (B, H * W, C) -> (B, H * W, C) and the trace (None with ``trace=False``)."""
        height, width = resolution
        batch, _, channels = x.shape
        m, shift = self.window, self.shift
        h = self.attention_norm(x).view(batch, height, width, channels)
        pad_h, pad_w = (-height) % m, (-width) % m
        h = nn.functional.pad(h, (0, 0, 0, pad_w, 0, pad_h))  # zeros at the bottom and right
        padded = (height + pad_h, width + pad_w)
        windows = window_partition(cyclic_shift(h, shift), m)  # (B * nW, M * M, C)
        allowed = shifted_window_mask(*padded, m, shift)
        if allowed is not None:
            allowed = allowed.to(x.device)
            batch_allowed = allowed.repeat(batch, 1, 1)[:, None]  # (B * nW, 1, M * M, M * M)
        else:
            batch_allowed = None
        bias = self.attention.position_bias()  # (H, M * M, M * M)
        attended, attention_trace = self.attention(
            windows, allowed=batch_allowed, bias=bias[None], trace=trace
        )
        attended = cyclic_shift(window_reverse(attended, m, *padded), shift, reverse=True)
        attended = attended[:, :height, :width].reshape(batch, height * width, channels)
        x = self.ffn_residual(x + self.dropout(attended))
        if not trace:
            return x, None
        return x, SwinBlockTrace(
            stage=self.stage,
            block=self.block,
            resolution=resolution,
            padded=padded,
            window=m,
            shift=shift,
            attention=attention_trace,
            allowed=allowed,
            regions=region_labels(*padded, m, shift) if shift else None,
            position_bias=bias,
        )


class PatchMerging(nn.Module):
    """2 x 2 neighbouring tokens concatenated (4C), LayerNorm, linear to 2C: (H, W, C) -> (H/2, W/2, 2C).

    The concatenation order is (top-left, bottom-left, top-right, bottom-right), as in the reference code.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(4 * channels, eps=DEFAULT_EPS)
        self.reduction = nn.Linear(4 * channels, 2 * channels, bias=False)

    def forward(self, x: torch.Tensor, resolution: tuple[int, int]) -> torch.Tensor:
        """x: (B, H * W, C) -> (B, H/2 * W/2, 2C)."""
        height, width = resolution
        batch, _, channels = x.shape
        x = x.view(batch, height, width, channels)
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], dim=-1)
        return self.reduction(self.norm(x.reshape(batch, -1, 4 * channels)))


class SwinStage(nn.Module):
    """``depth`` Swin blocks (regular and shifted windows alternating), then patch merging unless last."""

    def __init__(self, config: SwinConfig, stage: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(SwinBlock(config, stage, b) for b in range(config.depths[stage]))
        last = stage == config.n_stages - 1
        self.merge = None if last else PatchMerging(config.stage_channels(stage))


class SwinEmbeddings(PatchEmbedding):
    """Patch partition + linear embedding (a P x P convolution with stride P), then LayerNorm; plus learned
    absolute positions where the config asks for them (off in Swin)."""

    def __init__(self, config: SwinConfig) -> None:
        super().__init__(config.n_channels, config.embed_dim, config.patch_size, norm_eps=DEFAULT_EPS)
        grid = config.grid_size
        self.position = (
            nn.Parameter(torch.zeros(1, grid * grid, config.embed_dim)) if config.absolute_positions else None
        )

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """(B, C_in, S, S) -> (B, N, C), N = (S / P)^2 tokens row by row."""
        x = super().forward(pixels)
        return x if self.position is None else x + self.position


@dataclasses.dataclass(frozen=True)
class SwinOutput:
    """Everything the Swin Transformer computed for a batch."""

    embeddings: torch.Tensor  # (B, N, C) after the patch embedding and its LayerNorm
    stage_outputs: tuple[torch.Tensor, ...]  # per stage (B, H_s * W_s, C_s), before patch merging
    merged_outputs: tuple[torch.Tensor, ...]  # per stage, after its patch merging (the last stage: unchanged)
    stage_resolutions: tuple[tuple[int, int], ...]  # (H_s, W_s) per stage
    block_outputs: tuple[torch.Tensor, ...]  # per block, in order, (B, H_s * W_s, C_s)
    traces: tuple[SwinBlockTrace, ...]  # per block, in order
    last_hidden_state: torch.Tensor  # (B, N_last, C_last) after the final LayerNorm
    pooled: torch.Tensor  # (B, C_last) mean over the tokens
    logits: torch.Tensor | None  # (B, n_classes), when the model has a head

    @property
    def hidden_states(self) -> tuple[torch.Tensor, ...]:
        """As Hugging Face's ``hidden_states``: the embeddings, then each stage's output after merging."""
        return (self.embeddings, *self.merged_outputs)


class SwinTransformer(nn.Module):
    """The Swin Transformer of the paper, returning what it computed (no hooks)."""

    def __init__(self, config: SwinConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = SwinEmbeddings(config)
        self.stages = nn.ModuleList(SwinStage(config, s) for s in range(config.n_stages))
        self.norm = nn.LayerNorm(config.n_features, eps=config.layer_norm_eps)
        self.classifier = nn.Linear(config.n_features, config.n_classes) if config.n_classes else None

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) pixels in [0, 1] -> the model's input, (x - mean) / std per channel."""
        return normalize_pixels(images, self.config.image_mean, self.config.image_std)

    def forward(self, pixels: torch.Tensor, trace: bool = True) -> SwinOutput:
        """Args: pixels (B, C, S, S), already normalised (see :meth:`normalize`), S = image_size;
        trace: keep every block's windows and attention (False: the fused kernel, no traces)."""
        size = self.config.image_size
        if pixels.shape[1:] != (self.config.n_channels, size, size):
            raise ValueError(
                f"expected images of shape (B, {self.config.n_channels}, {size}, {size}), got "
                f"{tuple(pixels.shape)}"
            )
        x = self.embeddings(pixels)
        embeddings = x
        resolution = (self.config.grid_size, self.config.grid_size)
        stage_outputs, resolutions, after_merging, block_outputs, traces = [], [], [], [], []
        for stage in self.stages:
            for block in stage.blocks:
                x, block_trace = block(x, resolution, trace=trace)
                block_outputs.append(x)
                if trace:
                    traces.append(block_trace)
            stage_outputs.append(x)
            resolutions.append(resolution)
            if stage.merge is not None:
                x = stage.merge(x, resolution)
                resolution = (resolution[0] // 2, resolution[1] // 2)
            after_merging.append(x)
        last = self.norm(x)
        pooled = last.mean(dim=1)
        return SwinOutput(
            embeddings=embeddings,
            stage_outputs=tuple(stage_outputs),
            merged_outputs=tuple(after_merging),
            stage_resolutions=tuple(resolutions),
            block_outputs=tuple(block_outputs),
            traces=tuple(traces),
            last_hidden_state=last,
            pooled=pooled,
            logits=None if self.classifier is None else self.classifier(pooled),
        )
