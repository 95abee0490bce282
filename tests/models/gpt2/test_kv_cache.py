"""The incremental path (keys and values kept, one new token read per step) gives the full forward's logits."""

from __future__ import annotations

import pytest
import torch

from viz.models.gpt2.config import GPT2Config
from viz.models.gpt2.model import GPT2


@pytest.fixture(scope="module")
def gpt():
    torch.manual_seed(0)
    return GPT2(GPT2Config(vocab_size=50, n_positions=24, d_model=32, n_layers=3, n_heads=4, d_ff=64)).eval()


@torch.no_grad()
def test_one_token_at_a_time_equals_the_full_forward(gpt):
    ids = torch.randint(0, 50, (1, 20))
    full = gpt(ids, trace=False).logits[0]
    logits, past = gpt.next_logits(ids[:, :7])  # a prompt of 7, then one token per step
    torch.testing.assert_close(logits, full[6], atol=1e-5, rtol=0)
    for t in range(7, 20):
        logits, past = gpt.next_logits(ids[:, t : t + 1], past)
        torch.testing.assert_close(logits, full[t], atol=1e-5, rtol=0)
    assert past[0][0].shape == (1, 4, 20, 8)  # every layer kept (B, H, T, d_head) keys


@torch.no_grad()
def test_a_chunk_of_new_tokens_stays_causal(gpt):
    ids = torch.randint(0, 50, (1, 12))
    full = gpt(ids, trace=False).logits[0]
    _, past = gpt.next_logits(ids[:, :5])
    logits, _ = gpt.next_logits(ids[:, 5:12], past)  # seven new positions at once, each sees only its past
    torch.testing.assert_close(logits, full[11], atol=1e-5, rtol=0)
    changed = ids.clone()
    changed[0, 11] = (changed[0, 11] + 1) % 50
    before, _ = gpt.next_logits(changed[:, 5:11], past)
    torch.testing.assert_close(
        before, full[10], atol=1e-5, rtol=0
    )  # a later token never changes an earlier one


def test_too_many_positions_are_refused(gpt):
    _, past = gpt.next_logits(torch.zeros(1, 24, dtype=torch.long))
    with pytest.raises(ValueError, match="positions"):
        gpt.next_logits(torch.zeros(1, 1, dtype=torch.long), past)
