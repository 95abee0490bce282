"""The image input of the vision traces: read and check it, cut the centred square the model sees, and
the fields every image trace shares (what the model read, where it came from, its top classes)."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from viz.data.images import LoadedImage, model_view, read_image
from viz.trace.common import top_classes


@dataclasses.dataclass(frozen=True)
class ModelImage:
    """An input as a square-input model reads it."""

    loaded: LoadedImage  # the image as read (checked, 8-bit RGB), with the conversions applied
    view: np.ndarray  # (S, S, 3) uint8: the centred square, resized: exactly what the model reads
    crop_box: tuple[int, int, int, int]  # (left, top, right, bottom) of that square in the input image
    pixels: (
        torch.Tensor
    )  # (1, 3, S, S) float32 in [0, 1] on the model's device (a copy: ``view`` is read-only)


def model_image(image, image_size: int, device: torch.device) -> ModelImage:
    """Read ``image`` (array, Pillow image, bytes, path or :class:`LoadedImage`) for a model of side ``image_size``.

    Raises:
        viz.data.images.ImageInputError: if the image cannot be read.
    """
    loaded = image if isinstance(image, LoadedImage) else read_image(image)
    view, box = model_view(loaded.rgb, image_size)
    pixels = torch.tensor(view).permute(2, 0, 1)[None].float().div(255.0).to(device)
    return ModelImage(loaded, view, box, pixels)


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class ImageModelTrace:
    """What every vision trace holds besides its model's own steps. K = classes."""

    model: str
    device: str
    image: np.ndarray  # (S, S, 3) uint8: the centred square, resized: exactly what the model reads
    crop_box: tuple[int, int, int, int]  # (left, top, right, bottom) of that square in the input image
    input_size: tuple[int, int]  # (width, height) of the input image as read
    notes: tuple[str, ...]  # conversions applied when the input was read
    logits: np.ndarray  # (K,), empty for a backbone without a head
    probs: np.ndarray  # (K,) softmax of the logits
    labels: list[str]  # (K,) class names

    @staticmethod
    def input_fields(model: str, device: torch.device, image: ModelImage) -> dict:
        """The fields above that come from the input, for a subclass's constructor."""
        return dict(
            model=str(model),
            device=str(device),
            image=image.view,
            crop_box=image.crop_box,
            input_size=image.loaded.size,
            notes=image.loaded.notes,
        )

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most probable classes as (name, probability), best first."""
        return top_classes(self.probs, self.labels, k)
