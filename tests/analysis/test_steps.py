"""Step-by-step attention against torch's softmax and hand-worked numbers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.analysis.steps import attention_steps, row_entropy, softmax
from viz.analysis.walkthrough import head_walkthrough, toy_walkthrough


def test_course_numbers():
    s = toy_walkthrough().steps
    assert s.scores[0].tolist() == [112.0, 96.0]
    assert s.scaled[0].tolist() == [14.0, 12.0]
    np.testing.assert_allclose(s.weights[0], [0.8808, 0.1192], atol=1e-4)
    np.testing.assert_allclose(s.output, s.weights @ s.values)


def test_matches_torch_attention():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(5, 8)), rng.normal(size=(7, 8)), rng.normal(size=(7, 3))
    s = attention_steps(q, k, v)
    expected = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(a)[None] for a in (q, k, v)))[
        0
    ]
    np.testing.assert_allclose(s.output, expected.numpy(), atol=1e-12)
    np.testing.assert_allclose(s.weighted_values.sum(1), s.output)


def test_causal_and_unscaled():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6))
    s = attention_steps(x, x, x, scale=False, causal=True)
    assert s.scale == 1.0
    assert np.all(np.isinf(s.mask[np.triu_indices(4, 1)])) and np.all(s.mask[np.tril_indices(4)] == 0)
    assert np.all(s.weights[np.triu_indices(4, 1)] == 0)
    np.testing.assert_allclose(s.weights.sum(-1), 1)


def test_unscaled_is_sharper():
    rng = np.random.default_rng(2)
    q, k = rng.normal(size=(20, 64)), rng.normal(size=(20, 64))
    assert (
        row_entropy(attention_steps(q, k, k, scale=False).weights).mean()
        < row_entropy(attention_steps(q, k, k).weights).mean()
    )


def test_entropy_values():
    np.testing.assert_allclose(
        row_entropy(np.array([[1.0, 0, 0, 0], [0.25] * 4, [0.5, 0.5, 0, 0]])), [0, 2, 1]
    )


def test_softmax_all_masked_row():
    out = softmax(np.array([[-np.inf, -np.inf], [0.0, 0.0]]))
    assert out.tolist() == [[0.0, 0.0], [0.5, 0.5]]


def test_head_walkthrough_uses_bias():
    x = np.eye(2)
    w = {
        "w_q": np.eye(2),
        "w_k": np.eye(2),
        "w_v": np.eye(2),
        "b_q": np.ones(2),
        "b_k": np.zeros(2),
        "b_v": np.zeros(2),
    }
    walk = head_walkthrough(x, w)
    np.testing.assert_allclose(walk.steps.queries, x + 1)


def test_bad_shapes():
    with pytest.raises(ValueError, match="incompatible"):
        attention_steps(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4)))
