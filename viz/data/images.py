"""Reading an image someone gives the app, safely: checked by content, never by its name.

Order of the checks, cheapest first, so a hostile file is turned away before its pixels are decoded:
    1. size in bytes (empty, or over :data:`MAX_BYTES`);
    2. Pillow reads only the header, with the formats limited to :data:`FORMATS` (a text file, a PDF or
       a ZIP renamed to ``.png`` is not an image);
    3. the dimensions from the header: too small, too large, too many pixels (a decompression bomb:
       a few kilobytes that would decode to gigabytes), or too elongated; and the memory the decoded
       pixels will take, in bytes (pixels x Pillow's bytes per pixel for the file's mode), against
       :data:`MAX_DECODED_BYTES`;
    4. only then are the pixels decoded (a JPEG at a reduced scale when it is large), at most
       :data:`CONCURRENT_DECODES` at a time in the whole process, so simultaneous uploads queue instead of
       adding up; a truncated or corrupt file fails here, with a message, not a traceback;
    5. the decoded image is shrunk first, in its own mode (a box filter; nearest for palettes), so no
       full-size copy is ever made; then converted to 8-bit RGB: EXIF orientation applied, first frame of
       an animation, transparency composited on white, palette, grayscale, 16-bit, 32-bit, float and CMYK
       images converted (in float32 at the reduced size), and each conversion noted for the page to show.

Only numpy and Pillow. Every message is fixed text (no file name, no decoder output), safe to show.
"""

from __future__ import annotations

import dataclasses
import io
import math
import threading
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

#: The formats we accept, as Pillow names them (decided from the file's bytes).
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")
MAX_BYTES = 8 * 1024 * 1024  # as .streamlit/config.toml's maxUploadSize
MIN_SIDE = 16
MAX_SIDE = 12_000
MAX_PIXELS = 40_000_000
#: The most memory the decoded pixels of one file may take (Pillow keeps 1, 2 or 4 bytes a pixel by mode:
#: a 32-megapixel RGB photo, a 64-megapixel 16-bit scan); checked from the header, before decoding.
MAX_DECODED_BYTES = 128 * 2**20
#: Decodes that may run at once in the whole process (the others wait their turn).
CONCURRENT_DECODES = 2
MAX_ASPECT = 20.0
#: Images are reduced so that their longer side is at most this many pixels once read.
WORKING_SIDE = 1024
#: Before any conversion, a large image is shrunk in its own mode to at most this side.
SHRINK_SIDE = 2 * WORKING_SIDE
_DECODES = threading.BoundedSemaphore(CONCURRENT_DECODES)
_EXIF_ORIENTATION = 0x0112
#: EXIF orientation -> the transposition that turns the picture upright (as ImageOps.exif_transpose does).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageInputError(ValueError):
    """The input cannot be used as an image; the message says why, in words for a student."""


@dataclasses.dataclass(frozen=True, eq=False)
class LoadedImage:
    """An image ready for a model: 8-bit RGB, plus what was done to get there."""

    rgb: np.ndarray  # (H, W, 3) uint8
    format: str  # "PNG", "JPEG", ... or "array" / "image" for inputs that were not bytes
    original_size: tuple[int, int]  # (width, height) as stored in the file
    original_mode: str  # Pillow's mode, e.g. "RGB", "P", "I;16", "CMYK"
    notes: tuple[str, ...] = ()  # conversions applied, in plain words

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of ``rgb``."""
        return self.rgb.shape[1], self.rgb.shape[0]


def check_dimensions(width: int, height: int) -> None:
    """Refuse sizes no page can use, from the header alone.

    Raises:
        ImageInputError: for 1 x 1 (any side under :data:`MIN_SIDE`), a side over :data:`MAX_SIDE`,
            more than :data:`MAX_PIXELS` pixels, or a ratio of sides over :data:`MAX_ASPECT`.
    """
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageInputError(
            f"The image is {width} x {height} pixels: too small to cut into patches. "
            f"Use one at least {MIN_SIDE} x {MIN_SIDE}."
        )
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageInputError(
            f"The image says it is {width:,} x {height:,} pixels: more than this app decodes "
            f"(at most {MAX_SIDE:,} pixels a side and {MAX_PIXELS // 1_000_000} megapixels). "
            "It was refused before decoding; try a smaller image."
        )
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise ImageInputError(
            f"The image is {width:,} x {height:,} pixels: too long and thin to crop to a square "
            f"(at most {MAX_ASPECT:g} to 1)."
        )


def bytes_per_pixel(mode: str) -> int:
    """What Pillow keeps in memory per pixel of an image in ``mode`` (multi-band images take 4 bytes)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


#: Formats whose decoder holds more than the pixels while it works, by how many times (measured by
#: bench/upload_memory.py): libwebp decodes into its own RGBA frame, which Pillow then copies.
_DECODER_COPIES = {"WEBP": 4}


