"""The shared style: the palette written once, an import-light module, grids and picture axes as drawn."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest

from viz.figures import style

ROOT = Path(__file__).resolve().parents[2]


def test_okabe_ito_is_written_only_in_the_style_module():
    """Every other figure module, and the ui, take the palette's colours by name from viz.figures.style."""
    okabe_ito = {c.lower() for c in style.CATEGORY}
    for path in sorted([*ROOT.glob("viz/figures/*.py"), *ROOT.glob("viz/ui/*.py")]):
        if path.name == "style.py":
            continue
        written = {c.lower() for c in re.findall(r"#[0-9A-Fa-f]{6}\b", path.read_text(encoding="utf-8"))}
        assert not written & okabe_ito, f"{path.relative_to(ROOT)} writes {sorted(written & okabe_ito)}"


def test_style_imports_neither_plotly_nor_numpy():
    """The favicon takes its blue from here on the first page load, before any chart needs plotly."""
    code = "import sys, viz.figures.style; sys.exit('plotly' in sys.modules or 'numpy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_colours_cycle_and_convert():
    assert style.category(0) == style.BLUE and style.category(len(style.CATEGORY)) == style.BLUE
    assert style.rgb(style.BLUE) == (0, 114, 178)
    assert style.rgba(style.ORANGE, 0.25) == "rgba(230, 159, 0, 0.25)"


def test_grid_layout_and_its_bottom_left_panel():
    layout, refs = style.grid_layout(6, 4)
    assert refs[0] == ("x", "y") and refs[5] == ("x6", "y6")
    assert set(layout) == {f"{a}axis{style.axis_suffix(p)}" for p in range(6) for a in "xy"}
    assert style.bottom_left(6, 4) == 4 and style.bottom_left(4, 4) == 0
    style.title_pixel_panels(layout, refs, 4)
    assert layout["xaxis5"]["title"]["text"] == style.X_PIXELS
    note = style.picture_panel(layout, refs[1], 64, 32, "head 2")
    x_axis, y_axis = style.panel_axes(layout, refs[1])
    assert x_axis["range"] == [0, 64] and y_axis["range"] == [32, 0] and y_axis["scaleanchor"] == "x2"
    assert note["text"] == "head 2" and note["x"] == sum(x_axis["domain"]) / 2


def test_pixel_axes_put_y_down_at_equal_scale():
    fig = go.Figure()
    style.pixel_axes(fig, 40, 30, y=dict(title="rows"))
    layout = fig.to_plotly_json()["layout"]
    assert layout["xaxis"]["range"] == [0, 40] and layout["xaxis"]["title"]["text"] == style.X_PIXELS
    assert layout["yaxis"]["range"] == [30, 0] and layout["yaxis"]["scaleanchor"] == "x"
    assert layout["yaxis"]["title"]["text"] == "rows"
    free = go.Figure()
    style.pixel_axes(free, None, None)
    assert free.layout.yaxis.autorange == "reversed" and free.layout.xaxis.range is None


def test_type_scale_sizes_every_text_and_presenter_mode_enlarges_it():
    spec = {
        "data": [{"type": "heatmap", "z": [[1]], "text": [["1"]], "colorscale": style.ATTENTION_COLORSCALE}],
        "layout": {
            "title": {"text": "t"},
            "height": 400,
            "xaxis": {"title": {"text": "x"}},
            "yaxis2": {"tickfont": {"size": 20}},
            "annotations": [{"text": "a"}],
        },
    }
    normal = style.apply_type_scale(copy.deepcopy(spec))
    layout, trace = normal["layout"], normal["data"][0]
    assert layout["font"]["size"] == layout["xaxis"]["tickfont"]["size"] == style.TYPE_SCALE["tick"]
    assert layout["title"]["font"]["size"] == style.TYPE_SCALE["title"]
    assert layout["xaxis"]["title"]["font"]["size"] == style.TYPE_SCALE["axis_title"]
    assert layout["annotations"][0]["font"]["size"] == style.TYPE_SCALE["annotation"]
    assert trace["textfont"]["size"] == style.TYPE_SCALE["cell"]
    assert trace["colorbar"]["tickfont"]["size"] == style.TYPE_SCALE["tick"]
    assert layout["yaxis2"]["tickfont"]["size"] == 20  # a size the figure sets is kept
    assert min(style.TYPE_SCALE.values()) >= style.FONT_FLOOR
    big = style.apply_type_scale(copy.deepcopy(spec), style.PRESENTER_SCALE)
    assert big["layout"]["xaxis"]["tickfont"]["size"] == pytest.approx(14 * style.PRESENTER_SCALE)
    assert big["layout"]["yaxis2"]["tickfont"]["size"] == pytest.approx(20 * style.PRESENTER_SCALE)
    assert big["data"][0]["textfont"]["size"] == pytest.approx(14 * style.PRESENTER_SCALE)
    assert big["layout"]["height"] == int(400 * style.PRESENTER_SCALE)


def test_long_titles_wrap_at_words_and_the_margin_makes_room():
    text = "Step 3: linear + softmax, the top 10 next tokens (temperature 0.7) of the decoder at this step"
    wrapped = style.wrap_title(text, 40)
    lines = wrapped.split("<br>")
    assert len(lines) == 3 and all(len(line) <= 40 for line in lines)
    assert " ".join(lines) == text  # nothing cut
    assert style.wrap_title("short") == "short"
    spec = style.apply_type_scale({"data": [], "layout": {"title": {"text": text * 2}, "margin": {"t": 30}}})
    n_lines = spec["layout"]["title"]["text"].count("<br>") + 1
    assert n_lines >= 3 and spec["layout"]["margin"]["t"] >= n_lines * style.TYPE_SCALE["title"]


def test_robust_range_ignores_one_outlier():
    values = [0.1 * i for i in range(100)] + [1000.0]
    low, high = style.robust_range(values)
    assert 0 <= low < 1 and 9 < high < 11
    assert style.robust_range([2.0, 2.0]) == (2.0, 3.0)


def test_qkv_colours_are_three_okabe_ito_colours():
    assert set(style.QKV_COLOURS) == {"q", "k", "v"}
    assert len(set(style.QKV_COLOURS.values())) == 3 and set(style.QKV_COLOURS.values()) <= set(
        style.CATEGORY
    )


def test_overlay_is_the_attention_scale_fading_in():
    alphas = [float(c.split(",")[-1].rstrip(")")) for _, c in style.OVERLAY_COLORSCALE]
    assert alphas[0] == 0 and alphas == sorted(alphas)
    top = style.OVERLAY_COLORSCALE[-1][1]
    assert top.replace("rgba", "rgb").rsplit(",", 1)[0] + ")" == style.ATTENTION_COLORSCALE[-1][1]


def test_attention_scale_is_colorbrewers_ylorrd_from_white():
    import plotly.colors

    assert style.ATTENTION_COLORSCALE[0] == [0.0, "rgb(255,255,255)"]
    colours = [c.replace(" ", "") for c in plotly.colors.sequential.YlOrRd]
    assert [c for _, c in style.ATTENTION_COLORSCALE[1:]] == colours


def test_presenter_mode_rewraps_titles_for_its_larger_type():
    text = "all-MiniLM-L6-v2: learned position embeddings (64 × 384)"
    narrow = style.wrap_title(text, 40)
    spec = style.apply_type_scale({"data": [], "layout": {"title": {"text": narrow}}}, style.PRESENTER_SCALE)
    lines = spec["layout"]["title"]["text"].split("<br>")
    assert " ".join(lines) == text and max(len(line) for line in lines) <= 40 * 1.44 / 1.6
