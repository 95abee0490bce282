"""Rollout maps, gradient rollout, the pointing game and the ViT's geometric measures, against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from viz.analysis.rollout import attention_rollout
from viz.analysis.vision import (
    attention_distance,
    cls_map,
    cosine_similarity,
    filter_components,
    gradient_rollout,
    mass_inside,
    patch_coverage,
    patch_map,
    pca_rgb,
    principal_components,
)


def random_attention(rng, layers=3, heads=4, tokens=10):
    logits = rng.normal(size=(layers, heads, tokens, tokens)) * 2
    weights = np.exp(logits)
    return weights / weights.sum(-1, keepdims=True)


def brute_force_gradient_rollout(attentions, gradients):
    """Written out layer by layer, the way PEERS.md states it."""
    n = attentions.shape[-1]
    result = np.eye(n)
    for layer in range(attentions.shape[0]):
        fused = np.mean(
            [np.maximum(attentions[layer, h] * gradients[layer, h], 0) for h in range(attentions.shape[1])],
            axis=0,
        )
        a = 0.5 * fused + 0.5 * np.eye(n)
        a = a / a.sum(axis=1)[:, None]
        result = a @ result
    return result


def test_gradient_rollout_rows_sum_to_one_and_match_brute_force():
    rng = np.random.default_rng(0)
    attentions = random_attention(rng)
    gradients = rng.normal(size=attentions.shape)
    rolled = gradient_rollout(attentions, gradients)
    np.testing.assert_allclose(rolled.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(rolled, brute_force_gradient_rollout(attentions, gradients), atol=1e-12)


def test_gradient_rollout_uses_each_layer_with_its_own_gradient():
    """Gradients zero in every layer but one: only that layer's attention may enter the product."""
    rng = np.random.default_rng(1)
    attentions = random_attention(rng, layers=3)
    gradients = np.zeros_like(attentions)
    gradients[2] = 1.0  # only the last layer has evidence
    expected = 0.5 * attentions[2].mean(0) + 0.5 * np.eye(10)
    expected /= expected.sum(-1, keepdims=True)
    np.testing.assert_allclose(gradient_rollout(attentions, gradients), expected, atol=1e-12)
    # the same gradients paired in reverse order give a different answer
    assert not np.allclose(gradient_rollout(attentions, gradients[::-1]), expected)


def test_gradient_rollout_keeps_only_positive_evidence():
    rng = np.random.default_rng(2)
    attentions = random_attention(rng)
    negative = -np.abs(rng.normal(size=attentions.shape))
    np.testing.assert_allclose(gradient_rollout(attentions, negative), np.eye(10), atol=1e-12)


def test_gradient_rollout_checks_shapes():
    with pytest.raises(ValueError):
        gradient_rollout(np.ones((2, 2, 3, 3)), np.ones((2, 2, 4, 4)))


@pytest.mark.parametrize("fusion", ["mean", "max", "min"])
@pytest.mark.parametrize("discard", [0.0, 0.5, 0.9])
def test_cls_map_of_rollout_sums_to_one(fusion, discard):
    rng = np.random.default_rng(3)
    attentions = random_attention(rng, tokens=17)
    rolled = attention_rollout(attentions, fusion, discard)
    np.testing.assert_allclose(rolled.sum(-1), 1.0, atol=1e-12)
    heat = cls_map(rolled)
    assert heat.shape == (4, 4)
    np.testing.assert_allclose(heat.sum(), 1.0)
    np.testing.assert_allclose(heat.ravel(), rolled[0, 1:] / rolled[0, 1:].sum())


def test_patch_map_reads_the_patch_row():
    matrix = np.arange(17 * 17, dtype=float).reshape(17, 17)
    np.testing.assert_array_equal(patch_map(matrix, 5, (4, 4)).ravel(), matrix[6, 1:])
    with pytest.raises(ValueError):
        patch_map(matrix, 16)
    with pytest.raises(ValueError):
        cls_map(matrix, (3, 5))


def test_pointing_game():
    mask = np.zeros((8, 8), dtype=bool)
    mask[:4, :4] = True  # the top-left patch of a 2 x 2 grid of 4-pixel patches, fully
    mask[4:6, 4:8] = True  # half of the bottom-right patch
    coverage = patch_coverage(mask, 4)
    np.testing.assert_allclose(coverage, [[1, 0], [0, 0.5]])
    assert mass_inside(np.array([[1.0, 0], [0, 0]]), coverage) == 1.0
    assert mass_inside(np.array([[0.0, 0], [0, 1]]), coverage) == 0.5
    assert mass_inside(np.full((2, 2), 0.25), coverage) == pytest.approx(mask.mean())  # uniform = coverage
    with pytest.raises(ValueError):
        mass_inside(-np.ones((2, 2)), coverage)


def test_attention_distance():
    grid, tokens = (3, 3), 10
    identity = np.broadcast_to(np.eye(tokens), (2, 2, tokens, tokens))
    np.testing.assert_allclose(attention_distance(identity, grid, patch_size=16), 0.0)
    uniform = np.full((1, 1, tokens, tokens), 1 / tokens)
    positions = np.array([(r, c) for r in range(3) for c in range(3)], dtype=float) * 16
    brute = np.mean([np.mean([np.linalg.norm(p - q) for q in positions]) for p in positions])
    np.testing.assert_allclose(attention_distance(uniform, grid, 16)[0, 0], brute)
    # attending only to the right-hand neighbour (where there is one) is one patch away
    right = np.zeros((1, 1, tokens, tokens))
    right[0, 0, 0, 0] = 1
    for p in range(9):
        target = p + 1 if p % 3 < 2 else p
        right[0, 0, 1 + p, 1 + target] = 1
    np.testing.assert_allclose(attention_distance(right, grid, 1)[0, 0], 6 / 9)


def test_cosine_similarity_and_pca():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(16, 8))
    sim = cosine_similarity(x)
    np.testing.assert_allclose(np.diag(sim), 1.0)
    np.testing.assert_allclose(sim, sim.T)
    scores, components, ratio = principal_components(x, 3)
    np.testing.assert_allclose(components @ components.T, np.eye(3), atol=1e-12)
    assert ratio[0] >= ratio[1] >= ratio[2] and ratio.sum() <= 1
    ref = np.linalg.eigh(np.cov(x.T, bias=True))[0][::-1][:3]
    np.testing.assert_allclose(scores.var(axis=0), ref, rtol=1e-9)
    rgb = pca_rgb(x, (4, 4))
    assert rgb.shape == (4, 4, 3) and rgb.min() >= 0 and rgb.max() <= 1
    images, _ = filter_components(rng.normal(size=(32, 4 * 4 * 3)), 4, 3, k=6)
    assert images.shape == (6, 4, 4, 3) and images.min() == 0 and images.max() == 1
