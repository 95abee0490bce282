"""Positional-encoding properties, checked numerically."""

from __future__ import annotations

import numpy as np
import pytest

from viz import sinusoidal_encoding
from viz.analysis.positional import concatenated_layout, shift_matrix, similarity, similarity_by_offset


@pytest.mark.parametrize("d", [2, 4, 64, 512])
@pytest.mark.parametrize("k", [-5, 0, 1, 17])
def test_shift_matrix(d, k):
    pe = sinusoidal_encoding(100, d)
    m = shift_matrix(k, d)
    for pos in range(max(0, -k), 100 - max(k, 0)):
        np.testing.assert_allclose(m @ pe[pos], pe[pos + k], atol=1e-9)
    # a rotation: orthogonal, and M_a M_b = M_(a+b)
    np.testing.assert_allclose(m @ m.T, np.eye(d), atol=1e-12)
    np.testing.assert_allclose(shift_matrix(3, d) @ shift_matrix(k, d), shift_matrix(3 + k, d), atol=1e-9)


def test_shift_matrix_needs_even_width():
    with pytest.raises(ValueError):
        shift_matrix(1, 5)


def test_concatenated_layout():
    pe = sinusoidal_encoding(20, 512)
    c = concatenated_layout(pe)
    np.testing.assert_array_equal(c[:, :256], pe[:, 0::2])
    np.testing.assert_array_equal(c[:, 256:], pe[:, 1::2])


def test_similarity():
    pe = sinusoidal_encoding(30, 16)
    cos = similarity(pe, "cosine")
    np.testing.assert_allclose(np.diag(cos), 1)
    dot = similarity(pe, "dot")
    np.testing.assert_allclose(np.diag(dot), 8)  # 8 (sin, cos) pairs of unit length
    curves = similarity_by_offset(dot, [0, 5, 10], 10)
    np.testing.assert_allclose(curves[0], curves[5])
    np.testing.assert_allclose(curves[0], curves[10])
    with pytest.raises(ValueError):
        similarity(pe, "euclid")
