"""Pure functions on a Vision Transformer's arrays: rollout maps, gradient rollout, the pointing game,
attention distance, position-embedding similarity and PCA views of embeddings and filters.

Token 0 is [CLS]; the patches follow the ``n_prefix`` tokens in front (1: [CLS] alone, as in ViT and DINOv2;
2: [CLS] and DeiT's distillation token), row by row over a (grid_h, grid_w) grid.
"""

from __future__ import annotations

import numpy as np

from viz.analysis.rollout import attention_rollout


def _grid_of(n_patches: int, grid: tuple[int, int] | None) -> tuple[int, int]:
    if grid is None:
        side = int(round(np.sqrt(n_patches)))
        grid = (side, side)
    if grid[0] * grid[1] != n_patches:
        raise ValueError(f"{n_patches} patches do not fill a {grid[0]} x {grid[1]} grid")
    return grid


def _check_prefix(n_tokens: int, n_prefix: int) -> int:
    """The number of patches after ``n_prefix`` tokens in front."""
    if not 1 <= n_prefix < n_tokens:
        raise ValueError(f"n_prefix must be in [1, {n_tokens}) for {n_tokens} tokens, got {n_prefix}")
    return n_tokens - n_prefix


def cls_map(
    matrix: np.ndarray, grid: tuple[int, int] | None = None, renormalise: bool = True, n_prefix: int = 1
) -> np.ndarray:
    """Row [CLS] of a (T, T) matrix over the patch columns (after the ``n_prefix`` tokens in front), as a
    (grid_h, grid_w) map.

    Args:
        matrix: attention or rollout, rows = queries; T = n_prefix + N.
        grid: the patch grid; square when None.
        renormalise: divide by the map's sum, so it sums to 1 over the patches (the prefix columns dropped).
        n_prefix: tokens in front of the patches ([CLS], and DeiT's distillation token).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square (prefix + N, prefix + N) matrix, got shape {matrix.shape}")
    _check_prefix(matrix.shape[0], n_prefix)
    row = matrix[0, n_prefix:]
    if renormalise:
        total = row.sum()
        row = row / total if total > 0 else np.full_like(row, 1.0 / row.size)
    return row.reshape(_grid_of(row.size, grid))


def patch_map(
    matrix: np.ndarray, patch_index: int, grid: tuple[int, int] | None = None, n_prefix: int = 1
) -> np.ndarray:
    """What patch ``patch_index`` (0-based, row by row) attends to over the patches, as a (grid_h, grid_w) map.

    The weights are left as they are (the row's share on the ``n_prefix`` tokens in front is
    ``1 - map.sum()``).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    n_patches = _check_prefix(matrix.shape[-1], n_prefix)
    if not 0 <= patch_index < n_patches:
        raise ValueError(f"patch_index must be in [0, {n_patches}), got {patch_index}")
    return matrix[n_prefix + patch_index, n_prefix:].reshape(_grid_of(n_patches, grid))


def gradient_rollout(attentions, gradients, discard_ratio: float = 0.0) -> np.ndarray:
    """Gradient rollout: per layer, the mean over heads of (A * dA)^+, then rolled out like attention.

    Each layer's attention is weighted by the gradient of the class score with respect to that same
    layer's attention weights, and only positive evidence is kept (Chefer et al. 2021's head weighting);
    the layers are then combined by :func:`viz.analysis.rollout.attention_rollout` (0.5 A + 0.5 I,
    rows normalised, later layers on the left).

    Args:
        attentions: (L, H, T, T) attention weights.
        gradients: (L, H, T, T) d score / d attention, gradients[l] belonging to attentions[l].
        discard_ratio: share of the lowest fused weights zeroed per layer.

    Returns:
        (T, T) rollout; rows sum to 1.
    """
    attentions = np.asarray(attentions, dtype=np.float64)
    gradients = np.asarray(gradients, dtype=np.float64)
    if attentions.shape != gradients.shape:
        raise ValueError(f"attentions {attentions.shape} and gradients {gradients.shape} differ in shape")
    weighted = np.clip(attentions * gradients, 0.0, None)  # (A * dA)^+ per head
    return attention_rollout(weighted, head_fusion="mean", discard_ratio=discard_ratio)


