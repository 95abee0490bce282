"""Previous-token and induction scores on hand-built attention, the repeated random block, and the head test
of the bundled decoder-only models (its losses against transformers' GPT2LMHeadModel)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.analysis.induction import (
    HeadScore,
    induction_scores,
    previous_token_scores,
    ranked,
    repeated_random_ids,
    uniform_causal,
)
from viz.models.gpt2.registry import load_causal_model
from viz.trace.lm import trace_head_test

START, PERIOD = 2, 7
T = START + 2 * PERIOD


def hand_built() -> np.ndarray:
    """(1, 4, T, T) on prefix + block + block: an induction head (second-copy queries on the token after the
    first copy), a uniform causal head, a previous-token head, and a head on the first copy itself (t - period:
    one position too early to be induction)."""
    a = np.repeat(uniform_causal(T)[None, None], 4, axis=1)
    second = np.arange(START + PERIOD, T)
    a[0, 0, second] = 0
    a[0, 0, second, second - PERIOD + 1] = 1.0
    a[0, 2] = 0
    a[0, 2, 0, 0] = 1.0
    a[0, 2, np.arange(1, T), np.arange(T - 1)] = 1.0
    a[0, 3, second] = 0
    a[0, 3, second, second - PERIOD] = 1.0
    return a


def test_hand_built_heads_are_causal_rows():
    a = hand_built()
    np.testing.assert_allclose(a.sum(-1), 1.0)
    assert np.all(a[..., np.triu(np.ones((T, T), dtype=bool), 1)] == 0)


def test_induction_scores_of_hand_built_heads():
    scores = induction_scores(hand_built(), PERIOD, START)
    assert scores.shape == (1, 4)
    assert scores[0, 0] == pytest.approx(1.0)
    second = np.arange(START + PERIOD, T)
    assert scores[0, 1] == pytest.approx(np.mean(1 / (second + 1)))  # uniform: 1 / (allowed keys)
    assert scores[0, 1] < 0.1
    assert scores[0, 2] == 0.0 and scores[0, 3] == 0.0  # previous-token and "same token" heads


def test_previous_token_scores_of_hand_built_heads():
    scores = previous_token_scores(hand_built())
    assert scores[0, 2] == pytest.approx(1.0)
    t = np.arange(1, T)
    assert scores[0, 1] == pytest.approx(np.mean(1 / (t + 1)))
    assert scores[0, 0] < 0.5 and scores[0, 3] < 0.5


def test_induction_needs_two_blocks():
    with pytest.raises(ValueError, match="two blocks"):
        induction_scores(hand_built()[..., :-1, :-1], PERIOD, START)


def test_uniform_causal():
    u = uniform_causal(5)
    np.testing.assert_allclose(u.sum(1), 1.0)
    assert u[3].tolist() == [0.25] * 4 + [0.0]


def test_ranked_orders_by_score_then_layer_then_head():
    scores = np.array([[0.5, 0.9, 0.1], [0.9, 0.1, 0.95]])
    assert ranked(scores) == [
        HeadScore(1, 2, 0.95),
        HeadScore(0, 1, 0.9),
        HeadScore(1, 0, 0.9),
        HeadScore(0, 0, 0.5),
        HeadScore(0, 2, 0.1),
        HeadScore(1, 1, 0.1),
    ]
    assert [(h.layer, h.head) for h in ranked(scores, k=2)] == [(1, 2), (0, 1)]
    assert [(h.layer, h.head) for h in ranked(np.zeros((2, 2)))] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_repeated_random_ids():
    prefix = (0, 3)
    ids = repeated_random_ids(50, 10, seed=1, prefix=prefix)
    assert len(ids) == 2 + 2 * 10 and tuple(ids[:2]) == prefix
    block = ids[2:12]
    assert ids[12:] == block and len(set(block)) == 10
    assert not set(block) & set(prefix) and all(0 <= i < 50 for i in block)
    assert repeated_random_ids(50, 10, seed=1, prefix=prefix) == ids
    assert repeated_random_ids(50, 10, seed=2, prefix=prefix) != ids
    whole = repeated_random_ids(12, 10, prefix=(4, 7))  # every id but the prefix's
    assert sorted(whole[2:12]) == sorted(set(range(12)) - {4, 7})
    with pytest.raises(ValueError, match="vocabulary"):
        repeated_random_ids(12, 11, prefix=(4, 7))


@pytest.mark.parametrize("model", ["kjv", "char-reverse"])
def test_head_test_of_the_bundled_models(model):
    transformers = pytest.importorskip("transformers")
    loaded = load_causal_model(model)
    config = loaded.model.config
    test = trace_head_test(model)
    assert test.previous_token.shape == test.induction.shape == (config.n_layers, config.n_heads)
    for scores in (test.previous_token, test.induction):
        assert np.all(scores >= 0) and np.all(scores <= 1)
    t = len(test.ids)
    assert t == test.start + 2 * test.period <= config.n_positions
    block = test.ids[test.start : test.start + test.period]
    assert test.ids[test.start + test.period :] == block and len(set(block)) == test.period
    assert test.attentions.shape == (config.n_layers, config.n_heads, t, t)
    np.testing.assert_allclose(test.induction, induction_scores(test.attentions, test.period, test.start))
    np.testing.assert_allclose(test.previous_token, previous_token_scores(test.attentions))
    # the losses: each block's tokens after its first, predicted from the position before, by transformers
    ref = transformers.GPT2LMHeadModel.from_pretrained(loaded.folder, attn_implementation="eager").eval()
    with torch.no_grad():
        out = ref(torch.tensor([test.ids]), output_attentions=True)
    theirs = torch.stack([a[0] for a in out.attentions]).numpy()
    assert np.abs(test.attentions - theirs).max() < 1e-4
    log_p = torch.log_softmax(out.logits[0].double(), -1).numpy()
    for first, loss in ((test.start, test.loss_first), (test.start + test.period, test.loss_second)):
        targets = range(first + 1, first + test.period)
        assert loss == pytest.approx(-np.mean([log_p[j - 1, test.ids[j]] for j in targets]), abs=1e-4)
    if loaded.chars:  # letters only, no special token in the block
        assert all(loaded.vocab.tokens[i] in "abcdefghijklmnopqrstuvwxyz" for i in block)
        assert test.ids[0] == loaded.vocab.bos_id


def two_layer_induction_folder(path, vocab_size: int = 20, n_positions: int = 40):
    """A GPT-2 folder whose weights are set by hand (Olsson et al. 2022's circuit): layer 0 head 0 copies the
    previous token into a subspace of its own, layer 1 head 0 looks for the key whose previous token is the
    query's token and writes that key's token into the output. The other heads and the MLPs are zero.

    The residual stream is three one-hot subspaces: the token (wte), the position (wpe), the previous token.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers

    from viz.models.gpt2.checkpoint import save_gpt2_folder
    from viz.models.gpt2.config import GPT2Config
    from viz.models.gpt2.model import GPT2

    tok, pos, prev = 0, vocab_size, vocab_size + n_positions
    d_model = 2 * vocab_size + n_positions
    config = GPT2Config(
        vocab_size=vocab_size, n_positions=n_positions, d_model=d_model, n_layers=2, n_heads=2, d_ff=8
    )
    model = GPT2(config).eval()
    v, p = np.arange(vocab_size), np.arange(n_positions)
    with torch.no_grad():
        for name, param in model.named_parameters():
            param.fill_(1.0 if "norm.weight" in name else 0.0)
        model.wte.weight[v, tok + v] = 1.0
        model.wpe.weight[p, pos + p] = 1.0
        first, second = model.blocks[0].attention, model.blocks[1].attention
        # layer 0, head 0 (dims 0 .. d_head - 1): query position t meets key position t - 1; value = token
        first.w_q.weight[p, pos + p] = 3.0
        first.w_k.weight[p[1:], pos + p[:-1]] = 3.0
        first.w_v.weight[v, tok + v] = 1.0
        first.w_o.weight[prev + v, v] = 0.16  # LayerNorm scales a one-hot by about 1 / 0.16
        # layer 1, head 0: query = this token, key = the previous token there; value = the token there
        second.w_q.weight[v, tok + v] = 3.0
        second.w_k.weight[v, prev + v] = 3.0
        second.w_v.weight[v, tok + v] = 1.0
        second.w_o.weight[tok + v, v] = 2.0
    folder = save_gpt2_folder(model, path)
    words = [f"w{i}" for i in range(vocab_size)]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="w0"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder


def test_a_hand_set_induction_circuit_is_found(tmp_path):
    transformers = pytest.importorskip("transformers")
    folder = two_layer_induction_folder(tmp_path / "induction-gpt2")
    test = trace_head_test(folder, period=20)
    assert test.period == 20 and test.start == 0
    top_previous, top_induction = ranked(test.previous_token)[0], ranked(test.induction)[0]
    assert (top_previous.layer, top_previous.head) == (0, 0) and top_previous.score > 0.95
    assert (top_induction.layer, top_induction.head) == (1, 0) and top_induction.score > 0.95
    assert test.induction[0, 0] < 0.05 and test.previous_token[1, 0] < 0.2
    assert test.loss_second < 0.1 < 1.0 < test.loss_first  # the second copy is predicted, the first is not
    # the same circuit in transformers
    ref = transformers.GPT2LMHeadModel.from_pretrained(folder, attn_implementation="eager").eval()
    with torch.no_grad():
        out = ref(torch.tensor([test.ids]), output_attentions=True)
    theirs = torch.stack([a[0] for a in out.attentions]).numpy()
    assert np.abs(test.attentions - theirs).max() < 1e-4
    assert induction_scores(theirs, test.period, test.start)[1, 0] > 0.95
