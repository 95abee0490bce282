"""The block page: every view on the three models, the charts carry the traces' numbers, the controls are in
the address, the map's boxes are links."""

from __future__ import annotations

import numpy as np
import pytest

from tests.pages.helpers import array, assert_no_exception, open_page, plotly_figures
from tests.pages.test_hostile_links import bound_keys, open_link
from viz.analysis.block import active_units, sublayer_share, top_units
from viz.trace.block import trace_block, trace_decoder_block

PAGE = "app_pages/block.py"
TEXT = "The cat sat on the mat because it was warm."


def find(at, part: str) -> dict:
    figures = plotly_figures(at)
    matches = [f for t, f in figures.items() if part in t]
    assert matches, f"no chart with {part!r} among {list(figures)}"
    return matches[0]


@pytest.fixture
def at():
    at = open_page(PAGE)
    at.text_area(key="sentence").input(TEXT).run()
    assert_no_exception(at)
    return at


def test_ffn_view_on_minilm_carries_the_trace(at):
    trace = trace_block(TEXT)
    at.slider(key="enc_layer").set_value(3).run()
    at.selectbox(key="enc_token").set_value(2).run()
    strips = find(at, "Layer 3, token 2")
    z = [array(d["z"]).ravel() for d in strips["data"]]
    assert [len(v) for v in z] == [384, 1536, 1536, 384, 384]
    np.testing.assert_allclose(z[0], trace.ffn_input[2, 2], atol=1e-6)
    np.testing.assert_allclose(z[2], trace.ffn_activation[2, 2], atol=1e-6)
    np.testing.assert_allclose(z[3], trace.ffn_output[2, 2], atol=1e-6)
    notes = " ".join(a["text"] for a in strips["layout"]["annotations"])
    assert f"{int(active_units(trace.ffn_activation[2, 2]))} of 1536 units active" in notes
    bars = find(at, "units active per token")
    np.testing.assert_array_equal(array(bars["data"][0]["y"]), active_units(trace.ffn_activation[2]))
    neurons = find(at, "units that fire most")
    units = top_units(trace.ffn_activation[2], 12)
    np.testing.assert_allclose(array(neurons["data"][0]["z"]), trace.ffn_activation[2][:, units].T, atol=1e-6)
    same = find(at, "Same weights at every position")
    copied, reference = array(same["data"][2]["y"]), array(same["data"][2]["x"])
    np.testing.assert_allclose(copied, reference, atol=1e-5)  # fed the same vector: the same output
    assert not np.allclose(array(same["data"][1]["y"]), reference, atol=1e-3)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["W1 (with b1)"] == f"{384 * 1536 + 1536:,}"
    assert metrics["Attention (W^Q, W^K, W^V, W^O)"] == f"{4 * 384 * 384 + 4 * 384:,}"


def test_residual_and_norm_views(at):
    trace = trace_block(TEXT)
    at.radio(key="view").set_value("Residuals").run()
    assert_no_exception(at)
    share = find(at, "How much FFN adds")
    np.testing.assert_allclose(array(share["data"][0]["z"]), sublayer_share(trace, "ffn"), rtol=1e-5)
    at.radio(key="view").set_value("LayerNorm").run()
    assert_no_exception(at)
    stats = find(at, "LayerNorm's input")
    layer = at.slider(key="enc_layer").value - 1
    np.testing.assert_allclose(array(stats["data"][0]["y"]), trace.attention_norm_mean[layer], rtol=1e-5)
    np.testing.assert_allclose(array(stats["data"][1]["y"]), trace.attention_norm_variance[layer], rtol=1e-5)
    strips = find(at, "through LayerNorm")
    normalised = array(strips["data"][1]["z"]).ravel()
    assert abs(normalised.mean()) < 1e-4 and abs(normalised.var() - 1) < 1e-2


def test_post_ln_against_pre_ln_and_the_decoder_output():
    at = open_page(PAGE)
    at.radio(key="view").set_value("Post-LN vs pre-LN").run()
    assert_no_exception(at)
    growth = find(at, "Post-LN renormalises")
    names = [d["name"] for d in growth["data"]]
    assert any("post-LN" in n for n in names) and any("pre-LN" in n for n in names)
    at.radio(key="arch").set_value("GPT-2").run()
    at.selectbox(key="decoder_model").set_value("char-reverse").run()  # the bundled English GPT-2 is first
    at.radio(key="view").set_value("Output").run()
    assert_no_exception(at)
    at.selectbox(key="dec_out_token").set_value(10).run()  # "=": the reversal starts
    bars = find(at, "top 10 next tokens")
    trace = trace_decoder_block("attention", model="char-reverse")
    assert [str(t) for t in bars["layout"]["xaxis"]["ticktext"]][0] == trace.next_tokens[10][0][0] == "n"


def test_encoder_decoder_views():
    at = open_page(PAGE)
    at.radio(key="arch").set_value("Encoder-decoder").run()
    assert_no_exception(at)
    strips = find(at, "ReLU(x W1 + b1)")
    assert len(array(strips["data"][1]["z"]).ravel()) == 256
    at.radio(key="view").set_value("Output").run()
    assert_no_exception(at)
    assert find(at, "linear + softmax, top")


def test_controls_in_the_address_and_a_link_opens_the_view():
    at = open_link(
        PAGE, {"arch": "GPT-2", "view": "LayerNorm", "dec_layer": "3", "blk_norm": "Around the FFN"}
    )
    assert_no_exception(at)
    assert find(at, "Layer 3: LayerNorm's input")
    keys = bound_keys(at._tree)
    assert {"arch", "view", "dec_layer", "dec_token", "blk_norm"} <= set(keys)
    hostile = open_link(PAGE, {"arch": "<b>x</b>", "view": "nan", "enc_layer": "1e309", "enc_token": "-4"})
    assert_no_exception(hostile)
    assert plotly_figures(hostile)


def test_the_map_links_every_box():
    at = open_page(PAGE)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert 'href="block?view=Feed-forward"' in html and 'href="multihead"' in html
