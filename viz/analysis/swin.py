"""Pure functions over Swin's windows: which window a patch is in, where the cyclic shift moves it, what a
patch attends to inside its window, the mask of one window with its regions, and the cost of attention.

Everything here takes and returns numpy arrays or DataFrames; coordinates are 0-based (row, column) on
the token grid of a block. M = window side, s = shift.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

#: Names of the 9 regions of a cyclically shifted map: row band (top, middle, wrapped) x column band.
REGION_NAMES = tuple(f"{r}{c}" for r in "ABC" for c in "123")
#: What a key is to the chosen query in :func:`patch_window_attention`'s ``status`` map.
OUTSIDE, SAME_REGION, MASKED = 0, 1, 2


def window_ids(height: int, width: int, window: int, shift: int = 0) -> np.ndarray:
    """(h, w) int: the window each token of the (unshifted) map belongs to.

    With ``shift`` = 0 the regular partition: windows of M x M from the top-left corner. With a shift, the
    shifted partition as the paper draws it: window borders at rows and columns s, s + M, s + 2M, ...,
    so the first and last windows on each side are partial (the cyclic shift later packs them together).
    Windows are numbered row by row.
    """

    def band(length: int) -> np.ndarray:
        index = np.arange(length)
        return index // window if not shift else np.where(index < shift, 0, (index - shift) // window + 1)

    rows, cols = band(height), band(width)
    return rows[:, None] * (cols.max() + 1) + cols[None, :]


def rolled_origin(height: int, width: int, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """For each position (i, j) of the map rolled by -s, where it came from: ((i + s) mod h, ...)."""
    rows = (np.arange(height) + shift) % height
    cols = (np.arange(width) + shift) % width
    return np.broadcast_to(rows[:, None], (height, width)), np.broadcast_to(cols[None, :], (height, width))


def roll_image(pixels: np.ndarray, shift_pixels: int) -> np.ndarray:
    """The cyclic shift applied to an image: (S, S, 3) rolled up and left by ``shift_pixels``."""
    return np.roll(pixels, (-shift_pixels, -shift_pixels), axis=(0, 1))


def locate(row: int, col: int, padded: tuple[int, int], window: int, shift: int) -> tuple[int, int]:
    """Where token (row, col) sits in a block's windows: (window index, query index inside the window)."""
    ry, rx = (row - shift) % padded[0], (col - shift) % padded[1]
    per_row = padded[1] // window
    return (ry // window) * per_row + rx // window, (ry % window) * window + rx % window


def window_cells(window_index: int, padded: tuple[int, int], window: int, shift: int) -> np.ndarray:
    """(Q, 2) original (row, column) of the Q = M * M tokens of a window, in the window's order.

    Positions are of the padded map: rows or columns >= the unpadded size are padding.
    """
    per_row = padded[1] // window
    wy, wx = divmod(window_index, per_row)
    dy, dx = np.divmod(np.arange(window * window), window)
    return np.stack([(wy * window + dy + shift) % padded[0], (wx * window + dx + shift) % padded[1]], axis=1)


def patch_window_attention(
    weights: np.ndarray,
    allowed: np.ndarray | None,
    resolution: tuple[int, int],
    padded: tuple[int, int],
    window: int,
    shift: int,
    row: int,
    col: int,
    head: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """What token (row, col) attends to, drawn back on the unshifted grid.

    Args:
        weights: (nW, H, Q, Q) one block's softmax weights.
        allowed: (nW, Q, Q) the block's mask, or None.
        head: 0-based head, or None for the mean over heads.

    Returns:
        ``(heat, status)``, both (h, w): heat holds the weight on each key of the query's window and NaN
        elsewhere; status is :data:`OUTSIDE`, :data:`SAME_REGION` or :data:`MASKED` (in the window after the
        cyclic shift, but from another region, so the mask gives it weight 0). Padding keys are dropped.
    """
    height, width = resolution
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"token ({row}, {col}) is outside the {height} x {width} grid")
    w_index, q = locate(row, col, padded, window, shift)
    per_head = weights[w_index, :, q]  # (H, Q)
    values = per_head.mean(axis=0) if head is None else per_head[head]
    heat = np.full((height, width), np.nan, dtype=np.float32)
    status = np.full((height, width), OUTSIDE, dtype=np.int8)
    for k, (y, x) in enumerate(window_cells(w_index, padded, window, shift)):
        if y < height and x < width:
            heat[y, x] = values[k]
            status[y, x] = SAME_REGION if allowed is None or allowed[w_index, q, k] else MASKED
    return heat, status


class WindowBlock(Protocol):
    """What :func:`window_attention_maps` reads of a block (:class:`viz.trace.swin.BlockView` has it)."""

    weights: np.ndarray  # (nW, H, Q, Q)
    allowed: np.ndarray | None  # (nW, Q, Q), or None
    resolution: tuple[int, int]
    padded: tuple[int, int]
    window: int
    shift: int


def window_attention_maps(block: WindowBlock, row: int, col: int) -> tuple[np.ndarray, np.ndarray]:
    """What token (row, col) of ``block`` attends to: the mean over heads, then every head.

    Returns:
        ``(heats, status)``: (1 + H, h, w) maps of :func:`patch_window_attention` (index 0 the mean of the
        heads, index 1 + k head k) and their common (h, w) status map.
    """
    n_heads = block.weights.shape[1]
    maps = [
        patch_window_attention(
            block.weights,
            block.allowed,
            block.resolution,
            block.padded,
            block.window,
            block.shift,
            row,
            col,
            head,
        )
        for head in [None, *range(n_heads)]
    ]
    return np.stack([heat for heat, _ in maps]), maps[0][1]


def window_mask(
    allowed: np.ndarray | None,
    regions: np.ndarray | None,
    window_index: int,
    padded: tuple[int, int],
    window: int,
) -> tuple[np.ndarray, list[str]]:
    """The additive mask of one window, (Q, Q) with 0 and -inf, and the region name of each of its tokens.

    With no shift every entry is 0 and every token is in region "A1".
    """
    q = window * window
    if allowed is None or regions is None:
        return np.zeros((q, q)), [REGION_NAMES[0]] * q
    per_row = padded[1] // window
    wy, wx = divmod(window_index, per_row)
    labels = regions[wy * window : (wy + 1) * window, wx * window : (wx + 1) * window].reshape(-1)
    return np.where(allowed[window_index], 0.0, -np.inf), [REGION_NAMES[int(r)] for r in labels]


def bias_grid(table: np.ndarray, window: int) -> np.ndarray:
    """((2M - 1)^2, H) learned table -> (H, 2M - 1, 2M - 1): [h, dy + M - 1, dx + M - 1] = B_h[dy, dx]."""
    side = 2 * window - 1
    return np.asarray(table).T.reshape(-1, side, side)


def relative_offsets(window: int) -> tuple[np.ndarray, np.ndarray]:
    """(Q, Q) dy and dx between query i and key j of a window (query minus key)."""
    y, x = np.divmod(np.arange(window * window), window)
    return y[:, None] - y[None, :], x[:, None] - x[None, :]


def msa_flops(h: np.ndarray | float, w: np.ndarray | float, channels: float) -> np.ndarray:
    """Global multi-head self-attention (ViT) on h x w tokens: 4hwC^2 + 2(hw)^2 C (Swin paper, eq. 1)."""
    hw = np.asarray(h, dtype=np.float64) * np.asarray(w, dtype=np.float64)
    return 4 * hw * channels**2 + 2 * hw**2 * channels


def window_msa_flops(
    h: np.ndarray | float, w: np.ndarray | float, channels: float, window: int
) -> np.ndarray:
    """Window attention (Swin) on h x w tokens in M x M windows: 4hwC^2 + 2M^2 hwC (Swin paper, eq. 2)."""
    hw = np.asarray(h, dtype=np.float64) * np.asarray(w, dtype=np.float64)
    return 4 * hw * channels**2 + 2 * window**2 * hw * channels


def crossover_tokens(window: int) -> int:
    """The token count hw at which the two costs are equal: 2(hw)^2 C = 2M^2 hwC, so hw = M^2 (one window
    covers the whole image). Above it, windows are cheaper, and the gap grows linearly in hw."""
    return window * window


def cost_table(image_sides: np.ndarray, patch_size: int, channels: int, window: int) -> pd.DataFrame:
    """Both costs for square images of the given sides (pixels), one row per side."""
    sides = np.asarray(image_sides, dtype=np.int64)
    tokens_side = sides // patch_size
    vit = msa_flops(tokens_side, tokens_side, channels)
    swin = window_msa_flops(tokens_side, tokens_side, channels, window)
    return pd.DataFrame(
        {
            "image side (px)": sides,
            "tokens per side": tokens_side,
            "tokens hw": tokens_side**2,
            "ViT global MSA (GFLOPs)": vit / 1e9,
            "Swin window MSA (GFLOPs)": swin / 1e9,
            "ViT / Swin": vit / swin,
        }
    )


def stage_table(stages, image_size: int) -> pd.DataFrame:
    """The feature-map pyramid: one row per stage (from :meth:`viz.models.swin.config.SwinConfig.stages`)."""
    rows = []
    for s in stages:
        rows.append(
            {
                "stage": s.index + 1,
                "tokens (h x w)": f"{s.height} x {s.width}",
                "height": s.height,
                "width": s.width,
                "channels C": s.channels,
                "feature map": f"{s.height}x{s.width}x{s.channels}",
                "downsampling (pixels per token)": image_size // s.height,
                "heads": s.n_heads,
                "blocks": s.depth,
                "windows per block": s.n_windows,
                "shift in odd blocks": s.shift,
            }
        )
    return pd.DataFrame(rows)
