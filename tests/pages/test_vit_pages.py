"""The two ViT pages under AppTest: charts carry the trace's real numbers; shapes, uploads and checkpoint folders
are handled (samples, bad and odd uploads and bad folders on both vision families: test_vision_pages.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.data import image_cases as cases
from tests.models.helpers import (
    HTML_LABELS,
    IMAGENET_STYLE_LABELS,
    TINY_VIT,
    random_reference,
    with_head,
    write_id2label,
)
from tests.pages.helpers import array, assert_no_exception, figure, open_page, plotly_figures, texts
from tests.pages.vision import ATTENTION, PATCHES, assert_shown_as_text, choose_folder, default_shape, upload
from viz.data.shapes import CLASSES, make_shapes
from viz.models.vit.checkpoint import save_vit
from viz.models.vit.model import VisionTransformer
from viz.trace.vit import trace_image
from viz.ui.vision_inputs import SOURCES
from viz.ui.vit_views import POINTING_FIGURES

PAGES = [PATCHES, ATTENTION]


def heat(fig: dict) -> np.ndarray:
    return array(next(t for t in fig["data"] if t["type"] == "heatmap")["z"])


@pytest.fixture
def patches_page():
    """The patch page, freshly opened on its default input: each test changes it as it likes."""
    return open_page(PATCHES)


@pytest.fixture
def attention_page():
    """The attention page, freshly opened on its default input."""
    return open_page(ATTENTION)


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_title_and_axis_labels(page):
    at = open_page(page)
    assert_no_exception(at)
    figures = plotly_figures(at)
    assert len(figures) >= 6
    for title, fig in figures.items():
        assert title.strip(), "a chart without a title"
        layout = fig["layout"]
        x_titles = [v.get("title", {}).get("text") for k, v in layout.items() if k.startswith("xaxis")]
        y_titles = [v.get("title", {}).get("text") for k, v in layout.items() if k.startswith("yaxis")]
        assert any(x_titles) and any(y_titles), f"{title!r} lacks axis labels"
    notice = next(e for e in at.expander if e.label.startswith("About the bundled model"))  # one line, opens
    assert any(
        "trained on generated drawings" in m.value and "none of these" in m.value for m in notice.markdown
    )


def test_patch_page_shows_the_traces_numbers(patches_page):
    at = patches_page
    trace = trace_image(default_shape())
    flat = heat(figure(at, "flattened"))
    assert flat.shape == (min(64, trace.n_patches), trace.patches.shape[1])  # at most 64 rows are drawn
    np.testing.assert_allclose(flat, trace.patches[: len(flat)], atol=1e-6)
    similarity = heat(figure(at, "cosine similarity"))
    unit = trace.position_embeddings[1:] / np.linalg.norm(
        trace.position_embeddings[1:], axis=1, keepdims=True
    )
    g = trace.grid[0]
    np.testing.assert_allclose(
        similarity[:g, :g], (unit @ unit.T)[0].reshape(g, g), atol=1e-5
    )  # patch 1's map
    table = next(d.value for d in at.dataframe if "Published" in d.value.columns)
    assert list(table["Model"]) == ["ViT-Base", "ViT-Large", "ViT-Huge"]
    for diff in table["Difference"]:
        assert abs(float(diff.rstrip("%"))) < 1.0


def test_heads_patch_and_rollout_charts_carry_the_trace(attention_page):
    at = attention_page
    trace = trace_image(default_shape())
    at.slider(key="vit_layer").set_value(2).run()
    assert_no_exception(at)
    heads = figure(at, "Layer 2: where [CLS] looks")
    maps = [array(t["z"]) for t in heads["data"] if t["type"] == "heatmap"]
    assert len(maps) == trace.n_heads
    for h, z in enumerate(maps):
        np.testing.assert_allclose(z.ravel(), trace.attentions[1, h, 0, 1:], atol=1e-6)

    at.number_input(key="vit_patch_row").set_value(2).run()
    at.number_input(key="vit_patch_col").set_value(7).run()
    at.selectbox(key="vit_patch_head").set_value(3).run()
    at.slider(key="vit_patch_layer").set_value(3).run()
    patch = heat(figure(at, "Patch (row 2, column 7) in layer 3, head 3"))
    np.testing.assert_allclose(patch.ravel(), trace.attentions[2, 2, 1 + trace.grid[1] + 6, 1:], atol=1e-6)

    for fusion, discard in (("mean", 0.0), ("max", 0.5), ("min", 0.9)):
        at.radio(key="vit_fusion").set_value(fusion).run()
        at.slider(key="vit_discard").set_value(discard).run()
        rollout = heat(figure(at, f"Attention rollout ({fusion} of heads"))
        np.testing.assert_allclose(rollout, trace.rollout_map(fusion, discard), atol=1e-6)
        np.testing.assert_allclose(rollout.sum(), 1.0, atol=1e-5)
    # The bundled model's rollout was trained to point: the page says so, with both runs' figures.
    notice = next(i.value for i in at.info if "attention supervision" in i.value)
    assert f"{POINTING_FIGURES['supervised']:.0%} of its rollout lands on the shape" in notice
    assert f"puts only {POINTING_FIGURES['labels_only']:.0%}" in notice

    other = (trace.target_class + 3) % len(CLASSES)
    at.selectbox(key="vit_grad_class").set_value(other).run()
    assert_no_exception(at)
    gradient = heat(figure(at, f"Gradient rollout for the class '{CLASSES[other]}'"))
    expected = trace_image(default_shape(), target_class=other).gradient_rollout_map(0.9)
    np.testing.assert_allclose(gradient, expected, atol=1e-5)


def test_upload_survives_a_page_switch_and_file_names_stay_text():
    name = "<b>cat</b> **bold** [x](javascript:alert(1)).png"
    at = upload(open_page(PATCHES), name, cases.good_png(), "image/png")
    assert_shown_as_text(at, name)  # shown literally, with st.text
    at.switch_page(ATTENTION).run()
    assert_no_exception(at)
    assert name in texts(at)
    np.testing.assert_allclose(
        heat(figure(at, "Attention rollout")), trace_image(cases.good_png()).rollout_map(), atol=1e-6
    )


@pytest.fixture(scope="module")
def checkpoint_folders(tmp_path_factory):
    """A random ViT with a 3-class head whose labels are HTML, and one without a head."""
    root = tmp_path_factory.mktemp("vit-folders")
    torch.manual_seed(0)
    headed = VisionTransformer(with_head(TINY_VIT, HTML_LABELS))
    backbone = VisionTransformer(
        dataclasses.replace(TINY_VIT, image_size=48, patch_size=16, n_layers=3, n_heads=2, pooler=True)
    )
    return save_vit(headed.eval(), root / "head"), save_vit(backbone.eval(), root / "backbone")


def test_checkpoint_folder_with_head(checkpoint_folders):
    at = open_page(ATTENTION)
    at.slider(key="vit_layer").set_value(4).run()  # beyond the folder model's 2 layers
    at.number_input(key="vit_patch_row").set_value(8).run()  # beyond its 4 x 4 grid
    at.selectbox(key="vit_patch_head").set_value(4).run()
    choose_folder(at, "vit", checkpoint_folders[0])
    at.radio(key="vision_source").set_value(SOURCES[1]).run()
    assert_no_exception(at)
    top = figure(at, "Prediction")
    assert len(top["data"][0]["y"]) == 3
    assert not any("<" in label for label in top["data"][0]["y"])  # escaped labels
    rollout = heat(figure(at, "Attention rollout"))
    assert rollout.shape == (4, 4)
    assert not any(
        "attention supervision" in i.value for i in at.info
    )  # only the bundled model was taught to point


def test_checkpoint_folder_without_head(checkpoint_folders):
    at = choose_folder(open_page(ATTENTION), "vit", checkpoint_folders[1])
    assert_no_exception(at)
    assert any("no classification head" in i.value for i in at.info)
    assert heat(figure(at, "Attention rollout")).shape == (3, 3)
    assert not [t for t in plotly_figures(at) if "Gradient rollout" in t]


def test_quoted_pointing_figures_match_the_model_and_the_assets_readme():
    """The page's figures: the bundled model on fresh shapes, and the table in assets/README.md."""
    from viz.models.vit.registry import load_vision_model
    from viz.training.vision.evaluate import evaluate

    images, masks, labels = make_shapes(400, seed=55_555)
    result = evaluate(load_vision_model(), images, masks, labels)
    assert abs(result.pointing_game - POINTING_FIGURES["supervised"]) < 0.03
    assert abs(result.uniform_baseline - POINTING_FIGURES["uniform"]) < 0.02
    readme = (Path(__file__).resolve().parents[2] / "assets" / "README.md").read_text()
    for key in ("supervised", "labels_only", "labels_only_tuned", "supervised_drawings"):
        assert f"{POINTING_FIGURES[key]:.1%}" in readme, key
    for key in ("labels_only_accuracy", "labels_only_tuned_accuracy"):
        assert f"{POINTING_FIGURES[key]:.2%}" in readme, key


