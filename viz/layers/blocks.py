"""The two transformer blocks every family is built from: attention and feed-forward, each in a residual
connection, with the LayerNorm after the sum (the paper, BERT) or before the sub-layer (GPT-2, ViT, Swin).

Both take ``(x, allowed, trace)`` and return ``(x, attention trace or None)``; their parts are named alike
in every family (``attention``, ``attention_norm``, ``ffn``, ``ffn_norm``), so the Hugging Face name tables
of :mod:`viz.models` map onto one vocabulary. ``forward_traced(x, allowed)`` runs the same block written out
and returns ``(x, BlockTrace)``: every sub-layer's input and output, both residual sums and both LayerNorms'
statistics (the view of the whole block; ``forward`` stays the fast path).
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from viz.core.config import StackConfig
from viz.layers.attention import AttentionTrace, MultiHeadAttention
from viz.layers.feed_forward import FeedForward, FeedForwardTrace
from viz.layers.norm import LayerNormTrace, traced_layer_norm


@dataclasses.dataclass(frozen=True)
class BlockTrace:
    """Everything inside one block (B = batch, T = positions, d = d_model).

    Post-LN (``norm_position == "post"``): attention reads ``input``; ``attention_residual`` = input +
    attention output, normalised by ``attention_norm`` into ``ffn_input``; ``ffn_residual`` = ffn_input + FFN
    output, normalised by ``ffn_norm`` into ``output``.
    Pre-LN (``"pre"``): attention reads ``attention_norm``'s output of ``input``; ``attention_residual`` =
    input + attention output; the FFN reads ``ffn_norm``'s output of it (``ffn_input``); ``ffn_residual`` =
    attention_residual + FFN output = ``output``.
    """

    norm_position: str  # "post" (the paper, BERT) or "pre" (GPT-2, ViT)
    input: torch.Tensor  # (B, T, d) the residual stream entering the block
    attention: AttentionTrace  # its ``output`` (B, T, d) is the attention sub-layer's output
    attention_residual: torch.Tensor  # (B, T, d) the first residual sum
    attention_norm: LayerNormTrace
    ffn_input: torch.Tensor  # (B, T, d) what the FFN reads
    ffn: FeedForwardTrace
    ffn_residual: torch.Tensor  # (B, T, d) the second residual sum
    ffn_norm: LayerNormTrace
    output: torch.Tensor  # (B, T, d) the block's output

    @property
    def attention_output(self) -> torch.Tensor:
        return self.attention.output


class _Block(nn.Module):
    def __init__(
        self, d_model: int, n_heads: int, d_ff: int, activation: str, eps: float, dropout: float = 0.0
    ) -> None:
        super().__init__()
        # W^O always carries a bias; a checkpoint without q/k/v biases is loaded with those set to zero.
        self.attention = MultiHeadAttention(d_model, n_heads)
        self.attention_norm = nn.LayerNorm(d_model, eps=eps)
        self.ffn = FeedForward(d_model, d_ff, activation)
        self.ffn_norm = nn.LayerNorm(d_model, eps=eps)
        self.dropout = nn.Dropout(dropout)

    @classmethod
    def stack(cls, config: StackConfig) -> nn.ModuleList:
        """``config.n_layers`` blocks of the config's sizes, activation, LayerNorm epsilon and dropout."""
        return nn.ModuleList(
            cls(
                config.d_model,
                config.n_heads,
                config.d_ff,
                config.activation,
                config.layer_norm_eps,
                getattr(config, "dropout", 0.0),
            )
            for _ in range(config.n_layers)
        )


