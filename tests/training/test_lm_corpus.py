"""The language-model corpus reader, tokenizer, held-out windows and bigram baselines on small texts written
here (the installed corpus is not needed)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.training.evaluate_lm import Bigram
from viz.training.lm_corpus import Chapter, parse_chapters, split_chapters
from viz.training.train_lm import token_stream, train_tokenizer, windows

TEXT = """
Genesis 1

  1 In the beginning God created the heaven and the earth.
  2 And the earth was without form, and void; and darkness was upon the face of
the deep. And the Spirit of God moved upon the face of the waters.

Genesis 2

  1 Thus the heavens   and the earth were finished.

1 Samuel 3

  10 And the LORD came, and stood, and called as at other times, Samuel, Samuel.
"""


def test_parse_removes_headings_and_verse_numbers_and_joins_wrapped_verses():
    chapters = parse_chapters(TEXT)
    assert [(c.book, c.number) for c in chapters] == [("Genesis", 1), ("Genesis", 2), ("1 Samuel", 3)]
    assert chapters[0].verses == (
        "In the beginning God created the heaven and the earth.",
        "And the earth was without form, and void; and darkness was upon the face of the deep. "
        "And the Spirit of God moved upon the face of the waters.",
    )
    assert chapters[1].verses == ("Thus the heavens and the earth were finished.",)
    assert chapters[2].text == "And the LORD came, and stood, and called as at other times, Samuel, Samuel."
    for chapter in chapters:  # no verse number left at the start of a line
        assert not any(v[0].isdigit() for v in chapter.verses)


def test_parse_refuses_text_without_chapters():
    with pytest.raises(ValueError, match="before any chapter heading"):
        parse_chapters("  1 In the beginning.")
    with pytest.raises(ValueError, match="no chapter"):
        parse_chapters("nothing here\n")


def chapters(n):
    return [Chapter("Book", i + 1, (f"verse of chapter {i + 1}",)) for i in range(n)]


def test_split_is_deterministic_one_per_block_and_seeded():
    corpus = chapters(230)
    train, held = split_chapters(corpus, seed=0)
    assert split_chapters(corpus, seed=0) == (train, held)
    assert len(held) == 5 and len(train) == 225  # blocks of 50: 50, 50, 50, 50, 30
    assert {c.number for c in train} | {c.number for c in held} == set(range(1, 231))
    assert sorted((c.number - 1) // 50 for c in held) == [0, 1, 2, 3, 4]
    seeds = {tuple(c.number for c in split_chapters(corpus, seed=s)[1]) for s in range(5)}
    assert len(seeds) > 1
    with pytest.raises(ValueError, match="at least 2"):
        split_chapters(corpus, held_out_every=1)


def test_tokenizer_matches_transformers_and_round_trips(tmp_path):
    transformers = pytest.importorskip("transformers")
    texts = [c.text for c in parse_chapters(TEXT)] * 20
    tokenizer = train_tokenizer(texts, 300)
    assert tokenizer.token_to_id("<|endoftext|>") == 0
    (tmp_path / "tokenizer.json").write_text(tokenizer.to_str(), encoding="utf-8")
    theirs = transformers.PreTrainedTokenizerFast(tokenizer_file=str(tmp_path / "tokenizer.json"))
    for sentence in ["And the earth was void.", "  two spaces\nnew line", "héllo ✓ 123"]:
        ids = tokenizer.encode(sentence).ids
        assert theirs(sentence)["input_ids"] == ids
        assert tokenizer.decode(ids) == sentence


def test_windows_predict_every_token_once():
    stream = torch.arange(23)
    rows = windows(stream, 5)
    assert rows.shape == (4, 6)
    assert torch.equal(rows[:, 1:].flatten(), torch.arange(1, 21))  # targets: each token once, in order
    assert torch.equal(rows[1:, 0], rows[:-1, -1])  # each window starts with the last token of the one before


def test_token_stream_ends_each_text_with_end_of_text():
    tokenizer = train_tokenizer(["a b c", "c b a"] * 5, 280)
    ids = token_stream(tokenizer, ["a b", "c"]).tolist()
    eot = tokenizer.token_to_id("<|endoftext|>")
    assert ids.count(eot) == 2 and ids[-1] == eot


@pytest.mark.parametrize("prev", [0, 1, 3, 4])
def test_bigram_probabilities_sum_to_one(prev):
    V = 5
    stream = np.array([0, 1, 2, 1, 2, 3, 0, 1, 1, 2, 0])  # token 4 never occurs
    bigram = Bigram(stream, V)
    nxt = np.arange(V)
    prevs = np.full(V, prev)
    for nll_terms in (
        lambda: np.exp(
            -np.array([bigram.add_k_nll(prevs[i : i + 1], nxt[i : i + 1], 0.1) for i in range(V)])
        ),
        lambda: np.exp(
            -np.array([bigram.kneser_ney_nll(prevs[i : i + 1], nxt[i : i + 1], 0.5) for i in range(V)])
        ),
    ):
        p = nll_terms()
        assert np.all(p > 0)
        assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_bigram_counts_pairs():
    bigram = Bigram(np.array([0, 1, 2, 1, 2]), 3)
    assert bigram.pair_counts(np.array([1, 2, 0, 2]), np.array([2, 1, 1, 0])).tolist() == [2, 1, 1, 0]
    assert bigram.c_prev.tolist() == [1, 2, 1]
