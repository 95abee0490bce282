"""The written-out block (forward_traced) against the fast path and against numpy arithmetic: residual sums,
LayerNorm statistics, the position-wise feed-forward network."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from viz.layers.attention import causal_mask
from viz.layers.blocks import PostNormBlock, PreNormBlock, run_stack, run_stack_traced
from viz.layers.feed_forward import FeedForward
from viz.layers.norm import traced_layer_norm

D_MODEL, N_HEADS, D_FF = 16, 4, 64


def _spread(module: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Random weights, LayerNorm gains and biases included (so that gain and bias matter)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0.0, 0.4)
    return module.eval()


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().double().numpy()


def _np_layer_norm(x, gain, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    normalised = (x - mean) / np.sqrt(var + eps)
    return mean[..., 0], var[..., 0], normalised, normalised * gain + bias


def _np_ffn(x, ffn: FeedForward, activation: str):
    pre = x @ _np(ffn.w_1.weight).T + _np(ffn.w_1.bias)
    if activation == "relu":
        act = np.maximum(pre, 0.0)
    else:
        act = 0.5 * pre * (1.0 + np.vectorize(math.erf)(pre / math.sqrt(2.0)))
    return pre, act, act @ _np(ffn.w_2.weight).T + _np(ffn.w_2.bias)


@pytest.mark.parametrize("block_class", [PostNormBlock, PreNormBlock])
@pytest.mark.parametrize("activation", ["gelu", "relu"])
def test_traced_block_equals_fast_path_and_numpy(block_class, activation):
    block = _spread(block_class(D_MODEL, N_HEADS, D_FF, activation, eps=1e-5))
    x = torch.randn(2, 7, D_MODEL)
    allowed = causal_mask(7)
    with torch.no_grad():
        fast, fast_attention = block(x, allowed)
        out, t = block.forward_traced(x, allowed)
    torch.testing.assert_close(out, fast, atol=1e-5, rtol=0)
    torch.testing.assert_close(t.attention.weights, fast_attention.weights)
    assert t.norm_position == ("post" if block_class is PostNormBlock else "pre")

    x64 = _np(x)
    # The residual sums add up.
    np.testing.assert_allclose(_np(t.attention_residual), x64 + _np(t.attention_output), atol=1e-5)
    added_to = _np(t.ffn_input) if t.norm_position == "post" else _np(t.attention_residual)
    np.testing.assert_allclose(_np(t.ffn_residual), added_to + _np(t.ffn.output), atol=1e-5)
    # Each LayerNorm, recomputed in numpy from the module's gain and bias.
    first_input = _np(t.attention_residual) if t.norm_position == "post" else x64
    second_input = _np(t.ffn_residual) if t.norm_position == "post" else _np(t.attention_residual)
    for norm_trace, norm, given in (
        (t.attention_norm, block.attention_norm, first_input),
        (t.ffn_norm, block.ffn_norm, second_input),
    ):
        mean, var, normalised, output = _np_layer_norm(given, _np(norm.weight), _np(norm.bias), norm.eps)
        np.testing.assert_allclose(_np(norm_trace.input), given, atol=1e-5)
        np.testing.assert_allclose(_np(norm_trace.mean), mean, atol=1e-5)
        np.testing.assert_allclose(_np(norm_trace.variance), var, atol=1e-5, rtol=1e-5)
        np.testing.assert_allclose(_np(norm_trace.normalised), normalised, atol=1e-5)
        np.testing.assert_allclose(_np(norm_trace.output), output, atol=1e-5)
    # The FFN, recomputed in numpy.
    pre, act, ffn_out = _np_ffn(_np(t.ffn_input), block.ffn, activation)
    np.testing.assert_allclose(_np(t.ffn.pre_activation), pre, atol=1e-5)
    np.testing.assert_allclose(_np(t.ffn.activation), act, atol=1e-5)
    np.testing.assert_allclose(_np(t.ffn.output), ffn_out, atol=1e-5)
    # What the FFN reads and what the block gives.
    if t.norm_position == "post":
        np.testing.assert_allclose(_np(t.ffn_input), _np(t.attention_norm.output), atol=1e-6)
        np.testing.assert_allclose(_np(out), _np(t.ffn_norm.output), atol=1e-6)
    else:
        np.testing.assert_allclose(_np(t.ffn_input), _np(t.ffn_norm.output), atol=1e-6)
        np.testing.assert_allclose(_np(out), _np(t.ffn_residual), atol=1e-6)
        # pre-LN: attention read the normalised stream
        torch.testing.assert_close(
            t.attention.queries, block.attention.split_heads(block.attention.w_q(t.attention_norm.output))
        )


def test_run_stack_traced_equals_run_stack():
    blocks = torch.nn.ModuleList(
        _spread(PreNormBlock(D_MODEL, N_HEADS, D_FF, "gelu", 1e-5), s) for s in range(3)
    )
    x = torch.randn(1, 5, D_MODEL)
    with torch.no_grad():
        fast, fast_hidden, _ = run_stack(blocks, x)
        out, hidden, traces = run_stack_traced(blocks, x)
    torch.testing.assert_close(out, fast, atol=1e-5, rtol=0)
    assert len(hidden) == 4 and len(traces) == 3
    for i, trace in enumerate(traces):
        torch.testing.assert_close(trace.input, hidden[i])
        torch.testing.assert_close(trace.output, hidden[i + 1])
        torch.testing.assert_close(hidden[i + 1], fast_hidden[i + 1], atol=1e-5, rtol=0)


def test_ffn_is_position_wise():
    """The same vector at two positions gives the same output; the other positions do not matter."""
    ffn = _spread(FeedForward(D_MODEL, D_FF, "gelu"))
    x = torch.randn(1, 6, D_MODEL)
    x[0, 4] = x[0, 1]
    with torch.no_grad():
        out, trace = ffn.forward_traced(x)
        alone = ffn(x[:, 1:2])
        torch.testing.assert_close(out, ffn(x))
    torch.testing.assert_close(out[0, 4], out[0, 1], atol=1e-5, rtol=0)  # float32 rounding only
    torch.testing.assert_close(out[0, 1], alone[0, 0], atol=1e-5, rtol=0)
    assert trace.pre_activation.shape == trace.activation.shape == (1, 6, D_FF)


def test_layer_norm_trace_refuses_what_it_cannot_write_out():
    with pytest.raises(ValueError, match="last axis"):
        traced_layer_norm(torch.nn.LayerNorm(8, elementwise_affine=False), torch.randn(1, 2, 8))
    out, t = traced_layer_norm(torch.nn.LayerNorm(8), torch.randn(1, 3, 8) * 5 + 2)
    torch.testing.assert_close(t.normalised.mean(-1), torch.zeros(1, 3), atol=1e-5, rtol=0)
    torch.testing.assert_close(out, t.normalised * t.gain + t.bias)
