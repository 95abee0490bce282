"""Invariants of the transparent attention, and agreement with PyTorch's own attention kernel."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from viz.layers.attention import MultiHeadAttention, additive_mask, causal_mask, padding_mask


@pytest.fixture
def mha():
    torch.manual_seed(0)
    return MultiHeadAttention(d_model=24, n_heads=4).eval()


def test_trace_shapes(mha):
    x = torch.randn(2, 5, 24)
    out, trace = mha(x)
    assert out.shape == (2, 5, 24)
    assert trace.queries.shape == trace.keys.shape == trace.values.shape == (2, 4, 5, 6)
    assert trace.scores.shape == trace.weights.shape == (2, 4, 5, 5)
    assert trace.head_outputs.shape == (2, 4, 5, 6)
    assert trace.concat.shape == trace.output.shape == (2, 5, 24)
    assert trace.mask is None


def test_rows_sum_to_one(mha):
    _, trace = mha(torch.randn(3, 7, 24))
    torch.testing.assert_close(trace.weights.sum(-1), torch.ones(3, 4, 7))


def test_steps_compose(mha):
    """scores = QK^T, scaled = scores / sqrt(d_head), weights = softmax, heads = weights V, output = concat W^O."""
    x = torch.randn(1, 6, 24)
    out, t = mha(x)
    torch.testing.assert_close(t.scores, t.queries @ t.keys.transpose(-1, -2))
    torch.testing.assert_close(t.scaled_scores, t.scores / math.sqrt(6))
    torch.testing.assert_close(t.weights, torch.softmax(t.scaled_scores, -1))
    torch.testing.assert_close(t.head_outputs, t.weights @ t.values)
    torch.testing.assert_close(t.concat[0, :, 6:12], t.head_outputs[0, 1])
    torch.testing.assert_close(out, t.concat @ mha.w_o.weight.T + mha.w_o.bias)


def test_causal_weights_exactly_zero_above_diagonal(mha):
    _, trace = mha(torch.randn(2, 9, 24), allowed=causal_mask(9))
    upper = torch.triu(torch.ones(9, 9, dtype=torch.bool), diagonal=1)
    assert torch.all(trace.weights[..., upper] == 0.0)
    assert torch.all(torch.isinf(trace.mask[..., upper])) and torch.all(trace.mask[..., ~upper] == 0)
    torch.testing.assert_close(trace.weights.sum(-1), torch.ones(2, 4, 9))
    # the first token can only see itself
    assert torch.all(trace.weights[..., 0, 0] == 1.0)


def test_padding_keys_get_zero_weight(mha):
    attention_mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    _, trace = mha(torch.randn(2, 5, 24), allowed=padding_mask(attention_mask))
    assert torch.all(trace.weights[0, :, :, 3:] == 0.0)
    assert torch.all(trace.weights[1] > 0)
    torch.testing.assert_close(trace.weights.sum(-1), torch.ones(2, 4, 5))


def test_padding_does_not_change_real_tokens(mha):
    """A sentence padded with junk gives the same outputs on its real tokens as the sentence alone."""
    x = torch.randn(1, 4, 24)
    padded = torch.cat([x, torch.randn(1, 3, 24)], dim=1)
    out_alone, _ = mha(x)
    out_padded, _ = mha(padded, allowed=padding_mask(torch.tensor([[1, 1, 1, 1, 0, 0, 0]])))
    torch.testing.assert_close(out_padded[:, :4], out_alone)


def test_combined_causal_and_padding(mha):
    allowed = causal_mask(5) & padding_mask(torch.tensor([[1, 1, 1, 1, 0]]))
    _, trace = mha(torch.randn(1, 5, 24), allowed=allowed)
    assert torch.all(trace.weights[..., 4] == 0)
    assert torch.all(torch.triu(trace.weights[0, 0], 1) == 0)


def test_fully_masked_row_gives_zeros_not_nan(mha):
    allowed = torch.zeros(1, 1, 3, 3, dtype=torch.bool)
    _, trace = mha(torch.randn(1, 3, 24), allowed=allowed)
    assert not torch.isnan(trace.weights).any()
    assert torch.all(trace.weights == 0)


@pytest.mark.parametrize("causal", [False, True])
def test_matches_pytorch_scaled_dot_product_attention(mha, causal):
    """The output agrees with torch's fused kernel (an implementation we did not write)."""
    x, context = torch.randn(2, 6, 24), torch.randn(2, 6, 24)
    allowed = causal_mask(6) if causal else None
    out, trace = mha(x, context=context, allowed=allowed)
    expected_heads = F.scaled_dot_product_attention(trace.queries, trace.keys, trace.values, is_causal=causal)
    torch.testing.assert_close(trace.head_outputs, expected_heads, atol=1e-5, rtol=1e-5)
    mha_ref = torch.nn.MultiheadAttention(24, 4, batch_first=True)
    with torch.no_grad():
        mha_ref.in_proj_weight.copy_(torch.cat([mha.w_q.weight, mha.w_k.weight, mha.w_v.weight]))
        mha_ref.in_proj_bias.copy_(torch.cat([mha.w_q.bias, mha.w_k.bias, mha.w_v.bias]))
        mha_ref.out_proj.weight.copy_(mha.w_o.weight)
        mha_ref.out_proj.bias.copy_(mha.w_o.bias)
    ref_mask = None if not causal else ~causal_mask(6)[0, 0]
    ref_out, ref_weights = mha_ref(x, context, context, attn_mask=ref_mask, average_attn_weights=False)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(trace.weights, ref_weights, atol=1e-6, rtol=1e-5)


