"""Every chart on every page, in its default state, has a title and names its axes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.pages.helpers import APP, assert_no_exception, open_page, plotly_figures

PAGES = ["app_pages/home.py"] + re.findall(r'st\.Page\("(app_pages/[^"]+)"', Path(APP).read_text())
PAGES = list(dict.fromkeys(PAGES))


def axis_ok(layout: dict, name: str, title: str) -> bool:
    axis = layout.get(name, {})
    if axis.get("visible") is False or axis.get("showticklabels") is False:
        return True
    text = (axis.get("title") or {}).get("text", "")
    return bool(text) or "rows =" in title  # grids of small maps say what rows and columns are in the title


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_is_titled_and_labelled(page):
    at = open_page(page, timeout=300)
    assert_no_exception(at)
    for title, figure in plotly_figures(at).items():
        assert title.strip(), f"{page}: a chart without a title"
        layout = figure.get("layout", {})
        for axis in ("xaxis", "yaxis"):
            assert axis_ok(layout, axis, title), f"{page}: '{title}' has no {axis} title"


SECTIONS = [
    (
        "app_pages/multihead.py",
        "mh_view",
        ["Head view", "Concat & W^O", "Head statistics", "Rollout", "Neuron view"],
    ),
    (
        "app_pages/positional.py",
        "pe_view",
        ["Similarity", "Shift matrix M_k", "Learned (MiniLM)", "Adding to a sentence"],
    ),
    ("app_pages/walkthrough.py", "wt_view", ["Matrix form", "Ablations"]),
]


@pytest.mark.parametrize("page,key,views", SECTIONS)
def test_every_section_is_titled_and_labelled(page, key, views):
    at = open_page(page, timeout=300)
    for view in views:
        at.segmented_control(key=key).set_value(view).run()
        assert_no_exception(at)
        for title, figure in plotly_figures(at).items():
            assert title.strip()
            for axis in ("xaxis", "yaxis"):
                assert axis_ok(figure.get("layout", {}), axis, title), (
                    f"{view}: '{title}' has no {axis} title"
                )
