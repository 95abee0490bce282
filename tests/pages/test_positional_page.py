"""Positional page: the heatmap is viz.sinusoidal_encoding; M_k shifts; the learned table is MiniLM's."""

from __future__ import annotations

import numpy as np
import pytest

from tests.pages.helpers import array, assert_no_exception, open_page, plotly_figures
from viz import sinusoidal_encoding, trace_sentence
from viz.analysis.positional import concatenated_layout, shift_matrix
from viz.figures.style import DIVERGING

PAGE = "app_pages/positional.py"


@pytest.fixture
def at():
    """The page, freshly opened for each test: no test sees what another one set."""
    return open_page(PAGE)


def find(at, part):
    return next(f for t, f in plotly_figures(at).items() if part in t)


def show(at, name):
    at.segmented_control(key="pe_view").set_value(name).run()
    assert_no_exception(at)


@pytest.mark.parametrize("n,d", [(50, 128), (20, 512), (512, 512), (7, 4)])
def test_heatmap_equals_sinusoidal_encoding(at, n, d):
    show(at, "Sinusoid")
    at.slider(key="pe_n").set_value(n).run()
    at.slider(key="pe_d").set_value(d).run()
    at.radio(key="pe_layout").set_value(at.radio(key="pe_layout").options[0]).run()
    z = array(find(at, "Sinusoidal positional encoding, interleaved")["data"][0]["z"])
    np.testing.assert_allclose(z, sinusoidal_encoding(n, d), atol=1e-6)
    at.radio(key="pe_layout").set_value(at.radio(key="pe_layout").options[1]).run()
    z = array(find(at, "Sinusoidal positional encoding, concatenated")["data"][0]["z"])
    np.testing.assert_allclose(z, concatenated_layout(sinusoidal_encoding(n, d)), atol=1e-6)
    assert np.allclose(
        z[:, : d // 2], np.sin(np.arange(n)[:, None] / 10000 ** (np.arange(0, d, 2) / d)), atol=1e-6
    )


def test_toy_table_and_curves(at):
    show(at, "Sinusoid")
    at.slider(key="pe_n").set_value(12).run()
    at.slider(key="pe_d").set_value(8).run()
    toy = next(d.value for d in at.dataframe)
    np.testing.assert_allclose(toy.to_numpy(), sinusoidal_encoding(10, 4), atol=1e-9)
    curves = find(at, "Chosen dimensions over position")
    assert at.multiselect(key="pe_dims").value == [0]  # of the defaults 0, 8, 32, 96 only 0 is below d = 8
    smooth, dots = curves["data"][0], curves["data"][1]
    x = array(smooth["x"])
    assert len(x) == 8 * 11 + 1 and x[-1] == 11  # drawn between whole positions too
    np.testing.assert_allclose(array(smooth["y"]), np.sin(x.astype(np.float64)), atol=1e-9)  # dim 0: sin(pos)
    np.testing.assert_allclose(array(dots["y"]), sinusoidal_encoding(12, 8)[:, 0], atol=1e-12)


def test_dot_product_depends_only_on_offset(at):
    show(at, "Similarity")
    at.radio(key="pe_sim").set_value("dot").run()
    fig = find(at, "for several starting positions")
    curves = [array(d["y"]) for d in fig["data"]]
    shortest = min(len(c) for c in curves)
    for c in curves[1:]:
        np.testing.assert_allclose(c[:shortest], curves[0][:shortest], atol=1e-9)


@pytest.mark.parametrize("kind", ["dot", "cosine"])
def test_all_positive_similarity_is_drawn_on_a_sequential_scale(at, kind):
    """The default similarity is positive everywhere: no diverging scale from -64 to 64 around a zero
    that never occurs."""
    show(at, "Similarity")
    at.radio(key="pe_sim").set_value(kind).run()
    trace = find(at, "between every pair of positions")["data"][0]
    z = array(trace["z"])
    assert z.min() > 0
    assert trace["zmin"] == pytest.approx(z.min(), rel=1e-5) and trace["zmax"] == pytest.approx(
        z.max(), rel=1e-5
    )
    assert trace["colorscale"] != DIVERGING


def test_learned_table_colours_clip_its_outliers(at, minilm_folder):
    """One outlier dimension of MiniLM's table no longer sets its colour range (it looked blank)."""
    show(at, "Learned (MiniLM)")
    trace = find(at, "learned position embeddings")["data"][0]
    z = array(trace["z"])
    low, high = np.percentile(z, [1, 99])
    assert trace["zmax"] == pytest.approx(max(abs(low), abs(high)), rel=1e-4)
    assert trace["zmax"] < np.abs(z).max()  # the hover keeps the values beyond it
    assert "percentile" in trace["colorbar"]["title"]["text"]


@pytest.mark.parametrize("d,k", [(16, 3), (64, -7), (2, 20), (32, 0)])
def test_shift_matrix_maps_pe_to_shifted_pe(at, d, k):
    show(at, "Shift matrix M_k")
    at.slider(key="pe_shift_d").set_value(d).run()
    at.slider(key="pe_k").set_value(k).run()
    m = array(find(at, f"M_k for k = {k}")["data"][0]["z"]).astype(float)
    np.testing.assert_allclose(m, shift_matrix(k, d), atol=1e-7)
    pe = sinusoidal_encoding(300, d)
    pos = np.arange(30, 200)
    np.testing.assert_allclose(pe[pos] @ shift_matrix(k, d).T, pe[pos + k], atol=1e-6)
    shown_error = float(next(m.value for m in at.metric))
    assert shown_error < 1e-6


def test_learned_positions_are_minilms(at, minilm_folder):
    from safetensors.numpy import load_file

    show(at, "Learned (MiniLM)")
    at.slider(key="pe_learned_n").set_value(40).run()
    table = load_file(str(minilm_folder / "model.safetensors"))["embeddings.position_embeddings.weight"]
    np.testing.assert_allclose(
        array(find(at, "all-MiniLM-L6-v2: learned position embeddings")["data"][0]["z"]),
        table[:40],
        atol=1e-7,
    )
    np.testing.assert_allclose(
        array(find(at, "Sinusoid, d_model = 384")["data"][0]["z"]), sinusoidal_encoding(40, 384), atol=1e-6
    )


@pytest.mark.parametrize("text", ["Thinking Machines", "<b>hi</b> 😀", "", "word " * 300])
def test_adding_to_a_sentence(at, text):
    show(at, "Adding to a sentence")
    at.text_area(key="sentence").input(text).run()
    assert_no_exception(at)
    if not text.strip():
        assert not at.get("plotly_chart")
        return
    trace = trace_sentence(text)
    total = array(find(at, "Sum: token + position + segment")["data"][0]["z"])
    np.testing.assert_allclose(
        total, trace.token_embeddings + trace.position_embeddings + trace.segment_embeddings, atol=1e-6
    )
    # LayerNorm (with the model's own gamma and beta) of that sum is exactly the model's layer-0 hidden state
    import torch

    from viz.models.bert.registry import load_text_model

    norm = load_text_model("minilm")[0].embeddings.norm
    with torch.no_grad():
        expected = norm(torch.tensor(total).to(norm.weight.device)).cpu().numpy()
    np.testing.assert_allclose(expected, trace.hidden_states[0], atol=1e-4)
