"""One head of a real model, or a hand-sized toy, computed step by step from its own matrices."""

from __future__ import annotations

import dataclasses

import numpy as np

from viz.analysis.steps import AttentionSteps, attention_steps


@dataclasses.dataclass(frozen=True)
class HeadWalkthrough:
    """x -> q, k, v -> scores -> / sqrt(d_k) -> softmax -> weighted values -> z, for every token."""

    inputs: np.ndarray  # X (T, d_model): the layer's input, one row per token
    w_q: np.ndarray  # (d_model, d_k)
    w_k: np.ndarray
    w_v: np.ndarray  # (d_model, d_v)
    b_q: np.ndarray  # (d_k,); zeros where the model has no bias
    b_k: np.ndarray
    b_v: np.ndarray
    steps: AttentionSteps  # Q, K, V, scores, ..., Z for all queries


def head_walkthrough(
    inputs: np.ndarray, head_weights: dict[str, np.ndarray], scale: bool | float = True, causal: bool = False
) -> HeadWalkthrough:
    """Project ``inputs`` with one head's matrices and attend.

    Args:
        inputs: (T, d_model) the token vectors entering the layer.
        head_weights: ``w_q``, ``w_k``, ``w_v`` (d_model, d_head) and optional ``b_q``, ``b_k``, ``b_v``.
        scale, causal: as in :func:`viz.analysis.steps.attention_steps`.
    """
    x = np.asarray(inputs, dtype=np.float64)
    w = {name: np.asarray(head_weights[name], dtype=np.float64) for name in ("w_q", "w_k", "w_v")}
    b = {
        name: np.asarray(head_weights.get(name, np.zeros(w["w" + name[1:]].shape[1])), dtype=np.float64)
        for name in ("b_q", "b_k", "b_v")
    }
    q, k, v = x @ w["w_q"] + b["b_q"], x @ w["w_k"] + b["b_k"], x @ w["w_v"] + b["b_v"]
    return HeadWalkthrough(
        x,
        w["w_q"],
        w["w_k"],
        w["w_v"],
        b["b_q"],
        b["b_k"],
        b["b_v"],
        attention_steps(q, k, v, scale=scale, causal=causal),
    )


# The toy of The Illustrated Transformer: "Thinking Machines", d_model = 4, d_k = d_v = 3.
# Integer matrices chosen so that q1 . k1 = 112 and q1 . k2 = 96, the course's worked numbers;
# dividing by 8 (sqrt of the paper's d_k = 64) gives 14 and 12, and the softmax 0.88 and 0.12.
TOY_TOKENS = ["Thinking", "Machines"]
TOY_X = np.array([[1, 0, 1, 0], [0, 1, 0, 1]], dtype=float)
TOY_W_Q = np.array([[4, 2, 2], [1, 3, 2], [4, 2, 2], [2, 1, 3]], dtype=float)
TOY_W_K = np.array([[4, 4, 2], [3, 3, 3], [4, 4, 2], [3, 3, 3]], dtype=float)
TOY_W_V = np.array([[1, 0, 2], [2, 1, 0], [0, 1, 1], [1, 2, 1]], dtype=float)
TOY_SCALE = 8.0  # sqrt(64): the course keeps the paper's divisor in its small example


def toy_walkthrough(
    inputs: np.ndarray = TOY_X,
    w_q: np.ndarray = TOY_W_Q,
    w_k: np.ndarray = TOY_W_K,
    w_v: np.ndarray = TOY_W_V,
    scale: bool | float = TOY_SCALE,
    causal: bool = False,
) -> HeadWalkthrough:
    """The hand-checkable toy (defaults reproduce 112, 96 -> 14, 12 -> 0.88, 0.12)."""
    return head_walkthrough(inputs, {"w_q": w_q, "w_k": w_k, "w_v": w_v}, scale=scale, causal=causal)
