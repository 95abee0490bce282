"""The last step of a decoder: logits -> next-token distribution (temperature, top-k, top-p) -> a choice.

Pure numpy, shared by the decoding loop and the charts, so what is drawn is what was sampled from.
"""

from __future__ import annotations

import numpy as np

STRATEGIES = ("greedy", "sample")


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def next_token_distribution(
    logits: np.ndarray, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0
) -> np.ndarray:
    """softmax(logits / temperature), then only the ``top_k`` most likely tokens (0 = all), then only the
    smallest set of most likely tokens whose probabilities add up to ``top_p`` (nucleus sampling, Holtzman et
    al. 2020; 1 = all), renormalised. The order is transformers' (temperature, top-k, top-p).

    Args:
        logits: (..., V) scores of the final linear layer.
        temperature: > 0; below 1 sharpens the distribution, above 1 flattens it.
        top_k: keep this many tokens; ties at the k-th score are all kept.
        top_p: in (0, 1]; the most likely token is always kept.

    Returns:
        (..., V) probabilities; rows sum to 1.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    logits = np.asarray(logits, dtype=np.float64)
    if top_k < 0:
        raise ValueError(f"top_k must be >= 0, got {top_k}")
    scaled = logits / temperature
    if 0 < top_k < logits.shape[-1]:
        kth = np.sort(scaled, axis=-1)[..., -top_k][..., None]
        scaled = np.where(scaled >= kth, scaled, -np.inf)
    probs = softmax(scaled)
    if top_p < 1:
        order = np.argsort(-probs, axis=-1, kind="stable")
        sorted_probs = np.take_along_axis(probs, order, axis=-1)
        before = np.cumsum(sorted_probs, axis=-1) - sorted_probs  # the mass of the tokens ranked above
        keep_sorted = before < top_p
        keep_sorted[..., 0] = True
        keep = np.zeros_like(keep_sorted)
        np.put_along_axis(keep, order, keep_sorted, axis=-1)
        probs = np.where(keep, probs, 0.0)
        probs = probs / probs.sum(axis=-1, keepdims=True)
    return probs


def choose_token(probs: np.ndarray, strategy: str, rng: np.random.Generator | None = None) -> int:
    """Greedy: the most likely token. Sample: a draw from ``probs`` with ``rng``."""
    if strategy == "greedy":
        return int(np.argmax(probs))
    if strategy == "sample":
        if rng is None:
            raise ValueError("sampling needs a random generator")
        p = np.asarray(probs, dtype=np.float64)
        return int(rng.choice(len(p), p=p / p.sum()))
    raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")


def top_tokens(probs: np.ndarray, tokens: list[str], k: int) -> list[tuple[str, float, int]]:
    """The ``k`` most likely (token, probability, id), most likely first; ties broken by id."""
    probs = np.asarray(probs)
    order = np.lexsort((np.arange(len(probs)), -probs))[:k]
    return [(tokens[i], float(probs[i]), int(i)) for i in order]


def exact_match(predictions: list[str], targets: list[str]) -> float:
    """Share of predictions equal to their target, character for character."""
    if len(predictions) != len(targets):
        raise ValueError("predictions and targets differ in length")
    return sum(p == t for p, t in zip(predictions, targets)) / max(1, len(targets))
