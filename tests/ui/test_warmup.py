"""The landing page's background plotly.js import names the chunk Streamlit itself loads for plotly charts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import streamlit as st

from tests.pages.helpers import open_page
from viz.ui.warmup import plotly_chunk

STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"


def test_chunk_is_the_one_streamlits_plotly_charts_import():
    chunk = plotly_chunk()
    assert chunk is not None and (STATIC_JS / chunk).is_file()
    index_html = (STATIC_JS.parents[1] / "index.html").read_text(encoding="utf-8")
    # the page's entry module, the script tag the warm-up script finds (type="module", src .../static/js/index.*)
    (entry,) = re.findall(r'<script type="module"[^>]*src="\./static/js/(index\.[^"]+\.js)"', index_html)
    # which imports the plotly chart lazily from a sibling URL: the same one the script imports
    assert re.search(
        r"import\(`\./" + re.escape(chunk) + "`\\)", (STATIC_JS / entry).read_text(encoding="utf-8")
    )
    assert "plotly" in (STATIC_JS / chunk).read_text(encoding="utf-8")[:5_000_000].lower()


def warmup_scripts(at) -> list:
    """The page's HTML elements that are the warm-up script (others: the app's stylesheet, the map)."""
    return [e for e in at.get("html") if "const chunk" in e.proto.body]


def test_landing_page_adds_the_script_once():
    at = open_page()
    (element,) = warmup_scripts(at)
    assert element.proto.unsafe_allow_javascript
    body = element.proto.body
    assert f"const chunk = {json.dumps(plotly_chunk())};" in body
    assert "import(url)" in body and "stVegaLiteChart" in body  # imported once the timeline is drawn


def test_pages_with_plotly_charts_carry_no_script():
    at = open_page("app_pages/positional.py")
    assert not warmup_scripts(at)


def test_warmup_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("VIZ_PLOTLY_WARMUP", "0")
    at = open_page()
    assert not warmup_scripts(at) and at.get("html")  # the stylesheet and the map are still there