@pytest.fixture(scope="module")
def family_folders(tmp_path_factory):
    """transformers-made folders: a DeiT distilled with ImageNet-style names, and a DINOv2 without a head."""
    transformers = pytest.importorskip("transformers")
    root = tmp_path_factory.mktemp("vit-family-folders")
    small = dict(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=4)
    deit = transformers.DeiTConfig(**small, intermediate_size=64, num_labels=len(IMAGENET_STYLE_LABELS))
    random_reference(
        transformers.DeiTForImageClassificationWithTeacher, deit, seed=0, keep="layernorm"
    ).save_pretrained(root / "deit")
    write_id2label(root / "deit", IMAGENET_STYLE_LABELS)
    dinov2 = transformers.Dinov2Config(**{**small, "image_size": 48}, mlp_ratio=2)
    random_reference(transformers.Dinov2Model, dinov2, seed=1, keep="norm").save_pretrained(root / "dinov2")
    return root / "deit", root / "dinov2"


def test_deit_distilled_folder_shows_class_names_and_the_cls_row_over_the_patches(family_folders):
    folder = family_folders[0]
    trace = trace_image(default_shape(), model=str(folder))
    at = choose_folder(open_page(ATTENTION), "vit", folder)
    assert_no_exception(at)
    top = figure(at, "Prediction")
    assert sorted(top["data"][0]["y"]) == sorted(IMAGENET_STYLE_LABELS)  # the checkpoint's id2label
    assert any(name in str(top["data"][0]["y"]) for name in ("tabby, tabby cat",))
    at.slider(key="vit_layer").set_value(2).run()
    maps = [array(t["z"]) for t in figure(at, "Layer 2: where [CLS] looks")["data"] if t["type"] == "heatmap"]
    assert len(maps) == 4
    for h, z in enumerate(maps):  # [CLS] row, the [DIST] column left out
        np.testing.assert_allclose(z.ravel(), trace.attentions[1, h, 0, 2:], atol=1e-6)
    assert any("distillation token" in c.value for c in at.caption)
    at.number_input(key="vit_patch_row").set_value(2).run()
    at.number_input(key="vit_patch_col").set_value(3).run()
    at.slider(key="vit_patch_layer").set_value(2).run()
    at.selectbox(key="vit_patch_head").set_value(1).run()
    patch = heat(figure(at, "Patch (row 2, column 3) in layer 2, head 1"))
    np.testing.assert_allclose(patch.ravel(), trace.attentions[1, 0, 2 + 4 + 2, 2:], atol=1e-6)
    rollout = heat(figure(at, "Attention rollout"))
    np.testing.assert_allclose(rollout, trace.rollout_map(), atol=1e-6)
    assert figure(at, "Gradient rollout for the class")