def patch_coverage(mask: np.ndarray, patch_size: int) -> np.ndarray:
    """(H, W) boolean mask -> (H / P, W / P): the share of each patch's pixels inside the mask."""
    mask = np.asarray(mask, dtype=np.float64)
    height, width = mask.shape
    if height % patch_size or width % patch_size:
        raise ValueError(f"mask {height} x {width} is not a whole number of {patch_size}-pixel patches")
    return mask.reshape(height // patch_size, patch_size, width // patch_size, patch_size).mean(axis=(1, 3))


def mass_inside(heat: np.ndarray, coverage: np.ndarray) -> float:
    """The pointing game: the share of a patch map's mass that falls on the object's pixels.

    Each patch's mass is spread evenly over its pixels, so a patch half covered by the object puts half
    its mass inside. A uniform map scores the object's share of the image.
    """
    heat = np.asarray(heat, dtype=np.float64)
    if heat.shape != coverage.shape:
        raise ValueError(f"map {heat.shape} and coverage {coverage.shape} differ in shape")
    if (heat < 0).any():
        raise ValueError("the map must not be negative")
    total = heat.sum()
    return float((heat * coverage).sum() / total) if total > 0 else 0.0


def patch_positions(grid: tuple[int, int], patch_size: int = 1) -> np.ndarray:
    """(N, 2) centre of each patch, (row, column), in pixels when ``patch_size`` is given."""
    rows, cols = np.mgrid[0 : grid[0], 0 : grid[1]]
    return (np.stack([rows.ravel(), cols.ravel()], axis=1) + 0.5) * patch_size


def attention_distance(
    attentions, grid: tuple[int, int] | None = None, patch_size: int = 1, n_prefix: int = 1
) -> np.ndarray:
    """Mean attention distance (ViT paper, fig. 7): per layer and head, how far patches look.

    For each patch query, the distance to every patch key weighted by the attention (renormalised over the
    patches, the ``n_prefix`` tokens in front left out), averaged over the queries.

    Args:
        attentions: (L, H, T, T), T = n_prefix + N.
        grid: the patch grid; square when None.
        patch_size: pixels per patch, so the result is in pixels (1: in patches).
        n_prefix: tokens in front of the patches ([CLS], and DeiT's distillation token).

    Returns:
        (L, H) mean distances.
    """
    attentions = np.asarray(attentions, dtype=np.float64)
    n_patches = _check_prefix(attentions.shape[-1], n_prefix)
    positions = patch_positions(_grid_of(n_patches, grid), patch_size)
    distance = np.linalg.norm(positions[:, None] - positions[None], axis=-1)  # (N, N)
    patch_rows = attentions[..., n_prefix:, n_prefix:]  # (L, H, N, N): patch queries to patch keys
    patch_rows = patch_rows / np.maximum(patch_rows.sum(axis=-1, keepdims=True), 1e-12)
    return (patch_rows * distance).sum(axis=-1).mean(axis=-1)


def cosine_similarity(vectors: np.ndarray) -> np.ndarray:
    """(N, D) -> (N, N) cosine similarity of every pair of rows."""
    vectors = np.asarray(vectors, dtype=np.float64)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)
    return unit @ unit.T


def principal_components(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PCA of the rows of ``x`` (n, d) by SVD.

    Returns:
        (scores (n, k), components (k, d), explained variance ratio (k,)); signs fixed so that each
        component's largest-magnitude entry is positive (results do not flip between runs).
    """
    x = np.asarray(x, dtype=np.float64)
    k = min(k, *x.shape)
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:k]
    signs = np.sign(vt[np.arange(k), np.abs(vt).argmax(axis=1)])
    vt = vt * signs[:, None]
    variance = s**2
    ratio = variance[:k] / variance.sum() if variance.sum() > 0 else np.zeros(k)
    return centred @ vt.T, vt, ratio


def to_unit_range(x: np.ndarray, per_item_axes: tuple[int, ...] | None = None) -> np.ndarray:
    """Scale to [0, 1] (min to 0, max to 1), over everything or separately over ``per_item_axes``."""
    x = np.asarray(x, dtype=np.float64)
    low = x.min(axis=per_item_axes, keepdims=True) if per_item_axes else x.min()
    high = x.max(axis=per_item_axes, keepdims=True) if per_item_axes else x.max()
    return (x - low) / np.maximum(high - low, 1e-12)


def pca_rgb(embeddings: np.ndarray, grid: tuple[int, int] | None = None) -> np.ndarray:
    """Patch embeddings (N, D) -> (grid_h, grid_w, 3): the first three principal components as red,
    green and blue, each scaled to [0, 1]. Patches the model embeds alike get alike colours."""
    embeddings = np.asarray(embeddings, dtype=np.float64)
    scores, _, _ = principal_components(embeddings, 3)
    if scores.shape[1] < 3:
        scores = np.pad(scores, ((0, 0), (0, 3 - scores.shape[1])))
    return to_unit_range(scores, per_item_axes=(0,)).reshape(*_grid_of(embeddings.shape[0], grid), 3)


def filter_components(
    filters: np.ndarray, patch_size: int, n_channels: int, k: int = 28
) -> tuple[np.ndarray, np.ndarray]:
    """The principal components of the patch-embedding filters, as small images (ViT paper, fig. 7 left).

    Args:
        filters: (D, P * P * C), each row a filter flattened like a patch (pixel by pixel, channels last).
        k: how many components.

    Returns:
        (images (k, P, P, C) each scaled to [0, 1], explained variance ratio (k,)).
    """
    _, components, ratio = principal_components(filters, k)
    images = components.reshape(-1, patch_size, patch_size, n_channels)
    return to_unit_range(images, per_item_axes=(1, 2, 3)), ratio
