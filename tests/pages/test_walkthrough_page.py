"""Self-attention walk-through: the numbers on screen are the model's; the toy reproduces the course."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SENTENCES
from tests.pages.helpers import array, assert_no_exception, figure, open_page, plotly_figures
from viz import trace_sentence

PAGE = "app_pages/walkthrough.py"


@pytest.fixture
def at():
    """The page, freshly opened for each test: no test sees what another one set."""
    return open_page(PAGE)


def bars(fig):
    return np.asarray(array(fig["data"][0]["y"]), dtype=float)


@pytest.mark.parametrize("layer,head,query", [(1, 1, 1), (3, 7, 4), (6, 12, 0)])
def test_z_equals_model_head_output(at, layer, head, query):
    text = "The animal didn't cross the street because it was too tired."
    at.text_area(key="sentence").input(text).run()
    at.slider(key="layer").set_value(layer).run()
    at.slider(key="head").set_value(head).run()
    at.selectbox(key="token").set_value(query).run()
    assert_no_exception(at)
    trace = trace_sentence(text)
    z = bars(figure(at, "z = Σ_j w_j v_j"))
    np.testing.assert_allclose(z, trace.head_outputs[layer - 1, head - 1, query], atol=1e-4)
    weights = bars(figure(at, "Softmax weights"))
    np.testing.assert_allclose(weights, trace.attentions[layer - 1, head - 1, query], atol=1e-5)
    q = trace.queries[layer - 1, head - 1, query]
    scores = bars(figure(at, "Scores q · k_j"))
    np.testing.assert_allclose(scores, trace.keys[layer - 1, head - 1] @ q, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(bars(figure(at, "Scaled scores")), scores / np.sqrt(32), rtol=1e-5)
    at.segmented_control(key="wt_view").set_value("Matrix form").run()  # every token at once
    assert_no_exception(at)
    assert "(16 × 32)" in next(t for t in plotly_figures(at) if t.startswith("Q = X W^Q"))
    assert {"W^Q", "W^K", "W^V"} <= {t.split(" (")[0] for t in plotly_figures(at)}  # all three projections
    z_all = np.asarray(array(figure(at, "Z = softmax")["data"][0]["z"]), dtype=float)
    np.testing.assert_allclose(z_all, trace.head_outputs[layer - 1, head - 1], atol=1e-4)


def test_opens_on_it_in_the_default_sentence(at):
    assert_no_exception(at)
    tokens = trace_sentence(at.text_area(key="sentence").value).tokens
    assert tokens[at.selectbox(key="token").value] == "it"


@pytest.mark.parametrize("text", SENTENCES + ["", "word " * 400])
def test_any_sentence_renders(at, text):
    at.text_area(key="sentence").input(text).run()
    assert_no_exception(at)
    if not text.strip():
        assert not at.get("plotly_chart") and at.info


def test_toy_reproduces_course_numbers():
    at = open_page(PAGE)
    at.segmented_control(key="wt_view").set_value("Toy example (by hand)").run()
    assert_no_exception(at)
    steps = next(d.value for d in at.dataframe if "softmax" in getattr(d.value, "columns", []))
    first = steps[steps["query"] == "Thinking"]
    assert first["score q·k"].tolist() == [112.0, 96.0]
    assert first["÷ 8.00"].tolist() == [14.0, 12.0]
    np.testing.assert_allclose(first["softmax"], [0.8808, 0.1192], atol=1e-4)
    at.radio(key="toy_divisor").set_value("√3 ≈ 1.73 (the toy's d_k)").run()
    steps = next(d.value for d in at.dataframe if "softmax" in getattr(d.value, "columns", []))
    scaled_col = next(c for c in steps.columns if c.startswith("÷"))
    np.testing.assert_allclose(steps[scaled_col].iloc[0], 112 / np.sqrt(3))


def test_ablations_sharpen_and_mask():
    at = open_page(PAGE)
    at.segmented_control(key="wt_view").set_value("Ablations").run()
    at.toggle(key="ab_scale").set_value(False).run()
    assert_no_exception(at)
    entropy = next(d.value for d in at.dataframe if "this setting" in getattr(d.value, "columns", []))
    # without scaling the softmax is sharper: lower entropy on average
    assert entropy["this setting"].mean() < entropy["with √d_k scaling"].mean()
    at.toggle(key="ab_causal").set_value(True).run()
    assert_no_exception(at)
    weights = array(figure(at, "causal mask")["data"][0]["z"])
    assert np.all(np.triu(weights, 1) == 0)
    np.testing.assert_allclose(weights.sum(-1), 1, atol=1e-5)
    mask = figure(at, "Mask added")
    blocked = array(mask["data"][0]["z"])
    n = blocked.shape[0]
    assert blocked.tolist() == np.triu(np.ones((n, n), dtype=int), 1).tolist()
    assert mask["data"][0]["text"][0][1] == "−∞" and mask["data"][0]["text"][1][0] == "0"