def test_deit_distilled_folder_positions_skip_both_prefix_tokens(family_folders):
    folder = family_folders[0]
    trace = trace_image(default_shape(), model=str(folder))
    at = choose_folder(open_page(PATCHES), "vit", folder)
    assert_no_exception(at)
    similarity = heat(figure(at, "cosine similarity"))
    patches = trace.position_embeddings[2:]
    unit = patches / np.linalg.norm(patches, axis=1, keepdims=True)
    np.testing.assert_allclose(similarity[:4, :4], (unit @ unit.T)[0].reshape(4, 4), atol=1e-5)
    assert any("2 + 16 = 18 tokens" in c.value for c in at.caption)


def test_dinov2_backbone_folder_says_it_has_no_head(family_folders):
    at = choose_folder(open_page(ATTENTION), "vit", family_folders[1])
    assert_no_exception(at)
    notices = [i.value for i in at.info if "no classification head" in i.value]
    assert len(notices) == 1 and "\n" not in notices[0]  # one line
    assert not [t for t in plotly_figures(at) if "Prediction" in t or "Gradient rollout" in t]
    assert heat(figure(at, "Attention rollout")).shape == (6, 6)  # 48 px (no preprocessor): 6 x 6 patches
    assert figure(at, "where [CLS] looks")


def test_dinov2_with_registers_folder_reads_the_cls_row_past_the_registers(tmp_path):
    transformers = pytest.importorskip("transformers")
    config = transformers.Dinov2WithRegistersConfig(
        image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, mlp_ratio=2
    )
    random_reference(transformers.Dinov2WithRegistersModel, config, seed=2, keep="norm").save_pretrained(
        tmp_path
    )
    trace = trace_image(default_shape(), model=str(tmp_path))
    at = choose_folder(open_page(ATTENTION), "vit", tmp_path)
    assert_no_exception(at)
    at.slider(key="vit_layer").set_value(1).run()
    maps = [array(t["z"]) for t in figure(at, "Layer 1: where [CLS] looks")["data"] if t["type"] == "heatmap"]
    for h, z in enumerate(maps):  # the four registers' columns left out
        np.testing.assert_allclose(z.ravel(), trace.attentions[0, h, 0, 5:], atol=1e-6)
    assert any("[CLS], [REG1], [REG2], [REG3] and [REG4] columns" in c.value for c in at.caption)
    assert any("registers" in c.value for c in at.caption)
    np.testing.assert_allclose(heat(figure(at, "Attention rollout")), trace.rollout_map(), atol=1e-6)
