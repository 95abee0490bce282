"""Matrix heatmaps choose their colour scale by the data: diverging only around a real zero, sequential for
positive values, a colour range clipped at the 1st-99th percentile where one outlier would flatten the rest."""

from __future__ import annotations

import numpy as np
import pytest

from viz.analysis.positional import similarity
from viz.figures.matrices import matrix_heatmap
from viz.figures.style import ATTENTION_COLORSCALE, DIVERGING, HEAT_COLORSCALE
from viz.layers.positional import sinusoidal_encoding


def trace_of(fig) -> dict:
    return fig.to_plotly_json()["data"][0]


def test_all_positive_similarity_is_sequential_over_its_range():
    sim = similarity(np.asarray(sinusoidal_encoding(100, 128)), "dot")  # 23.8 ... 64, all positive
    trace = trace_of(matrix_heatmap(sim, "dot", "position", "position", diverging=None))
    assert trace["colorscale"] == HEAT_COLORSCALE
    assert trace["zmin"] == pytest.approx(sim.min(), rel=1e-6) and trace["zmax"] == pytest.approx(
        64, rel=1e-6
    )


def test_signed_values_stay_diverging_around_zero():
    m = np.array([[-1.0, 0.5], [2.0, -3.0]])
    trace = trace_of(matrix_heatmap(m, "m", "x", "y", diverging=None))
    assert trace["colorscale"] == DIVERGING and trace["zmin"] == -3.0 and trace["zmax"] == 3.0
    trace = trace_of(matrix_heatmap(abs(m), "m", "x", "y", diverging=False))
    assert trace["colorscale"] == ATTENTION_COLORSCALE and trace["zmin"] == 0.0


def test_one_outlier_no_longer_sets_the_scale():
    rng = np.random.default_rng(0)
    table = rng.normal(0, 0.05, size=(64, 32)).astype(np.float32)
    table[0, 3] = 8.0  # one dimension of one position, as in MiniLM's learned table
    plain = trace_of(matrix_heatmap(table, "t", "d", "p"))
    clipped = trace_of(matrix_heatmap(table, "t", "d", "p", clip=True))
    assert plain["zmax"] == 8.0
    assert clipped["zmax"] < 0.5 and clipped["zmin"] == -clipped["zmax"]  # diverging, 99th percentile
    np.testing.assert_array_equal(clipped["z"], table)  # the hover still reads the true values
    assert "percentile" in clipped["colorbar"]["title"]["text"]
