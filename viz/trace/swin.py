"""``trace_swin``: an image in, every window of a Swin Transformer out, as plain numpy arrays.

Shapes: S = image side, P = patch size, M = window side, Q = M * M tokens per window, nW = windows in a
block, H = heads in the block's stage, (h, w) = the block's token grid.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from viz.models.swin.config import StageShape, SwinConfig
from viz.models.swin.model import relative_position_index
from viz.models.swin.registry import load_swin_model
from viz.trace.common import device_of, model_call, to_numpy
from viz.trace.image import ImageModelTrace, model_image


@dataclasses.dataclass(frozen=True, eq=False)
class BlockView:
    """One Swin block on one image."""

    stage: int  # 0-based
    block: int  # 0-based within the stage
    resolution: tuple[int, int]  # (h, w) tokens
    padded: tuple[int, int]  # (h, w) rounded up to whole windows
    window: int  # M
    shift: int  # 0 (regular windows) or M // 2 (shifted windows)
    # (nW, H, Q, Q) softmax weights; window k = row k // (w_pad / M), column k % (w_pad / M)
    weights: np.ndarray
    # (nW, Q, Q) bool, True where the mask lets a query see a key; None if not shifted
    allowed: np.ndarray | None
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


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class SwinTrace(ImageModelTrace):
    """What the Swin Transformer computed for one image, moved to the CPU (the input's fields:
    :class:`viz.trace.image.ImageModelTrace`)."""

    config: SwinConfig
    blocks: tuple[BlockView, ...]  # every block, in order
    stage_maps: tuple[np.ndarray, ...]  # per stage (h_s, w_s, C_s): the stage's output before patch merging
    embeddings: np.ndarray  # (S / P, S / P, C) after the patch embedding
    relative_index: np.ndarray  # (Q, Q) row of the bias table for each (query, key) pair of a window

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


def trace_swin(image, model: str | Path = "shapes-swin") -> SwinTrace:
    """Run ``image`` through a Swin Transformer and return every block's windows, masks and attention.

    Args:
        image: an (H, W, 3) or (H, W) uint8 array, a Pillow image, encoded bytes, a file path or a
            :class:`viz.data.images.LoadedImage`; read with :func:`viz.data.images.read_image` (checked,
            converted to RGB), then prepared as the folder's ``preprocessor_config.json`` says (resize,
            crop: :mod:`viz.data.preprocess`), or, for the bundled model and folders without one, the centred
            square resized to the model's input size.
        model: "shapes-swin" (bundled, knows only the eight shapes) or a Hugging Face Swin checkpoint folder.

    Raises:
        viz.data.images.ImageInputError: if the image cannot be read.
        ValueError: for an unknown model or a folder that is not a Swin checkpoint.
    """
    swin = load_swin_model(model)
    config = swin.config
    device = device_of(swin)
    picture = model_image(image, config.image_size, device, folder=model)
    with model_call():
        out = swin(swin.normalize(picture.pixels))
    blocks = []
    stage_modules = list(swin.stages)
    for trace in out.traces:
        module = stage_modules[trace.stage].blocks[trace.block]
        blocks.append(
            BlockView(
                **{
                    name: getattr(trace, name)
                    for name in ("stage", "block", "resolution", "padded", "window", "shift")
                },
                weights=to_numpy(trace.weights[0]),
                allowed=None if trace.allowed is None else trace.allowed.cpu().numpy(),
                regions=None if trace.regions is None else trace.regions.cpu().numpy(),
                position_bias=to_numpy(trace.position_bias),
                bias_table=to_numpy(module.attention.position_bias.table),
            )
        )
    stage_maps = tuple(
        to_numpy(o[0]).reshape(h, w, -1) for o, (h, w) in zip(out.stage_outputs, out.stage_resolutions)
    )
    logits = out.logits[0] if out.logits is not None else torch.zeros(0)
    return SwinTrace(
        **ImageModelTrace.input_fields(model, device, picture),
        config=config,
        blocks=tuple(blocks),
        stage_maps=stage_maps,
        embeddings=to_numpy(out.embeddings[0]).reshape(config.grid_size, config.grid_size, -1),
        relative_index=relative_position_index(config.window_size).numpy(),
        logits=to_numpy(logits),
        probs=to_numpy(torch.softmax(logits.float() / config.logit_temperature, dim=-1)),
        labels=list(config.class_names),
    )
