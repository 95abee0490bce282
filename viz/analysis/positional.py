"""Properties of positional encodings: layouts, similarity between positions, the linear-shift matrix."""

from __future__ import annotations

import numpy as np


def concatenated_layout(pe: np.ndarray) -> np.ndarray:
    """Reorder interleaved columns (sin, cos, sin, cos, ...) into [all sines | all cosines].

    This is the layout of the well-known 20 x 512 figure, split in half down the middle.
    """
    pe = np.asarray(pe)
    return np.concatenate([pe[:, 0::2], pe[:, 1::2]], axis=1)


def similarity(pe: np.ndarray, kind: str = "cosine") -> np.ndarray:
    """(P, P) dot products or cosine similarities between every pair of position vectors."""
    pe = np.asarray(pe, dtype=np.float64)
    dots = pe @ pe.T
    if kind == "dot":
        return dots
    if kind == "cosine":
        norms = np.linalg.norm(pe, axis=1)
        return dots / np.maximum(np.outer(norms, norms), 1e-12)
    raise ValueError(f"kind must be 'dot' or 'cosine', got {kind!r}")


def similarity_by_offset(sim: np.ndarray, starts: list[int], max_offset: int) -> dict[int, np.ndarray]:
    """For each start position p, sim[p, p + offset] for offset = 0..max_offset (shorter near the end)."""
    n = sim.shape[0]
    return {p: np.array([sim[p, p + o] for o in range(max_offset + 1) if p + o < n]) for p in starts}


def frequencies(d_model: int, base: float = 10000.0) -> np.ndarray:
    """omega_i = 1 / base^(2i / d_model) for each (sin, cos) pair i."""
    return 1.0 / base ** (np.arange(0, d_model, 2, dtype=np.float64) / d_model)


def shift_matrix(offset: float, d_model: int, base: float = 10000.0) -> np.ndarray:
    """M_k with PE(pos + k) = M_k PE(pos) for the interleaved sinusoidal encoding.

    Each (sin, cos) pair of frequency omega is rotated by the angle omega k:
        sin(w(p + k)) =  cos(wk) sin(wp) + sin(wk) cos(wp)
        cos(w(p + k)) = -sin(wk) sin(wp) + cos(wk) cos(wp)
    M_k does not depend on pos: attending by relative offset is a linear map.
    """
    if d_model % 2:
        raise ValueError(f"d_model must be even for (sin, cos) pairs to rotate, got {d_model}")
    m = np.zeros((d_model, d_model))
    for i, omega in enumerate(frequencies(d_model, base)):
        c, s = np.cos(omega * offset), np.sin(omega * offset)
        m[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, s], [-s, c]]
    return m
