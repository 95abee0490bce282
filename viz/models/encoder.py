"""A BERT-style encoder (Devlin et al. 2019) built on the transparent attention.

Post-LayerNorm blocks: x = LN(x + MHA(x)); x = LN(x + FFN(x)), FFN = W_2 GELU(W_1 x).
Loads all-MiniLM-L6-v2 and any Hugging Face BERT checkpoint folder (see :mod:`viz.models.checkpoint`).
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn
from torch.nn import functional as F

from viz.config import EncoderConfig
from viz.models.attention import AttentionTrace, MultiHeadAttention, padding_mask


def activation_fn(name: str):
    """The feed-forward non-linearity named in a Hugging Face config."""
    if name == "gelu":
        return F.gelu
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    raise ValueError(f"unknown activation {name!r}")


class FeedForward(nn.Module):
    """Position-wise FFN(x) = act(x W_1 + b_1) W_2 + b_2, d_model -> d_ff -> d_model."""

    def __init__(self, d_model: int, d_ff: int, activation: str = "gelu") -> None:
        super().__init__()
        self.w_1 = nn.Linear(d_model, d_ff)
        self.w_2 = nn.Linear(d_ff, d_model)
        self.activation = activation_fn(activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w_2(self.activation(self.w_1(x)))


@dataclasses.dataclass(frozen=True)
class EmbeddingTrace:
    """The three embeddings BERT adds, each (B, T, d_model), and their sum before LayerNorm."""

    token: torch.Tensor
    position: torch.Tensor
    segment: torch.Tensor
    total: torch.Tensor  # token + position + segment, before LayerNorm


class BertEmbeddings(nn.Module):
    """Token + learned position + segment embeddings, then LayerNorm."""

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.token = nn.Embedding(config.vocab_size, config.d_model)
        self.position = nn.Embedding(config.max_positions, config.d_model)
        self.segment = nn.Embedding(config.type_vocab_size, config.d_model)
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)

    def forward(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, EmbeddingTrace]:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None]  # (1, T)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        token, position, segment = (
            self.token(input_ids),
            self.position(positions),
            self.segment(token_type_ids),
        )
        total = token + position + segment
        trace = EmbeddingTrace(token=token, position=position.expand_as(token), segment=segment, total=total)
        return self.norm(total), trace


class EncoderLayer(nn.Module):
    """One post-LN encoder block: self-attention and FFN, each in a residual connection + LayerNorm."""

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.attention = MultiHeadAttention(config.d_model, config.n_heads)
        self.attention_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.ffn = FeedForward(config.d_model, config.d_ff, config.activation)
        self.ffn_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor | None) -> tuple[torch.Tensor, AttentionTrace]:
        attended, trace = self.attention(x, allowed=allowed)
        x = self.attention_norm(x + attended)
        x = self.ffn_norm(x + self.ffn(x))
        return x, trace


@dataclasses.dataclass(frozen=True)
class EncoderOutput:
    """What the encoder computed: every layer's hidden states and attention trace."""

    hidden_states: tuple[torch.Tensor, ...]  # n_layers + 1 tensors (B, T, d_model); [0] = embeddings
    traces: tuple[AttentionTrace, ...]  # one per layer
    embeddings: EmbeddingTrace

    @property
    def last_hidden_state(self) -> torch.Tensor:
        return self.hidden_states[-1]

    @property
    def attentions(self) -> torch.Tensor:
        """(n_layers, B, H, T, T) softmax weights of every layer."""
        return torch.stack([t.weights for t in self.traces])


class BertEncoder(nn.Module):
    """Embeddings followed by ``n_layers`` encoder blocks. No pooler: we explain attention, not pooling."""

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(config.n_layers))

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
    ) -> EncoderOutput:
        """Args: input_ids (B, T); attention_mask (B, T), 1 = token, 0 = padding."""
        if input_ids.shape[1] > self.config.max_positions:
            raise ValueError(
                f"{input_ids.shape[1]} tokens exceed the model's {self.config.max_positions} positions"
            )
        allowed = None if attention_mask is None else padding_mask(attention_mask)
        x, embedding_trace = self.embeddings(input_ids, token_type_ids)
        hidden_states = [x]
        traces = []
        for layer in self.layers:
            x, trace = layer(x, allowed)
            hidden_states.append(x)
            traces.append(trace)
        return EncoderOutput(
            hidden_states=tuple(hidden_states), traces=tuple(traces), embeddings=embedding_trace
        )
