"""Separation measures for every layer's representation, and 2-D projections of them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from viz.analysis.separation import centre_separation_index, per_class_separation_index, separation_index


def layer_separation(
    representations: np.ndarray, labels, order: int = 3, layer_names: list[str] | None = None, device=None
) -> pd.DataFrame:
    """One row per layer: SI, high-order SI and soft SI of ``order``, centre-based SI.

    Args:
        representations: (L + 1, N, d) features per layer (index 0 = embeddings).
    """
    reps = np.asarray(representations)
    names = layer_names or ["embeddings"] + [f"block {i}" for i in range(1, reps.shape[0])]
    rows = []
    for name, x in zip(names, reps):
        rows.append(
            {
                "layer": name,
                "SI": separation_index(x, labels, device=device),
                f"high-order SI (r={order})": separation_index(x, labels, order=order, device=device),
                f"soft SI (r={order})": separation_index(x, labels, order=order, soft=True, device=device),
                "centre SI": centre_separation_index(x, labels, device=device),
            }
        )
    return pd.DataFrame(rows)


def per_class_by_layer(
    representations: np.ndarray, labels, layer_names: list[str] | None = None, device=None
) -> pd.DataFrame:
    """(layers x classes) SI of each class's points."""
    reps = np.asarray(representations)
    names = layer_names or ["embeddings"] + [f"block {i}" for i in range(1, reps.shape[0])]
    return pd.DataFrame([per_class_separation_index(x, labels, device=device) for x in reps], index=names)


def pca_2d(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project (N, d) onto its first two principal components: ((N, 2), explained variance ratios (2,))."""
    x = np.asarray(features, dtype=np.float64)
    x = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    var = s**2
    ratio = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    coords = x @ vt[:2].T
    if coords.shape[1] < 2:
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
    return coords, ratio
