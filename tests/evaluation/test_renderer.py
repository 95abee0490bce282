"""The second renderer: independent of the training generator, exact masks, balanced and reproducible sets."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from viz.data.shapes import CLASSES, LABELS
from viz.evaluation import renderer
from viz.evaluation.renderer import (
    BACKGROUND_KINDS,
    BAND_NAMES,
    NONE,
    NONE_KINDS,
    SIZE_BANDS,
    STYLES,
    distance_below,
    evaluation_set,
    fixed_drawings,
    inside,
    render,
)

ROOT = Path(__file__).resolve().parents[2]
RENDERER = ROOT / "viz" / "evaluation" / "renderer.py"
LABEL_CONSTANTS = {"CLASSES", "LABELS", "NONE_LABEL"}


def _imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(module, names) for every import in the file (names empty for ``import module``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found.append((module, tuple(alias.name for alias in node.names)))
    return found


def test_the_renderer_imports_no_training_drawing_code():
    imports = _imports(RENDERER)
    assert imports, "the parse found no imports at all"
    for module, names in imports:
        assert not module.startswith("."), f"relative import {module!r}: name modules in full"
        if module == "viz.data.shapes":
            assert names and set(names) <= LABEL_CONSTANTS, (
                f"from viz.data.shapes only the labels, got {names}"
            )
        assert module not in ("viz.data", "viz.data.drawn"), f"{module} {names}"
        assert "drawn" not in names and "shapes" not in names, f"{module} {names}"
        assert not module.startswith("viz.training"), module
        assert not module.startswith("PIL.ImageDraw") and "ImageDraw" not in names, (module, names)
    source = RENDERER.read_text(encoding="utf-8")
    assert "ImageDraw" not in source
    # Its own random source: Philox, never numpy's default (PCG64) generator.
    assert "default_rng" not in source and "PCG64" not in source and "Philox" in source


@pytest.mark.parametrize("name", ["shapes.py", "drawn.py"])
def test_the_training_generators_do_not_import_the_evaluation(name):
    path = ROOT / "viz" / "data" / name
    if not path.is_file():
        pytest.skip(f"viz/data/{name} does not exist yet")
    for module, names in _imports(path):
        assert "evaluation" not in module and "evaluation" not in names, f"{name} imports {module} {names}"


def test_inside_is_the_even_odd_rule_on_a_grid():
    xs = ys = np.arange(10) + 0.5
    square = np.array([(2.0, 2.0), (8.0, 2.0), (8.0, 8.0), (2.0, 8.0)])
    hole = np.array([(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0)])
    got = inside([square, hole], xs, ys)
    expected = np.zeros((10, 10), bool)
    expected[2:8, 2:8] = True
    expected[4:6, 4:6] = False
    np.testing.assert_array_equal(got, expected)
    triangle = np.array([(0.0, 0.0), (10.0, 0.0), (0.0, 9.7)])  # inside where x / 10 + y / 9.7 < 1
    got = inside([triangle], xs, ys)
    np.testing.assert_array_equal(got, xs[None, :] / 10 + ys[:, None] / 9.7 < 1)


def test_distance_below_matches_brute_force():
    rng = np.random.default_rng(0)  # the test's own points; the renderer never uses this generator
    path = rng.uniform(2, 18, (7, 2))
    xs = np.linspace(0.25, 19.75, 40)
    ys = np.linspace(0.1, 19.9, 34)
    gx, gy = np.meshgrid(xs, ys)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    a, b = path[:-1], path[1:]
    e = b - a
    t = np.clip(((points[:, None] - a) * e).sum(-1) / (e * e).sum(-1), 0, 1)
    d = np.linalg.norm(points[:, None] - (a + t[..., None] * e), axis=-1).min(axis=1).reshape(gx.shape)
    np.testing.assert_array_equal(distance_below([path], xs, ys, 1.3), d < 1.3)


def _boundary(mask: np.ndarray) -> np.ndarray:
    """Pixels within one pixel of the mask's edge (a 3 x 3 neighbourhood holding both values)."""
    padded = np.pad(mask, 1, mode="edge")
    shifted = [padded[1 + dy : 65 + dy, 1 + dx : 65 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    return np.any(shifted, axis=0) & ~np.all(shifted, axis=0)


def _dark(sample) -> np.ndarray:
    """Model-input pixels darker than halfway between the paper and the ink."""
    luma = sample.model_input.astype(float) @ [0.299, 0.587, 0.114]
    paper = np.median(luma[~sample.mask])
    ink = np.median(luma[sample.mask]) if sample.style == "filled" else luma.min()
    return luma < (paper + ink) / 2


@pytest.mark.parametrize("label", range(len(CLASSES)))
def test_a_filled_shapes_ink_is_its_mask(label):
    sample = render(31, label, "filled", "12-25%", "plain paper", "black pen", index=label)
    wrong = (_dark(sample) != sample.mask) & ~_boundary(sample.mask)
    assert wrong.sum() <= 2, f"{CLASSES[label]}: {wrong.sum()} pixels off the mask away from its edge"
    assert 0.12 <= sample.area < 0.25


@pytest.mark.parametrize("label", range(len(CLASSES)))
def test_an_outlines_ink_lies_in_its_silhouette(label):
    sample = render(32, label, "outline", "25-60%", "plain paper", "black pen", index=label)
    dark = _dark(sample)
    assert dark.sum() >= 20, "the outline left hardly any ink"
    outside = dark & ~sample.mask & ~_boundary(sample.mask)
    assert outside.sum() <= 2, f"{CLASSES[label]}: {outside.sum()} ink pixels outside the silhouette"
    if CLASSES[label] != "ring":  # an outline encloses paper: the silhouette holds far more than the ink
        assert sample.mask.sum() > 1.3 * dark.sum()


@pytest.mark.parametrize("band", BAND_NAMES)
def test_the_area_lands_in_the_band_asked_for(band):
    low, high = SIZE_BANDS[BAND_NAMES.index(band)][1:]
    for label in range(len(CLASSES)):
        for style in STYLES:
            sample = render(33, label, style, band, index=label * 2 + STYLES.index(style))
            assert low <= sample.area < high, (CLASSES[label], style, band, sample.area)
            assert sample.band == band


def test_a_ring_has_a_hole():
    sample = render(34, CLASSES.index("ring"), "filled", "25-60%", "plain paper", index=0)
    ys, xs = np.nonzero(sample.mask)
    cy, cx = int(round(ys.mean())), int(round(xs.mean()))
    assert not sample.mask[cy, cx]


@pytest.fixture(scope="module")
def eighty_one():
    return evaluation_set(81, seed=2026)


def test_the_set_is_balanced_and_covers_every_band_style_and_background(eighty_one):
    labels = [s.label for s in eighty_one]
    assert np.bincount(labels, minlength=len(LABELS)).tolist() == [9] * len(LABELS)
    shapes = [s for s in eighty_one if s.label != NONE]
    assert {s.band for s in shapes} == set(BAND_NAMES)
    assert {s.style for s in shapes} == set(STYLES)
    assert {s.background for s in shapes} == set(BACKGROUND_KINDS)
    assert {s.background for s in eighty_one if s.label == NONE} == set(NONE_KINDS)
    for sample in eighty_one:
        assert sample.model_input.dtype == np.uint8 and sample.model_input.shape == (64, 64, 3)
        assert sample.mask.dtype == bool and sample.mask.shape == (64, 64)
        assert (
            sample.image.dtype == np.uint8 and sample.image.ndim == 3 and min(sample.image.shape[:2]) >= 160
        )
        if sample.label == NONE:
            assert not sample.mask.any() and sample.style == "none" and sample.band == "none"
        else:
            assert 0.03 <= sample.area < 0.60 and sample.style in STYLES


def test_the_set_is_reproducible_and_differs_across_seeds(eighty_one):
    again = evaluation_set(9, seed=2026)
    other = evaluation_set(9, seed=2027)
    first = evaluation_set(9, seed=2026)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.model_input, b.model_input)
        np.testing.assert_array_equal(a.mask, b.mask)
        assert (a.label, a.style, a.background) == (b.label, b.style, b.background)
    assert any(not np.array_equal(a.model_input, b.model_input) for a, b in zip(first, other))


def test_the_model_input_is_the_upload_path_of_the_image():
    """Without the JPEG step the model input would be model_view of the rendered image: they stay close."""
    from viz.data.images import model_view

    sample = render(35, 4, "outline", "12-25%", "lined paper", "blue pen", index=0)
    view, _ = model_view(sample.image, 64)
    assert np.abs(view.astype(int) - sample.model_input.astype(int)).mean() < 4


def test_fixed_drawings_are_named_and_include_the_cat():
    drawings = fixed_drawings()
    names = [name for name, _ in drawings]
    assert 16 <= len(drawings) <= 24 and len(set(names)) == len(names)
    labels = {s.label for _, s in drawings}
    assert labels == set(range(len(LABELS)))
    cat = dict(drawings)["the cat photograph"]
    assert cat.label == NONE and not cat.mask.any()
    again = fixed_drawings()
    for (_, a), (_, b) in zip(drawings, again):
        np.testing.assert_array_equal(a.model_input, b.model_input)


def test_refuses_unknown_arguments():
    with pytest.raises(ValueError, match="label"):
        render(1, 9)
    with pytest.raises(ValueError, match="style"):
        render(1, 0, style="dotted")
    with pytest.raises(ValueError, match="band"):
        render(1, 0, band="70%")
    with pytest.raises(ValueError, match="background"):
        render(1, 0, background="cat photo")


def test_the_module_exports_what_the_report_needs():
    for name in ("evaluation_set", "fixed_drawings", "render", "EvalSample"):
        assert hasattr(renderer, name)
