"""Swin and vision-results figures: titles and axis labels on every chart, and the data they carry equal to
what they were given (the course's tables, the mask, the costs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from viz.analysis import swin as an
from viz.data import vision_results as vr
from viz.figures import swin as fig
from viz.figures import vision_results as vfig
from viz.figures.style import MINUS_INF
from viz.models.swin.config import SWIN_T

IMAGE = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)


def _title(figure) -> str:
    return figure.layout.title.text or ""


def _axis_titles(figure) -> list[str]:
    layout = figure.to_plotly_json()["layout"]
    return [
        axis.get("title", {}).get("text", "")
        for name, axis in layout.items()
        if name.startswith(("xaxis", "yaxis")) and axis.get("title")
    ]


def _all_figures():
    regular, shifted = an.window_ids(16, 16, 4), an.window_ids(16, 16, 4, 2)
    from viz.models.swin.model import region_labels

    regions = region_labels(16, 16, 4, 2).numpy()
    allowed = regions.reshape(4, 4, 4, 4).transpose(0, 2, 1, 3).reshape(16, 16)
    mask = np.where(np.equal.outer(allowed[-1], allowed[-1]), 0.0, -np.inf)
    heat = np.full((2, 16, 16), np.nan)
    heat[:, 12:, 12:] = 1 / 16
    status = np.zeros((16, 16), dtype=np.int8)
    status[12:, 12:] = 1
    imagenet = pd.DataFrame(vr.records(vr.IMAGENET))
    coco = pd.DataFrame(vr.records(vr.COCO))
    return {
        "partition": fig.window_partition_figure(IMAGE, 16, 4, 0, regular, "Regular windows"),
        "shifted": fig.window_partition_figure(IMAGE, 16, 4, 2, shifted, "Shifted windows"),
        "regions": fig.region_figure(IMAGE, 16, 4, 0, regions, an.REGION_NAMES, "After the shift"),
        "mask": fig.mask_figure(mask, [an.REGION_NAMES[r] for r in allowed[-1]], "Mask"),
        "index": fig.relative_index_figure(np.arange(16 * 16).reshape(16, 16) % 49, "Index"),
        "bias": fig.bias_heads_figure(np.zeros((3, 7, 7)), "Bias"),
        "attention": fig.window_attention_figure(
            IMAGE, heat, status, ["a", "b"], (13, 13), (12, 12, 16, 16), "Att"
        ),
        "maps": fig.stage_maps_figure([np.zeros((16, 16, 3)), np.ones((8, 8, 3))], ["s1", "s2"], 64, "Maps"),
        "pyramid": fig.pyramid_figure(an.stage_table(SWIN_T.stages(), 224), "Pyramid"),
        "cost": fig.cost_figure(an.cost_table(np.arange(4, 1025, 4), 4, 96, 7), 28.0, 7, 96, 224, "Cost"),
        "imagenet": vfig.accuracy_scatter(
            imagenet, "flops_b", "FLOPs", "ImageNet", list(vr.IMAGENET_FAMILIES)
        ),
        "coco": vfig.coco_bars(coco, "ap", "AP", "COCO", list(vr.COCO_FAMILIES)),
        "coco_scatter": vfig.coco_scatter(coco, "gflops", "GFLOPs", "COCO", list(vr.COCO_FAMILIES)),
        "vit": vfig.vit_sizes_figure(pd.DataFrame(vr.records(vr.VIT_VARIANTS)), "ViT sizes"),
    }


@pytest.mark.parametrize("name,figure", list(_all_figures().items()))
def test_every_chart_has_a_title_and_axis_labels(name, figure):
    assert _title(figure)
    titles = _axis_titles(figure)
    assert titles, name
    assert all(t.strip() for t in titles)


@pytest.mark.parametrize("axis", ["flops_b", "throughput", "params_m"])
def test_imagenet_chart_data_equal_the_typed_table(axis):
    table = pd.DataFrame(vr.records(vr.IMAGENET))
    figure = vfig.accuracy_scatter(table, axis, axis, "t", list(vr.IMAGENET_FAMILIES))
    points = {}
    for trace in figure.data:
        if trace.mode and "markers" in trace.mode and trace.text is not None:
            for name, x, y in zip(trace.text, trace.x, trace.y):
                points[name] = (x, y)
    expected = {r.model: (getattr(r, axis), r.top1) for r in vr.IMAGENET}
    assert points == expected
    colours = {t.name: t.marker.color for t in figure.data if t.name in vr.IMAGENET_FAMILIES}
    assert len(set(colours.values())) == 3 and all(c in vfig.FAMILY_COLOURS for c in colours.values())


@pytest.mark.parametrize("metric", ["ap", "ap50", "ap75", "ap_s", "ap_m", "ap_l"])
def test_coco_bars_carry_every_reported_value(metric):
    table = pd.DataFrame(vr.records(vr.COCO))
    figure = vfig.coco_bars(table, metric, metric, "t", list(vr.COCO_FAMILIES))
    drawn = {name: x for trace in figure.data for name, x in zip(trace.y, trace.x)}
    expected = {r.method: getattr(r, metric) for r in vr.COCO if getattr(r, metric) is not None}
    assert drawn == expected


@pytest.mark.parametrize("metric", ["ap_s", "ap_l"])
def test_the_doubtful_act_row_is_faded_marked_and_explained(metric):
    table = pd.DataFrame(vr.records(vr.COCO))
    figure = vfig.coco_bars(table, metric, metric, "t", list(vr.COCO_FAMILIES)).to_plotly_json()
    act = "ACT+MKKD (L=32)"
    for trace in figure["data"]:
        for name, text, opacity in zip(trace["y"], trace["text"], trace["marker"]["opacity"]):
            assert (opacity < 1) == (name == act) and text.endswith("(?)") == (name == act)
    [note] = [a["text"] for a in figure["layout"]["annotations"] if a["text"].startswith("(?)")]
    assert act in note and "swapped" in note
    plain = vfig.coco_bars(table, "ap", "AP", "t", list(vr.COCO_FAMILIES)).to_plotly_json()
    assert not [a for a in plain["layout"].get("annotations", []) if a["text"].startswith("(?)")]


def test_vit_chart_equals_the_table():
    figure = vfig.vit_sizes_figure(pd.DataFrame(vr.records(vr.VIT_VARIANTS)), "t")
    assert list(figure.data[0].x) == [v.model for v in vr.VIT_VARIANTS]
    assert list(figure.data[0].y) == [v.params_m for v in vr.VIT_VARIANTS]


def test_mask_figure_writes_minus_infinity_across_regions():
    names = ["A1", "A1", "B2", "B2"]
    mask = np.where(np.equal.outer(np.array(names), np.array(names)), 0.0, -np.inf)
    figure = fig.mask_figure(mask, names, "m")
    text = np.array(figure.data[0].text)
    assert (text[:2, 2:] == MINUS_INF).all() and (text[:2, :2] == "0").all()
    assert list(figure.data[0].x)[2].endswith("B2")
    with pytest.raises(ValueError):
        fig.mask_figure(mask, names[:3], "m")


def test_cost_chart_marks_the_crossover():
    table = an.cost_table(np.arange(4, 257, 4), 4, 96, 7)
    figure = fig.cost_figure(table, 28.0, 7, 96, None, "cost")
    assert figure.layout.shapes[0].x0 == 28.0
    vit, swin = figure.data[0], figure.data[1]
    assert np.allclose(vit.y, table["ViT global MSA (GFLOPs)"]) and np.allclose(
        swin.y, table["Swin window MSA (GFLOPs)"]
    )
    assert figure.layout.yaxis.type == "log"


def test_swin_t_pyramid_keeps_squares_square_and_its_labels_apart():
    from viz.analysis import swin as an
    from viz.models.swin.config import SWIN_T

    table = an.stage_table(SWIN_T.stages(), SWIN_T.image_size)
    layout = fig.pyramid_figure(table, "t").to_plotly_json()["layout"]
    x, y = layout["xaxis"], layout["yaxis"]
    assert y["range"][0] == 0 and y["scaleanchor"] == "x" and y.get("scaleratio", 1) == 1
    assert x["constrain"] == y["constrain"] == "domain"  # the plot shrinks; the y axis never runs below 0
    centres = np.array(x["tickvals"])
    span = x["range"][1] - x["range"][0]
    assert np.min(np.diff(centres)) / span > 0.15  # stage 3's and 4's labels (14x14x384, 7x7x768) apart


def test_small_cells_get_one_region_label_each_never_smaller_type():
    from viz.figures.swin import _region_centres

    labels = np.array([["A", "A", "B"], ["A", "A", "B"], ["C", "C", "A"]])
    ys, xs, texts = _region_centres(labels, 10.0)
    assert sorted(texts) == ["A", "A", "B", "C"]  # the lone A in the corner is its own region
    centre = texts.index("B")
    assert (xs[centre], ys[centre]) == (25.0, 10.0)
