"""What each head does on a sentence: entropy, distance, and where its attention goes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from viz.analysis.steps import row_entropy

#: column -> human description, in display order
STATISTICS = {
    "entropy_bits": "mean entropy of a row (bits): low = focused, high = spread out",
    "mean_distance": "mean |query position - key position|, weighted by attention",
    "to_cls": "share of attention on [CLS]",
    "to_sep": "share of attention on [SEP]",
    "to_self": "share of attention on the token itself",
    "to_previous": "share of attention on the previous token",
    "to_next": "share of attention on the next token",
}

#: column -> the short name a chart or table shows
NAMES = {
    "entropy_bits": "entropy (bits)",
    "mean_distance": "mean distance",
    "to_cls": "share on [CLS]",
    "to_sep": "share on [SEP]",
    "to_self": "share on itself",
    "to_previous": "share on the previous token",
    "to_next": "share on the next token",
}


def head_statistics(attentions: np.ndarray, tokens: list[str]) -> pd.DataFrame:
    """One row per (layer, head), 1-based, with the columns of :data:`STATISTICS`.

    Args:
        attentions: (L, H, T, T) weights, rows = queries.
        tokens: the T tokens (to find [CLS] and [SEP]).
    """
    a = np.asarray(attentions, dtype=np.float64)
    n_layers, n_heads, n, _ = a.shape
    if len(tokens) != n:
        raise ValueError(f"{len(tokens)} tokens for attention over {n} positions")
    positions = np.arange(n)
    distance = np.abs(positions[:, None] - positions[None, :])  # (T, T)
    is_cls = np.array([t == "[CLS]" for t in tokens])
    is_sep = np.array([t == "[SEP]" for t in tokens])
    diag = a[..., positions, positions]  # (L, H, T)
    previous = a[..., positions[1:], positions[:-1]].mean(-1) if n > 1 else np.zeros((n_layers, n_heads))
    following = a[..., positions[:-1], positions[1:]].mean(-1) if n > 1 else np.zeros((n_layers, n_heads))
    table = {
        "entropy_bits": row_entropy(a).mean(-1),
        "mean_distance": (a * distance).sum(-1).mean(-1),
        "to_cls": a[..., is_cls].sum(-1).mean(-1),
        "to_sep": a[..., is_sep].sum(-1).mean(-1),
        "to_self": diag.mean(-1),
        "to_previous": previous,
        "to_next": following,
    }
    layer_idx, head_idx = np.meshgrid(np.arange(1, n_layers + 1), np.arange(1, n_heads + 1), indexing="ij")
    frame = pd.DataFrame({"layer": layer_idx.ravel(), "head": head_idx.ravel()})
    for name, values in table.items():
        frame[name] = np.asarray(values).ravel()
    return frame


def showcase_head(attentions: np.ndarray, tokens: list[str]) -> tuple[int, int]:
    """The 1-based (layer, head) to open a page on: the head that puts the largest share of its attention on
    the previous token, a diagonal band anyone sees at once (layer 1, head 1 is nearly uniform)."""
    a = np.asarray(attentions)
    if len(tokens) != a.shape[-1]:
        raise ValueError(f"{len(tokens)} tokens for attention over {a.shape[-1]} positions")
    if a.shape[-1] < 2:
        return 1, 1
    # the "to_previous" column of head_statistics, read off the sub-diagonal alone (it runs on every rerun:
    # no (L, H, T, T) float64 copy for a 256-token text)
    previous = np.diagonal(a, offset=-1, axis1=-2, axis2=-1).mean(-1, dtype=np.float64)  # (L, H)
    layer, head = np.unravel_index(int(previous.argmax()), previous.shape)
    return int(layer) + 1, int(head) + 1


def rank_heads(stats: pd.DataFrame, statistic: str, top: int = 10, ascending: bool = False) -> pd.DataFrame:
    """The ``top`` heads by ``statistic`` (e.g. ``to_previous`` finds previous-token heads)."""
    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic!r}; choose from {list(STATISTICS)}")
    return stats.sort_values(statistic, ascending=ascending, kind="stable").head(top).reset_index(drop=True)
