"""What the ViT and the Swin pages share, checked on each under AppTest: generated shapes are drawn and can be
regenerated, every sample photograph is traced, a bad upload gets a message and no traceback, an odd one is converted and traced, and a checkpoint folder that cannot
be opened gets a message that does not echo what was typed."""

from __future__ import annotations

import pytest

from tests.data import image_cases as cases
from tests.pages.helpers import assert_no_exception, figure, open_page, plotly_figures, texts
from tests.pages.vision import ATTENTION, PATCHES, SWIN, choose_folder, choose_sample, upload
from viz.data.shapes import CLASSES
from viz.ui.vision_inputs import SAMPLES, SOURCES

#: (page, the shapes tried there, a chart drawn from the picture itself)
SHAPES = [(PATCHES, CLASSES, "Step 1"), (SWIN, CLASSES[:3], "Regular windows")]
#: (page, a chart it draws for any picture it can read, the names of the converted inputs tried there)
ODD_UPLOADS = [
    (ATTENTION, "Attention rollout", sorted(cases.CONVERTED_INPUTS)),
    (SWIN, "Token (row", ["grayscale", "rgba", "cmyk", "animated gif"]),
]


@pytest.mark.parametrize("page, shapes, chart", SHAPES, ids=["vit", "swin"])
def test_generated_shapes_and_regenerate(page, shapes, chart):
    at = open_page(page)
    at.radio(key="vision_source").set_value(SOURCES[0]).run()
    for name in shapes:
        at.selectbox(key="vision_shape").set_value(name).run()
        assert_no_exception(at)
        assert f"generated {name}" in texts(at)
    before = figure(at, chart)["data"][0]["source"]
    at.button(key="vision_regenerate").click().run()
    assert_no_exception(at)
    assert figure(at, chart)["data"][0]["source"] != before  # a new image, not just new text


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize("page, chart", [(ATTENTION, "Attention rollout"), (SWIN, "The mask of window")])
def test_every_sample_photograph(page, chart, sample):
    at = choose_sample(open_page(page), sample)
    assert_no_exception(at)
    assert sample in texts(at)
    assert figure(at, chart)


@pytest.mark.parametrize("name", sorted(cases.BAD_INPUTS))
@pytest.mark.parametrize("page", [PATCHES, ATTENTION, SWIN])
def test_bad_uploads_get_a_message_not_a_traceback(page, name):
    data, fragment = cases.BAD_INPUTS[name]
    at = upload(open_page(page), "picture.png", data, "image/png")
    assert_no_exception(at)
    assert any(fragment in e.value for e in at.error), [e.value for e in at.error]
    assert not plotly_figures(at) or page == PATCHES  # the patch page still shows the sizes table only
    assert "Step 1" not in " ".join(plotly_figures(at))


@pytest.mark.parametrize(
    "page, chart, name", [(page, chart, name) for page, chart, names in ODD_UPLOADS for name in names]
)
def test_odd_uploads_are_converted_and_traced(page, chart, name):
    data, fragment = cases.CONVERTED_INPUTS[name]
    at = upload(open_page(page), "upload.bin", data)
    assert_no_exception(at)
    assert not at.error
    assert figure(at, chart)
    if fragment:  # "" where no conversion note is expected
        assert fragment in texts(at)


@pytest.mark.parametrize("folder", ["/nonexistent/folder", "/etc", "<script>alert(1)</script>"])
@pytest.mark.parametrize("page, family", [(PATCHES, "vit"), (SWIN, "swin")])
def test_bad_checkpoint_folder_gets_a_message(page, family, folder):
    at = choose_folder(open_page(page), family, folder)
    assert_no_exception(at)
    assert at.error and "could not be opened" in at.error[0].value
    assert not any(folder in e.value for e in at.error)  # the typed path is shown only as plain text
