"""The two transformer blocks every family is built from: attention and feed-forward, each in a residual
connection, with the LayerNorm after the sum (the paper, BERT) or before the sub-layer (GPT-2, ViT, Swin).

Both take ``(x, allowed, trace)`` and return ``(x, attention trace or None)``; their parts are named alike
in every family (``attention``, ``attention_norm``, ``ffn``, ``ffn_norm``), so the Hugging Face name tables
of :mod:`viz.models` map onto one vocabulary.
"""

from __future__ import annotations

import torch
from torch import nn

from viz.core.config import StackConfig
from viz.layers.attention import AttentionTrace, MultiHeadAttention
from viz.layers.feed_forward import FeedForward


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
