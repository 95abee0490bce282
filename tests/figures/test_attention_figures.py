"""Attention figures: shapes validated, tokens escaped, long inputs pooled with rows still summing to 1."""

from __future__ import annotations

import numpy as np
import pytest

from viz.figures.attention import attention_heatmap, block_pool, heads_grid, model_view
from viz.figures.head_view import head_view
from viz.figures.labels import safe_label, visible


def rows(n, seed=0, lead=()):
    return np.random.default_rng(seed).dirichlet(np.ones(n), size=(*lead, n))


def test_heatmap_rejects_wrong_shape():
    with pytest.raises(ValueError, match="do not match"):
        attention_heatmap(rows(3), ["a", "b"])


def test_heatmap_keeps_repeated_tokens_apart_and_escapes():
    fig = attention_heatmap(rows(3), ["the", "the", "<b>"]).to_plotly_json()
    layout = fig["layout"]
    assert layout["xaxis"]["ticktext"] == ["the", "the", "&lt;b&gt;"]
    assert len(set(layout["xaxis"]["tickvals"])) == 3


def test_block_pool_rows_sum_to_one():
    w = rows(130, lead=(2,))
    pooled, block = block_pool(w, 64)
    assert block == 3 and pooled.shape == (2, 44, 44)
    np.testing.assert_allclose(pooled.sum(-1), 1.0, atol=1e-12)
    # first block: mean over queries 0..2 of the attention into keys 0..2
    np.testing.assert_allclose(pooled[0, 0, 0], w[0, :3, :3].sum(-1).mean())
    same, one = block_pool(w[:, :10, :10], 64)
    assert one == 1 and same is not None


def test_model_view_pools_long_inputs():
    att = rows(256, lead=(2, 3))
    fig = model_view(att, [f"t{i}" for i in range(256)])
    assert len(fig.data) == 6
    assert np.asarray(fig.data[0].z).shape == (64, 64)
    assert "pooled over blocks of 4 tokens" in fig.layout.title.text


def test_grid_quantises_only_long_inputs():
    short = heads_grid(rows(10, lead=(4,)), list("abcdefghij"), "x")
    assert np.asarray(short.data[0].z).dtype == np.float32
    long = heads_grid(rows(60, lead=(4,)), [str(i) for i in range(60)], "x")
    assert np.asarray(long.data[0].z).dtype == np.uint8


def test_head_view_filters_lines_by_token_and_weight():
    att = np.zeros((1, 4, 4))
    att[0, :, 0] = 1.0  # everyone attends to token 0
    fig = head_view(att, list("abcd"), [0])
    lines = [d for d in fig.data if d.mode == "lines"]
    ys = [y for d in lines for y in d.y if y is not None]
    assert sorted(set(ys[1::2])) == [0.0]  # all lines end at key 0
    fig = head_view(att, list("abcd"), [0], token=2)
    starts = [y for d in fig.data if d.mode == "lines" for y in d.y[0::3]]
    assert starts == [-2.0]


def test_visible_labels():
    assert visible("a\tb\x00") == "a⇥bU+0000"
    assert visible("") == "∅"
    assert safe_label("<script>") == "&lt;script&gt;"
    assert len(safe_label("x" * 100)) == 24
