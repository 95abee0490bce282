"""The drawn training data: every class, style and background comes up, masks are the silhouettes, "none of
these" has no mask, the cat photograph never appears, and a seed gives the same images."""

from __future__ import annotations

import numpy as np
import pytest

from viz.data import drawn
from viz.data.drawn import (
    DRAWN_BACKGROUNDS,
    NONE,
    PHOTOS,
    STYLES,
    make_drawn,
    make_drawn_batch,
    make_drawn_set,
)
from viz.data.shapes import LABELS


def test_a_set_is_balanced_reproducible_and_shaped():
    images, masks, labels = make_drawn_set(90, seed=3)
    assert images.shape == (90, 64, 64, 3) and images.dtype == np.uint8
    assert masks.shape == (90, 64, 64) and masks.dtype == bool
    assert np.bincount(labels, minlength=len(LABELS)).tolist() == [10] * 9
    again = make_drawn_set(90, seed=3)
    assert np.array_equal(images, again[0]) and np.array_equal(labels, again[2])
    assert not np.array_equal(images, make_drawn_set(90, seed=4)[0])
    assert not masks[labels == NONE].any()
    assert all(m.any() for m in masks[labels != NONE])


def test_every_style_background_and_size_comes_up():
    rng = np.random.default_rng(0)
    samples = [make_drawn(rng, label=i % 8) for i in range(400)]
    assert {s.style for s in samples} == set(STYLES)
    assert {s.background for s in samples} == set(DRAWN_BACKGROUNDS)
    coverage = np.array([s.coverage for s in samples])
    assert coverage.min() < 0.05 and coverage.max() > 0.4  # from a doodle to most of the sheet


@pytest.mark.parametrize("label", range(8))
def test_the_mask_is_where_the_filled_shape_was_drawn(label):
    """On a flat background with the camera still, a filled shape's changed pixels are its mask."""
    rng = np.random.default_rng(label)
    for _ in range(5):
        sample = make_drawn(rng, label=label, style="filled", background="flat", area_range=(0.1, 0.3))
        luma = sample.image.astype(float) @ np.array([0.299, 0.587, 0.114])
        inside, outside = luma[sample.mask], luma[~sample.mask]
        # drawn 100 levels of brightness away from the background; uneven light may take some of it
        assert abs(np.median(inside) - np.median(outside)) > 40
        assert 0.05 < sample.coverage < 0.4


def test_an_outline_mask_is_the_silhouette_not_only_the_ink():
    rng = np.random.default_rng(5)
    sample = make_drawn(rng, label=0, style="outline", background="paper", area_range=(0.3, 0.3))
    centre = np.argwhere(sample.mask).mean(axis=0).round().astype(int)
    assert sample.mask[tuple(centre)]  # the inside of the drawn circle counts as the shape
    assert sample.coverage > 0.2


def test_none_of_these_never_shows_the_cat():
    assert "cat.jpg" not in PHOTOS  # the app's cat photograph is a held-out test of "none of these"
    rng = np.random.default_rng(1)
    samples = [make_drawn(rng, label=NONE) for _ in range(60)]
    assert {s.style for s in samples} == {"none"}
    assert "photo" in {s.background for s in samples}
    assert all(not s.mask.any() for s in samples)


def test_batches_are_the_same_whoever_draws_them():
    a, b = make_drawn_batch(0, 5, 8), make_drawn_batch(0, 5, 8)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], make_drawn_batch(0, 6, 8)[0])


def test_bad_arguments_are_refused():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="label"):
        make_drawn(rng, label=9)
    with pytest.raises(ValueError, match="background"):
        make_drawn(rng, background="marble")
    with pytest.raises(ValueError, match="style"):
        make_drawn(rng, label=1, style="dotted")
    assert drawn.AREA_RANGE == (0.03, 0.60)
