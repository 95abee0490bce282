"""The block figures: what they are given is what they draw, labels escaped, bad input refused, and each one
passes plotly's validation."""

from __future__ import annotations

import numpy as np
import pytest

from viz.figures import block as figures
from viz.figures.spec import check_figure

TOKENS = ["[CLS]", "<b>x</b>", "cat", "[SEP]"]


def test_vector_strips_hold_each_vector_and_its_width():
    rows = [("in", np.arange(8.0) - 4), ("hidden", np.linspace(-1, 3, 32)), ("out", np.ones(8))]
    fig = figures.vector_strips(rows, "strips")
    check_figure(fig)
    spec = fig.to_plotly_json()
    assert [np.asarray(d["z"]).shape for d in spec["data"]] == [(1, 8), (1, 32), (1, 8)]
    np.testing.assert_allclose(np.asarray(spec["data"][1]["z"])[0], rows[1][1], rtol=1e-6)
    assert all(d["zmin"] == -d["zmax"] for d in spec["data"])  # diverging around a real zero
    notes = [a["text"] for a in spec["layout"]["annotations"]]
    assert "32 numbers" in notes[1] and "|max| 3" in notes[1]
    with pytest.raises(ValueError, match="no vectors"):
        figures.vector_strips([], "x")
    with pytest.raises(ValueError, match="1-D"):
        figures.vector_strips([("m", np.ones((2, 2)))], "x")


def test_token_bars_and_neurons_escape_tokens():
    bars = figures.token_bars(TOKENS, np.array([1, 2, 3, 4]), 2, "active", "units", percent_of=8)
    check_figure(bars)
    spec = bars.to_plotly_json()
    assert "&lt;b&gt;x&lt;/b&gt;" in spec["layout"]["xaxis"]["ticktext"]
    assert spec["data"][0]["text"] == ["12%", "25%", "38%", "50%"]
    assert spec["data"][0]["marker"]["color"][2] != spec["data"][0]["marker"]["color"][0]
    with pytest.raises(ValueError):
        figures.token_bars(TOKENS, np.ones(3), None, "t", "y")
    act = np.random.default_rng(0).normal(size=(4, 20))
    fig = figures.neurons_tokens(act, np.array([5, 1, 7]), TOKENS, "neurons")
    check_figure(fig)
    np.testing.assert_allclose(
        np.asarray(fig.to_plotly_json()["data"][0]["z"]), act[:, [5, 1, 7]].T, rtol=1e-6
    )
    with pytest.raises(ValueError, match="rows"):
        figures.neurons_tokens(act[:3], np.array([1]), TOKENS, "n")


def test_other_block_figures_validate():
    rng = np.random.default_rng(1)
    ref = rng.normal(size=16)
    check_figure(figures.same_weights_scatter(ref, ref + 1e-7, rng.normal(size=16), "1 a", "3 b"))
    check_figure(
        figures.stream_path(
            ["L1 in", "L1 +attn", "L1 sum"], np.array([1.0, 0.5, 1.2]), ["stream", "add", "stream"], "s"
        )
    )
    check_figure(figures.share_heatmap(rng.random((2, 4)), TOKENS, "share", "ratio"))
    check_figure(figures.norm_statistics(TOKENS, rng.normal(size=4), rng.random(4), 1, "stats"))
    growth = figures.post_pre_growth(
        [("post", np.array([0.5, 0.6]), "#0072B2"), ("pre", np.array([0.1, 3.0]), "#D55E00")], "g"
    )
    check_figure(growth)
    ticks = growth.to_plotly_json()["layout"]["yaxis"]["tickvals"]
    assert 0.1 in ticks and 1.0 in ticks and 2.0 in ticks
