"""The favicon is an image drawn by the app (served by the app itself), an attention map that reads as one."""

from __future__ import annotations

import numpy as np

from viz.ui.icon import ICON_WEIGHTS, app_icon


def test_icon_weights_are_attention_rows():
    weights = np.array(ICON_WEIGHTS)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    assert (weights.argmax(axis=1) == np.arange(len(weights))).all()  # each token attends most to itself


def test_icon_is_darkest_where_attention_is_highest():
    pixels = np.asarray(app_icon(64).convert("L")).astype(float)
    assert app_icon(64).size == (64, 64)
    cell = 64 // len(ICON_WEIGHTS)
    brightness = np.array(
        [[pixels[i * cell + cell // 2, j * cell + cell // 2] for j in range(4)] for i in range(4)]
    )
    weights = np.array(ICON_WEIGHTS)
    order = np.argsort(weights, axis=None)
    assert (np.diff(brightness.ravel()[order]) <= 0).all()  # more weight, never lighter


def test_app_sets_the_drawn_icon():
    from pathlib import Path

    app = (Path(__file__).resolve().parents[2] / "navigation.py").read_text()
    assert "page_icon=app_icon()" in app  # the browser test checks no request leaves the app's server
