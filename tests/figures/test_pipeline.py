"""The pipeline strip of one head: boxes sized by their matrices' shapes, left to right, the stage outlined."""

from __future__ import annotations

import math

import pytest

from viz.figures.pipeline import QKV, pipeline_boxes, pipeline_strip
from viz.figures.style import SELECTED_COLOUR

ORDER = ["X", "W_Q", "W_K", "W_V", "Q", "K", "V", "A_scaled", "A", "Z"]


def shapes(fig) -> dict[str, dict]:
    return {s["name"]: s for s in fig.to_plotly_json()["layout"]["shapes"]}


@pytest.mark.parametrize("T,d_model,d_k,d_v", [(16, 384, 32, 32), (7, 768, 64, 64), (3, 4, 3, 2)])
def test_boxes_are_the_shapes_on_a_square_root_scale(T, d_model, d_k, d_v):
    boxes = {b.key: b for b in pipeline_boxes(T, d_model, d_k, d_v)}
    assert list(boxes) == ORDER
    expected = {"X": (T, d_model), "W_Q": (d_model, d_k), "W_K": (d_model, d_k), "W_V": (d_model, d_v)}
    expected |= {"Q": (T, d_k), "K": (T, d_k), "V": (T, d_v), "A_scaled": (T, T), "A": (T, T), "Z": (T, d_v)}
    fig = shapes(pipeline_strip(T, d_model, d_k, d_v))
    for key, (rows, cols) in expected.items():
        assert (boxes[key].rows, boxes[key].cols) == (rows, cols)
        box = fig[key]
        assert box["x1"] - box["x0"] == pytest.approx(math.sqrt(cols))
        assert box["y1"] - box["y0"] == pytest.approx(math.sqrt(rows))
        assert (box["y0"] + box["y1"]) / 2 == pytest.approx(0)  # on one centre line
    lefts = [fig[k]["x0"] for k in ORDER]
    assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts)
    for a, b in zip(ORDER, ORDER[1:]):
        assert fig[a]["x1"] < fig[b]["x0"]  # no overlap


def test_a_longer_sentence_makes_taller_boxes_and_a_wider_model_wider_ones():
    short, long = (shapes(pipeline_strip(T, 384, 32)) for T in (4, 64))
    assert long["X"]["y1"] - long["X"]["y0"] == pytest.approx(4 * (short["X"]["y1"] - short["X"]["y0"]))
    assert long["A"]["x1"] - long["A"]["x0"] > short["A"]["x1"] - short["A"]["x0"]
    small, big = (shapes(pipeline_strip(16, d, 32)) for d in (64, 1024))
    assert big["X"]["x1"] - big["X"]["x0"] == pytest.approx(4 * (small["X"]["x1"] - small["X"]["x0"]))


def test_the_current_stage_is_outlined_and_labelled_with_shapes():
    fig = pipeline_strip(16, 384, 32, current=("Q", "K", "A_scaled"))
    layout = fig.to_plotly_json()["layout"]
    assert layout["title"]["text"]
    boxes = shapes(fig)
    on = {k for k, b in boxes.items() if b["line"]["color"] == SELECTED_COLOUR}
    assert on == {"Q", "K", "A_scaled"}
    assert boxes["Q"]["fillcolor"].startswith("rgba(0, 114, 178")  # queries keep their colour
    assert boxes["Q"]["line"]["width"] > boxes["V"]["line"]["width"]
    texts = [a["text"] for a in layout["annotations"]]
    assert {"16×384", "384×32 each", "16×32 each", "16×16", "16×32"} <= set(texts)  # Z: 16×32
    assert texts.count("16×16") == 2 and len([t for t in texts if "×" in t]) == 6  # one per column
    assert "<b>Q</b>" in texts and "V" in texts  # the current boxes' names in bold
    arrows = [a for a in layout["annotations"] if a.get("showarrow")]
    assert len(arrows) == 5  # between the six columns
    assert QKV["q"] != QKV["k"] != QKV["v"]


def test_bad_dimensions_and_unknown_boxes_are_refused():
    with pytest.raises(ValueError, match="positive"):
        pipeline_boxes(0, 384, 32)
    with pytest.raises(ValueError, match="no box"):
        pipeline_strip(4, 8, 2, current=("softmax",))
