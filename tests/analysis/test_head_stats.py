"""Head statistics on attention patterns whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from viz.analysis.head_stats import head_statistics, rank_heads

TOKENS = ["[CLS]", "a", "b", "c", "[SEP]"]


def patterns():
    n = len(TOKENS)
    previous = np.zeros((n, n))
    previous[0, 0] = 1
    for i in range(1, n):
        previous[i, i - 1] = 1
    uniform = np.full((n, n), 1 / n)
    to_sep = np.zeros((n, n))
    to_sep[:, -1] = 1
    identity = np.eye(n)
    return np.stack([np.stack([previous, uniform, to_sep, identity])])  # (1 layer, 4 heads, n, n)


def test_known_patterns():
    stats = head_statistics(patterns(), TOKENS).set_index("head")
    assert stats.loc[1, "to_previous"] == 1.0 and stats.loc[4, "to_self"] == 1.0
    assert (
        stats.loc[3, "to_sep"] == 1.0
        and stats.loc[3, "to_cls"] == 0
        and stats.loc[2, "to_cls"] == pytest.approx(0.2)
    )
    assert stats.loc[2, "entropy_bits"] == pytest.approx(np.log2(5))
    assert stats.loc[4, "entropy_bits"] == 0 and stats.loc[4, "mean_distance"] == 0
    # previous-token head: every row but the first looks one step back
    assert stats.loc[1, "mean_distance"] == pytest.approx(4 / 5)
    # uniform: mean |i - j| over a 5 x 5 grid
    assert stats.loc[2, "mean_distance"] == pytest.approx(
        np.abs(np.subtract.outer(range(5), range(5))).mean()
    )
    assert stats.loc[4, "to_next"] == 0 and stats.loc[2, "to_next"] == pytest.approx(0.2)


def test_ranking_finds_previous_token_head():
    stats = head_statistics(patterns(), TOKENS)
    assert rank_heads(stats, "to_previous").iloc[0]["head"] == 1
    assert rank_heads(stats, "entropy_bits", ascending=True).iloc[0]["head"] in (1, 3, 4)
    with pytest.raises(ValueError):
        rank_heads(stats, "nonsense")


def test_token_count_mismatch():
    with pytest.raises(ValueError):
        head_statistics(patterns(), TOKENS[:3])


@pytest.mark.parametrize("seed", range(5))
def test_showcase_head_is_the_top_previous_token_head_of_the_statistics(seed):
    from viz.analysis.head_stats import showcase_head

    rng = np.random.default_rng(seed)
    a = rng.random((3, 4, 7, 7)).astype(np.float32)
    a /= a.sum(-1, keepdims=True)
    tokens = ["[CLS]", *"abcde", "[SEP]"]
    stats = head_statistics(a, tokens)
    best = stats.loc[stats["to_previous"].idxmax()]
    assert showcase_head(a, tokens) == (int(best["layer"]), int(best["head"]))
    assert showcase_head(a[..., :1, :1], ["[CLS]"]) == (1, 1)  # one token: no previous one