class PostNormBlock(_Block):
    """x = LN(x + MHA(x)); x = LN(x + FFN(x)), dropout on each sub-layer's output (section 5.4).

    The encoder block of the paper and of BERT-style encoders.
    """

    def forward(
        self, x: torch.Tensor, allowed: torch.Tensor | None = None, trace: bool = True
    ) -> tuple[torch.Tensor, AttentionTrace | None]:
        """x (B, T, d_model) -> (B, T, d_model); ``allowed`` as in :class:`MultiHeadAttention`."""
        attended, attention_trace = self.attention(x, allowed=allowed, trace=trace)
        x = self.attention_norm(x + self.dropout(attended))
        x = self.ffn_norm(x + self.dropout(self.ffn(x)))
        return x, attention_trace

    def forward_traced(
        self, x: torch.Tensor, allowed: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, BlockTrace]:
        """The same block, every intermediate kept: x (B, T, d_model) -> (output, :class:`BlockTrace`)."""
        attended, attention_trace = self.attention(x, allowed=allowed, trace=True)
        attention_residual = x + self.dropout(attended)
        hidden, attention_norm = traced_layer_norm(self.attention_norm, attention_residual)
        ffn_out, ffn_trace = self.ffn.forward_traced(hidden)
        ffn_residual = hidden + self.dropout(ffn_out)
        output, ffn_norm = traced_layer_norm(self.ffn_norm, ffn_residual)
        return output, BlockTrace(
            "post",
            x,
            attention_trace,
            attention_residual,
            attention_norm,
            hidden,
            ffn_trace,
            ffn_residual,
            ffn_norm,
            output,
        )


class PreNormBlock(_Block):
    """x = x + MHA(LN(x)); x = x + FFN(LN(x)): the residual stream is never normalised in place.

    GPT-2's block (with a causal mask), the ViT's, and the base of Swin's (which attends within windows).
    """

    def forward(
        self, x: torch.Tensor, allowed: torch.Tensor | None = None, trace: bool = True
    ) -> tuple[torch.Tensor, AttentionTrace | None]:
        """x (B, T, d_model) -> (B, T, d_model); ``allowed`` as in :class:`MultiHeadAttention`."""
        attended, attention_trace = self.attention(self.attention_norm(x), allowed=allowed, trace=trace)
        return self.ffn_residual(x + self.dropout(attended)), attention_trace

    def forward_traced(
        self, x: torch.Tensor, allowed: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, BlockTrace]:
        """The same block, every intermediate kept: x (B, T, d_model) -> (output, :class:`BlockTrace`)."""
        normed, attention_norm = traced_layer_norm(self.attention_norm, x)
        attended, attention_trace = self.attention(normed, allowed=allowed, trace=True)
        attention_residual = x + self.dropout(attended)
        ffn_input, ffn_norm = traced_layer_norm(self.ffn_norm, attention_residual)
        ffn_out, ffn_trace = self.ffn.forward_traced(ffn_input)
        output = attention_residual + self.dropout(ffn_out)
        return output, BlockTrace(
            "pre",
            x,
            attention_trace,
            attention_residual,
            attention_norm,
            ffn_input,
            ffn_trace,
            output,
            ffn_norm,
            output,
        )

    def forward_cached(
        self, x: torch.Tensor, past: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """The causal block on new positions only, reading the earlier ones' keys and values (``past``);
        returns the output and the keys and values so far (:meth:`MultiHeadAttention.forward_cached`)."""
        attended, kept = self.attention.forward_cached(self.attention_norm(x), past)
        return self.ffn_residual(x + attended), kept

    def ffn_residual(self, x: torch.Tensor) -> torch.Tensor:
        """The second half of the block: x + FFN(LN(x))."""
        return x + self.dropout(self.ffn(self.ffn_norm(x)))


def run_stack(
    blocks: nn.ModuleList, x: torch.Tensor, allowed: torch.Tensor | None = None, trace: bool = True
) -> tuple[torch.Tensor, list[torch.Tensor], list[AttentionTrace]]:
    """Run ``x`` through ``blocks`` in turn.

    Returns:
        the output, the hidden states (``x`` first, then each block's output) and each block's trace
        (an empty list with ``trace=False``).
    """
    hidden_states, traces = [x], []
    for block in blocks:
        x, attention_trace = block(x, allowed, trace=trace)
        hidden_states.append(x)
        if trace:
            traces.append(attention_trace)
    return x, hidden_states, traces


def run_stack_traced(
    blocks: nn.ModuleList | list, x: torch.Tensor, allowed: torch.Tensor | None = None
) -> tuple[torch.Tensor, list[torch.Tensor], list[BlockTrace]]:
    """:func:`run_stack` with every block written out: the output, the hidden states and each block's
    :class:`BlockTrace` (whose ``attention`` is the block's attention trace)."""
    hidden_states, traces = [x], []
    for block in blocks:
        x, block_trace = block.forward_traced(x, allowed)
        hidden_states.append(x)
        traces.append(block_trace)
    return x, hidden_states, traces
