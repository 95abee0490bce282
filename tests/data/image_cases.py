"""Image files for tests, made in memory: hostile or odd inputs, and what the app must say or do with them.

Shared by the input-module tests, the page tests and the browser test.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bytes(width: int, height: int, bit_depth: int, colour_type: int, raw_rows: bytes) -> bytes:
    """A PNG written by hand (so a header can claim any size): IHDR, one IDAT, IEND."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw_rows))
        + _chunk(b"IEND", b"")
    )


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes whose header claims width x height pixels (30 GB as RGB): a decompression bomb."""
    return png_bytes(width, height, 8, 2, b"\x00" * 1000)


def png_rgb16(values: np.ndarray) -> bytes:
    """(H, W, 3) uint16 -> a 48-bit PNG."""
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in values)
    return png_bytes(values.shape[1], values.shape[0], 16, 2, rows)


def photo(width: int = 64, height: int = 48) -> np.ndarray:
    """A smooth colour test picture, (H, W, 3) uint8."""
    yy, xx = np.mgrid[0:height, 0:width]
    return np.stack(
        [xx * 255 // max(width - 1, 1), yy * 255 // max(height - 1, 1), np.full_like(xx, 90)], axis=-1
    ).astype(np.uint8)


def good_png() -> bytes:
    return encode(Image.fromarray(photo()), "PNG")


def good_jpeg(width: int = 64, height: int = 48) -> bytes:
    return encode(Image.fromarray(photo(width, height)), "JPEG", quality=95)


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def exif_rotated_jpeg() -> bytes:
    """A 40 x 20 JPEG, left half black and right half white, whose EXIF says "rotate 90 degrees clockwise"."""
    pixels = np.zeros((20, 40, 3), dtype=np.uint8)
    pixels[:, 20:] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(Image.fromarray(pixels), "JPEG", quality=95, exif=exif.tobytes())


def cmyk_jpeg() -> bytes:
    return encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG", quality=95)  # pure red in print inks


def rgba_png() -> bytes:
    """Left half opaque blue, right half fully transparent."""
    pixels = np.zeros((32, 32, 4), dtype=np.uint8)
    pixels[:, :16] = (0, 0, 255, 255)
    return encode(Image.fromarray(pixels, "RGBA"), "PNG")


def palette_png() -> bytes:
    return encode(Image.fromarray(photo()).convert("P", palette=Image.ADAPTIVE, colors=16), "PNG")


def gray16_png() -> bytes:
    """A 16-bit grayscale ramp: columns 0, 32768 and 65535 (32 x 24, constant within thirds)."""
    values = np.zeros((24, 33), dtype=np.uint16)
    values[:, 11:22] = 32768
    values[:, 22:] = 65535
    return encode(Image.fromarray(values), "PNG")


def gray_png() -> bytes:
    return encode(Image.fromarray(photo()[..., 0]), "PNG")


def truncated_png() -> bytes:
    data = encode(
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)), "PNG"
    )
    return data[: len(data) // 2]


def truncated_jpeg() -> bytes:
    data = good_jpeg(256, 256)
    return data[: len(data) // 3]


def corrupt_png() -> bytes:
    """A PNG whose compressed pixel data is garbage (the header is fine)."""
    data = bytearray(good_png())
    start = data.index(b"IDAT") + 4
    data[start + 10 : start + 200] = bytes(range(190))
    return bytes(data)


#: name -> (file bytes, a fragment the refusal message must contain)
BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "text file named .png": (b"Hello, this is not a picture.\n" * 20, "not an image"),
    "pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "not an image"),
    "zip": (b"PK\x03\x04" + b"\x00" * 100, "not an image"),
    "empty": (b"", "empty"),
    "truncated png": (truncated_png(), "damaged or cut short"),
    "truncated jpeg": (truncated_jpeg(), "damaged or cut short"),
    "corrupt png": (corrupt_png(), "damaged or cut short"),
    "decompression bomb": (png_bomb(), "refused before decoding"),
    "enormous sides": (png_bomb(30_000, 200), "refused before decoding"),
    "1 x 1": (encode(Image.new("RGB", (1, 1), (255, 0, 0)), "PNG"), "too small"),
    "long and thin": (encode(Image.new("RGB", (2000, 40)), "PNG"), "long and thin"),
}

#: name -> (file bytes, a fragment one of the conversion notes must contain, or "" when none is expected)
CONVERTED_INPUTS: dict[str, tuple[bytes, str]] = {
    "grayscale": (gray_png(), "grayscale"),
    "palette": (palette_png(), "palette"),
    "rgba": (rgba_png(), "transparent"),
    "16-bit grayscale": (gray16_png(), "16-bit"),
    "16-bit rgb": (png_rgb16(np.full((20, 20, 3), 40000, dtype=np.uint16)), ""),
    "cmyk": (cmyk_jpeg(), "CMYK"),
    "animated gif": (animated_gif(), "first of its 3 frames"),
    "exif rotation": (exif_rotated_jpeg(), "EXIF"),
}