def check_decoded_bytes(width: int, height: int, mode: str, fmt: str | None = None) -> None:
    """Refuse an image whose decoding would take more than :data:`MAX_DECODED_BYTES` of memory.

    Raises:
        ImageInputError: naming the memory it would take and the limit.
    """
    needed = width * height * bytes_per_pixel(mode) * _DECODER_COPIES.get(fmt or "", 1)
    if needed > MAX_DECODED_BYTES:
        raise ImageInputError(
            f"The image is {width:,} x {height:,} pixels ({fmt or 'image'}, {mode}): decoding it would take "
            f"{needed / 2**20:.0f} MB of memory, and this app decodes at most {MAX_DECODED_BYTES // 2**20} MB per "
            "image. "
            "It was refused before decoding; try a smaller image."
        )


def open_header(data: bytes) -> Image.Image:
    """Open ``data`` lazily (header only) and check its format and dimensions. No pixel is decoded.

    Raises:
        ImageInputError: for empty, oversized, non-image or unacceptable files.
    """
    if not data:
        raise ImageInputError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageInputError(
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB."
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns (and above twice its limit refuses) on huge headers; refuse at the warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError(
            "The image says it has more pixels than this app decodes (a decompression bomb?). "
            "It was refused before decoding."
        ) from None
    except UnidentifiedImageError:
        raise ImageInputError(
            "This file is not an image the app can read. It was checked by its content, not "
            "its name: use a PNG, JPEG, GIF, WebP, BMP or TIFF picture."
        ) from None
    except Exception:  # noqa: BLE001 - any decoder failure on a hostile header is the same answer
        raise ImageInputError("The file looks like an image but its header is damaged.") from None
    check_dimensions(*image.size)
    return image


def _decode(image: Image.Image) -> Image.Image:
    """Decode the pixels (a large JPEG at a reduced scale), first frame only, within the memory budget."""
    if image.format == "JPEG" and max(image.size) > SHRINK_SIDE:
        image.draft(image.mode, (WORKING_SIDE, WORKING_SIDE))  # decode at 1/2, 1/4 or 1/8 scale
    check_decoded_bytes(*image.size, image.mode, image.format)
    try:
        image.seek(0)
        image.load()
    except Exception:  # noqa: BLE001 - truncated data, bad compression, bad palette ...: all one message
        raise ImageInputError(
            "The image file is damaged or cut short: its pixels could not be decoded. "
            "Try saving it again or use another picture."
        ) from None
    return image


#: Modes Pillow premultiplies by alpha to resample, in a full-size copy: shrunk a band of rows at a time.
_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
_BAND_ROWS = 256


def shrink(image: Image.Image, side: int = SHRINK_SIDE) -> Image.Image:
    """The image with its longer side at most ``side``, in its own mode, without a full-size copy.

    A box filter (each new pixel the mean of those it covers; Pillow uses nearest for palettes and bilevel
    images). Images with an alpha channel go a band of rows at a time. Smaller images come back as they are.
    """
    if max(image.size) <= side:
        return image
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if image.mode not in _ALPHA_MODES:
        return image.resize(size, Image.BOX)
    out = Image.new(image.mode, size)
    rows = _BAND_ROWS
    for top in range(0, size[1], rows):  # output rows top .. top + rows come from one band of input rows
        bottom = min(size[1], top + rows)
        first, last = int(top / scale), min(image.height, math.ceil(bottom / scale))
        band = image.crop((0, first, image.width, last))  # a copy of these rows only
        box = (0, top / scale - first, image.width, min(image.height, bottom / scale) - first)
        out.paste(band.resize((size[0], bottom - top), Image.BOX, box=box), (0, top))
    return out


def _high_bit_depth_to_uint8(image: Image.Image) -> tuple[np.ndarray, str]:
    """16-bit, 32-bit integer and float grayscale -> (H, W) uint8, scaled (Pillow's convert would clip)."""
    values = np.asarray(image, dtype=np.float32)
    if image.mode == "F":
        low, high = np.nanmin(values), np.nanmax(values)
        scaled = (np.nan_to_num(values, nan=low) - low) / max(float(high - low), 1e-12) * 255
        return scaled, "floating-point grayscale stretched to 0-255"
    if values.min() >= 0 and values.max() <= 255 and image.mode == "I":
        return values, "32-bit grayscale (values 0-255) read as 8-bit"
    if values.min() >= 0 and values.max() <= 65535:
        return values / 257.0, "16-bit grayscale reduced to 8 bits"
    low, high = values.min(), values.max()
    return (values - low) / max(float(high - low), 1e-12) * 255, "32-bit grayscale stretched to 0-255"


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def to_rgb(image: Image.Image) -> tuple[Image.Image, list[str]]:
    """Any decoded Pillow image -> 8-bit RGB, and notes on what was converted."""
    mode, notes = image.mode, []
    if mode == "RGB":
        return image, notes
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
        alpha = np.asarray(image.convert("RGBA"))[..., 3]
        if (alpha < 255).any():
            notes.append("transparent areas shown on white")
        result = _on_white(image)
        if mode == "P":
            notes.append("palette colours expanded to RGB")
        elif mode.startswith("L"):
            notes.append("grayscale shown as grey RGB")
        return result, notes
    if mode == "P":
        return image.convert("RGB"), ["palette colours expanded to RGB"]
    if mode in ("L", "1"):
        return image.convert("L").convert("RGB"), [
            "grayscale shown as grey RGB" if mode == "L" else "black-and-white shown as RGB"
        ]
    if mode.startswith("I") or mode == "F":
        values, note = _high_bit_depth_to_uint8(image)
        grey = Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), "L")
        return grey.convert("RGB"), [note, "grayscale shown as grey RGB"]
    if mode == "CMYK":
        return image.convert("RGB"), ["CMYK (print colours) converted to RGB; colours are approximate"]
    try:
        return image.convert("RGB"), [f"{mode} colours converted to RGB"]
    except Exception:  # noqa: BLE001
        raise ImageInputError(
            f"The image uses the colour mode {mode!r}, which the app cannot convert."
        ) from None


