"""Attention rollout against a direct, loop-by-loop implementation of Abnar & Zuidema's definition."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz import attention_rollout


def random_attentions(layers=4, heads=3, tokens=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(tokens), size=(layers, heads, tokens))  # rows sum to 1


def reference_rollout(att, fusion, discard):
    """Written independently with Python loops: no numpy broadcasting shortcuts."""
    n_layers, n_heads, n, _ = att.shape
    result = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for layer in range(n_layers):
        fused = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                vals = [att[layer, h, i, j] for h in range(n_heads)]
                fused[i][j] = {"mean": sum(vals) / n_heads, "max": max(vals), "min": min(vals)}[fusion]
        if discard > 0:
            entries = sorted((fused[i][j], i * n + j) for i in range(n) for j in range(n) if (i, j) != (0, 0))
            for _, idx in entries[: int(n * n * discard)]:
                fused[idx // n][idx % n] = 0.0
        a = [[0.5 * fused[i][j] + (0.5 if i == j else 0.0) for j in range(n)] for i in range(n)]
        a = [[a[i][j] / sum(a[i]) for j in range(n)] for i in range(n)]
        result = [[sum(a[i][k] * result[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    return np.array(result)


@pytest.mark.parametrize("fusion", ["mean", "max", "min"])
@pytest.mark.parametrize("discard", [0.0, 0.3, 0.9])
def test_matches_reference(fusion, discard):
    att = random_attentions()
    np.testing.assert_allclose(
        attention_rollout(att, fusion, discard), reference_rollout(att, fusion, discard), atol=1e-12
    )


@pytest.mark.parametrize("fusion", ["mean", "max", "min"])
def test_rows_sum_to_one(fusion):
    r = attention_rollout(random_attentions(seed=3), fusion, 0.5)
    np.testing.assert_allclose(r.sum(-1), 1.0, atol=1e-12)


def test_single_layer_hand_worked():
    # one layer, one head, 2 tokens: A = [[0.2, 0.8], [0.6, 0.4]] -> 0.5 A + 0.5 I = [[0.6, 0.4], [0.3, 0.7]]
    att = np.array([[[[0.2, 0.8], [0.6, 0.4]]]])
    np.testing.assert_allclose(attention_rollout(att), [[0.6, 0.4], [0.3, 0.7]])


def test_later_layers_multiply_on_the_left():
    a1 = np.array([[1.0, 0.0], [1.0, 0.0]])  # layer 1: everyone reads token 0
    a2 = np.array([[0.0, 1.0], [0.0, 1.0]])  # layer 2: everyone reads token 1
    r = attention_rollout(np.stack([a1[None], a2[None]]))
    h1, h2 = 0.5 * a1 + 0.5 * np.eye(2), 0.5 * a2 + 0.5 * np.eye(2)
    np.testing.assert_allclose(r, h2 @ h1)
    assert not np.allclose(r, h1 @ h2)


def test_accepts_torch_and_keeps_first_token_self_weight():
    att = torch.tensor(random_attentions(layers=1, heads=1, tokens=4, seed=1))
    att[0, 0, 0, 0] = 0.0  # the lowest entry: discard must still skip it
    r = attention_rollout(att, "mean", 0.5)
    np.testing.assert_allclose(r.sum(-1), 1.0)


def test_rejects_bad_arguments():
    att = random_attentions()
    with pytest.raises(ValueError, match="head_fusion"):
        attention_rollout(att, "median")
    with pytest.raises(ValueError, match="discard_ratio"):
        attention_rollout(att, "mean", 1.0)
    with pytest.raises(ValueError, match="layers, heads"):
        attention_rollout(att[0])


def test_maps_read_the_cls_row_over_the_patches_after_two_prefix_tokens():
    """DeiT distilled: tokens 0, 1 are [CLS] and [DIST]; patch k is token 2 + k (2 x 3 grid here)."""
    from viz.analysis.vision import attention_distance, cls_map, patch_map

    att = random_attentions(layers=2, heads=2, tokens=8, seed=3)
    rollout = attention_rollout(att)
    row = [rollout[0, j] for j in range(2, 8)]
    expected = np.array([v / sum(row) for v in row]).reshape(2, 3)
    np.testing.assert_allclose(cls_map(rollout, (2, 3), n_prefix=2), expected, atol=1e-12)
    np.testing.assert_allclose(patch_map(att[0, 0], 4, (2, 3), n_prefix=2).ravel(), att[0, 0, 6, 2:])
    # the distance of a patch to itself is 0: attention all on itself (or on the prefix) gives 0
    only_self = np.zeros((1, 1, 8, 8))
    only_self[0, 0, :2, 0] = 1.0
    only_self[0, 0, range(2, 8), range(2, 8)] = 1.0
    assert attention_distance(only_self, (2, 3), n_prefix=2)[0, 0] == 0.0
    assert attention_distance(only_self, (2, 3), n_prefix=2).shape == (1, 1)
    for bad in (0, 8):
        with pytest.raises(ValueError, match="n_prefix"):
            cls_map(rollout, n_prefix=bad)
