"""The generated shapes: reproducible, balanced, masks that match the drawing, shapes clearly visible."""

from __future__ import annotations

import numpy as np
import pytest

from viz.data.shapes import AREA_RANGE, BACKGROUNDS, CLASSES, make_shape, make_shapes, shape_coverage


def test_same_seed_same_images_other_seed_other_images():
    a = make_shapes(16, seed=3)
    b = make_shapes(16, seed=3)
    c = make_shapes(16, seed=4)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_shapes_and_types_and_balance():
    images, masks, labels = make_shapes(80, seed=0, size=64)
    assert images.shape == (80, 64, 64, 3) and images.dtype == np.uint8
    assert masks.shape == (80, 64, 64) and masks.dtype == bool
    assert np.bincount(labels, minlength=len(CLASSES)).tolist() == [10] * len(CLASSES)


@pytest.mark.parametrize("label", range(len(CLASSES)))
def test_every_class_covers_at_most_a_quarter_and_sits_inside(label):
    rng = np.random.default_rng(label)
    for _ in range(20):
        sample = make_shape(rng, label)
        assert sample.name == CLASSES[label]
        assert 0.09 < sample.coverage <= 0.25
        assert not sample.mask[0].any() and not sample.mask[-1].any()  # never cut by the border
        assert not sample.mask[:, 0].any() and not sample.mask[:, -1].any()


def test_mask_is_where_the_shape_colour_is():
    """Inside the mask the pixels are the shape's colour (plus noise); the mask is not a guess."""
    rng = np.random.default_rng(5)
    for background in BACKGROUNDS:
        sample = make_shape(rng, label=1, background=background)
        m = sample.mask
        interior = m.copy()  # the mask without its edge pixels, which blend with the background
        interior[1:-1, 1:-1] &= m[:-2, 1:-1] & m[2:, 1:-1] & m[1:-1, :-2] & m[1:-1, 2:]
        inside = sample.image[interior].astype(float)
        assert inside.std(axis=0).max() < 20  # one flat colour plus noise of sigma <= 14
        outside = sample.image[~sample.mask].astype(float)
        assert np.linalg.norm(inside.mean(0) - outside.mean(0)) > 20  # visibly different from around it


def test_ring_has_a_hole_and_circle_does_not():
    ring = shape_coverage("ring", 64, (32, 32), 16, 0.0)
    circle = shape_coverage("circle", 64, (32, 32), 16, 0.0)
    assert ring[32, 32] == 0 and circle[32, 32] == 1
    assert ring[32, 32 + 14] == 1


def test_diamond_is_not_a_square():
    diamond = shape_coverage("diamond", 64, (32, 32), 16, 0.0) >= 0.5
    rows, cols = np.nonzero(diamond)
    height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
    assert max(height, width) / min(height, width) > 1.5


def test_areas_are_in_range_for_every_class():
    low, high = AREA_RANGE
    rng = np.random.default_rng(8)
    for label in range(len(CLASSES)):
        coverages = [make_shape(rng, label).coverage for _ in range(30)]
        assert low - 0.01 <= min(coverages) and max(coverages) <= high + 0.01, CLASSES[label]


def test_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        make_shape(rng, label=len(CLASSES))
    with pytest.raises(ValueError):
        make_shape(rng, size=16)
    with pytest.raises(ValueError):
        make_shape(rng, background="plaid")