def _finish(image: Image.Image, fmt: str, original_size: tuple[int, int], notes: list[str]) -> LoadedImage:
    original_mode = image.mode
    n_frames = getattr(image, "n_frames", 1)
    if n_frames > 1:
        notes.append(f"animated image: the first of its {n_frames} frames is used")
    try:
        orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - unreadable EXIF: keep the image as stored
        orientation = 1
        notes.append("its EXIF data is unreadable and was ignored")
    info, full_size = image.info, image.size
    image = shrink(image)
    image.info.update({k: v for k, v in info.items() if k not in image.info})  # transparency, for to_rgb
    if orientation in range(2, 9):
        image = image.transpose(_UPRIGHT[orientation])
        notes.append("turned upright as its camera (EXIF) orientation says")
    image, converted = to_rgb(image)
    notes.extend(converted)
    if max(image.size) > WORKING_SIDE:
        image = image.copy()
        image.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.LANCZOS)
    if image.size != full_size and max(full_size) > WORKING_SIDE:
        before = full_size
        notes.append(f"reduced from {before[0]} x {before[1]} to {image.size[0]} x {image.size[1]} pixels")
    rgb = np.array(image, dtype=np.uint8)
    return LoadedImage(
        rgb=rgb, format=fmt, original_size=original_size, original_mode=original_mode, notes=tuple(notes)
    )


def read_image(source: bytes | str | Path | BinaryIO | Image.Image | np.ndarray) -> LoadedImage:
    """Read an image from bytes, a path, a binary file, a Pillow image or an array, as 8-bit RGB.

    Raises:
        ImageInputError: with a message for a person, for anything that is not a usable image.
    """
    if isinstance(source, np.ndarray):
        return _from_array(source)
    if isinstance(source, Image.Image):
        check_dimensions(*source.size)
        with _DECODES:
            return _finish(source, "image", source.size, [])
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ImageInputError("There is no image file at that path.")
        if path.stat().st_size > MAX_BYTES:
            raise ImageInputError(f"The file is larger than {MAX_BYTES // 2**20} MB.")
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(MAX_BYTES + 1)
    else:
        raise TypeError(f"cannot read an image from {type(source).__name__}")
    image = open_header(data)
    fmt, original_size = image.format or "image", image.size
    with _DECODES:  # simultaneous uploads queue here instead of adding up in memory
        return _finish(_decode(image), fmt, original_size, [])


def _from_array(array: np.ndarray) -> LoadedImage:
    """(H, W) or (H, W, 3) uint8 arrays, e.g. a generated shape."""
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise ImageInputError(
            f"an image array must be (H, W) or (H, W, 3) uint8, got {array.shape} {array.dtype}"
        )
    check_dimensions(array.shape[1], array.shape[0])
    rgb = np.repeat(array[..., None], 3, axis=2) if array.ndim == 2 else array
    return LoadedImage(
        rgb=np.ascontiguousarray(rgb),
        format="array",
        original_size=(array.shape[1], array.shape[0]),
        original_mode="RGB" if array.ndim == 3 else "L",
    )


def square_crop_box(width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the largest centred square."""
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return left, top, left + side, top + side


def model_view(rgb: np.ndarray, size: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """What a square-input model sees: the centred square of ``rgb`` resized to ``size`` x ``size``.

    Returns:
        (view (size, size, 3) uint8, crop box (left, top, right, bottom) in ``rgb``'s pixels).
    """
    height, width = rgb.shape[:2]
    box = square_crop_box(width, height)
    square = Image.fromarray(rgb).crop(box)
    if square.size != (size, size):
        square = square.resize((size, size), Image.BICUBIC)
    return np.asarray(square, dtype=np.uint8), box
