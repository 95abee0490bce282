"""An image prepared exactly as a Hugging Face checkpoint's ``preprocessor_config.json`` says.

The steps and their rounding are those of transformers' slow (Pillow / numpy) image processors, in order:
    1. resize the 8-bit RGB picture with Pillow (on uint8, before any rescaling), to a fixed height x width,
       or with its shorter edge at ``shortest_edge`` (the longer edge ``int(shortest_edge * long / short)``,
       truncated; with ``longest_edge`` as transformers' ``get_size_with_aspect_ratio``);
       ConvNeXt below 384 px resizes the shorter edge to ``int(shortest_edge / crop_pct)`` and crops it back;
    2. centre-crop (offsets ``(side - crop) // 2``; a picture smaller than the crop is padded with black);
    3. rescale: ``uint8 * rescale_factor`` in float64, then float32;
    4. normalise: ``(x - mean) / std`` per channel, in float32.

Covered: ``ViTImageProcessor`` (ViT, DINO v1, Swin's hub checkpoints), ``DeiTImageProcessor``,
``BitImageProcessor`` (DINOv2) and ``ConvNextImageProcessor``, in their old (``feature_extractor_type``,
``size`` an int) and new (``image_processor_type``, ``size`` a dict) files. A key missing from the file takes
the processor class's default; a null one is None, as transformers 5 reads it. Only numpy and Pillow.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image

IMAGENET_DEFAULT_MEAN = (0.485, 0.456, 0.406)
IMAGENET_DEFAULT_STD = (0.229, 0.224, 0.225)
IMAGENET_STANDARD_MEAN = (0.5, 0.5, 0.5)
IMAGENET_STANDARD_STD = (0.5, 0.5, 0.5)
OPENAI_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

#: Pillow's resampling filters by the codes the files use.
RESAMPLE_NAMES = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}


@dataclasses.dataclass(frozen=True)
class Size:
    """A processor's ``size`` or ``crop_size``: a fixed ``height`` x ``width``, or the shorter edge (and
    optionally a cap on the longer one) with the aspect ratio kept."""

    height: int | None = None
    width: int | None = None
    shortest_edge: int | None = None
    longest_edge: int | None = None

    def __post_init__(self) -> None:
        fixed = self.height is not None and self.width is not None and self.shortest_edge is None
        edge = self.shortest_edge is not None and self.height is None and self.width is None
        if not (fixed and self.longest_edge is None) and not edge:
            raise ValueError(
                "a size is {'height', 'width'} or {'shortest_edge'} (with an optional 'longest_edge'), "
                f"got {self}"
            )
        if any(v is not None and (not isinstance(v, int) or v < 1) for v in dataclasses.astuple(self)):
            raise ValueError(f"sizes must be positive integers, got {self}")

    @classmethod
    def read(cls, value, default_to_square: bool = True) -> Size:
        """A size from a file: an int (a square, or the shorter edge when not ``default_to_square``),
        ``[height, width]``, or a dict with the keys above.

        Raises:
            ValueError: for any other value or keys (``max_height``/``max_width`` are not supported).
        """
        if isinstance(value, bool):
            raise ValueError(f"a size must be an int, a [height, width] pair or a dict, got {value!r}")
        if isinstance(value, int):
            return cls(height=value, width=value) if default_to_square else cls(shortest_edge=value)
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return cls(height=value[0], width=value[1])
        if isinstance(value, Mapping):
            unknown = set(value) - {"height", "width", "shortest_edge", "longest_edge"}
            if unknown:
                raise ValueError(
                    f"size keys {sorted(unknown)} are not supported: only height/width or shortest_edge "
                    "(and longest_edge)"
                )
            return cls(**{k: v for k, v in value.items() if v is not None})
        raise ValueError(f"a size must be an int, a [height, width] pair or a dict, got {value!r}")

    def output(self, height: int, width: int) -> tuple[int, int]:
        """(height, width) a ``height`` x ``width`` picture is resized to, rounded as transformers does."""
        if self.shortest_edge is None:
            return self.height, self.width
        if self.longest_edge is not None:  # transformers' get_size_with_aspect_ratio
            size, raw = self.shortest_edge, None
            short, long = float(min(height, width)), float(max(height, width))
            if long / short * size > self.longest_edge:
                raw = self.longest_edge * short / long
                size = int(round(raw))
            if (height <= width and height == size) or (width <= height and width == size):
                return height, width
            scale = raw if raw is not None else size
            if width < height:
                return int(scale * height / width), size
            return size, int(scale * width / height)
        short, long = min(height, width), max(height, width)  # transformers' get_resize_output_image_size
        new_short, new_long = self.shortest_edge, int(self.shortest_edge * long / short)
        return (new_long, new_short) if width <= height else (new_short, new_long)


@dataclasses.dataclass(frozen=True)
class ProcessorDefaults:
    """What a transformers processor class does for the keys a file leaves out."""

    size: Size
    resample: int
    image_mean: tuple[float, ...]
    image_std: tuple[float, ...]
    default_to_square: bool = True
    do_center_crop: bool = False
    crop_size: Size | None = None
    crop_pct: float | None = None  # ConvNeXt only
    do_convert_rgb: bool = False


#: The class attributes of transformers' ``*ImageProcessorPil`` classes (tests compare them).
DEFAULTS: dict[str, ProcessorDefaults] = {
    "ViTImageProcessor": ProcessorDefaults(Size(224, 224), 2, IMAGENET_STANDARD_MEAN, IMAGENET_STANDARD_STD),
    "DeiTImageProcessor": ProcessorDefaults(
        Size(256, 256),
        3,
        IMAGENET_STANDARD_MEAN,
        IMAGENET_STANDARD_STD,
        do_center_crop=True,
        crop_size=Size(224, 224),
    ),
    "BitImageProcessor": ProcessorDefaults(
        Size(shortest_edge=224),
        3,
        OPENAI_CLIP_MEAN,
        OPENAI_CLIP_STD,
        default_to_square=False,
        do_center_crop=True,
        crop_size=Size(224, 224),
        do_convert_rgb=True,
    ),
    "ConvNextImageProcessor": ProcessorDefaults(
        Size(shortest_edge=384),
        3,
        IMAGENET_STANDARD_MEAN,
        IMAGENET_STANDARD_STD,
        default_to_square=False,
        crop_pct=224 / 256,
    ),
}


#: The processor transformers' AutoImageProcessor picks by the folder's ``model_type`` when the file names
#: none (dinov2_with_registers, which transformers maps to none, as dinov2).
BY_MODEL_TYPE = {
    "vit": "ViTImageProcessor",
    "swin": "ViTImageProcessor",
    "deit": "DeiTImageProcessor",
    "dinov2": "BitImageProcessor",
    "dinov2_with_registers": "BitImageProcessor",
    "convnext": "ConvNextImageProcessor",
}


def named_processor(raw: Mapping) -> str | None:
    """The ``image_processor_type`` (or old ``feature_extractor_type``) a file names, if any."""
    return raw.get("image_processor_type") or raw.get("feature_extractor_type") or None


def processor_class(name: str | None, model_type: str | None = None) -> str:
    """The processor a file's ``image_processor_type`` / ``feature_extractor_type`` names, as a key of
    :data:`DEFAULTS` (old feature extractors and the Fast / Pil variants map to the same steps); for a file
    naming none, the one of :data:`BY_MODEL_TYPE` for ``model_type``, else ``ViTImageProcessor``.

    Raises:
        ValueError: for a processor not covered, naming those that are.
    """
    if not name:
        return BY_MODEL_TYPE.get(model_type or "vit", "ViTImageProcessor")
    base = name
    for suffix in ("Fast", "Pil"):
        base = base.removesuffix(suffix)
    base = base.replace("FeatureExtractor", "ImageProcessor")
    if base not in DEFAULTS:
        raise ValueError(
            f"the image processor {name!r} is not supported; this app prepares images as "
            f"{', '.join(DEFAULTS)} do"
        )
    return base


@dataclasses.dataclass(frozen=True, eq=False)
class PreparedImage:
    """One picture after the processor's steps. h x w = the model's input (the crop size, when cropping)."""

    view: np.ndarray  # (h, w, 3) uint8 after resize and crop: the crop the model sees, for display
    crop_box: tuple[int, int, int, int]  # (left, top, right, bottom) of ``view`` in the input, rounded
    pixels: np.ndarray  # (3, h, w) float32 after rescaling (in [0, 1] for the usual 1 / 255), not normalised
    normalized: np.ndarray  # (3, h, w) float32: the processor's pixel_values

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of :attr:`view`."""
        return self.view.shape[1], self.view.shape[0]


