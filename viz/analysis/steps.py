"""Scaled dot-product attention, one step at a time, on plain arrays (for walk-throughs and ablations).

softmax(Q K^T / sqrt(d_k) + M) V, with M = 0 where a query may look and -inf where it may not.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class AttentionSteps:
    """Every step for queries (T_q, d_k), keys (T_k, d_k), values (T_k, d_v)."""

    queries: np.ndarray
    keys: np.ndarray
    values: np.ndarray
    scores: np.ndarray  # (T_q, T_k) Q K^T
    scale: float  # the divisor: sqrt(d_k), or 1 when scaling is switched off
    scaled: np.ndarray  # scores / scale
    mask: np.ndarray  # (T_q, T_k) 0 or -inf
    masked: np.ndarray  # scaled + mask
    weights: np.ndarray  # softmax over keys, rows sum to 1
    weighted_values: np.ndarray  # (T_q, T_k, d_v) weights[i, j] * values[j]
    output: np.ndarray  # (T_q, d_v) Z = weights @ V


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax; a row that is all -inf gives zeros."""
    x = np.asarray(x, dtype=np.float64)
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(x - top)
    total = e.sum(axis=axis, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def attention_steps(
    queries: np.ndarray,
    keys: np.ndarray,
    values: np.ndarray,
    scale: bool | float = True,
    causal: bool = False,
) -> AttentionSteps:
    """Compute scaled dot-product attention step by step.

    Args:
        queries, keys, values: (T_q, d_k), (T_k, d_k), (T_k, d_v).
        scale: True divides by sqrt(d_k); False does not scale (the ablation); a number divides by it.
        causal: hide keys after each query's own position (-inf above the diagonal).
    """
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (queries, keys, values))
    if q.ndim != 2 or k.ndim != 2 or v.ndim != 2 or q.shape[1] != k.shape[1] or k.shape[0] != v.shape[0]:
        raise ValueError(f"incompatible shapes: Q {q.shape}, K {k.shape}, V {v.shape}")
    scores = q @ k.T
    divisor = float(np.sqrt(q.shape[1])) if scale is True else (1.0 if scale is False else float(scale))
    scaled = scores / divisor
    mask = np.zeros_like(scores)
    if causal:
        mask[np.triu_indices(scores.shape[0], k=1 + k.shape[0] - q.shape[0], m=scores.shape[1])] = -np.inf
    masked = scaled + mask
    weights = softmax(masked)
    weighted = weights[:, :, None] * v[None, :, :]
    return AttentionSteps(
        q, k, v, scores, divisor, scaled, mask, masked, weights, weighted, weighted.sum(axis=1)
    )


def row_entropy(weights: np.ndarray) -> np.ndarray:
    """Entropy in bits of each row of a (…, T_k) weight matrix; 0 for one-hot, log2(T_k) for uniform."""
    w = np.asarray(weights, dtype=np.float64)
    logs = np.log2(w, out=np.zeros_like(w), where=w > 0)
    return -(w * logs).sum(axis=-1)
