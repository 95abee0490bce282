"""The milestones timeline: a valid Vega-Lite spec carrying every milestone, and a PNG of the same layout."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viz.data.milestones import MILESTONES
from viz.figures.timeline import (
    FIELD_COLOURS,
    TITLE,
    X_TITLE,
    TimelineLayout,
    date_domain,
    timeline_png,
    timeline_rows,
    timeline_spec,
)


def _layers_with(spec: dict, mark: str) -> list[dict]:
    return [layer for layer in spec["layer"] if layer["mark"]["type"] == mark]


def test_spec_is_valid_vega_lite_v6():
    jsonschema = pytest.importorskip("jsonschema")
    altair = pytest.importorskip("altair")
    schema_path = Path(altair.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.validate(timeline_spec(MILESTONES), schema)  # raises on any unknown key or wrong type


def test_spec_has_title_axis_label_and_every_milestone_once():
    spec = timeline_spec(MILESTONES)
    assert spec["title"]["text"] == TITLE
    (points,) = _layers_with(spec, "point")
    assert points["encoding"]["x"]["title"] == X_TITLE == "Date"
    assert points["encoding"]["y"]["axis"] is None  # the lane height means nothing: no axis to read
    shown = sorted((r["date"], r["name"], r["field"]) for r in points["data"]["values"])
    assert shown == sorted((f"{d}-01", n, f) for d, n, _, f in MILESTONES)
    names = [r["name"] for layer in _layers_with(spec, "text") for r in layer["data"]["values"]]
    assert sorted(names) == sorted(m[1] for m in MILESTONES)  # every name printed exactly once
    tooltip = [t["field"] for t in points["encoding"]["tooltip"]]
    assert "what" in tooltip and "name" in tooltip


def test_spec_colours_are_okabe_ito_by_field():
    (points,) = _layers_with(timeline_spec(MILESTONES), "point")
    scale = points["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {"NLP": "#0072B2", "Vision": "#D55E00"}
    assert set(scale["domain"]) == {m[3] for m in MILESTONES}


def test_spec_keeps_its_data_inline_per_layer():
    """Top-level data would make Streamlit convert it to Arrow (pandas + pyarrow on the landing page)."""
    spec = timeline_spec(MILESTONES)
    assert "data" not in spec and "datasets" not in spec
    assert all("values" in layer["data"] for layer in spec["layer"])
    json.dumps(spec)  # plain JSON: nothing for Streamlit to serialise


def test_names_sit_on_the_far_side_of_their_points():
    text_layers = _layers_with(timeline_spec(MILESTONES), "text")
    for layer in text_layers:
        lanes = {r["lane"] > 0 for r in layer["data"]["values"]}
        assert len(lanes) == 1
        above = lanes.pop()
        assert (layer["mark"]["dy"] < 0) == above  # above the axis: name above the point, and vice versa


def test_milestones_close_in_time_get_different_lanes():
    rows = timeline_rows(MILESTONES)
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            gap = abs((date.fromisoformat(a["date"]) - date.fromisoformat(b["date"])).days)
            if gap <= 92:
                assert a["lane"] != b["lane"], (a["name"], b["name"])


def test_date_domain_spans_whole_years():
    assert date_domain(MILESTONES) == ("2017-01-01", "2022-01-01")


def _hex(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def test_png_draws_each_point_at_its_date_in_its_field_colour():
    image = Image.open(io.BytesIO(timeline_png(MILESTONES)))
    assert image.format == "PNG" and image.size == (1600, 760)
    pixels = np.asarray(image.convert("RGB")).astype(int)
    layout = TimelineLayout(MILESTONES)
    start, end = date(2017, 1, 1), date(2022, 1, 1)
    for row in timeline_rows(MILESTONES):
        # x from the date alone, worked out here: the fraction of 2017-2021 elapsed, across the plot area
        fraction = (date.fromisoformat(row["date"]) - start).days / (end - start).days
        x = round(layout.left + fraction * (layout.right - layout.left))
        y = round(layout.y(row["lane"]))
        centre = pixels[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3)
        assert np.abs(centre - _hex(FIELD_COLOURS[row["field"]])).max() <= 2, row["name"]


def test_png_draws_the_time_axis_and_the_title():
    pixels = np.asarray(Image.open(io.BytesIO(timeline_png(MILESTONES))).convert("L")).astype(int)
    layout = TimelineLayout(MILESTONES)
    axis_row = pixels[round(layout.y(0)), layout.left + 5 : layout.right - 5]
    assert (axis_row < 200).mean() > 0.95  # a grey line across the plot (stems and points are darker)
    assert (pixels[20:70, layout.left : layout.left + 500] < 100).any()  # dark title text at the top left
    assert (pixels[layout.bottom + 14 : layout.bottom + 40] < 150).any()  # tick labels under the axis
