"""The sinusoidal encoding against the paper's formula evaluated term by term with the math module."""

from __future__ import annotations

import math

import numpy as np
import pytest

from viz import sinusoidal_encoding


def formula(pos: int, dim: int, d_model: int) -> float:
    i = dim // 2
    angle = pos / 10000 ** (2 * i / d_model)
    return math.sin(angle) if dim % 2 == 0 else math.cos(angle)


@pytest.mark.parametrize("n_positions,d_model", [(1, 2), (20, 512), (50, 4), (7, 5), (128, 64)])
def test_matches_formula(n_positions, d_model):
    pe = sinusoidal_encoding(n_positions, d_model)
    assert pe.shape == (n_positions, d_model)
    expected = np.array([[formula(p, d, d_model) for d in range(d_model)] for p in range(n_positions)])
    np.testing.assert_allclose(pe, expected, atol=1e-12, rtol=0)


def test_known_values_for_toy_size():
    pe = sinusoidal_encoding(3, 4)
    # pos 1: sin(1), cos(1), sin(1/100), cos(1/100)
    np.testing.assert_allclose(pe[1], [0.8414709848, 0.5403023059, 0.0099998333, 0.9999500004], atol=1e-9)
    np.testing.assert_allclose(pe[0], [0, 1, 0, 1])


def test_bounded_and_unit_pairs():
    pe = sinusoidal_encoding(100, 16)
    assert np.abs(pe).max() <= 1.0
    # each (sin, cos) pair lies on the unit circle
    np.testing.assert_allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0, atol=1e-12)


def test_rejects_bad_sizes():
    with pytest.raises(ValueError):
        sinusoidal_encoding(4, 0)
