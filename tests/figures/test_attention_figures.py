"""Attention figures: shapes validated, tokens escaped, long inputs pooled with rows still summing to 1."""

from __future__ import annotations

import numpy as np
import pytest

from viz.figures.attention import TICK_PITCH_PX, attention_heatmap, block_pool, heads_grid, model_view
from viz.figures.head_view import head_colour, head_view
from viz.figures.labels import safe_label, visible
from viz.figures.style import FONT_FLOOR, attention_colorscale, contrast_inverse


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


def drawn_lines(fig) -> list[dict]:
    """The head view's line traces (its legend chips, which draw nothing, left out)."""
    return [d for d in fig.to_plotly_json()["data"] if d["mode"] == "lines" and d.get("showlegend") is False]


def test_head_view_filters_lines_by_token_and_weight():
    att = np.zeros((1, 4, 4))
    att[0, :, 0] = 1.0  # everyone attends to token 0
    fig = head_view(att, list("abcd"), [0])
    ys = [y for d in drawn_lines(fig) for y in d["y"] if y is not None]
    assert sorted(set(ys[1::2])) == [0.0]  # all lines end at key 0
    fig = head_view(att, list("abcd"), [0], token=2)
    starts = [y for d in drawn_lines(fig) for y in d["y"][0::3]]
    assert starts == [-2.0]


def lab(hex_colour: str) -> np.ndarray:
    """CIE L*a*b* of an sRGB colour (D65), for colour differences."""
    c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ c
    xyz /= [0.95047, 1.0, 1.08883]
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_twelve_heads_have_twelve_distinct_strong_colours():
    colours = [head_colour(h) for h in range(12)]
    assert len(set(colours)) == 12
    points = [lab(c) for c in colours]
    closest = min(np.linalg.norm(a - b) for i, a in enumerate(points) for b in points[i + 1 :])
    assert closest > 20  # every pair told apart (heads 1 and 3 were both a pale teal)
    assert all(p[0] < 75 for p in points)  # none pale on white


def test_head_view_colour_is_the_head_weight_is_opacity_and_width():
    att = np.zeros((3, 5, 5))
    att[:, :, 0], att[:, :, 1], att[:, :, 2] = 0.65, 0.3, 0.05  # three bands of weight per query
    fig = head_view(att, list("abcde"))
    lines = drawn_lines(fig)
    for h in range(3):
        own = [d for d in lines if d["legendgroup"] == f"h{h}"]
        assert {d["line"]["color"] for d in own} == {head_colour(h)}  # one full-strength colour, no grey
        by_weight = sorted(own, key=lambda d: d["line"]["width"])
        assert [d["opacity"] for d in by_weight] == sorted(d["opacity"] for d in own)
        assert by_weight[0]["line"]["width"] < by_weight[-1]["line"]["width"]
        assert by_weight[-1]["opacity"] >= 0.85 and by_weight[0]["opacity"] >= 0.25
    chips = [d for d in fig.to_plotly_json()["data"] if d["mode"] == "lines" and d not in lines]
    assert [c["name"] for c in chips] == ["head 1", "head 2", "head 3"]  # all heads on by default
    assert all(c["line"]["width"] >= 6 and "opacity" not in c for c in chips)  # chips at full strength
    assert {c["legendgroup"] for c in chips} == {d["legendgroup"] for d in lines}  # a chip toggles its head


def test_head_view_hover_names_each_tokens_strongest_links():
    att = np.full((2, 3, 3), 0.1)
    att[0, 1, 2] = 0.8
    att[1, :, 0] = 0.8
    fig = head_view(att, ["x", "y", "z"]).to_plotly_json()
    queries, keys = [d for d in fig["data"] if d["mode"] == "text"]
    assert "head 1: z 0.80" in queries["hovertext"][1]  # query y attends most to z in head 1
    assert "head 2: x 0.80" in queries["hovertext"][1]
    assert "head 2: x 0.80, y 0.80, z 0.80" in keys["hovertext"][0]  # key x, attended by every query
    assert queries["textfont"]["size"] >= FONT_FLOOR


def test_contrast_moves_only_the_colours():
    w = rows(40)
    linear = attention_heatmap(w, [str(i) for i in range(40)]).to_plotly_json()["data"][0]
    for contrast in ("sqrt", "log"):
        trace = attention_heatmap(w, [str(i) for i in range(40)], contrast=contrast).to_plotly_json()["data"][
            0
        ]
        np.testing.assert_array_equal(trace["z"], linear["z"])  # the hover shows the true weight
        assert trace["hovertemplate"] == linear["hovertemplate"]
        assert (trace["zmin"], trace["zmax"]) == (0.0, 1.0)
        assert trace["colorscale"] == attention_colorscale(contrast)
    with pytest.raises(ValueError, match="contrast"):
        attention_heatmap(w, [str(i) for i in range(40)], contrast="gamma")


def test_sqrt_and_log_contrast_colour_small_weights_darker():
    uniform = 1 / 60  # a 60-token row
    for contrast in ("sqrt", "log"):
        scale = attention_colorscale(contrast)
        positions = [p for p, _ in scale]
        assert positions == sorted(positions) and positions[0] == 0 and positions[-1] == 1
        # the scale's middle colour now sits at a small weight: sqrt(w) = 0.5 at w = 0.25
        middle = scale[len(scale) // 2][0]
        assert middle == pytest.approx(contrast_inverse(contrast, 0.5), abs=1e-6) and middle < 0.25 + 1e-9
        assert contrast_inverse(contrast, 0.3) > uniform / 2  # and a uniform row no longer looks white


def test_heads_grid_takes_fewer_heads_per_row_than_shrinking_its_type():
    fig = heads_grid(rows(16, lead=(12,)), [f"tok{i}" for i in range(16)], "x").to_plotly_json()
    layout = fig["layout"]
    columns = {tuple(v["domain"]) for k, v in layout.items() if k.startswith("xaxis")}
    assert len(columns) == 3  # 12 heads, three per row at 1366 px
    ticked = [v for k, v in layout.items() if k[1:5] == "axis" and v.get("showticklabels")]
    assert ticked and all(v["tickfont"]["size"] >= FONT_FLOOR for v in ticked)
    assert all(len(v["ticktext"]) == 16 for v in ticked)  # 16 tokens fit on a panel: all labelled
    assert all(a["font"]["size"] >= FONT_FLOOR for a in layout["annotations"])
    long = heads_grid(rows(60, lead=(12,)), [str(i) for i in range(60)], "x").to_plotly_json()["layout"]
    ticks = long["yaxis"]["ticktext"]
    assert len(ticks) < 60 and len(ticks) * TICK_PITCH_PX <= 300  # thinned so labels never overlap


def test_visible_labels():
    assert visible("a\tb\x00") == "a⇥bU+0000"
    assert visible("") == "∅"
    assert safe_label("<script>") == "&lt;script&gt;"
    assert len(safe_label("x" * 100)) == 24
