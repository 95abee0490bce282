"""The Swin pages and the vision-results page under AppTest: the charts carry the trace's and the tables'
real numbers; generated shapes, uploads and checkpoint folders are handled without a traceback (samples, bad
and odd uploads and bad folders on both vision families: test_vision_pages.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import torch

from tests.data import image_cases as cases
from tests.models.helpers import HTML_LABELS, TINY_SWIN, TINY_VIT, with_head
from tests.pages.helpers import array, assert_no_exception, figure, open_page, plotly_figures, texts
from tests.pages.vision import HIERARCHY, SWIN, assert_shown_as_text, choose_folder, default_shape, upload
from viz.analysis import swin as an
from viz.data import vision_results as vr
from viz.models.swin.checkpoint import save_swin
from viz.models.swin.model import SwinTransformer
from viz.trace.swin import trace_swin

RESULTS = "app_pages/vision_results.py"


def heatmaps(fig: dict) -> list[np.ndarray]:
    return [array(t["z"]) for t in fig["data"] if t["type"] == "heatmap"]


def attention_panels(fig: dict) -> list[np.ndarray]:
    """The weight maps of a window-attention chart, panel by panel (mean of heads first)."""
    return [
        array(t["z"])
        for t in fig["data"]
        if t["type"] == "heatmap" and "weight" in t.get("hovertemplate", "")
    ]


@pytest.fixture
def swin_page():
    """The Swin page, freshly opened on its default input: each test changes it as it likes."""
    return open_page(SWIN)


def test_swin_page_shows_the_traces_windows_mask_and_attention(swin_page):
    at = swin_page
    assert_no_exception(at)
    notice = next(e for e in at.expander if e.label.startswith("About the bundled model"))  # one line, opens
    assert any(
        "trained on generated drawings" in m.value and "none of these" in m.value for m in notice.markdown
    )
    trace = trace_swin(default_shape())
    top = figure(at, "Prediction of the Swin")
    assert top["data"][0]["y"][0] == trace.top(1)[0][0]

    regular = heatmaps(figure(at, "Regular windows"))[0]
    shifted = heatmaps(figure(at, "Shifted windows (SW-MSA)"))[0]
    assert regular.shape == shifted.shape == (16, 16)
    assert len(np.unique(regular)) == 4  # four tints, neighbouring windows differ
    assert "16 of 4 x 4" in next(t for t in plotly_figures(at) if "Regular windows" in t)
    assert "25 windows" in next(t for t in plotly_figures(at) if "Shifted windows (SW-MSA)" in t)

    block = next(b for b in trace.blocks if b.shift)
    mask_fig = figure(at, "The mask of window 16")
    hidden = array(mask_fig["data"][0]["z"]).astype(bool)
    mask, names = an.window_mask(block.allowed, block.regions, 15, block.padded, block.window)
    assert np.array_equal(hidden, np.isneginf(mask))
    assert [label.split()[-1] for label in mask_fig["data"][0]["x"]] == names

    index = heatmaps(figure(at, "Relative position index"))[0]
    assert np.array_equal(index, trace.relative_index)
    bias = heatmaps(figure(at, "Learned relative position bias"))
    np.testing.assert_allclose(np.stack(bias), an.bias_grid(trace.blocks[0].bias_table, 4), atol=1e-6)

    attention = figure(at, "Token (row 16, column 16), stage 1, block 2")
    maps = attention_panels(attention)
    assert len(maps) == 1 + block.n_heads
    geometry = (block.weights, block.allowed, block.resolution, block.padded, block.window, block.shift)
    for head, z in enumerate(maps[1:]):  # maps[0] is the mean of heads
        expected, _ = an.patch_window_attention(*geometry, 15, 15, head)
        np.testing.assert_allclose(z, expected, atol=1e-6)
        assert np.isclose(np.nansum(z), 1.0, atol=1e-5)


def test_swin_page_widgets(swin_page):
    at = swin_page
    at.selectbox(key="swin_stage").set_value(1).run()
    assert_no_exception(at)
    assert "4 of 4 x 4" in next(t for t in plotly_figures(at) if "Regular windows" in t)
    at.selectbox(key="swin_mask_window").set_value(0).run()
    assert (
        array(figure(at, "The mask of window 1")["data"][0]["z"]).sum() == 0
    )  # an inner window: nothing masked
    at.selectbox(key="swin_att_block").set_value(0).run()
    at.number_input(key="swin_q_row").set_value(3).run()
    at.number_input(key="swin_q_col").set_value(6).run()
    assert_no_exception(at)
    trace = trace_swin(default_shape())
    block = trace.blocks[0]
    attention = figure(at, "Token (row 3, column 6), stage 1, block 1")
    maps = attention_panels(attention)
    expected, status = an.patch_window_attention(
        block.weights, None, block.resolution, block.padded, block.window, 0, 2, 5, 0
    )
    np.testing.assert_allclose(maps[1], expected, atol=1e-6)
    assert (status[:4, 4:8] == an.SAME_REGION).all() and (status != an.OUTSIDE).sum() == 16
    at.selectbox(key="swin_att_block").set_value(
        5
    ).run()  # stage 3: a 4 x 4 grid, the row and column are clamped
    assert_no_exception(at)
    assert figure(at, "stage 3, block 2")


def test_upload_is_traced_and_its_name_stays_text():
    name = "<b>cat</b> **bold** [x](javascript:alert(1)).png"
    at = upload(open_page(SWIN), name, cases.good_png(), "image/png")
    assert_shown_as_text(at, name)
    trace = trace_swin(cases.good_png())
    block = next(b for b in trace.blocks if b.shift)
    hidden = array(figure(at, "The mask of window")["data"][0]["z"]).astype(bool)
    assert np.array_equal(hidden, ~block.allowed[-1])
    at.switch_page(HIERARCHY).run()  # the upload is shared with the other vision pages
    assert_no_exception(at)
    assert name in texts(at)


@pytest.fixture(scope="module")
def swin_folders(tmp_path_factory):
    """A random Swin with a 3-class head whose labels are HTML, and one without a head (7 x 7 windows)."""
    root = tmp_path_factory.mktemp("swin-folders")
    torch.manual_seed(0)
    headed = SwinTransformer(dataclasses.replace(with_head(TINY_SWIN, HTML_LABELS), patch_size=2))
    backbone = SwinTransformer(dataclasses.replace(TINY_SWIN, image_size=56, n_heads=(1, 2), window_size=7))
    return save_swin(headed.eval(), root / "head"), save_swin(backbone.eval(), root / "backbone")


def test_checkpoint_folder_with_head(swin_folders):
    at = choose_folder(open_page(SWIN), "swin", swin_folders[0])
    assert_no_exception(at)
    top = figure(at, "Prediction of the Swin")
    assert len(top["data"][0]["y"]) == 3
    assert not any("<" in label for label in top["data"][0]["y"])  # escaped labels
    assert heatmaps(figure(at, "Regular windows"))[0].shape == (16, 16)


def test_checkpoint_folder_without_head_and_7x7_windows(swin_folders):
    at = choose_folder(open_page(SWIN), "swin", swin_folders[1])
    assert_no_exception(at)
    assert any("no classification head" in i.value for i in at.info)
    assert array(figure(at, "The mask of window")["data"][0]["z"]).shape == (49, 49)
    assert "(25 windows" not in " ".join(plotly_figures(at))


def test_a_vit_folder_is_refused_on_the_swin_page(tmp_path):
    from viz.models.vit.checkpoint import save_vit
    from viz.models.vit.model import VisionTransformer

    save_vit(
        VisionTransformer(dataclasses.replace(TINY_VIT, d_model=16, n_layers=1, n_heads=2, d_ff=32)), tmp_path
    )
    at = choose_folder(open_page(SWIN), "swin", tmp_path)
    assert_no_exception(at)
    assert "not a Swin Transformer" in texts(at)


def test_hierarchy_page_pyramids_and_cost():
    at = open_page(HIERARCHY)
    assert_no_exception(at)
    pyramid = figure(at, "Swin-T at 224 px: the feature maps")
    assert [t.replace("<br>", " ") for t in pyramid["layout"]["xaxis"]["ticktext"]] == [
        f"stage {i} {side}" for i, side in enumerate(["56x56x96", "28x28x192", "14x14x384", "7x7x768"], 1)
    ]
    table = at.dataframe[0].value
    assert list(table[table["model"] == "Swin-T"]["feature map"]) == [
        "56x56x96",
        "28x28x192",
        "14x14x384",
        "7x7x768",
    ]
    assert list(table[table["model"] == "this model"]["feature map"]) == ["16x16x32", "8x8x64", "4x4x128"]
    maps = figure(at, "What each stage computed")
    assert len([t for t in maps["data"] if t["type"] == "image"]) == 3
    at.slider(key="swin_cost_m").set_value(8).run()
    at.select_slider(key="swin_cost_c").set_value(128).run()
    assert_no_exception(at)
    cost = figure(at, "Cost of one attention layer")
    sides = array(cost["data"][0]["x"])
    expected = an.cost_table(sides, 4, 128, 8)
    np.testing.assert_allclose(array(cost["data"][0]["y"]), expected["ViT global MSA (GFLOPs)"])
    np.testing.assert_allclose(array(cost["data"][1]["y"]), expected["Swin window MSA (GFLOPs)"])
    assert cost["layout"]["shapes"][0]["x0"] == 32  # crossover: hw = M^2 = 64 tokens, 8 x 4 = 32 px a side


def test_vision_results_charts_equal_the_typed_tables():
    at = open_page(RESULTS)
    assert_no_exception(at)
    for axis, field in (("flops_b", "flops_b"), ("throughput", "throughput"), ("params_m", "params_m")):
        at.segmented_control(key="vr_axis").set_value(axis).run()
        chart = figure(at, "ImageNet top-1 accuracy against")
        drawn = {
            name: (x, y)
            for t in chart["data"]
            if t.get("text") and "markers" in t.get("mode", "")
            for name, x, y in zip(t["text"], array(t["x"]), array(t["y"]))
        }
        assert drawn == {r.model: (getattr(r, field), r.top1) for r in vr.IMAGENET}
    table = at.dataframe[0].value
    assert len(table) == len(vr.IMAGENET) and list(table.columns) == list(vr.IMAGENET_COLUMNS.values())
    coco = figure(at, "Object detection on COCO 2017: AP")
    drawn = {m: x for t in coco["data"] for m, x in zip(t["y"], array(t["x"]))}
    assert drawn == {r.method: r.ap for r in vr.COCO}
    assert len(at.dataframe[1].value) == len(vr.COCO)
    vit = at.dataframe[2].value
    assert list(vit["Params (M)"]) == [86, 307, 632]
    captions = " ".join(c.value for c in at.caption)
    assert "Han et al." in captions and "Kalhor" in captions
    at.pills(key="vr_families").set_value([vr.PURE]).run()
    assert_no_exception(at)
    assert set(at.dataframe[0].value["Family"]) == {vr.PURE}
    at.segmented_control(key="vr_coco_metric").set_value("ap_s").run()
    assert_no_exception(at)
    assert "Swin-T+ATSS" in texts(at)  # named as not reported
    assert isinstance(table, pd.DataFrame)


def test_checkpoint_folder_shows_the_class_names_of_its_id2label(tmp_path):
    """A SwinForImageClassification folder made by transformers: the top-5 names are its config's id2label."""
    from tests.models.helpers import IMAGENET_STYLE_LABELS, random_reference, write_id2label

    transformers = pytest.importorskip("transformers")
    config = transformers.SwinConfig(
        image_size=32, patch_size=4, embed_dim=8, depths=[2], num_heads=[2], window_size=4, num_labels=3
    )
    random_reference(transformers.SwinForImageClassification, config, seed=0, keep="norm").save_pretrained(
        tmp_path
    )
    write_id2label(tmp_path, IMAGENET_STYLE_LABELS)
    at = choose_folder(open_page(SWIN), "swin", tmp_path)
    assert_no_exception(at)
    shown = figure(at, "Prediction of the Swin")["data"][0]["y"]
    assert sorted(shown) == sorted(IMAGENET_STYLE_LABELS)
    assert not any("no classification head" in i.value for i in at.info)
