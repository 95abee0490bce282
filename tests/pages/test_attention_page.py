"""The attention page under AppTest: charts carry the trace's real weights; bad input never crashes."""

from __future__ import annotations

import html

import numpy as np
import pytest

from tests.conftest import SENTENCES
from tests.pages.helpers import array, assert_no_exception, open_page, plotly_figures
from tests.pages.test_hostile_links import open_link
from viz import trace_sentence
from viz.figures.style import attention_colorscale

PAGE = "app_pages/attention.py"


@pytest.fixture
def at():
    """The page, freshly opened for each test: no test sees what another one set."""
    return open_page(PAGE)


def grid_and_enlarged(at):
    figures = plotly_figures(at)
    grid = next(f for t, f in figures.items() if "all heads" in t)
    enlarged = next(f for t, f in figures.items() if "hover for the exact weight" in t)
    return grid, enlarged


def test_default_sentence_shows_real_weights(at):
    assert_no_exception(at)
    grid, enlarged = grid_and_enlarged(at)
    trace = trace_sentence(at.text_area(key="sentence").value)
    # the page opens on the head that attends most to the previous token (mean of the sub-diagonal)
    previous = np.stack([np.diagonal(a, offset=-1, axis1=-2, axis2=-1).mean(-1) for a in trace.attentions])
    layer, head = np.unravel_index(previous.argmax(), previous.shape)
    assert previous[layer, head] > 0.5  # a clear pattern, not layer 1 head 1's near-uniform rows
    assert (at.slider(key="layer").value, at.slider(key="head").value) == (layer + 1, head + 1)
    np.testing.assert_allclose(array(enlarged["data"][0]["z"]), trace.attentions[layer, head], atol=1e-6)
    assert len(grid["data"]) == 12
    for h, heatmap in enumerate(grid["data"]):
        np.testing.assert_allclose(array(heatmap["z"]), trace.attentions[layer, h], atol=1e-6)
    assert "Queries" in enlarged["layout"]["yaxis"]["title"]["text"]
    assert "Keys" in enlarged["layout"]["xaxis"]["title"]["text"]
    assert enlarged["layout"]["xaxis"]["ticktext"] == [html.escape(t, quote=False) for t in trace.tokens]


def test_layer_and_head_sliders_pick_the_right_matrix(at):
    at.slider(key="layer").set_value(4).run()
    at.slider(key="head").set_value(7).run()
    assert_no_exception(at)
    _, enlarged = grid_and_enlarged(at)
    trace = trace_sentence(at.text_area(key="sentence").value)
    np.testing.assert_allclose(array(enlarged["data"][0]["z"]), trace.attentions[3, 6], atol=1e-6)
    assert "Layer 4, head 7" in enlarged["layout"]["title"]["text"]


@pytest.mark.parametrize("text", SENTENCES)
def test_any_unicode_or_html_is_shown_as_text(at, text):
    at.text_area(key="sentence").input(text).run()
    assert_no_exception(at)
    trace = trace_sentence(text)
    _, enlarged = grid_and_enlarged(at)
    labels = enlarged["layout"]["yaxis"]["ticktext"]
    assert len(labels) == len(trace.tokens)
    assert not any("<" in label or ">" in label for label in labels), labels  # escaped, never markup
    np.testing.assert_allclose(array(enlarged["data"][0]["z"]).shape, trace.attentions.shape[2:])
    # the typed text is never passed to markdown
    assert len(text) < 4 or not any(text.strip() in m.value for m in at.markdown)


def test_html_tokens_are_escaped(at):
    at.text_area(key="sentence").input("<b>bold</b>").run()
    _, enlarged = grid_and_enlarged(at)
    assert "&lt;" in enlarged["layout"]["xaxis"]["ticktext"]


def test_empty_text_prompts_and_draws_nothing(at):
    at.text_area(key="sentence").input("   ").run()
    assert_no_exception(at)
    assert not at.get("plotly_chart")
    assert any("Type a sentence" in i.value for i in at.info)


def test_long_text_is_truncated_with_notice(at):
    at.text_area(key="sentence").input("word " * 400).run()
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "402 tokens" in warnings and "146" in warnings
    grid, enlarged = grid_and_enlarged(at)
    assert array(enlarged["data"][0]["z"]).shape == (256, 256)
    assert array(grid["data"][0]["z"]).dtype == np.uint8  # the 256-token grid is sent quantised


def test_the_longest_sentence_the_box_takes(at):
    """The box takes 5,000 characters (a link with more is cut: tests/pages/test_hostile_links.py); this many
    words are far over the model's 256 tokens, and the page says what it dropped."""
    at.text_area(key="sentence").input("é " * 2_500).run()
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "2,502 tokens but the model reads at most 256" in warnings


def test_tokens_outside_the_vocabulary_are_named(at):
    at.text_area(key="sentence").input("Rockets 🚀 fly 🚀 high").run()
    assert_no_exception(at)
    trace = trace_sentence("Rockets 🚀 fly 🚀 high")
    assert trace.tokens.count("[UNK]") == 2
    assert any("2 of the" in i.value and "[UNK]" in i.value for i in at.info)
    at.text_area(key="sentence").input("The cat sat on the mat.").run()
    assert not any("[UNK]" in i.value for i in at.info)  # English: no note


@pytest.mark.parametrize("contrast", ["sqrt", "log"])
def test_contrast_from_a_link_changes_colours_not_weights(contrast):
    """?contrast=log (a shared link) recolours the grid and the enlarged head; the weights, and so the
    hover, stay the model's."""
    at = open_link(PAGE, {"contrast": contrast})
    assert_no_exception(at)
    assert at.segmented_control(key="contrast").value == contrast
    grid, enlarged = grid_and_enlarged(at)
    trace = trace_sentence(at.text_area(key="sentence").value)
    layer, head = at.slider(key="layer").value, at.slider(key="head").value
    assert enlarged["data"][0]["colorscale"] == attention_colorscale(contrast)
    assert all(d["colorscale"] == attention_colorscale(contrast) for d in grid["data"])
    np.testing.assert_allclose(
        array(enlarged["data"][0]["z"]), trace.attentions[layer - 1, head - 1], atol=1e-6
    )
    assert "%{z:.4f}" in enlarged["data"][0]["hovertemplate"]
    linear = open_link(PAGE, {})
    assert grid_and_enlarged(linear)[1]["data"][0]["colorscale"] == attention_colorscale("linear")
