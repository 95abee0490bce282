"""Heads found by measurement: previous-token heads and induction heads (Olsson et al. 2022).

The test sequence is a block of random tokens followed by the same block again. A *previous-token head*
puts its weight at position t on t - 1. An *induction head* looks, from a token in the second copy, at the
token that *followed* the same token in the first copy (position t - period + 1): "A B ... A -> B". Random
tokens carry no meaning, so a head that scores high on them does so by its mechanism, not by the text.

Pure numpy on (L, H, T, T) attention weights.
"""

from __future__ import annotations

import dataclasses

import numpy as np


def repeated_random_ids(
    vocab_size: int, period: int, seed: int = 0, prefix: tuple[int, ...] = ()
) -> list[int]:
    """``prefix`` + ``period`` random ids + the same ids again (no id twice within a block, none in prefix)."""
    choices = np.setdiff1d(np.arange(vocab_size), np.asarray(prefix, dtype=np.int64))
    if period > len(choices):
        raise ValueError(f"a block of {period} distinct tokens needs a larger vocabulary than {vocab_size}")
    block = np.random.default_rng(seed).choice(choices, size=period, replace=False).tolist()
    return list(prefix) + block + block


def previous_token_scores(attentions: np.ndarray) -> np.ndarray:
    """(L, H): each head's mean weight from position t on position t - 1, over t >= 1."""
    a = np.asarray(attentions)
    t = np.arange(1, a.shape[-1])
    return a[..., t, t - 1].mean(axis=-1)


def induction_scores(attentions: np.ndarray, period: int, start: int = 0) -> np.ndarray:
    """(L, H): each head's mean weight, from a token of the second copy, on the token after its first copy.

    Args:
        attentions: (L, H, T, T) on ``prefix + block + block`` (see :func:`repeated_random_ids`).
        period: the block's length.
        start: the prefix's length (where the first copy begins).
    """
    a = np.asarray(attentions)
    if a.shape[-1] < start + 2 * period:
        raise ValueError(f"{a.shape[-1]} positions hold no prefix of {start} and two blocks of {period}")
    # Query start + period + i (the block's token i, seen before at start + i) looks at start + i + 1.
    queries = np.arange(start + period, start + 2 * period)
    return a[..., queries, queries - period + 1].mean(axis=-1)


@dataclasses.dataclass(frozen=True)
class HeadScore:
    layer: int  # 0-based
    head: int  # 0-based
    score: float


def ranked(scores: np.ndarray, k: int | None = None) -> list[HeadScore]:
    """Heads from the highest score down (ties: lower layer, then lower head first), the first ``k``."""
    scores = np.asarray(scores)
    flat = scores.ravel()
    order = np.lexsort((np.arange(flat.size), -flat))[:k]
    n_heads = scores.shape[1]
    return [HeadScore(int(i) // n_heads, int(i) % n_heads, float(flat[i])) for i in order]


def uniform_causal(n: int) -> np.ndarray:
    """(n, n) attention spread evenly over each query's allowed keys: the no-mechanism baseline."""
    allowed = np.tril(np.ones((n, n)))
    return allowed / allowed.sum(axis=1, keepdims=True)
