"""Multi-head page: model view, head view, W^O, statistics, rollout and neuron view carry the real numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SENTENCES
from tests.pages.helpers import array, assert_no_exception, open_page, plotly_figures
from tests.pages.test_hostile_links import open_link
from viz import attention_rollout, trace_sentence
from viz.analysis.head_stats import head_statistics
from viz.figures.style import QKV_COLOURS

PAGE = "app_pages/multihead.py"
TEXT = "The cat sat on the mat because it was warm."
VIEWS = ["Model view", "Head view", "Concat & W^O", "Head statistics", "Rollout", "Neuron view"]


@pytest.fixture
def at():
    """The page with TEXT typed in, freshly opened for each test: no test sees what another one set."""
    at = open_page(PAGE)
    at.text_area(key="sentence").input(TEXT).run()
    return at


def view(at, name):
    at.segmented_control(key="mh_view").set_value(name).run()
    assert_no_exception(at)
    return plotly_figures(at)


def find(figures, part):
    return next(f for t, f in figures.items() if part in t)


def test_model_view_holds_every_layer_and_head(at):
    figures = view(at, "Model view")
    trace = trace_sentence(TEXT)
    grid = find(figures, "Model view")
    assert len(grid["data"]) == 72
    for p, heatmap in enumerate(grid["data"]):
        layer, head = divmod(p, 12)
        z = array(heatmap["z"]).astype(float) / 255  # thumbnails travel as 8-bit weights
        np.testing.assert_allclose(z, trace.attentions[layer, head], atol=0.5 / 255 + 1e-6)
    at.slider(key="layer").set_value(5).run()
    at.slider(key="head").set_value(9).run()
    enlarged = find(plotly_figures(at), "Layer 5, head 9")
    np.testing.assert_allclose(array(enlarged["data"][0]["z"]), trace.attentions[4, 8], atol=1e-6)
    titles = [a["text"] for a in grid["layout"]["annotations"]]
    assert titles[0] == "L1 H1" and titles[-1] == "L6 H12"


def test_head_view_token_filter(at):
    figures = view(at, "Head view")
    fig = find(figures, "queries (left) attend to keys (right)")
    lines = [d for d in fig["data"] if d["mode"] == "lines" and d.get("showlegend") is False]
    chips = [d for d in fig["data"] if d["mode"] == "lines" and d.get("showlegend") is not False]
    every_head = {f"head {h}" for h in range(1, 13)}
    assert {d["name"] for d in chips} == every_head  # all heads on by default, one legend chip each
    assert lines and {d["name"] for d in lines} <= every_head
    assert {d["legendgroup"] for d in lines} <= {d["legendgroup"] for d in chips}  # a chip toggles its lines
    at.selectbox(key="hv_token").set_value("3").run()
    fig = find(plotly_figures(at), "queries (left) attend to keys (right)")
    starts = {
        y
        for d in fig["data"]
        if d["mode"] == "lines" and d.get("showlegend") is False
        for y in array(d["y"]).tolist()[0::3]
    }
    assert starts == {-3.0}


def test_head_view_in_the_address():
    """Heads and the token chosen come back from a link; a link naming two heads draws only those."""
    at = open_link(PAGE, {"mh_view": "Head view", "hv_heads": ["2", "5"], "hv_token": "4"})
    assert_no_exception(at)
    fig = find(plotly_figures(at), "queries (left) attend to keys (right)")
    chips = {d["name"] for d in fig["data"] if d["mode"] == "lines" and d.get("showlegend") is not False}
    assert chips == {"head 2", "head 5"}
    tokens = [d for d in fig["data"] if d["mode"] == "text"]
    assert "head 2" in tokens[0]["hovertext"][4] and "head 5" in tokens[0]["hovertext"][4]


def test_concat_times_wo_equals_model_output(at):
    view(at, "Concat & W^O")
    caption = " ".join(c.value for c in at.caption)
    diff = float(caption.split("computed: ")[1].split()[0])
    assert diff < 1e-4
    figures = plotly_figures(at)
    assert any("W^O (384 × 384)" in t for t in figures)
    assert any("(13 × 384)" in t for t in figures)  # 13 tokens, 12 heads × 32 dims


def test_head_statistics_table(at):
    view(at, "Head statistics")
    at.selectbox(key="hs_stat").set_value("to_previous").run()
    ranking = next(d.value for d in at.dataframe)
    assert "share on the previous token" in ranking.columns  # named, not snake_case
    stat_map = find(plotly_figures(at), "share of attention on the previous token")
    assert all(len(t.split(".")[1]) == 2 for row in stat_map["data"][0]["text"] for t in row)  # 0.12
    expected = head_statistics(trace_sentence(TEXT).attentions, trace_sentence(TEXT).tokens)
    top = expected.sort_values("to_previous", ascending=False).iloc[0]
    assert (ranking.iloc[0]["layer"], ranking.iloc[0]["head"]) == (top["layer"], top["head"])
    assert ranking["share on the previous token"].is_monotonic_decreasing


@pytest.mark.parametrize("fusion,discard", [("mean", 0.0), ("max", 0.5), ("min", 0.2)])
def test_rollout_matches_viz(at, fusion, discard):
    view(at, "Rollout")
    at.selectbox(key="ro_fusion").set_value(fusion).run()
    at.slider(key="ro_discard").set_value(discard).run()
    trace = trace_sentence(TEXT)
    fig = find(plotly_figures(at), "Rollout through 6 layers")
    np.testing.assert_allclose(
        array(fig["data"][0]["z"]), attention_rollout(trace.attentions, fusion, discard), atol=1e-6
    )
    raw = find(plotly_figures(at), "Raw attention, last layer")
    np.testing.assert_allclose(array(raw["data"][0]["z"]), trace.attentions[-1].mean(0), atol=1e-6)


def test_neuron_view_products_sum_to_score(at):
    view(at, "Neuron view")
    at.slider(key="layer").set_value(2).run()
    at.slider(key="head").set_value(3).run()
    trace = trace_sentence(TEXT)
    figures = plotly_figures(at)
    products = array(find(figures, "q ∘ k (element-wise)")["data"][0]["y"])
    q, k = trace.queries[1, 2, 1], trace.keys[1, 2, 2]
    np.testing.assert_allclose(products, q * k, rtol=1e-5, atol=1e-6)
    shown = float(next(m.value for m in at.metric))
    assert shown == pytest.approx(float(q @ k), abs=1e-3)
    # a query is always drawn in the queries' colour and a key in the keys', as on every page
    q_bars = next(f for t, f in figures.items() if t.startswith("q ("))["data"][0]["marker"]["color"]
    k_bars = next(f for t, f in figures.items() if t.startswith("k ("))["data"][0]["marker"]["color"]
    assert set(q_bars) == {QKV_COLOURS["q"]} and set(k_bars) == {QKV_COLOURS["k"]}


@pytest.mark.parametrize("text", SENTENCES[::3] + ["", "word " * 400])
def test_every_view_survives_odd_input(text):
    at = open_page(PAGE)
    at.text_area(key="sentence").input(text).run()
    for name in VIEWS:
        view(at, name)
