"""A BERT-style encoder (Devlin et al. 2019) built on the transparent attention.

Post-LayerNorm blocks (:class:`viz.layers.blocks.PostNormBlock`): x = LN(x + MHA(x)); x = LN(x + FFN(x)),
FFN = W_2 GELU(W_1 x). Loads all-MiniLM-L6-v2 and any Hugging Face BERT checkpoint folder
(see :mod:`viz.models.bert.checkpoint`).
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from viz.layers.attention import padding_mask
from viz.layers.blocks import PostNormBlock, run_stack
from viz.layers.outputs import ModelOutput
from viz.models.bert.config import EncoderConfig


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
        self.position = nn.Embedding(config.n_positions, config.d_model)
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


@dataclasses.dataclass(frozen=True, kw_only=True)
class EncoderOutput(ModelOutput):
    """Every layer's hidden states and attention trace, and the embeddings' parts."""

    embeddings: EmbeddingTrace

    @property
    def last_hidden_state(self) -> torch.Tensor:
        return self.hidden_states[-1]


class BertEncoder(nn.Module):
    """Embeddings followed by ``n_layers`` encoder blocks. No pooler: we explain attention, not pooling."""

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.blocks = PostNormBlock.stack(config)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        trace: bool = True,
    ) -> EncoderOutput:
        """Args: input_ids (B, T); attention_mask (B, T), 1 = token, 0 = padding; trace: keep every
        block's attention trace (False: the fused kernel, no traces)."""
        if input_ids.shape[1] > self.config.n_positions:
            raise ValueError(
                f"{input_ids.shape[1]} tokens exceed the model's {self.config.n_positions} positions"
            )
        allowed = None if attention_mask is None else padding_mask(attention_mask)
        x, embedding_trace = self.embeddings(input_ids, token_type_ids)
        _, hidden_states, traces = run_stack(self.blocks, x, allowed, trace)
        return EncoderOutput(
            hidden_states=tuple(hidden_states), traces=tuple(traces), embeddings=embedding_trace
        )
