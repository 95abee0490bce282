"""Temperature, top-k and the choice of the next token."""

from __future__ import annotations

import numpy as np
import pytest

from viz.analysis.decoding import choose_token, exact_match, next_token_distribution, softmax, top_tokens

LOGITS = np.array([2.0, 1.0, 0.5, -1.0, 3.0])


def test_temperature_one_is_the_softmax():
    np.testing.assert_allclose(next_token_distribution(LOGITS), np.exp(LOGITS) / np.exp(LOGITS).sum())


def test_low_temperature_sharpens_and_high_flattens():
    cold, warm, hot = (next_token_distribution(LOGITS, t) for t in (0.2, 1.0, 5.0))
    assert cold.max() > warm.max() > hot.max()
    assert np.argmax(cold) == np.argmax(hot) == 4
    for p in (cold, warm, hot):
        assert p.sum() == pytest.approx(1.0)


def test_top_k_keeps_only_k_tokens():
    p = next_token_distribution(LOGITS, top_k=2)
    assert np.count_nonzero(p) == 2 and p[4] > p[0] > 0
    assert p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(next_token_distribution(LOGITS, top_k=0), softmax(LOGITS))


def test_choice():
    p = next_token_distribution(LOGITS, top_k=2)
    assert choose_token(p, "greedy") == 4
    rng = np.random.default_rng(0)
    draws = {choose_token(p, "sample", rng) for _ in range(200)}
    assert draws == {0, 4}  # never a token outside the top 2
    with pytest.raises(ValueError):
        choose_token(p, "beam")
    with pytest.raises(ValueError):
        next_token_distribution(LOGITS, temperature=0)


def test_top_tokens_and_exact_match():
    p = softmax(LOGITS)
    assert [t for t, _, _ in top_tokens(p, list("abcde"), 3)] == ["e", "a", "b"]
    assert exact_match(["ab", "ba", "c"], ["ab", "ab", "c"]) == pytest.approx(2 / 3)


def reference_distribution(logits, temperature, top_k, top_p):
    """softmax(logits / T), the top_k kept (ties at the k-th kept), then the smallest set of the most likely
    whose mass reaches top_p; one row at a time, written out."""
    out = []
    for row in np.atleast_2d(np.asarray(logits, dtype=np.float64)):
        z = row / temperature
        if top_k:
            kth = sorted(z, reverse=True)[min(top_k, len(z)) - 1]
            z = np.array([v if v >= kth else -np.inf for v in z])
        p = np.exp(z - z.max())
        p /= p.sum()
        if top_p < 1:
            kept, mass = [], 0.0
            for i in sorted(range(len(p)), key=lambda i: (-p[i], i)):
                kept.append(i)
                mass += p[i]
                if mass >= top_p:
                    break
            q = np.zeros_like(p)
            q[kept] = p[kept]
            p = q / q.sum()
        out.append(p)
    return np.array(out).reshape(np.shape(logits))


def transformers_distribution(logits, temperature, top_k, top_p):
    """transformers' warpers in generate's order (temperature, top-k, top-p), then the softmax."""
    import torch
    from transformers.generation.logits_process import (
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    scores = torch.tensor(np.atleast_2d(logits), dtype=torch.float64)
    warpers = [TemperatureLogitsWarper(temperature)]
    if top_k:
        warpers.append(TopKLogitsWarper(top_k))
    if top_p < 1:
        warpers.append(TopPLogitsWarper(top_p))
    for warper in warpers:
        scores = warper(None, scores)
    return torch.softmax(scores, dim=-1).numpy().reshape(np.shape(logits))


SETTINGS = [
    (1.0, 0, 1.0),
    (0.7, 0, 1.0),
    (1.0, 5, 1.0),
    (1.0, 0, 0.9),
    (0.5, 0, 0.5),
    (1.3, 10, 0.8),
    (2.0, 3, 0.95),
    (0.8, 40, 0.3),
    (1.0, 1, 0.9),
    (1.0, 0, 1e-6),
]


@pytest.mark.parametrize("temperature, top_k, top_p", SETTINGS)
def test_filters_equal_numpy_and_transformers(temperature, top_k, top_p):
    pytest.importorskip("transformers")
    logits = np.random.default_rng(7).normal(0, 3, size=(6, 50))
    ours = next_token_distribution(logits, temperature, top_k, top_p)
    np.testing.assert_allclose(ours, reference_distribution(logits, temperature, top_k, top_p), atol=1e-12)
    theirs = transformers_distribution(logits, temperature, top_k, top_p)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    assert np.array_equal(ours > 0, theirs > 0)
    np.testing.assert_allclose(ours.sum(-1), 1.0)
    # one row alone is the same as in a batch
    np.testing.assert_allclose(next_token_distribution(logits[2], temperature, top_k, top_p), ours[2])


def test_top_p_keeps_the_smallest_set_whose_mass_reaches_p():
    logits = np.random.default_rng(3).normal(0, 2, size=30)
    p = softmax(logits)
    order = np.argsort(-p)
    mass = np.cumsum(p[order])
    for n in range(1, 8):  # the n most likely reach mass[n - 1]: just below it n are needed, just above n + 1
        for top_p, expected in ((mass[n - 1] - 1e-9, n), (mass[n - 1] + 1e-9, n + 1)):
            q = next_token_distribution(logits, top_p=top_p)
            assert set(np.flatnonzero(q)) == set(order[:expected].tolist()), (n, top_p)
            np.testing.assert_allclose(q[order[:expected]], p[order[:expected]] / mass[expected - 1])


def test_the_top_token_is_always_kept():
    logits = np.array([5.0, 4.9, 0.0, -3.0])
    for top_p in (1e-9, 0.01, 0.4):
        q = next_token_distribution(logits, top_p=top_p)
        assert q[0] == 1.0 and np.count_nonzero(q) == 1
    q = next_token_distribution(np.array([10.0, 0, 0]), temperature=0.01, top_k=1, top_p=0.5)
    assert q.tolist() == [1.0, 0.0, 0.0]
    # ties at the k-th score are all kept
    assert np.count_nonzero(next_token_distribution(np.array([1.0, 2.0, 2.0, 0.0]), top_k=1)) == 2


@pytest.mark.parametrize(
    "settings",
    [
        dict(temperature=0),
        dict(temperature=-0.5),
        dict(temperature=float("nan")),
        dict(top_k=-1),
        dict(top_p=0),
        dict(top_p=-0.1),
        dict(top_p=1.01),
        dict(top_p=float("nan")),
    ],
)
def test_bad_settings_raise(settings):
    with pytest.raises(ValueError):
        next_token_distribution(LOGITS, **settings)
