"""The drawing pad's Python side: what the browser sends is decoded with the uploads' bounds, refused with a
fixed message when it is not a PNG data URL of bounded size, and, on the vision pages ("Draw it"), traced like
any other picture; clearing the pad empties the page, and the drawing survives a switch of source."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.data import image_cases as cases
from tests.pages.helpers import assert_no_exception, figure, open_page, plotly_figures, texts
from tests.pages.vision import ATTENTION, PATCHES, SWIN
from viz.data.images import MAX_BYTES, ImageInputError
from viz.ui.drawing_pad import CANVAS_SIDE, MAX_DATA_URL_CHARS, PNG_PREFIX, decode_drawing
from viz.ui.vision_inputs import PAD, SOURCES

DRAW = SOURCES[3]


def star(side: int = CANVAS_SIDE, colour=(17, 17, 17, 255)) -> Image.Image:
    """A filled five-pointed star on white, as the pad's canvas sends it (RGBA, opaque)."""
    image = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    centre, outer, inner = side / 2, 0.42 * side, 0.17 * side
    points = [
        (
            centre + (outer if i % 2 == 0 else inner) * math.cos(math.pi / 2 + i * math.pi / 5),
            centre - (outer if i % 2 == 0 else inner) * math.sin(math.pi / 2 + i * math.pi / 5),
        )
        for i in range(10)
    ]
    ImageDraw.Draw(image).polygon(points, fill=colour)
    return image


def data_url(data: bytes, prefix: str = PNG_PREFIX) -> str:
    return prefix + base64.b64encode(data).decode("ascii")


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_empty_pad_is_no_image():
    assert decode_drawing(None) is None
    assert decode_drawing("") is None