def test_cross_attention_shapes(mha):
    _, trace = mha(torch.randn(1, 3, 24), context=torch.randn(1, 8, 24))
    assert trace.weights.shape == (1, 4, 3, 8)
    torch.testing.assert_close(trace.weights.sum(-1), torch.ones(1, 4, 3))


def test_causal_mask_rectangular_for_incremental_decoding():
    # 2 new queries after 3 cached keys: query i sees keys up to 3 + i
    allowed = causal_mask(2, 5)[0, 0]
    assert allowed.tolist() == [[True, True, True, True, False], [True] * 5]


def test_additive_mask_values():
    allowed = torch.tensor([[True, False]])
    assert additive_mask(allowed).tolist() == [[0.0, float("-inf")]]


def test_rejects_indivisible_width():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)


@pytest.mark.parametrize(
    "case", ["plain", "padding", "causal", "cross", "bias and mask", "a query sees nothing"]
)
def test_fused_path_equals_the_traced_path(mha, case):
    """trace=False runs torch's fused kernel: the same output within 1e-5, and no trace."""
    torch.manual_seed(1)
    x, context, allowed, bias = torch.randn(2, 6, 24), None, None, None
    if case == "padding":
        allowed = padding_mask(torch.tensor([[1, 1, 1, 1, 0, 0], [1] * 6]))
    elif case == "causal":
        allowed = causal_mask(6)
    elif case == "cross":
        context = torch.randn(2, 9, 24)
        allowed = padding_mask(torch.tensor([[1] * 7 + [0, 0], [1] * 9]))
    elif case == "bias and mask":
        bias = torch.randn(1, 4, 6, 6)
        allowed = causal_mask(6)
    elif case == "a query sees nothing":
        allowed = torch.ones(1, 1, 6, 6, dtype=torch.bool)
        allowed[..., 2, :] = False
    traced, trace = mha(x, context=context, allowed=allowed, bias=bias)
    fused, no_trace = mha(x, context=context, allowed=allowed, bias=bias, trace=False)
    assert no_trace is None and trace is not None
    torch.testing.assert_close(fused, traced, atol=1e-5, rtol=0)
    assert torch.isfinite(fused).all()


def test_fused_path_gradients_equal_the_traced_path(mha):
    x = torch.randn(2, 5, 24, requires_grad=True)
    allowed = causal_mask(5)
    (grad_traced,) = torch.autograd.grad(mha(x, allowed=allowed)[0].square().sum(), x)
    (grad_fused,) = torch.autograd.grad(mha(x, allowed=allowed, trace=False)[0].square().sum(), x)
    torch.testing.assert_close(grad_fused, grad_traced, atol=1e-5, rtol=0)