@dataclasses.dataclass(frozen=True)
class ImageProcessing:
    """A checkpoint's image preparation (the fields of ``preprocessor_config.json``, defaults filled in)."""

    processor: str  # a key of DEFAULTS: "ViTImageProcessor", "DeiTImageProcessor", ...
    do_resize: bool
    size: Size
    resample: int  # Pillow's code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming
    do_center_crop: bool
    crop_size: Size | None
    do_rescale: bool
    rescale_factor: float
    do_normalize: bool
    image_mean: tuple[float, ...]
    image_std: tuple[float, ...]
    do_convert_rgb: bool = False
    crop_pct: float | None = None  # ConvNeXt: the share of the resized shorter edge kept below 384 px

    def __post_init__(self) -> None:
        processor_class(self.processor)
        if self.resample not in RESAMPLE_NAMES:
            raise ValueError(
                f"resample must be one of Pillow's codes {sorted(RESAMPLE_NAMES)}, got {self.resample}"
            )
        if self.do_center_crop and (self.crop_size is None or self.crop_size.shortest_edge is not None):
            raise ValueError(f"a centre crop needs a crop_size with height and width, got {self.crop_size}")
        if len(self.image_mean) != len(self.image_std) or any(s <= 0 for s in self.image_std):
            raise ValueError(f"image_mean and image_std need as many values, std positive: {self}")
        if self.processor == "ConvNextImageProcessor" and self.do_resize:
            if self.size.shortest_edge is None:
                raise ValueError("ConvNextImageProcessor's size must have a shortest_edge")
            if self.crop_pct is None or not 0 < self.crop_pct <= 1:
                raise ValueError(f"crop_pct must be in (0, 1], got {self.crop_pct}")

    @classmethod
    def from_dict(cls, raw: Mapping, model_type: str | None = None) -> ImageProcessing:
        """From the contents of a ``preprocessor_config.json`` (``model_type``: the folder's, which picks the
        processor when the file names none).

        As transformers 5 reads the file: an absent key takes the processor class's default; a key set to
        null is None, so a null ``do_*`` switches its step off, and a null value a step needs is an error.

        Raises:
            ValueError: for a processor or a size this module does not cover, or a null that a step needs.
        """
        name = processor_class(named_processor(raw), model_type)
        defaults = DEFAULTS[name]
        steps = {
            "do_resize": bool(raw.get("do_resize", True)),
            "do_center_crop": bool(raw.get("do_center_crop", defaults.do_center_crop)),
            "do_rescale": bool(raw.get("do_rescale", True)),
            "do_normalize": bool(raw.get("do_normalize", True)),
        }
        needs = {
            "size": "do_resize",
            "resample": "do_resize",
            "crop_pct": "do_resize",
            "crop_size": "do_center_crop",
            "rescale_factor": "do_rescale",
            "image_mean": "do_normalize",
            "image_std": "do_normalize",
        }

        def get(key, default):
            if key not in raw:
                return default
            if raw[key] is None and steps[needs[key]]:
                raise ValueError(f"preprocessor_config.json sets {key} to null while {needs[key]} is true")
            return default if raw[key] is None else raw[key]  # a null the step does not use: inert

        size, crop = get("size", None), get("crop_size", None)
        mean, std = get("image_mean", defaults.image_mean), get("image_std", defaults.image_std)
        mean = (mean,) * 3 if isinstance(mean, (int, float)) else mean
        std = (std,) * 3 if isinstance(std, (int, float)) else std
        convnext = name == "ConvNextImageProcessor"
        return cls(
            processor=name,
            size=defaults.size if size is None else Size.read(size, defaults.default_to_square),
            resample=int(get("resample", defaults.resample)),
            crop_size=defaults.crop_size if crop is None else Size.read(crop),
            rescale_factor=float(get("rescale_factor", 1 / 255)),
            image_mean=tuple(float(m) for m in mean),
            image_std=tuple(float(s) for s in std),
            do_convert_rgb=bool(raw.get("do_convert_rgb", defaults.do_convert_rgb)),
            crop_pct=float(get("crop_pct", defaults.crop_pct)) if convnext else None,
            **steps,
        )

    @classmethod
    def from_folder(cls, folder: str | Path) -> ImageProcessing | None:
        """From ``folder/preprocessor_config.json`` (its ``config.json``'s model_type when the file names no
        processor); None when the folder has none."""
        folder = Path(folder)
        path = folder / "preprocessor_config.json"
        if not path.is_file():
            return None
        config = folder / "config.json"
        model_type = (
            json.loads(config.read_text(encoding="utf-8")).get("model_type") if config.is_file() else None
        )
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")), model_type)

    def describe(self) -> str:
        """In words, for a page: e.g. "resized to 256 x 256 (bicubic), centre 224 x 224 cropped"."""
        parts = []
        if self.do_resize:
            filt = RESAMPLE_NAMES[self.resample]
            if self.processor == "ConvNextImageProcessor" and self.size.shortest_edge < 384:
                edge = int(self.size.shortest_edge / self.crop_pct)
                parts.append(
                    f"shorter side resized to {edge} ({filt}), centre {self.size.shortest_edge} px cropped"
                )
            elif self.processor == "ConvNextImageProcessor":
                parts.append(f"resized to {self.size.shortest_edge} x {self.size.shortest_edge} ({filt})")
            elif self.size.shortest_edge is not None:
                parts.append(f"shorter side resized to {self.size.shortest_edge} ({filt})")
            else:
                parts.append(f"resized to {self.size.width} x {self.size.height} ({filt})")
        if self.do_center_crop:
            parts.append(f"centre {self.crop_size.width} x {self.crop_size.height} cropped")
        return ", ".join(parts) or "used as it is"

    def apply(self, rgb: np.ndarray) -> PreparedImage:
        """Prepare an (H, W, 3) uint8 RGB picture as the slow transformers processor does.

        Raises:
            ValueError: for an input that is not (H, W, 3) uint8.
        """
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"an image must be (H, W, 3) uint8, got {rgb.shape} {rgb.dtype}")
        height, width = rgb.shape[:2]
        image = np.ascontiguousarray(rgb)
        # (left, top, right, bottom) of the current picture in the input's pixels, as floats
        box = (0.0, 0.0, float(width), float(height))
        if self.do_resize:
            if self.processor == "ConvNextImageProcessor":
                side = self.size.shortest_edge
                if side < 384:  # keep the ratio, shorter edge to side / crop_pct, then crop side x side
                    image, box = _resize(
                        image, Size(shortest_edge=int(side / self.crop_pct)), self.resample, box
                    )
                    image, box = _center_crop(image, side, side, box)
                else:  # warped to a square, no crop
                    image, box = _resize(image, Size(side, side), self.resample, box)
            else:
                image, box = _resize(image, self.size, self.resample, box)
        if self.do_center_crop:
            image, box = _center_crop(image, self.crop_size.height, self.crop_size.width, box)
        chw = np.ascontiguousarray(image.transpose(2, 0, 1))
        if self.do_rescale:
            pixels = (chw.astype(np.float64) * self.rescale_factor).astype(np.float32)
        else:
            pixels = chw.astype(np.float32)
        normalized = pixels
        if self.do_normalize:
            if len(self.image_mean) != chw.shape[0]:
                raise ValueError(f"image_mean has {len(self.image_mean)} values for {chw.shape[0]} channels")
            mean = np.array(self.image_mean, dtype=np.float32)[:, None, None]
            std = np.array(self.image_std, dtype=np.float32)[:, None, None]
            normalized = (pixels - mean) / std
        crop_box = tuple(int(round(v)) for v in box)
        return PreparedImage(image, crop_box, pixels, normalized)


