"""Sinusoidal positional encoding (Vaswani et al. 2017, section 3.5).

PE(pos, 2i)   = sin(pos / 10000^(2i / d_model))
PE(pos, 2i+1) = cos(pos / 10000^(2i / d_model))
"""

from __future__ import annotations

import numpy as np


def sinusoidal_encoding(n_positions: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The (n_positions, d_model) matrix of sinusoidal encodings, interleaved as in the paper.

    Even columns 2i hold sines, odd columns 2i+1 the cosines of the same frequency.
    An odd ``d_model`` ends with a sine column.
    """
    if n_positions < 0 or d_model <= 0:
        raise ValueError(f"need n_positions >= 0 and d_model > 0, got {n_positions}, {d_model}")
    return sinusoidal_at(np.arange(n_positions, dtype=np.float64), d_model, base)


def sinusoidal_at(positions: np.ndarray, d_model: int, base: float = 10000.0) -> np.ndarray:
    """:func:`sinusoidal_encoding` at any real ``positions`` (the curves between whole positions)."""
    position = np.asarray(positions, dtype=np.float64)[:, None]  # (P, 1)
    two_i = np.arange(0, d_model, 2, dtype=np.float64)  # 2i for every sine column
    angle = position / base ** (two_i / d_model)  # (P, ceil(d/2))
    pe = np.empty((len(position), d_model), dtype=np.float64)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return pe
