"""``trace_image``: an image in, every step of a Vision Transformer out, as plain numpy arrays.

Shapes: S = image side, P = patch size, C = channels, N = (S / P)^2 patches, T = prefix + N tokens (the
prefix: [CLS], and DeiT's distillation token [DIST]), L = layers, H = heads, D = d_model, K = classes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from viz.analysis.rollout import attention_rollout
from viz.analysis.vision import cls_map, gradient_rollout
from viz.layers.patch_embed import patchify
from viz.models.vit.registry import load_vision_model
from viz.trace.common import StackedAttentions, device_of, model_call, stack_traces, to_numpy
from viz.trace.image import ImageModelTrace, model_image

#: What each token in front of the patches is, for the pages.
PREFIX_NOTES = {
    "[CLS]": "[CLS] is a learned token put in front of the patches; the classification head reads its final "
    "state, so the rollout and the per-head maps follow its row.",
    "[DIST]": "[DIST] is DeiT's distillation token: a second learned token after [CLS], trained to reproduce the "
    "prediction of a teacher network (a convolutional network) while [CLS] learns the true labels; the "
    "model's prediction is the mean of the head on [CLS] and the head on [DIST].",
    "[REG]": "[REG1], [REG2], ... are DINOv2's registers: learned tokens after [CLS] with no position and no "
    "output of their own. They give the model room for image-wide computation, which without them takes over "
    "a few background patches (the bright spots of a DINOv2 attention map).",
}


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class ImageTrace(ImageModelTrace, StackedAttentions):
    """What the ViT computed for one image, moved to the CPU (the input's fields: :class:`ImageModelTrace`)."""

    patch_size: int
    grid: tuple[int, int]  # (grid_h, grid_w)
    patches: np.ndarray  # (N, P * P * C) normalised pixels, patch by patch (pixel by pixel, channels last)
    filters: np.ndarray  # (D, P * P * C) the linear projection E, one row per output dimension
    filter_bias: np.ndarray  # (D,)
    patch_embeddings: np.ndarray  # (N, D) = patches @ filters.T + filter_bias
    prefix_names: tuple[str, ...]  # the tokens in front of the patches: ("[CLS]",) or ("[CLS]", "[DIST]")
    cls_token: np.ndarray  # (D,) the learned [CLS] token
    distillation_token: np.ndarray | None  # (D,) DeiT's learned distillation token, None without one
    register_tokens: np.ndarray | None  # (R, D) DINOv2's learned registers, None without them
    position_embeddings: np.ndarray  # (T, D) added to the tokens; rows 0 .. prefix - 1 belong to the prefix
    # (zero for the registers, which have no position)
    hidden_states: np.ndarray  # (L + 1, T, D); [0] = embeddings + positions, [l] = after block l
    attentions: np.ndarray  # (L, H, T, T) softmax weights; rows = queries
    rollout: np.ndarray  # (grid_h, grid_w) [CLS] row of the attention rollout (mean of heads), sums to 1
    target_class: int | None  # the class the gradients are taken for
    attention_gradients: np.ndarray | None  # (L, H, T, T) d logit[target] / d attentions, same layer order

    @property
    def n_patches(self) -> int:
        return self.patches.shape[0]

    @property
    def n_prefix_tokens(self) -> int:
        """Tokens in front of the patches: patch k is token ``n_prefix_tokens + k``."""
        return len(self.prefix_names)

    @property
    def prefix_note(self) -> str:
        """What the tokens in front of the patches are, in a sentence or two each."""
        kinds = dict.fromkeys("[REG]" if name.startswith("[REG") else name for name in self.prefix_names)
        return " ".join(PREFIX_NOTES[kind] for kind in kinds)

    @property
    def n_channels(self) -> int:
        return self.patches.shape[1] // self.patch_size**2

    def pixel_patches(self) -> np.ndarray:
        """(N, P, P, 3) uint8: the patches of :attr:`image` as small pictures, row by row."""
        p, (gh, gw) = self.patch_size, self.grid
        return self.image.reshape(gh, p, gw, p, 3).transpose(0, 2, 1, 3, 4).reshape(-1, p, p, 3)

    def rollout_map(self, head_fusion: str = "mean", discard_ratio: float = 0.0) -> np.ndarray:
        """(grid_h, grid_w) attention rollout of the [CLS] row with the given head fusion, summing to 1."""
        rollout = attention_rollout(self.attentions, head_fusion, discard_ratio)
        return cls_map(rollout, self.grid, n_prefix=self.n_prefix_tokens)

    def gradient_rollout_map(self, discard_ratio: float = 0.0) -> np.ndarray | None:
        """(grid_h, grid_w) gradient rollout for :attr:`target_class`; None when no gradients were taken."""
        if self.attention_gradients is None:
            return None
        rollout = gradient_rollout(self.attentions, self.attention_gradients, discard_ratio)
        return cls_map(rollout, self.grid, n_prefix=self.n_prefix_tokens)


def trace_image(
    image, model: str | Path = "shapes-vit", target_class: int | None = None, gradients: bool = True
) -> ImageTrace:
    """Run ``image`` through a ViT and return every step of it.

    Args:
        image: an (H, W, 3) or (H, W) uint8 array, a Pillow image, encoded bytes or a file path; read with
            :func:`viz.data.images.read_image` (checked, converted to RGB), then the centred square is
            resized to the model's input size.
        model: "shapes-vit" (bundled, knows only the eight shapes) or a Hugging Face ViT, DeiT or DINOv2
            checkpoint folder (one without a classification head gives empty logits, probabilities and labels).
        target_class: the class whose score the attention gradients are taken for; the top class when None.
        gradients: take the gradients of the class score with respect to every layer's attention weights
            (needed for gradient rollout; needs a model with a classification head).

    Raises:
        viz.data.images.ImageInputError: if the image cannot be read.
        ValueError: for an unknown model or a ``target_class`` out of range.
    """
    vit = load_vision_model(model)
    config = vit.config
    device = device_of(vit)
    picture = model_image(image, config.image_size, device, folder=model)
    x = vit.normalize(picture.pixels)
    take_gradients = gradients and vit.classifier is not None
    grads, target = None, None
    with model_call(gradients=take_gradients):
        if take_gradients:
            x = x.requires_grad_(
                True
            )  # the model is frozen: this makes the attention weights part of the graph
        out = vit(x)
        if out.logits is not None:
            target = int(out.logits[0].argmax()) if target_class is None else int(target_class)
            if not 0 <= target < config.n_classes:
                raise ValueError(f"target_class must be in [0, {config.n_classes}), got {target_class}")
        if take_gradients:
            weights = [t.weights for t in out.traces]  # layer order; autograd.grad keeps it
            grads = torch.autograd.grad(out.logits[0, target], weights)
    logits = out.logits[0] if out.logits is not None else torch.zeros(0)
    grid = (config.grid_size, config.grid_size)
    attentions = stack_traces(out.traces)
    return ImageTrace(
        **ImageModelTrace.input_fields(model, device, picture),
        patch_size=config.patch_size,
        grid=grid,
        patches=to_numpy(patchify(x, config.patch_size)[0]),
        filters=to_numpy(vit.embeddings.patch.filters()),
        filter_bias=to_numpy(vit.embeddings.patch.projection.bias),
        patch_embeddings=to_numpy(out.patch_embeddings[0]),
        prefix_names=config.prefix_names,
        cls_token=to_numpy(vit.embeddings.cls_token[0, 0]),
        distillation_token=(
            None
            if vit.embeddings.distillation_token is None
            else to_numpy(vit.embeddings.distillation_token[0, 0])
        ),
        register_tokens=(
            None if vit.embeddings.register_tokens is None else to_numpy(vit.embeddings.register_tokens[0])
        ),
        position_embeddings=to_numpy(vit.embeddings.positions()[0]),
        hidden_states=to_numpy(torch.stack([h[0] for h in out.hidden_states])),
        attentions=attentions,
        rollout=cls_map(attention_rollout(attentions), grid, n_prefix=config.n_prefix_tokens),
        logits=to_numpy(logits),
        probs=to_numpy(torch.softmax(logits.float() / config.logit_temperature, dim=-1)),
        labels=list(config.class_names),
        target_class=target,
        attention_gradients=None if grads is None else to_numpy(torch.stack([g[0] for g in grads])),
    )