def _resize(image: np.ndarray, size: Size, resample: int, box) -> tuple[np.ndarray, tuple]:
    """Pillow's resize on the uint8 picture (as transformers' ``resize``); ``box`` stays where it was."""
    height, width = image.shape[:2]
    new_h, new_w = size.output(height, width)
    resized = np.asarray(Image.fromarray(image).resize((new_w, new_h), resample=resample), dtype=np.uint8)
    return resized, box


def _center_crop(image: np.ndarray, crop_h: int, crop_w: int, box) -> tuple[np.ndarray, tuple]:
    """transformers' ``center_crop``: offsets ``(side - crop) // 2``; too small a picture is padded with 0.

    ``box`` is where ``image`` lies in the input; the returned box is where the crop's picture (its part
    inside ``image``: padding excluded) lies there.
    """
    height, width = image.shape[:2]
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    sx, sy = (box[2] - box[0]) / width, (box[3] - box[1]) / height
    inside = (max(0, left), max(0, top), min(width, left + crop_w), min(height, top + crop_h))
    new_box = (
        box[0] + inside[0] * sx,
        box[1] + inside[1] * sy,
        box[0] + inside[2] * sx,
        box[1] + inside[3] * sy,
    )
    if top >= 0 and left >= 0 and top + crop_h <= height and left + crop_w <= width:
        return np.ascontiguousarray(image[top : top + crop_h, left : left + crop_w]), new_box
    # padded as transformers does: the picture centred (ceil) in a black canvas, then the same crop
    new_h, new_w = max(crop_h, height), max(crop_w, width)
    canvas = np.zeros((new_h, new_w, image.shape[2]), dtype=image.dtype)
    top_pad, left_pad = -(-(new_h - height) // 2), -(-(new_w - width) // 2)
    canvas[top_pad : top_pad + height, left_pad : left_pad + width] = image
    top, left = top + top_pad, left + left_pad
    out = canvas[max(0, top) : min(new_h, top + crop_h), max(0, left) : min(new_w, left + crop_w)]
    return np.ascontiguousarray(out), new_box


def default_normalization(raw: Mapping) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """(image_mean, image_std) the processor a ``preprocessor_config.json`` names uses when the file gives none
    (BiT: CLIP's; ViT, DeiT, ConvNeXt: 0.5); None for a file naming no processor or one not covered."""
    name = named_processor(raw)
    if name is None:
        return None
    try:
        defaults = DEFAULTS[processor_class(name)]
    except ValueError:
        return None
    return defaults.image_mean, defaults.image_std
