"""Every chart on every page and view, in its default state, has a title, names its axes and writes no text
under the type scale's floor (14 px; 1.6 times that in presenter mode)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.helpers import APP, assert_no_exception, open_page, plotly_figures
from viz.figures.style import FONT_FLOOR, PRESENTER_SCALE

PAGES = ["app_pages/home.py"] + re.findall(r'st\.Page\(\s*"(app_pages/[^"]+)"', Path(APP).read_text())
PAGES = list(dict.fromkeys(PAGES))


def axis_ok(layout: dict, name: str, title: str) -> bool:
    axis = layout.get(name, {})
    if axis.get("visible") is False or axis.get("showticklabels") is False:
        return True
    text = (axis.get("title") or {}).get("text", "")
    return bool(text) or "rows =" in title  # grids of small maps say what rows and columns are in the title


def font_sizes(figure: dict) -> list[tuple[str, float]]:
    """Every text size a figure sets, as (where, px): each font entry (a key ending in "font": layout.font,
    title.font, tickfont, annotations[].font, legend.font, textfont, colorbar tickfont, ...) anywhere in its
    traces and layout (the template aside: Streamlit's own is replaced in the browser). A text whose size is
    not set is drawn at plotly's (and Streamlit's theme's) 12 px: it is listed as 12."""
    found: list[tuple[str, float]] = []

    def walk(value, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "template":
                    continue
                if key.endswith("font") and isinstance(item, dict):
                    found.append((f"{path}.{key}", item.get("size", 12)))
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    walk(figure.get("data", []), "data")
    layout = figure.get("layout", {})
    walk(layout, "layout")
    # texts drawn without any font entry of their own take these sizes: each must be set
    required = {"layout.font": layout.get("font"), "layout.title.font": layout.get("title", {}).get("font")}
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and axis.get("visible") is not False:
            if axis.get("showticklabels") is not False:
                required[f"layout.{key}.tickfont"] = axis.get("tickfont")
            if (axis.get("title") or {}).get("text"):
                required[f"layout.{key}.title.font"] = axis["title"].get("font")
    if any(t.get("showlegend") is not False and t.get("name") for t in figure.get("data", [])):
        required["layout.legend.font"] = layout.get("legend", {}).get("font")
    found += [(where, 12) for where, entry in required.items() if not (entry or {}).get("size")]
    return found


def small_text(figures: dict[str, dict], floor: float) -> list[str]:
    return [
        f"'{title[:60]}' {where} = {size} px"
        for title, figure in figures.items()
        for where, size in font_sizes(figure)
        if size < floor
    ]


def check_figures(page: str, figures: dict[str, dict]) -> None:
    for title, figure in figures.items():
        assert title.strip(), f"{page}: a chart without a title"
        layout = figure.get("layout", {})
        for axis in ("xaxis", "yaxis"):
            assert axis_ok(layout, axis, title), f"{page}: '{title}' has no {axis} title"
    small = small_text(figures, FONT_FLOOR)
    assert not small, f"{page}: text under {FONT_FLOOR} px: " + "; ".join(small[:12])


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_is_titled_labelled_and_readable(page):
    at = open_page(page, timeout=300)
    assert_no_exception(at)
    check_figures(page, plotly_figures(at))


SECTIONS = [
    (
        "app_pages/multihead.py",
        "mh_view",
        ["Model view", "Head view", "Concat & W^O", "Head statistics", "Rollout", "Neuron view"],
    ),
    (
        "app_pages/positional.py",
        "pe_view",
        ["Sinusoid", "Similarity", "Shift matrix M_k", "Learned (MiniLM)", "Adding to a sentence"],
    ),
    (
        "app_pages/walkthrough.py",
        "wt_view",
        ["Real model", "Matrix form", "Toy example (by hand)", "Ablations"],
    ),
    ("app_pages/layerwise.py", "lw_view", ["Dates (encoder-decoder)", "Layer-wise learning"]),
]


@pytest.mark.parametrize("page,key,views", SECTIONS)
def test_every_section_is_titled_labelled_and_readable(page, key, views):
    at = open_page(page, timeout=300)
    for view in views:
        at.segmented_control(key=key).set_value(view).run()
        assert_no_exception(at)
        check_figures(f"{page} {view}", plotly_figures(at))


def test_font_sizes_reads_every_text():
    """The collector sees explicit sizes, nested fonts and texts left at plotly's default."""
    figure = {
        "data": [{"type": "heatmap", "textfont": {"size": 9}, "colorbar": {"tickfont": {}}}],
        "layout": {
            "font": {"size": 14},
            "title": {"text": "t", "font": {"size": 18}},
            "xaxis": {"title": {"text": "x"}, "tickfont": {"size": 14}},
            "annotations": [{"text": "a", "font": {"size": 10}}],
        },
    }
    small = dict((where, size) for where, size in font_sizes(figure) if size < FONT_FLOOR)
    assert small == {
        "data[0].textfont": 9,
        "data[0].colorbar.tickfont": 12,
        "layout.annotations[0].font": 10,
        "layout.xaxis.title.font": 12,
    }


@pytest.mark.parametrize("page", ["app_pages/attention.py", "app_pages/multihead.py"])
def test_presenter_mode_enlarges_every_text(page):
    """With ?present=1 every chart text is about 1.6 times the floor or more."""
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.query_params["present"] = "1"
    at.run()
    at.switch_page(page).run()
    assert_no_exception(at)
    figures = plotly_figures(at)
    assert figures
    small = small_text(figures, FONT_FLOOR * PRESENTER_SCALE - 0.5)
    assert not small, f"{page} in presenter mode: " + "; ".join(small[:12])