def test_a_drawing_is_read_pixel_for_pixel():
    drawn = star()
    image = decode_drawing(data_url(png(drawn)))
    assert image.format == "PNG" and image.size == (CANVAS_SIDE, CANVAS_SIDE)
    assert image.notes == ()  # an opaque canvas needs no conversion worth a note
    np.testing.assert_array_equal(image.rgb, np.asarray(drawn.convert("RGB")))
    assert image.rgb[CANVAS_SIDE // 2, CANVAS_SIDE // 2].tolist() == [17, 17, 17]  # the star's middle
    assert image.rgb[2, 2].tolist() == [255, 255, 255]  # the paper


@pytest.mark.parametrize(
    "value, fragment",
    [
        (b"\x89PNG", "did not arrive as a picture"),
        (["data:image/png;base64,"], "did not arrive as a picture"),
        ("data:image/jpeg;base64," + base64.b64encode(cases.good_jpeg()).decode(), "did not arrive as a PNG"),
        ("javascript:alert(1)", "did not arrive as a PNG"),
        ("/etc/passwd", "did not arrive as a PNG"),
        (PNG_PREFIX + "not*base64!", "arrived damaged"),
        (PNG_PREFIX + "QUJ", "arrived damaged"),
        (data_url(cases.good_jpeg()), "did not arrive as a PNG"),  # JPEG bytes behind a PNG label
        (data_url(b"%PDF-1.4 not a picture"), "not an image"),
    ],
    ids=["bytes", "list", "jpeg url", "script url", "path", "not base64", "bad padding", "jpeg bytes", "pdf"],
)
def test_what_is_not_a_png_data_url_is_refused(value, fragment):
    with pytest.raises(ImageInputError, match=fragment):
        decode_drawing(value)


def test_the_size_is_checked_before_anything_is_decoded():
    with pytest.raises(ImageInputError, match="too large to read"):
        decode_drawing(PNG_PREFIX + "A" * (MAX_DATA_URL_CHARS - len(PNG_PREFIX) + 1))
    assert MAX_DATA_URL_CHARS < MAX_BYTES  # never more than an upload may be


def test_the_uploads_bounds_apply_to_a_drawing():
    with pytest.raises(ImageInputError, match="refused before decoding"):  # a decompression bomb
        decode_drawing(data_url(cases.png_bomb()))
    with pytest.raises(ImageInputError):  # a 1 x 1 picture is too small to be a drawing
        decode_drawing(data_url(png(Image.new("RGBA", (1, 1), (255, 255, 255, 255)))))
    with pytest.raises(ImageInputError):  # cut off half way
        decode_drawing(data_url(png(star())[:400]))


# -- on the pages: the state the browser would send is set as the component's value ------------------------


def draw(at, value):
    """What the pad does when a stroke ends: its state ``image`` becomes ``value``; then the page reruns."""
    at.session_state[PAD] = {"image": value}
    return at.run()


@pytest.mark.parametrize(
    "page, chart", [(ATTENTION, "Prediction"), (SWIN, "Token (row"), (PATCHES, "Step 1")]
)
def test_draw_it_traces_the_drawing_and_clear_empties_the_page(page, chart):
    at = open_page(page)
    at.radio(key="vision_source").set_value(DRAW).run()
    assert_no_exception(at)
    (pad,) = at.get("bidi_component")
    assert pad.proto.component_name == "viz_drawing_pad" and "<canvas" in pad.proto.html_content
    assert any("Draw a shape on the pad" in e.value for e in at.info)
    assert not any(chart in title for title in plotly_figures(at))

    draw(at, data_url(png(star())))
    assert_no_exception(at)
    assert "your drawing on the pad" in texts(at)
    assert figure(at, chart)
    assert not any("Draw a shape on the pad" in e.value for e in at.info)

    draw(at, "")  # "Clear" (or every stroke undone)
    assert_no_exception(at)
    assert any("Draw a shape on the pad" in e.value for e in at.info)
    assert not any(chart in title for title in plotly_figures(at))


@pytest.mark.parametrize(
    "page, chart", [(ATTENTION, "Prediction: the top"), (SWIN, "Prediction of the Swin"), (PATCHES, "Step 1")]
)
def test_the_first_result_sits_beside_the_pad_on_the_first_screen(page, chart):
    at = open_page(page)
    at.radio(key="vision_source").set_value(DRAW).run()
    (hint,) = [c for c in at.columns if any("the answer appears here" in e.value for e in c.info)]
    draw(at, data_url(png(star())))
    assert_no_exception(at)
    (pad_column,) = [c for c in at.columns if c.get("bidi_component")]
    beside = [c for c in at.columns if any(chart in title for title in plotly_figures(c))]
    assert len(beside) == 1 and beside[0] is not pad_column
    assert [c.weight for c in (pad_column, beside[0])] == pytest.approx([0.6, 0.4])


def test_the_drawing_is_what_the_model_reads_and_survives_a_switch_of_source():
    at = open_page(ATTENTION)
    at.radio(key="vision_source").set_value(DRAW).run()
    draw(at, data_url(png(star())))
    first = figure(at, "Prediction")
    at.radio(key="vision_source").set_value(SOURCES[0]).run()
    assert "your drawing on the pad" not in texts(at)
    at.radio(key="vision_source").set_value(DRAW).run()
    assert_no_exception(at)
    assert "your drawing on the pad" in texts(at)  # the pad was not cleared: its last drawing is still read
    assert figure(at, "Prediction") == first

    draw(at, data_url(png(star(colour=(209, 42, 31, 255)).rotate(36, fillcolor="white"))))  # another drawing
    assert figure(at, "Prediction") != first


def test_a_refused_drawing_gets_its_message_and_no_charts():
    at = open_page(ATTENTION)
    at.radio(key="vision_source").set_value(DRAW).run()
    draw(at, data_url(cases.png_bomb()))
    assert_no_exception(at)
    assert any("refused before decoding" in e.value for e in at.error), [e.value for e in at.error]
    assert not plotly_figures(at)
    draw(at, data_url(png(star())))  # the next stroke replaces it
    assert not at.error and figure(at, "Prediction")


def test_a_link_can_open_the_pad():
    from streamlit.testing.v1 import AppTest

    from tests.pages.helpers import APP

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["vision_source"] = DRAW
    at.run().switch_page(ATTENTION).run()
    at.query_params["vision_source"] = DRAW
    at.run()
    assert at.radio(key="vision_source").value == DRAW
    assert any("Draw a shape on the pad" in e.value for e in at.info)
