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
