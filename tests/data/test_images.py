"""The image input module: every odd or hostile file gets a correct conversion or a clear message."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFile

from tests.data import image_cases as cases
from viz.data.images import MAX_BYTES, ImageInputError, check_dimensions, model_view, open_header, read_image


@pytest.mark.parametrize("name", sorted(cases.BAD_INPUTS))
def test_bad_input_is_refused_with_a_message(name):
    data, fragment = cases.BAD_INPUTS[name]
    with pytest.raises(ImageInputError, match=fragment) as info:
        read_image(data)
    message = str(info.value)
    assert "Traceback" not in message and len(message) < 300


@pytest.mark.parametrize("name", ["decompression bomb", "enormous sides", "1 x 1", "long and thin"])
def test_size_checks_happen_before_any_pixel_is_decoded(name, monkeypatch):
    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageInputError):
        open_header(cases.BAD_INPUTS[name][0])


def test_pillow_bomb_limit_is_not_loosened():
    """We refuse far below Pillow's own limit, and never raise Pillow's limit."""
    assert Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS >= 40_000_000
    with pytest.raises(ImageInputError):
        check_dimensions(10_000, 10_000)  # 100 MP: under Pillow's 179 MP hard limit, over ours


def test_oversized_file_is_refused_without_reading_it():
    with pytest.raises(ImageInputError, match="limit"):
        read_image(b"\x89PNG" + b"\x00" * (MAX_BYTES + 1))


@pytest.mark.parametrize("name", sorted(cases.CONVERTED_INPUTS))
def test_odd_modes_become_rgb_with_a_note(name):
    data, fragment = cases.CONVERTED_INPUTS[name]
    loaded = read_image(data)
    assert loaded.rgb.dtype == np.uint8 and loaded.rgb.ndim == 3 and loaded.rgb.shape[2] == 3
    if fragment:
        assert any(fragment in note for note in loaded.notes), loaded.notes


def test_grayscale_becomes_equal_channels():
    rgb = read_image(cases.gray_png()).rgb
    np.testing.assert_array_equal(rgb[..., 0], cases.photo()[..., 0])
    np.testing.assert_array_equal(rgb[..., 0], rgb[..., 2])


def test_sixteen_bit_grayscale_is_scaled_not_clipped():
    rgb = read_image(cases.gray16_png()).rgb
    assert rgb[0, 0, 0] == 0 and rgb[0, 15, 0] == 128 and rgb[0, 30, 0] == 255


def test_sixteen_bit_rgb_keeps_the_high_byte():
    rgb = read_image(cases.CONVERTED_INPUTS["16-bit rgb"][0]).rgb
    assert (rgb == 40000 >> 8).all()


def test_transparency_is_composited_on_white():
    rgb = read_image(cases.rgba_png()).rgb
    assert tuple(rgb[5, 5]) == (0, 0, 255) and tuple(rgb[5, 25]) == (255, 255, 255)


def test_palette_colours_are_the_palette_entries():
    original = Image.open(io.BytesIO(cases.palette_png())).convert("RGB")
    np.testing.assert_array_equal(read_image(cases.palette_png()).rgb, np.asarray(original))


def test_cmyk_red_stays_red():
    r, g, b = read_image(cases.cmyk_jpeg()).rgb[16, 16].astype(int)
    assert r > 200 and g < 60 and b < 60


def test_animated_gif_uses_its_first_frame():
    loaded = read_image(cases.animated_gif())
    r, g, b = loaded.rgb[10, 10].astype(int)
    assert r > 200 and g < 50 and b < 50


def test_exif_orientation_is_applied():
    loaded = read_image(cases.exif_rotated_jpeg())
    assert loaded.size == (20, 40) and loaded.original_size == (40, 20)
    # stored: left black, right white; turned 90 degrees clockwise: top black, bottom white
    assert loaded.rgb[5, 10].mean() < 40 and loaded.rgb[35, 10].mean() > 215


def test_large_jpeg_is_decoded_reduced():
    loaded = read_image(cases.good_jpeg(3000, 2000))
    assert max(loaded.size) <= 1024
    assert any("reduced" in note for note in loaded.notes)


def test_paths_files_arrays_and_pillow_images(tmp_path):
    path = tmp_path / "picture.weird-extension"
    path.write_bytes(cases.good_png())
    expected = cases.photo()
    for source in (path, str(path), io.BytesIO(cases.good_png()), Image.fromarray(expected), expected):
        np.testing.assert_array_equal(read_image(source).rgb, expected)
    with pytest.raises(ImageInputError):
        read_image(tmp_path / "missing.png")
    with pytest.raises(ImageInputError):
        read_image(np.zeros((10, 10, 3), dtype=np.float32))


def test_model_view_is_the_centred_square_resized():
    rgb = np.zeros((100, 300, 3), dtype=np.uint8)
    rgb[:, 100:200] = 255  # the centred square is all white
    view, box = model_view(rgb, 32)
    assert view.shape == (32, 32, 3) and box == (100, 0, 200, 100)
    assert (view == 255).all()
    same, _ = model_view(rgb[:, 100:200], 100)
    np.testing.assert_array_equal(same, rgb[:, 100:200])  # already the right size: untouched
