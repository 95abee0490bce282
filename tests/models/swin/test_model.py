"""The Swin parts on their own: windows, the cyclic shift, the mask against brute force, the relative position
index, attention rows inside each window, the bias hook of the shared attention, and the presets."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
import torch

from tests.models.helpers import parameters_on_meta, random_model
from viz.layers.attention import MultiHeadAttention
from viz.models.swin.config import PUBLISHED_PARAMS_M, SHAPES_SWIN, SWIN_PRESETS, SWIN_T, SwinConfig
from viz.models.swin.model import (
    SwinTransformer,
    cyclic_shift,
    region_labels,
    relative_position_index,
    shifted_window_mask,
    window_partition,
    window_reverse,
)

GRIDS = [(8, 8, 4, 2), (16, 16, 4, 2), (14, 14, 7, 3), (12, 6, 3, 1), (9, 9, 3, 1)]


def brute_force_mask_from_regions(labels: torch.Tensor, window: int) -> torch.Tensor:
    """(nW, M*M, M*M) additive: 0 where two tokens of a window share a region label, else -inf; by loops."""
    height, width = labels.shape
    masks = []
    for wy in range(height // window):
        for wx in range(width // window):
            cells = [(wy * window + i, wx * window + j) for i in range(window) for j in range(window)]
            mask = torch.empty(len(cells), len(cells))
            for q, k in itertools.product(range(len(cells)), repeat=2):
                same = labels[cells[q]] == labels[cells[k]]
                mask[q, k] = 0.0 if same else float("-inf")
            masks.append(mask)
    return torch.stack(masks)


def brute_force_regions(height: int, width: int, window: int, shift: int) -> torch.Tensor:
    """Region labels from first principles: roll the map, then name each token by the window of the *shifted
    partition of the unrolled map* it came from (windows start at rows/columns shift, shift + M, ...; the
    first partial window is [0, shift))."""

    def shifted_window_id(position: int) -> int:
        return 0 if position < shift else (position - shift) // window + 1

    labels = torch.empty(height, width, dtype=torch.long)
    for y, x in itertools.product(range(height), range(width)):
        oy, ox = (
            (y + shift) % height,
            (x + shift) % width,
        )  # rolled by -shift: token (y, x) came from (oy, ox)
        labels[y, x] = shifted_window_id(oy) * 1000 + shifted_window_id(ox)
    return labels


@pytest.mark.parametrize(
    "height,width,window,shift", [g for g in GRIDS if g[0] % g[2] == 0 and g[1] % g[2] == 0]
)
def test_shift_mask_equals_brute_force(height, width, window, shift):
    allowed = shifted_window_mask(height, width, window, shift)
    ours = torch.zeros(allowed.shape).masked_fill(~allowed, float("-inf"))
    # from the 9 region labels the model uses ...
    expected = brute_force_mask_from_regions(region_labels(height, width, window, shift), window)
    assert torch.equal(ours, expected)
    # ... and from the shifted partition of the image itself: the two agree
    assert torch.equal(
        ours, brute_force_mask_from_regions(brute_force_regions(height, width, window, shift), window)
    )


def test_mask_only_bites_at_the_border_windows():
    allowed = shifted_window_mask(16, 16, 4, 2)
    fully_open = allowed.flatten(1).all(dim=1).view(4, 4)
    assert fully_open[:3, :3].all()  # inner windows hold contiguous tokens
    assert not fully_open[3].any() and not fully_open[:, 3].any()
    assert region_labels(16, 16, 4, 2).unique().tolist() == list(range(9))
    assert shifted_window_mask(16, 16, 4, 0) is None


@pytest.mark.parametrize("height,width,window,_", GRIDS[:4])
def test_partition_and_shift_round_trip(height, width, window, _):
    x = torch.randn(2, height, width, 5)
    windows = window_partition(x, window)
    assert windows.shape == (2 * (height // window) * (width // window), window * window, 5)
    assert torch.equal(windows[0].view(window, window, 5), x[0, :window, :window])
    assert torch.equal(window_reverse(windows, window, height, width), x)
    rolled = cyclic_shift(x, 2)
    assert torch.equal(rolled[:, 0, 0], x[:, 2, 2])
    assert torch.equal(cyclic_shift(rolled, 2, reverse=True), x)


@pytest.mark.parametrize("window", [2, 3, 7])
def test_relative_position_index_brute_force(window):
    index = relative_position_index(window)
    cells = [(i, j) for i in range(window) for j in range(window)]
    for (q, (yq, xq)), (k, (yk, xk)) in itertools.product(enumerate(cells), repeat=2):
        assert index[q, k] == (yq - yk + window - 1) * (2 * window - 1) + (xq - xk + window - 1)
    assert index.max() == (2 * window - 1) ** 2 - 1
    assert torch.equal(index.diagonal(), torch.full((window**2,), index[0, 0].item()))  # offset (0, 0)


def _random_model(config: SwinConfig, seed: int = 0) -> SwinTransformer:
    return random_model(SwinTransformer, config, seed, keep="norm")


def test_rows_sum_to_one_inside_each_window_and_masked_weights_are_zero():
    config = dataclasses.replace(SHAPES_SWIN, n_classes=0, labels=())
    model = _random_model(config)
    with torch.no_grad():
        out = model(torch.randn(2, 3, config.image_size, config.image_size))
    assert len(out.traces) == config.n_blocks
    for trace in out.traces:
        weights = trace.weights  # (B, nW, H, M*M, M*M)
        assert weights.shape[:2] == (2, trace.n_windows)
        torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]), atol=1e-5, rtol=0)
        assert trace.shift == config.block_shift(trace.stage, trace.block)
        if trace.allowed is not None:
            blocked = ~trace.allowed[None, :, None]  # (1, nW, 1, M*M, M*M)
            assert (weights.masked_select(blocked.expand_as(weights)) == 0).all()
            assert blocked.any()


def test_shift_pattern_of_the_tiny_model():
    shifts = [
        (t.stage, t.block, t.shift)
        for t in _random_model(SHAPES_SWIN)
        .eval()(torch.zeros(1, 3, SHAPES_SWIN.image_size, SHAPES_SWIN.image_size))
        .traces
    ]
    # the last stage is a single window, so nothing is shifted there (as in the reference implementation)
    last = SHAPES_SWIN.n_stages - 1
    assert all(
        shift == (SHAPES_SWIN.window_size // 2 if block % 2 and stage < last else 0)
        for stage, block, shift in shifts
    )


def test_attention_bias_is_added_before_the_mask():
    torch.manual_seed(0)
    attention = MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 4, 8)
    bias = torch.randn(1, 2, 4, 4)
    allowed = torch.tensor([[True, True, False, True]] * 4)[None, None]
    _, plain = attention(x, allowed=allowed)
    _, biased = attention(x, allowed=allowed, bias=bias)
    expected = torch.softmax((plain.scaled_scores + bias).masked_fill(~allowed, float("-inf")), dim=-1)
    torch.testing.assert_close(biased.weights, expected)
    assert (biased.weights[..., 2] == 0).all()
    _, none = attention(x, allowed=allowed, bias=None)
    assert torch.equal(none.weights, plain.weights)


def test_swin_t_stage_shapes_match_the_paper():
    shapes = [(s.height, s.width, s.channels) for s in SWIN_T.stages()]
    assert shapes == [(56, 56, 96), (28, 28, 192), (14, 14, 384), (7, 7, 768)]
    assert [s.shift for s in SWIN_T.stages()] == [3, 3, 3, 0]
    assert [s.n_windows for s in SWIN_T.stages()] == [64, 16, 4, 1]


@pytest.mark.parametrize("name", sorted(SWIN_PRESETS))
def test_parameter_count_formula_matches_a_model_on_meta(name):
    config = SWIN_PRESETS[name]
    assert parameters_on_meta(SwinTransformer, config) == config.n_params
    assert abs(config.n_params / 1e6 / PUBLISHED_PARAMS_M[name] - 1) < 0.03


def test_tiny_preset_runs_and_has_no_nan():
    model = _random_model(SHAPES_SWIN)
    with torch.no_grad():
        out = model(torch.randn(3, 3, SHAPES_SWIN.image_size, SHAPES_SWIN.image_size))
    assert out.logits.shape == (3, SHAPES_SWIN.n_classes)
    assert torch.isfinite(out.logits).all()
    assert [o.shape[1:] for o in out.stage_outputs] == [
        (s.height * s.width, s.channels) for s in SHAPES_SWIN.stages()
    ]
    assert sum(p.numel() for p in model.parameters()) == SHAPES_SWIN.n_params


@pytest.mark.parametrize(
    "bad,match",
    [
        (dict(embed_dim=30, n_heads=(4, 4, 8)), "not divisible"),
        (dict(depths=(2, 2), n_heads=(2, 4, 8)), "one entry per stage"),
        (dict(image_size=66), "multiple of patch_size"),
    ],
)
def test_config_refuses_impossible_shapes(bad, match):
    with pytest.raises(ValueError, match=match):
        dataclasses.replace(SHAPES_SWIN, **bad)


def test_model_refuses_the_wrong_image_size():
    with pytest.raises(ValueError, match="expected images"):
        _random_model(SHAPES_SWIN)(torch.zeros(1, 3, 32, 32))


def test_a_stage_smaller_than_the_window_is_one_window_without_a_shift():
    """As the original Swin (and transformers 4): a stage whose grid is smaller than M x M attends over the
    whole grid in one window, unshifted, with a bias table of that window's size."""
    config = SwinConfig(
        image_size=32, patch_size=2, embed_dim=16, depths=(2, 2, 2), n_heads=(2, 4, 4), window_size=7
    )
    stages = config.stages()
    assert [(s.height, s.window, s.shift) for s in stages] == [(16, 7, 3), (8, 7, 3), (4, 4, 0)]
    assert parameters_on_meta(SwinTransformer, config) == config.n_params
    torch.manual_seed(0)
    out = SwinTransformer(config).eval()(torch.randn(1, 3, 32, 32))
    last = out.traces[-1]
    assert last.window == 4 and last.shift == 0 and last.allowed is None
    assert last.weights.shape == (1, 1, 4, 16, 16)  # one window holding all 16 tokens
    torch.testing.assert_close(last.weights.sum(-1), torch.ones(1, 1, 4, 16))
