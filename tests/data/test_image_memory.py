"""The memory budget of an upload: decided from the header in bytes, large images shrunk in their own mode
before any conversion (never a full-size float or RGBA copy), and at most a few decodes at once."""

from __future__ import annotations

import io
import threading
import time

import numpy as np
import pytest
from PIL import Image

from viz.data import images
from viz.data.images import ImageInputError, read_image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def banded(width: int, height: int) -> np.ndarray:
    """(H, W) float32 in [0, 1]: a few bands, so large files compress to little."""
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    return np.floor((0.7 * x + 0.3 * y) * 16) / 16


@pytest.mark.parametrize(
    ("mode", "side", "fmt"),
    [("I", 6300, "TIFF"), ("F", 6300, "TIFF"), ("RGBA", 6000, "PNG"), ("RGB", 4000, "WEBP")],
)
def test_images_over_the_byte_budget_are_refused_from_the_header(mode, side, fmt, monkeypatch):
    """6300 x 6300 32-bit is 151 MB, 6000 x 6000 RGBA 137 MB; a 4000 x 4000 WebP decodes through libwebp's own
    RGBA frame (4 x 64 MB): all over the 128 MB budget, refused before a pixel is decoded, naming the limit."""
    ramp = banded(side, side)
    if mode == "I":
        image = Image.fromarray((ramp * 2**20).astype(np.int32), "I")
    elif mode == "F":
        image = Image.fromarray(ramp, "F")
    else:
        image = Image.fromarray((ramp * 255).astype(np.uint8), "L").convert(mode)
    data = encoded(image, fmt, **({"compression": "tiff_deflate"} if fmt == "TIFF" else {}))
    assert len(data) < images.MAX_BYTES
    Image.init()  # every format plugin imported first (one of them draws an image as it loads)
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("pixels were decoded"))
    with pytest.raises(ImageInputError, match=r"MB of memory, and this app decodes at most 128 MB"):
        read_image(data)


def test_the_budget_counts_pillows_bytes_per_pixel():
    assert images.bytes_per_pixel("L") == images.bytes_per_pixel("P") == 1
    assert images.bytes_per_pixel("I;16") == 2
    assert images.bytes_per_pixel("RGB") == images.bytes_per_pixel("I") == images.bytes_per_pixel("F") == 4
    images.check_decoded_bytes(5600, 5600, "RGBA", "PNG")  # 120 MB: accepted
    with pytest.raises(ImageInputError):
        images.check_decoded_bytes(5600, 5600, "RGB", "WEBP")


def test_a_large_transparent_image_is_shrunk_in_bands_like_a_whole_resize():
    rng = np.random.default_rng(0)
    rgba = (rng.random((900, 2600, 4)) * 255).astype(np.uint8)
    image = Image.fromarray(rgba, "RGBA")
    small = images.shrink(image, side=640)
    whole = image.resize(small.size, Image.BOX)
    assert small.mode == "RGBA" and small.size == (640, 222)
    difference = np.abs(np.asarray(small, dtype=int) - np.asarray(whole, dtype=int))
    assert difference.max() <= 1  # the bands meet without a seam: the same box filter, rounded alike


def test_a_large_sixteen_bit_scan_is_read_at_the_working_size_with_its_note():
    ramp = banded(6300, 6300)
    data = encoded(Image.fromarray((ramp * 65535).astype(np.uint16)), "PNG")
    loaded = read_image(data)
    assert loaded.size == (1024, 1024) and loaded.original_size == (6300, 6300)
    assert "reduced from 6300 x 6300 to 1024 x 1024 pixels" in loaded.notes
    # the top-left band is 0, the bottom-right band 15/16: scaled to 8 bits, not clipped
    assert loaded.rgb[0, 0, 0] == 0 and loaded.rgb[-1, -1, 0] > 200


def test_decodes_queue_instead_of_running_all_at_once(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()
    real = images._decode

    def slow_decode(image):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        try:
            return real(image)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(images, "_decode", slow_decode)
    data = encoded(Image.new("RGB", (64, 64), (10, 200, 10)), "PNG")
    threads = [threading.Thread(target=read_image, args=(data,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == images.CONCURRENT_DECODES
