"""Attention rollout (Abnar & Zuidema 2020).

Per layer: fuse the heads (mean, max or min), optionally zero the lowest share of the fused weights
(never the first token's attention to itself), add the residual as 0.5 A + 0.5 I, divide each row by
its own sum, and multiply the layers in order: R = A_L ... A_2 A_1 (later layers on the left).
"""

from __future__ import annotations

import numpy as np

HEAD_FUSIONS = ("mean", "max", "min")


def fuse_heads(attention: np.ndarray, head_fusion: str = "mean") -> np.ndarray:
    """(H, T, T) -> (T, T)."""
    if head_fusion == "mean":
        return attention.mean(axis=0)
    if head_fusion == "max":
        return attention.max(axis=0)
    if head_fusion == "min":
        return attention.min(axis=0)
    raise ValueError(f"head_fusion must be one of {HEAD_FUSIONS}, got {head_fusion!r}")


def discard_lowest(fused: np.ndarray, discard_ratio: float) -> np.ndarray:
    """Zero the ``discard_ratio`` share of entries with the lowest weight, never entry (0, 0)."""
    if discard_ratio <= 0:
        return fused
    flat = fused.reshape(-1).copy()
    n_discard = int(flat.size * discard_ratio)
    order = np.argsort(flat, kind="stable")
    order = order[order != 0][:n_discard]  # index 0 is the first token's weight on itself
    flat[order] = 0.0
    return flat.reshape(fused.shape)


def attention_rollout(attentions, head_fusion: str = "mean", discard_ratio: float = 0.0) -> np.ndarray:
    """Roll attention out through the layers.

    Args:
        attentions: (L, H, T, T) attention weights, rows = queries (numpy or torch).
        head_fusion: "mean", "max" or "min" over heads.
        discard_ratio: share in [0, 1) of the lowest fused weights set to zero in each layer.

    Returns:
        (T, T) array; row i says how much of token i's final representation flows from each input token.
        Rows sum to 1.
    """
    attentions = np.asarray(attentions, dtype=np.float64)
    if attentions.ndim != 4 or attentions.shape[-1] != attentions.shape[-2]:
        raise ValueError(f"attentions must be (layers, heads, T, T), got shape {attentions.shape}")
    if not 0.0 <= discard_ratio < 1.0:
        raise ValueError(f"discard_ratio must be in [0, 1), got {discard_ratio}")
    n_tokens = attentions.shape[-1]
    identity = np.eye(n_tokens)
    result = identity.copy()
    for layer in attentions:
        fused = discard_lowest(fuse_heads(layer, head_fusion), discard_ratio)
        a = 0.5 * fused + 0.5 * identity
        a = a / a.sum(axis=-1, keepdims=True)  # each row by its own sum
        result = a @ result
    return result
