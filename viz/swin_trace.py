"""``trace_swin``: an image in, every window of a Swin Transformer out, as plain numpy arrays.

Shapes: S = image side, P = patch size, M = window side, Q = M * M tokens per window, nW = windows in a
block, H = heads in the block's stage, (h, w) = the block's token grid.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from viz.data.images import LoadedImage, model_view, read_image
from viz.models.swin import relative_position_index
from viz.models.swin_registry import load_swin_model
from viz.runtime import inference_slot
from viz.swin_config import StageShape, SwinConfig


@dataclasses.dataclass(frozen=True, eq=False)
class BlockView:
    """One Swin block on one image."""

    stage: int  # 0-based
    block: int  # 0-based within the stage
    resolution: tuple[int, int]  # (h, w) tokens
    padded: tuple[int, int]  # (h, w) rounded up to whole windows
    window: int  # M
    shift: int  # 0 (regular windows) or M // 2 (shifted windows)
    weights: (
        np.ndarray
    )  # (nW, H, Q, Q) softmax weights; window k = row k // (w_pad / M), column k % (w_pad / M)
    allowed: (
        np.ndarray | None
    )  # (nW, Q, Q) bool, True where the mask lets a query see a key; None if not shifted
    regions: np.ndarray | None  # (h_pad, w_pad) region 0-8 of each position of the cyclically shifted map
    position_bias: np.ndarray  # (H, Q, Q) the relative position bias added to every window's scores
    bias_table: np.ndarray  # ((2M - 1)^2, H) the learned table the bias is looked up in

    @property
    def n_heads(self) -> int:
        return self.weights.shape[1]

    @property
    def name(self) -> str:
        kind = f"shifted windows (SW-MSA, shift {self.shift})" if self.shift else "regular windows (W-MSA)"
        return f"stage {self.stage + 1}, block {self.block + 1}: {kind}"


@dataclasses.dataclass(frozen=True, eq=False)
class SwinTrace:
    """What the Swin Transformer computed for one image, moved to the CPU."""

    model: str
    device: str
    config: SwinConfig
    image: np.ndarray  # (S, S, 3) uint8: the centred square, resized: exactly what the model reads
    crop_box: tuple[int, int, int, int]  # (left, top, right, bottom) of that square in the input image
    input_size: tuple[int, int]  # (width, height) of the input image as read
    notes: tuple[str, ...]  # conversions applied when the input was read
    blocks: tuple[BlockView, ...]  # every block, in order
    stage_maps: tuple[np.ndarray, ...]  # per stage (h_s, w_s, C_s): the stage's output before patch merging
    embeddings: np.ndarray  # (S / P, S / P, C) after the patch embedding
    relative_index: np.ndarray  # (Q, Q) row of the bias table for each (query, key) pair of a window
    logits: np.ndarray  # (K,), empty for a backbone
    probs: np.ndarray  # (K,)
    labels: list[str]

    @property
    def patch_size(self) -> int:
        return self.config.patch_size

    @property
    def grid(self) -> tuple[int, int]:
        return self.config.grid_size, self.config.grid_size

    @property
    def window(self) -> int:
        return self.config.window_size

    @property
    def stages(self) -> tuple[StageShape, ...]:
        return self.config.stages()

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most probable classes as (name, probability), best first."""
        order = np.argsort(-self.probs, kind="stable")[:k]
        return [(self.labels[i], float(self.probs[i])) for i in order]


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().cpu().numpy()


def trace_swin(image, model: str | Path = "shapes-swin") -> SwinTrace:
    """Run ``image`` through a Swin Transformer and return every block's windows, masks and attention.

    Args:
        image: an (H, W, 3) or (H, W) uint8 array, a Pillow image, encoded bytes, a file path or a
            :class:`viz.data.images.LoadedImage`; read with :func:`viz.data.images.read_image` (checked,
            converted to RGB), then the centred square is resized to the model's input size.
        model: "shapes-swin" (bundled, knows only the eight shapes) or a Hugging Face Swin checkpoint folder.

    Raises:
        viz.data.images.ImageInputError: if the image cannot be read.
        ValueError: for an unknown model or a folder that is not a Swin checkpoint.
    """
    loaded = image if isinstance(image, LoadedImage) else read_image(image)
    swin = load_swin_model(model)
    config = swin.config
    view, box = model_view(loaded.rgb, config.image_size)
    device = next(swin.parameters()).device
    pixels = (
        torch.tensor(view).permute(2, 0, 1)[None].float().div(255.0).to(device)
    )  # a copy: the view is read-only
    with inference_slot(), torch.inference_mode():  # one slot of the thread policy
        out = swin(swin.normalize(pixels))
    blocks = []
    stage_modules = list(swin.stages)
    for trace in out.traces:
        module = stage_modules[trace.stage].blocks[trace.block]
        blocks.append(
            BlockView(
                stage=trace.stage,
                block=trace.block,
                resolution=trace.resolution,
                padded=trace.padded,
                window=trace.window,
                shift=trace.shift,
                weights=_numpy(trace.weights[0]),
                allowed=None if trace.allowed is None else trace.allowed.cpu().numpy(),
                regions=None if trace.regions is None else trace.regions.cpu().numpy(),
                position_bias=_numpy(trace.position_bias),
                bias_table=_numpy(module.position_bias.table),
            )
        )
    stage_maps = tuple(
        _numpy(o[0]).reshape(h, w, -1) for o, (h, w) in zip(out.stage_outputs, out.stage_resolutions)
    )
    logits = out.logits[0] if out.logits is not None else torch.zeros(0)
    return SwinTrace(
        model=str(model),
        device=str(device),
        config=config,
        image=view,
        crop_box=box,
        input_size=loaded.size,
        notes=loaded.notes,
        blocks=tuple(blocks),
        stage_maps=stage_maps,
        embeddings=_numpy(out.embeddings[0]).reshape(config.grid_size, config.grid_size, -1),
        relative_index=relative_position_index(config.window_size).numpy(),
        logits=_numpy(logits),
        probs=_numpy(torch.softmax(logits.float(), dim=-1)),
        labels=list(config.class_names),
    )
