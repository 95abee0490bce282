"""Self-attention walk-through: the numbers on screen are the model's; the toy reproduces the course."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SENTENCES
from tests.pages.helpers import array, assert_no_exception, figure, open_page, plotly_figures
from tests.pages.test_hostile_links import open_link
from viz import trace_sentence
from viz.ui.walkthrough_views import STAGE_NAMES, STAGES

PAGE = "app_pages/walkthrough.py"


@pytest.fixture
def at():
    """The page, freshly opened for each test: no test sees what another one set."""
    return open_page(PAGE)


def bars(fig):
    return np.asarray(array(fig["data"][0]["y"]), dtype=float)


def stage(at, name: str):
    """Step the stepper to stage ``name``; the page then shows that stage's charts."""
    at.segmented_control(key="wt_stage").set_value(name).run()
    assert_no_exception(at)
    return at


def strip_boxes(at) -> dict[str, dict]:
    """The pipeline strip's boxes by name (its rectangles)."""
    return {shape["name"]: shape for shape in figure(at, "X → Q, K, V")["layout"]["shapes"]}


def highlighted(at) -> set[str]:
    return {name for name, box in strip_boxes(at).items() if box["line"]["width"] > 1}


@pytest.mark.parametrize("layer,head,query", [(1, 1, 1), (3, 7, 4), (6, 12, 0)])
def test_z_equals_model_head_output(at, layer, head, query):
    text = "The animal didn't cross the street because it was too tired."
    at.text_area(key="sentence").input(text).run()
    at.slider(key="layer").set_value(layer).run()
    at.slider(key="head").set_value(head).run()
    at.selectbox(key="token").set_value(query).run()
    assert_no_exception(at)
    trace = trace_sentence(text)
    q = trace.queries[layer - 1, head - 1, query]
    k, v = trace.keys[layer - 1, head - 1, query], trace.values[layer - 1, head - 1, query]
    for name, expected in (("q = x W", q), ("k = x W", k), ("v = x W", v)):
        np.testing.assert_allclose(bars(figure(at, name)), expected, rtol=1e-4, atol=1e-4)
    scores = bars(figure(stage(at, "scores q · k"), "Scores q · k_j"))
    np.testing.assert_allclose(scores, trace.keys[layer - 1, head - 1] @ q, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(
        bars(figure(stage(at, "÷ √d_k"), "Scaled scores")), scores / np.sqrt(32), rtol=1e-5
    )
    weights = bars(figure(stage(at, "softmax"), "Softmax weights"))
    np.testing.assert_allclose(weights, trace.attentions[layer - 1, head - 1, query], atol=1e-5)
    weighted = array(figure(stage(at, "weighted values"), "Weighted values")["data"][0]["z"])
    np.testing.assert_allclose(weighted, weights[:, None] * trace.values[layer - 1, head - 1], atol=1e-4)
    z = bars(figure(stage(at, "z = Σ"), "z = Σ_j w_j v_j"))
    np.testing.assert_allclose(z, trace.head_outputs[layer - 1, head - 1, query], atol=1e-4)
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


def test_one_stage_at_a_time_under_the_pipeline_strip(at):
    """The page opens on the first stage; back / next step through them all, each showing its own charts
    (and no other stage's) with the strip outlining the boxes it works on."""
    assert at.segmented_control(key="wt_stage").value == STAGE_NAMES[0]
    assert at.button(key="wt_prev").disabled and not at.button(key="wt_next").disabled
    own = {
        "x → q, k, v": ["x for query token", "q = x W", "k = x W", "v = x W"],
        "scores q · k": ["Scores q · k_j"],
        "÷ √d_k": ["Scaled scores"],
        "softmax": ["Softmax weights"],
        "weighted values": ["Weighted values"],
        "z = Σ": ["z = Σ_j"],
    }
    assert list(own) == STAGE_NAMES
    for i, name in enumerate(STAGE_NAMES):
        assert at.segmented_control(key="wt_stage").value == name
        titles = [t for t in plotly_figures(at) if "X → Q, K, V" not in t]
        assert len(titles) == len(own[name]) and all(any(t.startswith(w) for t in titles) for w in own[name])
        assert highlighted(at) == set(STAGES[name])
        if i < len(STAGE_NAMES) - 1:
            at.button(key="wt_next").click().run()
            assert_no_exception(at)
    assert at.button(key="wt_next").disabled
    at.button(key="wt_prev").click().run()
    assert at.segmented_control(key="wt_stage").value == STAGE_NAMES[-2]


def test_stage_comes_from_a_link():
    at = open_link(PAGE, {"wt_stage": "softmax", "layer": "2", "head": "4"})
    assert_no_exception(at)
    assert at.segmented_control(key="wt_stage").value == "softmax"
    trace = trace_sentence(at.text_area(key="sentence").value)
    query = at.selectbox(key="token").value
    np.testing.assert_allclose(bars(figure(at, "Softmax weights")), trace.attentions[1, 3, query], atol=1e-5)
    assert highlighted(at) == {"A"}
    assert any(t.startswith("Layer 2, head 4") for t in plotly_figures(at))
    for value in ("nope", "", "<script>"):  # any value: the first stage
        at = open_link(PAGE, {"wt_stage": value})
        assert_no_exception(at)
        assert at.segmented_control(key="wt_stage").value == STAGE_NAMES[0]


@pytest.mark.parametrize("text", ["The animal didn't cross the street because it was too tired.", "Hi."])
def test_strip_boxes_scale_with_the_live_shapes(at, text):
    """Box sides are sqrt of the matrix sides (T from the sentence, d_model and d_k from the model)."""
    at.text_area(key="sentence").input(text).run()
    trace = trace_sentence(text)
    T, d_model, d_k = len(trace.tokens), trace.hidden_states.shape[-1], trace.queries.shape[-1]
    shapes = {"X": (T, d_model), "W_Q": (d_model, d_k), "Q": (T, d_k), "A_scaled": (T, T), "A": (T, T)}
    shapes["Z"] = (T, d_k)
    boxes = strip_boxes(at)
    for name, (rows, cols) in shapes.items():
        box = boxes[name]
        assert box["x1"] - box["x0"] == pytest.approx(np.sqrt(cols))
        assert box["y1"] - box["y0"] == pytest.approx(np.sqrt(rows))
    notes = {n["text"] for n in figure(at, "X → Q, K, V")["layout"]["annotations"]}
    assert {f"{T}×{d_model}", f"{d_model}×{d_k} each", f"{T}×{d_k} each", f"{T}×{T}", f"{T}×{d_k}"} <= notes
    lefts = [boxes[n]["x0"] for n in ("X", "W_Q", "Q", "A_scaled", "A", "Z")]
    assert lefts == sorted(lefts)  # left to right, in the order of the computation


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
