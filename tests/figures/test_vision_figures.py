"""ViT figures: they carry the numbers they are given, validate their input, and escape class names."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from tests.pages.helpers import array
from viz.figures import vision as fig
from viz.figures.style import OVERLAY_COLORSCALE


def decode(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def test_png_data_uri_round_trips():
    pixels = np.random.default_rng(0).integers(0, 255, (12, 20, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode(fig.png_data_uri(pixels)), pixels)
    with pytest.raises(ValueError):
        fig.png_data_uri(np.zeros((4, 4), dtype=np.uint8))


def test_overlay_places_one_square_per_patch():
    pixels = np.zeros((64, 64, 3), dtype=np.uint8)
    heat = np.arange(64, dtype=float).reshape(8, 8) / 2016
    figure = fig.attention_overlay(pixels, heat, 8, "t", selected=(2, 3)).to_dict()
    trace = next(t for t in figure["data"] if t["type"] == "heatmap")
    np.testing.assert_allclose(array(trace["z"]), heat)
    assert (trace["x0"], trace["dx"], trace["y0"], trace["dy"]) == (4, 8, 4, 8)  # patch centres, in pixels
    box = figure["layout"]["shapes"][0]
    assert (box["x0"], box["y0"], box["x1"], box["y1"]) == (24, 16, 32, 24)
    assert figure["layout"]["xaxis"]["title"]["text"] and figure["layout"]["yaxis"]["title"]["text"]
    with pytest.raises(ValueError):
        fig.attention_overlay(pixels, np.ones((4, 4)), 8, "t")


def test_similarity_mosaic_puts_each_map_at_its_patch():
    grid = (3, 4)
    similarity = np.random.default_rng(1).uniform(-1, 1, (12, 12))
    z = array(fig.similarity_mosaic(similarity, grid, "t").to_dict()["data"][0]["z"]).astype(float)
    assert z.shape == (3 * 4 - 1, 4 * 5 - 1)
    np.testing.assert_allclose(z[4:7, 5:9], similarity[5].reshape(3, 4))  # patch 5 = row 1, column 1
    assert np.isnan(z[3]).all()  # the gap between rows of maps
    with pytest.raises(ValueError):
        fig.similarity_mosaic(similarity, (3, 3), "t")


def test_heads_grid_has_one_overlay_per_head_sharing_one_small_image():
    pixels = np.zeros((224, 224, 3), dtype=np.uint8)
    heats = np.random.default_rng(2).random((6, 14, 14))
    figure = fig.heads_overlay_grid(pixels, heats, 16, "t", n_cols=3).to_dict()
    maps = [t for t in figure["data"] if t["type"] == "heatmap"]
    images = [t for t in figure["data"] if t["type"] == "image"]
    assert len(maps) == len(images) == 6
    for h, trace in enumerate(maps):
        np.testing.assert_allclose(array(trace["z"]), heats[h])
    assert decode(images[0]["source"]).shape[0] <= 112 and images[0]["dx"] == pytest.approx(2.0)


def test_top_k_escapes_class_names():
    figure = fig.top_k_figure([("<b>cat</b>", 0.7), ("dog & co", 0.2)], "t").to_dict()
    names = list(figure["data"][0]["y"])
    assert names == ["&lt;b&gt;cat&lt;/b&gt;", "dog &amp; co"]
    np.testing.assert_allclose(array(figure["data"][0]["x"]), [0.7, 0.2])


def test_sequence_and_mosaic_layout():
    tiles = np.stack([np.full((4, 4, 3), i, dtype=np.uint8) for i in range(10)])
    image = fig.mosaic(tiles, per_row=4, gap=1)
    assert image.shape == (3 * 5 - 1, 4 * 5 - 1, 3)
    assert (image[5:9, 0:4] == 4).all()  # tile 4 starts the second row
    figure = fig.patch_sequence(tiles, "t", per_row=4).to_dict()
    assert figure["layout"]["xaxis"]["title"]["text"]


def test_distance_figure_one_point_per_head_and_layer():
    distance = np.arange(12, dtype=float).reshape(3, 4)
    figure = fig.attention_distance_figure(distance, "t").to_dict()
    assert len(figure["data"]) == 4
    np.testing.assert_allclose(array(figure["data"][1]["y"]), distance[:, 1])


def test_the_patch_grid_and_its_numbers_show_on_a_white_picture():
    white = np.full((64, 64, 3), 255, dtype=np.uint8)
    figure = fig.image_with_grid(white, 16, "t").to_dict()
    line_colours = [t["line"]["color"] for t in figure["data"] if t.get("mode") == "lines"]
    assert any(c.startswith("rgba(0, 0, 0") for c in line_colours)  # a dark band under the white lines
    numbers = next(t for t in figure["data"] if "text" in t.get("mode", ""))
    assert numbers["textfont"]["color"] == "#1B1F24" and numbers["textfont"]["size"] >= 11
    assert numbers["marker"]["color"].startswith("rgba(255, 255, 255")  # on a pale square


def test_patch_sequence_keeps_patch_edges_on_a_white_drawing():
    white = np.full((8, 8, 8, 3), 255, dtype=np.uint8)  # eight all-white patches
    spec = fig.patch_sequence(white, "t", per_row=4).to_plotly_json()
    [source] = [t["source"] for t in spec["data"] if "source" in t] or [
        i["source"] for i in spec["layout"]["images"]
    ]
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("L"))
    assert set(np.unique(pixels)) == {128, 255}  # the gaps between the white patches are grey
    assert spec["layout"]["yaxis"]["title"]["text"] == "rows"


def test_attention_is_drawn_in_colour_over_a_greyed_picture():
    teal = np.zeros((32, 32, 3), dtype=np.uint8)
    teal[..., 1:] = 160  # a teal shape would hide a teal map
    heat = np.linspace(0, 1, 16).reshape(4, 4)
    for figure in (
        fig.attention_overlay(teal, heat, 8, "t").to_dict(),
        fig.heads_overlay_grid(teal, np.stack([heat, heat]), 8, "t", n_cols=2).to_dict(),
    ):
        image = decode(next(t for t in figure["data"] if t["type"] == "image")["source"])
        assert (image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all()  # grey
        assert image.min() > 100  # dimmed: no dark area competes with the map
        trace = next(t for t in figure["data"] if t["type"] == "heatmap")
        assert trace["colorscale"] == OVERLAY_COLORSCALE


def test_greyed_keeps_light_and_dark_in_order():
    pixels = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], dtype=np.uint8)
    grey = fig.greyed(pixels)[0, :, 0]
    assert grey[0] < grey[2] < grey[1] == 255
