"""The layer-wise charts: layer names as the model names them, user text still made visible and escaped."""

from __future__ import annotations

import pandas as pd

from viz.figures.labels import safe_label
from viz.figures.layerwise import si_curves


def test_layer_names_keep_their_spaces():
    table = pd.DataFrame({"layer": ["embeddings", "block 1", "block 2"], "SI": [0.5, 0.7, 0.9]})
    ticks = si_curves(table, [2], "SI").to_dict()["layout"]["xaxis"]["ticktext"]
    assert ticks == ["embeddings", "block 1", "block 2"]


def test_user_text_still_shows_its_spaces_and_is_escaped():
    assert safe_label("a b") == "a␣b"
    assert safe_label("<b>x y</b>", spaces=False) == "&lt;b&gt;x y&lt;/b&gt;"
    assert safe_label("tab\there", spaces=False) == "tab⇥here"


def test_a_per_layer_line_has_whole_named_ticks_and_an_uncropped_share_axis():
    from viz.figures.matrices import line_chart

    names = ["input", "layer 1", "layer 2"]
    layout = line_chart(
        {"end to end": ([0, 1, 2], [0.9, 0.95, 0.97])}, "SI", "layer", "SI", x_names=names, y_range=(0, 1.02)
    ).to_dict()["layout"]
    assert layout["xaxis"]["ticktext"] == names and layout["xaxis"]["tickvals"] == [0, 1, 2]
    assert layout["yaxis"]["range"] == [0, 1.02]
