"""A BERT-style encoder (Devlin et al. 2019) built on the transparent attention.

Post-LayerNorm blocks (:class:`viz.layers.blocks.PostNormBlock`): x = LN(x + MHA(x)); x = LN(x + FFN(x)),
FFN = W_2 GELU(W_1 x). Loads all-MiniLM-L6-v2 and any Hugging Face BERT, DistilBERT, RoBERTa, XLM-RoBERTa,
ELECTRA or ALBERT checkpoint folder (see :mod:`viz.models.bert.checkpoint`); the config says what differs:
segment embeddings or none, positions from 0 or from padding_idx + 1, embeddings of width E projected to
d_model, one block shared by every layer.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from viz.layers.attention import padding_mask
from viz.layers.blocks import PostNormBlock, run_stack, run_stack_traced
from viz.layers.outputs import ModelOutput
from viz.models.bert.config import EncoderConfig


@dataclasses.dataclass(frozen=True)
class EmbeddingTrace:
    """The three embeddings BERT adds, each (B, T, E) with E = d_model unless factorised (ALBERT, ELECTRA), and
    their sum before LayerNorm. A model without token types (DistilBERT) has a zero segment embedding."""

    token: torch.Tensor
    position: torch.Tensor
    segment: torch.Tensor
    total: torch.Tensor  # token + position + segment, before LayerNorm


class BertEmbeddings(nn.Module):
    """Token + learned position (+ segment) embeddings, then LayerNorm (then E -> d_model, if factorised)."""

    def __init__(self, config: EncoderConfig) -> None:
        super().__init__()
        self.config = config
        e = config.d_embed
        self.token = nn.Embedding(config.vocab_size, e)
        self.position = nn.Embedding(config.n_positions, e)
        self.segment = nn.Embedding(config.type_vocab_size, e) if config.type_vocab_size else None
        self.norm = nn.LayerNorm(e, eps=config.layer_norm_eps)
        self.projection = nn.Linear(e, config.d_model) if config.embedding_projection else None

    def position_ids(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, T) position ids: 0..T-1 (BERT), or, with an offset (RoBERTa), offset.. for real tokens and
        padding_idx for padding, as Hugging Face's ``create_position_ids_from_input_ids``."""
        offset = self.config.position_offset
        if not offset:
            return torch.arange(input_ids.shape[1], device=input_ids.device)[None].expand_as(input_ids)
        real = (input_ids != self.config.pad_token_id).long()
        return torch.cumsum(real, dim=1) * real + (offset - 1)

    def forward(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, EmbeddingTrace]:
        token, position = self.token(input_ids), self.position(self.position_ids(input_ids))
        if self.segment is None:
            segment = torch.zeros_like(token)
        else:
            if token_type_ids is None:
                token_type_ids = torch.zeros_like(input_ids)
            segment = self.segment(token_type_ids)
        total = token + position + segment
        trace = EmbeddingTrace(token=token, position=position, segment=segment, total=total)
        x = self.norm(total)
        return (x if self.projection is None else self.projection(x)), trace


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
        # ALBERT shares one block's weights across its layers: it holds one block, run n_layers times.
        self.blocks = PostNormBlock.stack(dataclasses.replace(config, n_layers=config.n_distinct_blocks))

    @property
    def layers(self) -> list[PostNormBlock]:
        """The block each of the ``n_layers`` layers runs (the same one every time when they are shared)."""
        if self.config.shared_layers:
            return [self.blocks[0]] * self.config.n_layers
        return list(self.blocks)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        trace: bool = True,
        inside: bool = False,
    ) -> EncoderOutput:
        """Args: input_ids (B, T); attention_mask (B, T), 1 = token, 0 = padding; trace: keep every
        block's attention trace (False: the fused kernel, no traces); inside: also keep everything inside
        each block (``blocks``: residual sums, LayerNorm statistics, the FFN's hidden units)."""
        if input_ids.shape[1] > self.config.max_length:
            raise ValueError(
                f"{input_ids.shape[1]} tokens exceed the model's {self.config.max_length} positions"
            )
        allowed = None if attention_mask is None else padding_mask(attention_mask)
        x, embedding_trace = self.embeddings(input_ids, token_type_ids)
        if inside:
            _, hidden_states, blocks = run_stack_traced(self.layers, x, allowed)
            traces = [b.attention for b in blocks]
        else:
            _, hidden_states, traces = run_stack(self.layers, x, allowed, trace)
            blocks = []
        return EncoderOutput(
            hidden_states=tuple(hidden_states),
            traces=tuple(traces),
            embeddings=embedding_trace,
            blocks=tuple(blocks),
        )
