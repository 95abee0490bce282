"""The pure functions behind the Swin page, checked against the model's own window code and by hand."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from tests.models.helpers import random_model
from viz.analysis import swin as an
from viz.models.swin.config import SHAPES_SWIN, SWIN_T
from viz.models.swin.model import SwinTransformer, cyclic_shift, region_labels, window_partition


@pytest.mark.parametrize("size,window,shift", [(16, 4, 2), (8, 4, 2), (14, 7, 3), (9, 3, 1), (8, 4, 0)])
def test_locate_and_window_cells_agree_with_the_model(size, window, shift):
    """Token (r, c) is found at the window and slot where the model's roll + partition puts it."""
    positions = torch.arange(size * size).view(1, size, size, 1)
    windows = window_partition(cyclic_shift(positions, shift), window)[..., 0]  # (nW, Q) original flat index
    for r in range(size):
        for c in range(size):
            w, q = an.locate(r, c, (size, size), window, shift)
            assert windows[w, q] == r * size + c
    for w in range(windows.shape[0]):
        cells = an.window_cells(w, (size, size), window, shift)
        assert (cells[:, 0] * size + cells[:, 1]).tolist() == windows[w].tolist()


def test_window_ids_regular_and_shifted():
    regular = an.window_ids(8, 8, 4)
    assert regular.max() == 3 and regular[0, 0] == 0 and regular[7, 7] == 3
    shifted = an.window_ids(8, 8, 4, 2)
    assert shifted.max() + 1 == 9  # 3 x 3 windows, the border ones partial
    assert (shifted[:2, :2] == 0).all() and (shifted[2:6, 2:6] == 4).all() and (shifted[6:, 6:] == 8).all()


def test_rolled_origin_matches_numpy_roll():
    grid = np.arange(36).reshape(6, 6)
    rolled = np.roll(grid, (-2, -2), axis=(0, 1))
    rows, cols = an.rolled_origin(6, 6, 2)
    assert np.array_equal(grid[rows, cols], rolled)
    image = np.random.default_rng(0).integers(0, 255, (8, 8, 3), dtype=np.uint8)
    assert np.array_equal(an.roll_image(image, 2)[0, 0], image[2, 2])


def _random_block(shifted: bool):
    model = random_model(
        SwinTransformer, dataclasses.replace(SHAPES_SWIN, n_classes=0, labels=()), keep="norm"
    )
    with torch.no_grad():
        out = model(torch.randn(1, 3, 64, 64))
    return next(t for t in out.traces if bool(t.shift) == shifted)


@pytest.mark.parametrize("shifted", [False, True])
def test_patch_window_attention_sums_to_one_and_respects_the_mask(shifted):
    trace = _random_block(shifted)
    weights = trace.weights[0].numpy()
    allowed = None if trace.allowed is None else trace.allowed.numpy()
    h, w = trace.resolution
    for r, c in [(0, 0), (h - 1, w - 1), (h // 2, 1), (1, w - 2)]:
        for head in [None, 0, 1]:
            heat, status = an.patch_window_attention(
                weights, allowed, trace.resolution, trace.padded, trace.window, trace.shift, r, c, head
            )
            assert np.isclose(np.nansum(heat), 1.0, atol=1e-5)
            assert (status != an.OUTSIDE).sum() == trace.window**2
            assert np.isnan(heat[status == an.OUTSIDE]).all()
            assert (heat[status == an.MASKED] == 0).all()
            assert status[r, c] == an.SAME_REGION
    if shifted:  # the bottom-right corner token shares its window with tokens from the other corners, masked
        _, status = an.patch_window_attention(
            weights, allowed, trace.resolution, trace.padded, trace.window, trace.shift, h - 1, w - 1
        )
        assert (status == an.MASKED).any() and status[0, 0] == an.MASKED


@pytest.mark.parametrize("shifted", [False, True])
def test_window_attention_maps_are_the_mean_then_each_head(shifted):
    trace = _random_block(shifted)
    block = SimpleNamespace(  # what a viz.trace.swin.BlockView carries, as numpy
        weights=trace.weights[0].numpy(),
        allowed=None if trace.allowed is None else trace.allowed.numpy(),
        resolution=trace.resolution,
        padded=trace.padded,
        window=trace.window,
        shift=trace.shift,
    )
    heats, status = an.window_attention_maps(block, 3, 5)
    n_heads = block.weights.shape[1]
    assert heats.shape == (1 + n_heads, *trace.resolution)
    np.testing.assert_allclose(heats[0], heats[1:].mean(axis=0), atol=1e-6)  # NaN outside the window alike
    second, second_status = an.patch_window_attention(
        block.weights, block.allowed, trace.resolution, trace.padded, trace.window, trace.shift, 3, 5, head=1
    )
    np.testing.assert_array_equal(heats[2], second)
    np.testing.assert_array_equal(status, second_status)


def test_window_mask_names_regions_like_the_model():
    block = _random_block(True)
    allowed, regions = block.allowed.numpy(), block.regions.numpy()
    last = allowed.shape[0] - 1
    mask, names = an.window_mask(allowed, regions, last, block.padded, block.window)
    assert sorted(set(names)) == ["B2", "B3", "C2", "C3"]  # rows 12-13 / 14-15 (wrapped), columns likewise
    same = np.equal.outer(np.array(names), np.array(names))
    assert np.array_equal(mask == 0, same)
    assert np.isneginf(mask[~same]).all()
    first, first_names = an.window_mask(allowed, regions, 0, block.padded, block.window)
    assert (first == 0).all() and len(set(first_names)) == 1
    assert np.array_equal(region_labels(16, 16, 4, 2).numpy(), regions)


def test_bias_grid_reads_the_table_by_offset():
    window = 3
    table = np.arange(25 * 2, dtype=float).reshape(25, 2)
    grid = an.bias_grid(table, window)
    assert grid.shape == (2, 5, 5)
    dy, dx = -1, 2
    assert grid[1, dy + 2, dx + 2] == table[(dy + 2) * 5 + dx + 2, 1]


def test_costs_follow_the_paper_and_cross_at_one_window():
    c, m = 96, 7
    # Swin paper, section 3.2: for 56 x 56 tokens the window attention is far cheaper
    assert an.msa_flops(56, 56, c) == 4 * 3136 * c**2 + 2 * 3136**2 * c
    assert an.window_msa_flops(56, 56, c, m) == 4 * 3136 * c**2 + 2 * 49 * 3136 * c
    hw = an.crossover_tokens(m)
    side = int(np.sqrt(hw))
    assert an.msa_flops(side, side, c) == an.window_msa_flops(side, side, c, m)
    assert an.msa_flops(side + 1, side + 1, c) > an.window_msa_flops(side + 1, side + 1, c, m)
    table = an.cost_table(np.array([28, 224, 1024]), 4, c, m)
    assert table["ViT / Swin"].iloc[0] == pytest.approx(1.0)
    assert (np.diff(table["ViT / Swin"]) > 0).all()


def test_stage_table_of_swin_t():
    table = an.stage_table(SWIN_T.stages(), SWIN_T.image_size)
    assert table["feature map"].tolist() == ["56x56x96", "28x28x192", "14x14x384", "7x7x768"]
    assert table["downsampling (pixels per token)"].tolist() == [4, 8, 16, 32]
    assert table["windows per block"].tolist() == [64, 16, 4, 1]
