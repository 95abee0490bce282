"""Figures of the encoder-decoder page: titles, axis labels, escaped labels, data as given."""

from __future__ import annotations

import numpy as np
import pytest

from viz.analysis.decoding import softmax, top_tokens
from viz.figures.seq2seq import (
    NOT_YET,
    alignment_heatmap,
    mask_heatmap,
    next_token_bars,
    step_heatmap,
    step_labels,
    training_curves,
)
from viz.figures.style import BLUE, ORANGE

TOKENS = ["<s>", "a", "<b>", "c"]


def titled(fig):
    layout = fig.to_plotly_json()["layout"]
    assert layout["title"]["text"]
    return layout


def test_mask_shows_minus_infinity_above_the_diagonal():
    mask = np.where(np.tri(4, dtype=bool), 0.0, -np.inf)
    fig = mask_heatmap(mask, TOKENS, "mask")
    layout = titled(fig)
    z = np.asarray(fig.data[0].z)
    np.testing.assert_array_equal(z, np.triu(np.ones((4, 4)), 1))
    assert fig.data[0].text[0][1] == "−∞" and fig.data[0].text[1][0] == "0"
    assert "Keys" in layout["xaxis"]["title"]["text"] and "Queries" in layout["yaxis"]["title"]["text"]
    assert layout["xaxis"]["ticktext"] == ["&lt;s&gt;", "a", "&lt;b&gt;", "c"]  # escaped, shown literally
    with pytest.raises(ValueError):
        mask_heatmap(mask[:3], TOKENS, "bad")


def test_bars_mark_the_chosen_token():
    probs = softmax(np.array([0.0, 3.0, 1.0, 2.0]))
    top = top_tokens(probs, TOKENS, 3)
    fig = next_token_bars(top, chosen_id=3, title="next")
    layout = titled(fig)
    np.testing.assert_allclose(fig.data[0].y, [probs[1], probs[3], probs[2]])
    assert list(fig.data[0].marker.color) == [BLUE, ORANGE, BLUE]
    assert layout["xaxis"]["ticktext"] == ["a", "c", "&lt;b&gt;"]
    assert layout["yaxis"]["title"]["text"] == "Probability"


def test_alignment_axes_name_input_and_output():
    weights = np.full((2, 3), 1 / 3)
    fig = alignment_heatmap(weights, ["x", "</s>"], ["a", "b", "c"], "cross")
    layout = titled(fig)
    assert "Output" in layout["yaxis"]["title"]["text"] and "Input" in layout["xaxis"]["title"]["text"]
    np.testing.assert_allclose(np.asarray(fig.data[0].z), weights)


def test_training_curves_have_two_labelled_axes():
    fig = training_curves([50, 100], [2.0, 1.0], [None, 0.5], "curves", max_steps=200)
    layout = titled(fig)
    assert list(fig.data[0].y) == [2.0, 1.0]
    assert list(fig.data[1].x) == [100] and list(fig.data[1].y) == [50.0]
    assert layout["xaxis"]["title"]["text"] == "Training step"
    assert layout["yaxis"]["title"]["text"] and layout["yaxis2"]["title"]["text"]


def test_step_labels_name_what_is_read_and_written_escaped():
    labels = step_labels(["<s>", "a", " "], ["a", " ", "</s>"])
    assert labels == ["reads &lt;s&gt; → writes a", "reads a → writes ␣", "reads ␣ → writes &lt;/s&gt;"]
    with pytest.raises(ValueError):
        step_labels(["<s>"], ["a", "b"])


@pytest.mark.parametrize("step", [1, 2, 4])
def test_growth_keeps_the_whole_matrix_and_greys_the_rows_to_come(step):
    n = len(TOKENS)
    rows = step_labels(TOKENS, TOKENS[1:] + ["</s>"])
    mask = np.where(np.tri(n, dtype=bool), 0.0, -np.inf)
    weights = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]
    cross = np.full((n, 3), 1 / 3)
    figs = [
        mask_heatmap(mask, TOKENS, "mask", step=step, row_labels=rows),
        step_heatmap(weights, rows, TOKENS, step, "self", "Decoder token →"),
        step_heatmap(cross, rows, ["x", "y", "z"], step, "cross", "Input →"),
    ]
    for fig, full in zip(figs, (np.triu(np.ones((n, n)), 1), weights, cross)):
        layout = titled(fig)
        z = np.asarray(fig.data[0].z, dtype=float)
        assert z.shape == full.shape  # one cell size at every step
        np.testing.assert_allclose(z[:step], full[:step])
        assert np.isnan(z[step:]).all()
        assert layout["plot_bgcolor"] == NOT_YET
        assert list(layout["yaxis"]["ticktext"]) == rows
        (outline,) = layout["shapes"]
        assert (outline["y0"], outline["y1"]) == (step - 1.5, step - 0.5)
        assert (outline["x0"], outline["x1"]) == (-0.5, full.shape[1] - 0.5)
    assert list(figs[0].data[0].text[step - 1][:step]) == ["0"] * step
    assert all(t == "" for t in figs[0].data[0].text[-1]) or step == n
    with pytest.raises(ValueError):
        step_heatmap(weights, rows, TOKENS, n + 1, "self", "x")
    with pytest.raises(ValueError):
        step_heatmap(weights[:2], rows, TOKENS, 1, "self", "x")
