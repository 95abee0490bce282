"""Arrays as long tables for CSV download: one row per number, with its coordinates named."""

from __future__ import annotations

import numpy as np
import pandas as pd


def attention_table(
    attentions: np.ndarray, tokens: list[str], layers: list[int] | None = None
) -> pd.DataFrame:
    """(L, H, T, T) or (H, T, T) weights -> columns layer, head, query, query_token, key, key_token, weight.

    Layers and heads are 1-based as on the pages; positions are 0-based.
    """
    a = np.asarray(attentions)
    if a.ndim == 3:
        a = a[None]
    n_layers, n_heads, n_q, n_k = a.shape
    layers = layers or list(range(1, n_layers + 1))
    grid = np.indices((n_layers, n_heads, n_q, n_k)).reshape(4, -1)
    tokens_arr = np.asarray(tokens, dtype=object)
    return pd.DataFrame(
        {
            "layer": np.asarray(layers)[grid[0]],
            "head": grid[1] + 1,
            "query": grid[2],
            "query_token": tokens_arr[grid[2]],
            "key": grid[3],
            "key_token": tokens_arr[grid[3]],
            "weight": a.reshape(-1),
        }
    )
