"""Reading what a page sent to the browser, for AppTest-based page tests."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "navigation.py"

_DTYPES = {
    "f4": np.float32,
    "f8": np.float64,
    "u1": np.uint8,
    "i1": np.int8,
    "u2": np.uint16,
    "i2": np.int16,
    "u4": np.uint32,
    "i4": np.int32,
}


def open_page(page: str | None = None, timeout: float = 120) -> AppTest:
    """Run navigation.py (navigation and sidebar included) and switch to ``page``."""
    at = AppTest.from_file(str(APP), default_timeout=timeout).run()
    if page:
        at.switch_page(page).run()
    return at


def plotly_figures(at: AppTest) -> dict[str, dict]:
    """Every plotly chart on the page as its JSON spec, keyed by its title."""
    figures = {}
    for element in at.get("plotly_chart"):
        figure = json.loads(element.proto.spec)
        figures[titles(figure)] = figure
    return figures


def array(value) -> np.ndarray:
    """Decode a plotly array: a plain list or the typed-array form {"dtype", "bdata", "shape"}."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=_DTYPES[value["dtype"]])
        if "shape" in value:
            shape = value["shape"]
            shape = [int(s) for s in shape.split(",")] if isinstance(shape, str) else shape
            data = data.reshape(shape)
        return data
    return np.asarray(value)


def titles(figure: dict) -> str:
    """A chart's title as one line (long titles wrap with ``<br>``, read here as a space)."""
    title = figure.get("layout", {}).get("title", {})
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    return text.replace("<br>", " ")


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def figure(at: AppTest, fragment: str) -> dict:
    """The first plotly chart whose title contains ``fragment`` (failing with the titles there are if none)."""
    figures = plotly_figures(at)
    matches = [f for title, f in figures.items() if fragment in title]
    assert matches, f"no chart titled with {fragment!r} among {list(figures)}"
    return matches[0]


def texts(at: AppTest) -> str:
    """Every ``st.text`` on the page, one per line."""
    return "\n".join(t.value for t in at.text)
