"""The image input of the vision traces: read and check it, prepare it as the checkpoint's processor does
(or cut the centred square, for the bundled models and folders without a ``preprocessor_config.json``), and
the fields every image trace shares (what the model read, where it came from, its top classes)."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import torch

from viz.core.registry import ASSETS
from viz.data.images import LoadedImage, model_view, read_image
from viz.data.preprocess import ImageProcessing
from viz.trace.common import top_classes


@dataclasses.dataclass(frozen=True)
class ModelImage:
    """An input as a square-input model reads it."""

    loaded: LoadedImage  # the image as read (checked, 8-bit RGB), with the conversions applied
    view: np.ndarray  # (S, S, 3) uint8: the picture resized (and cropped): exactly what the model reads
    crop_box: tuple[int, int, int, int]  # (left, top, right, bottom) of ``view`` in the input image
    pixels: (
        torch.Tensor
    )  # (1, 3, S, S) float32 in [0, 1] on the model's device, before the model's normalisation
    processing: ImageProcessing | None = None  # the checkpoint's preparation; None: the centred square


def _bundled_names() -> set[str]:
    from viz.models.swin.registry import SWIN_MODELS
    from viz.models.vit.registry import VISION_MODELS

    return set(VISION_MODELS) | set(SWIN_MODELS)


@functools.lru_cache(maxsize=32)
def _read_processing(folder: Path, modified_ns: int) -> ImageProcessing | None:
    del modified_ns  # part of the cache key only: an edited file is read again
    return ImageProcessing.from_folder(folder)


def folder_processing(model: str | Path) -> ImageProcessing | None:
    """How the model in ``model`` (a bundled name or a checkpoint folder) wants its images prepared.

    None, i.e. the centred square resized bicubic, for the bundled models (by name, or by a path inside
    ``assets/``) and for folders without a ``preprocessor_config.json``; otherwise that file, read once.

    Raises:
        ValueError: for a processor or a size that :mod:`viz.data.preprocess` does not cover.
    """
    if isinstance(model, str) and model in _bundled_names():
        return None
    folder = Path(model).expanduser().resolve()
    if folder == ASSETS or ASSETS in folder.parents:
        return None
    path = folder / "preprocessor_config.json"
    if not path.is_file():
        return None
    return _read_processing(folder, path.stat().st_mtime_ns)


def model_image(
    image,
    image_size: int,
    device: torch.device,
    processing: ImageProcessing | None = None,
    folder: str | Path | None = None,
) -> ModelImage:
    """Read ``image`` (array, Pillow image, bytes, path or :class:`LoadedImage`) for a model of side ``image_size``.

    Args:
        processing: prepare the image as this checkpoint processor does (resize, crop, rescale); None: as
            ``folder``'s processor does, or, without one, the centred square resized bicubic.
        folder: the model's bundled name or checkpoint folder (see :func:`folder_processing`).

    Raises:
        viz.data.images.ImageInputError: if the image cannot be read.
        ValueError: if the processor gives a picture of another size than the model reads.
    """
    if processing is None and folder is not None:
        processing = folder_processing(folder)
    loaded = image if isinstance(image, LoadedImage) else read_image(image)
    if processing is None:
        view, box = model_view(loaded.rgb, image_size)
        pixels = torch.tensor(view).permute(2, 0, 1)[None].float().div(255.0).to(device)
        return ModelImage(loaded, view, box, pixels)
    prepared = processing.apply(loaded.rgb)
    if prepared.size != (image_size, image_size):
        raise ValueError(
            f"the checkpoint's preprocessor_config.json ({processing.describe()}) gives "
            f"{prepared.size[0]} x {prepared.size[1]} pixels; the model reads {image_size} x {image_size}"
        )
    pixels = torch.from_numpy(prepared.pixels)[None].to(device)
    return ModelImage(loaded, prepared.view, prepared.crop_box, pixels, processing)


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class ImageModelTrace:
    """What every vision trace holds besides its model's own steps. K = classes."""

    model: str
    device: str
    image: np.ndarray  # (S, S, 3) uint8: the picture resized (and cropped): exactly what the model reads
    crop_box: tuple[int, int, int, int]  # (left, top, right, bottom) of ``image`` in the input image
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
            notes=image.loaded.notes
            + (
                (f"prepared as its {image.processing.processor} does: {image.processing.describe()}",)
                if image.processing is not None
                else ()
            ),
        )

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most probable classes as (name, probability), best first."""
        return top_classes(self.probs, self.labels, k)
